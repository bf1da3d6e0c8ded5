import { randomUUID } from "node:crypto";
import { makeIdNumber } from "../../src/seed/demo-world.ts";
import type { Client, TestApp } from "./app.ts";
import { multipart, pdf, png } from "./files.ts";

export const MARRIAGE = "350100-MZ-0001";

/** Takes an action on a case with a fresh Idempotency-Key. */
export const act = (client: Client, id: string, body: object) =>
  client.request("POST", `/api/v1/applications/${id}/actions`, body, { "idempotency-key": randomUUID() });

/** Logs in the first demo resident of a region. */
export async function loginResident(t: TestApp, region = "350100"): Promise<Client> {
  const account = t.find((a) => a.roles.length === 0 && a.region === region && /^\d{17}/.test(a.username));
  const client = t.anonymous();
  const response = await client.request("POST", "/api/v1/auth/login", {
    username: account.username,
    password: account.password,
  });
  if (response.statusCode !== 200) throw new Error(`resident login failed: ${response.body}`);
  return client;
}

/** A marriage-registration case of `resident`, complete and submitted (待受理). */
export async function submittedMarriage(t: TestApp, resident: Client): Promise<string> {
  const id = (await resident.request("POST", "/api/v1/applications", { serviceCode: MARRIAGE })).json().id as string;
  await resident.request("PATCH", `/api/v1/applications/${id}`, {
    form: {
      partnerName: "陈美玲",
      partnerIdNumber: makeIdNumber("350103", "1992-06-18", 28),
      partnerPhone: "13859012345",
      applicantOccupation: "工程师",
      partnerOccupation: "教师",
      appointmentDate: "2026-12-08",
    },
  });
  for (const [code, file] of [
    ["photo", { name: "合影.png", type: "image/png", content: png }],
    ["no_spouse_statement", { name: "声明.pdf", type: "application/pdf", content: pdf }],
  ] as const) {
    const { payload, headers } = multipart({ materialCode: code }, file);
    await t.app.inject({
      method: "POST",
      url: `/api/v1/applications/${id}/materials`,
      payload,
      headers: { ...headers, cookie: resident.cookie ?? "", "x-csrf-token": resident.csrfToken ?? "" },
    });
  }
  const submitted = await act(resident, id, { type: "submit" });
  if (submitted.json().status !== "submitted") throw new Error(`submit failed: ${submitted.body}`);
  return id;
}

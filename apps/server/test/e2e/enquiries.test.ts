import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import { loginResident, MARRIAGE } from "../support/cases.ts";

// Enquiries (咨询) and first-contact responsibility (首问负责).
let t: TestApp;
let resident: Client;
let window: Client;
let handler: Client;

const ask = (client: Client, body: object) => client.request("POST", "/api/v1/enquiries", body);
const question = { serviceCode: MARRIAGE, subject: "结婚登记要带户口本吗", body: "我的户口在渭南，可以在福州登记吗？" };

beforeAll(async () => {
  t = await createTestApp();
  resident = await loginResident(t);
  window = await t.login("fz.mz.window");
  handler = await t.login("fz.mz.handler");
});
afterAll(() => t.close());

describe("enquiries", () => {
  it("puts a question to the service's department, and its first contact answers it to the end", async () => {
    const asked = await ask(resident, question);
    expect(asked.statusCode, asked.body).toBe(201);
    const enquiry = asked.json();
    expect(enquiry).toMatchObject({
      departmentName: "福州市民政局",
      serviceCode: MARRIAGE,
      serviceName: "内地居民结婚登记",
      status: "open",
      firstContactName: null,
      allowed: ["reply", "close"],
    });
    expect(enquiry.number).toMatch(/^350100-ZX-\d{8}-\d{6}$/);
    expect(enquiry.messages).toEqual([expect.objectContaining({ authorRole: "asker", body: question.body })]);

    // The department's staff see it in their queue and may take it.
    const queue = (await window.request("GET", "/api/v1/enquiries?status=open")).json();
    expect(queue.map((e: { id: string }) => e.id)).toContain(enquiry.id);
    expect((await window.request("GET", `/api/v1/enquiries/${enquiry.id}`)).json().allowed).toEqual(["take", "reply"]);

    // 首问: the window clerk takes it and is recorded; the handler can no longer answer in their place.
    const taken = await window.request("POST", `/api/v1/enquiries/${enquiry.id}/take`);
    expect(taken.statusCode, taken.body).toBe(200);
    expect(taken.json()).toMatchObject({ firstContactName: "林婚姻登记员", allowed: ["reply"] });
    const other = await handler.request("POST", `/api/v1/enquiries/${enquiry.id}/replies`, { body: "可以。" });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({
      code: "ENQUIRY_OTHER_FIRST_CONTACT",
      details: { firstContactName: "林婚姻登记员" },
    });
    expect((await handler.request("POST", `/api/v1/enquiries/${enquiry.id}/take`)).statusCode).toBe(409);
    const mine = (await window.request("GET", "/api/v1/enquiries?mine=true")).json();
    expect(mine.map((e: { id: string }) => e.id)).toContain(enquiry.id);
    expect((await handler.request("GET", "/api/v1/enquiries?mine=true")).json()).toEqual([]);

    // The answer reaches the asker in the portal and by SMS.
    const answered = await window.request("POST", `/api/v1/enquiries/${enquiry.id}/replies`, {
      body: "可以，内地居民一方户籍在福州即可在福州登记；请携带户口簿和身份证。",
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json().status).toBe("answered");
    const notes = (await resident.request("GET", "/api/v1/notifications")).json();
    expect(notes[0]).toMatchObject({ kind: "enquiry.answered", title: `咨询已答复：${question.subject}` });
    const sms = await t.database.db
      .selectFrom("message_outbox")
      .selectAll()
      .where("body", "like", `%${enquiry.number}%`)
      .execute();
    expect(sms.map((m) => m.channel)).toContain("sms");

    // A follow-up reopens it; the same official answers; the asker closes it.
    const followUp = await resident.request("POST", `/api/v1/enquiries/${enquiry.id}/replies`, {
      body: "户口簿要原件吗？",
    });
    expect(followUp.json().status).toBe("open");
    await window.request("POST", `/api/v1/enquiries/${enquiry.id}/replies`, { body: "需要原件。" });
    const closed = await resident.request("POST", `/api/v1/enquiries/${enquiry.id}/close`);
    expect(closed.json()).toMatchObject({ status: "closed", allowed: [] });
    expect(closed.json().messages.map((m: { authorRole: string }) => m.authorRole)).toEqual([
      "asker",
      "staff",
      "asker",
      "staff",
    ]);
    const after = await window.request("POST", `/api/v1/enquiries/${enquiry.id}/replies`, { body: "补充说明。" });
    expect(after.statusCode).toBe(409);
    expect(after.json().code).toBe("ENQUIRY_CLOSED");

    // Every step is on the ledger.
    const changes = await t.database.db
      .selectFrom("outbox")
      .select("type")
      .where("subject", "=", enquiry.id)
      .orderBy("id")
      .execute();
    expect(changes.map((c) => c.type)).toEqual([
      "enquiry.asked",
      "enquiry.taken",
      "enquiry.replied",
      "enquiry.replied",
      "enquiry.replied",
      "enquiry.closed",
    ]);
  });

  it("makes whoever answers first the first contact, and hands over only from a disabled account", async () => {
    const enquiry = (await ask(resident, { ...question, subject: "预约后可以改日期吗" })).json();
    const answered = await handler.request("POST", `/api/v1/enquiries/${enquiry.id}/replies`, {
      body: "可以在预约日前一天改期。",
    });
    expect(answered.json().firstContactName).toBe("林婚姻登记审核员");
    expect((await window.request("POST", `/api/v1/enquiries/${enquiry.id}/take`)).statusCode).toBe(409);

    // The handler leaves; the administrator disables the account and the clerk takes over.
    const admin = await t.login("fz.admin");
    const staff = (await admin.request("GET", "/api/v1/admin/staff?q=fz.mz.handler")).json();
    const id = staff.find((s: { username: string }) => s.username === "fz.mz.handler").id;
    expect((await admin.request("PATCH", `/api/v1/admin/staff/${id}`, { disabled: true })).statusCode).toBe(200);
    const takenOver = await window.request("POST", `/api/v1/enquiries/${enquiry.id}/take`);
    expect(takenOver.statusCode, takenOver.body).toBe(200);
    expect(takenOver.json().firstContactName).toBe("林婚姻登记员");
    const change = await t.database.db
      .selectFrom("outbox")
      .select("type")
      .where("subject", "=", enquiry.id)
      .where("type", "=", "enquiry.reassigned")
      .execute();
    expect(change).toHaveLength(1);
    await admin.request("PATCH", `/api/v1/admin/staff/${id}`, { disabled: false });
    handler = await t.login("fz.mz.handler");
  });

  it("records exactly one first contact when two officials take an enquiry at once", async () => {
    const enquiry = (await ask(resident, { ...question, subject: "两人同时受理" })).json();
    const [a, b] = await Promise.all([
      window.request("POST", `/api/v1/enquiries/${enquiry.id}/take`),
      handler.request("POST", `/api/v1/enquiries/${enquiry.id}/take`),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const taken = await t.database.db
      .selectFrom("outbox")
      .select("type")
      .where("subject", "=", enquiry.id)
      .where("type", "=", "enquiry.taken")
      .execute();
    expect(taken).toHaveLength(1);
  });

  it("keeps enquiries between the asker and the asked department", async () => {
    const enquiry = (await ask(resident, question)).json();
    const stranger = await loginResident(t, "610500");
    const police = await t.login("fz.ga.window");
    for (const client of [stranger, police]) {
      const read = await client.request("GET", `/api/v1/enquiries/${enquiry.id}`);
      expect(read.statusCode).toBe(404);
      expect(read.json().code).toBe("ENQUIRY_NOT_FOUND");
      const list = (await client.request("GET", "/api/v1/enquiries")).json();
      expect(list.map((e: { id: string }) => e.id)).not.toContain(enquiry.id);
    }
    expect((await police.request("POST", `/api/v1/enquiries/${enquiry.id}/take`)).statusCode).toBe(404);
    expect((await stranger.request("POST", `/api/v1/enquiries/${enquiry.id}/close`)).statusCode).toBe(404);
    // The asker cannot take it, and staff cannot close it.
    expect((await resident.request("POST", `/api/v1/enquiries/${enquiry.id}/take`)).statusCode).toBe(403);
    expect((await window.request("POST", `/api/v1/enquiries/${enquiry.id}/close`)).statusCode).toBe(403);
    // The region's supervisor reads it but does not answer.
    const supervisor = await t.login("fz.supervisor");
    const seen = await supervisor.request("GET", `/api/v1/enquiries/${enquiry.id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().allowed).toEqual([]);
    expect((await supervisor.request("GET", "/api/v1/enquiries")).json().map((e: { id: string }) => e.id)).toContain(
      enquiry.id,
    );
  });

  it("answers each wrong input with the field and what is wrong", async () => {
    const nothing = await ask(resident, { subject: "问", body: "短" });
    expect(nothing.statusCode).toBe(400);
    const fields = nothing.json().details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["departmentId", "subject", "body"]));
    const unknown = await ask(resident, { ...question, serviceCode: "350100-XX-9999" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().details[0]).toMatchObject({ field: "serviceCode" });
    const wrongDepartment = await ask(resident, {
      ...question,
      departmentId: "00000000-0000-4000-8000-000000000000",
    });
    expect(wrongDepartment.statusCode).toBe(400);
    expect(wrongDepartment.json().details[0]).toMatchObject({ field: "departmentId" });
    expect((await ask(window, question)).statusCode).toBe(403);
    const empty = await window.request("POST", "/api/v1/enquiries/00000000-0000-4000-8000-000000000000/replies", {
      body: "",
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().details[0]).toMatchObject({ field: "body" });
    // Nothing half-made: the failed asks left no enquiry behind.
    const count = await t.database.db
      .selectFrom("enquiries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("subject", "=", "问")
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });
});

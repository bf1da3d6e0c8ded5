// Case reads answered from memory (CASE_CACHE_SECONDS): every change through the service shows at
// once, and — on PostgreSQL — a change made by another server process on the same database shows
// as soon as its notification arrives.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, secondProcess, type TestApp } from "../support/app.ts";
import { act, submittedMarriage } from "../support/cases.ts";

let t: TestApp;
let resident: Client;
let window: Client;
let other: FastifyInstance | undefined;

const integrate = async () => {
  const ledger = (t.app as unknown as { services: { ledger: { integrate(): Promise<number | undefined> } } }).services
    .ledger;
  for (let more = await ledger.integrate(); more !== undefined; more = await ledger.integrate());
};
const read = async (id: string) => (await resident.request("GET", `/api/v1/applications/${id}`)).json();
/** Changes the case in the database behind the service's back: only a read from the database sees it. */
const behindTheBack = (id: string, number: string) =>
  t.database.db.updateTable("applications").set({ number }).where("id", "=", id).execute();

/** The ledger index the database holds for the case's first action. */
const indexInDatabase = async (id: string) => {
  const row = await t.database.db
    .selectFrom("application_actions as x")
    .innerJoin("outbox as o", "o.id", "x.outbox_id")
    .select("o.ledger_idx")
    .where("x.application_id", "=", id)
    .orderBy("x.seq")
    .executeTakeFirstOrThrow();
  return row.ledger_idx === null ? null : Number(row.ledger_idx);
};
/** A draft the resident withdrew: its one action is not on the ledger until `integrate`. */
async function withdrawnCase(): Promise<string> {
  const id = (await resident.request("POST", "/api/v1/applications", { serviceCode: "350100-MZ-0001" })).json().id;
  const key = { "idempotency-key": `withdraw-${id}` };
  await resident.request("POST", `/api/v1/applications/${id}/actions`, { type: "withdraw" }, key);
  return id;
}

beforeAll(async () => {
  t = await createTestApp();
  const account = t.find((a) => a.roles.length === 0 && a.region === "350100" && /^\d{17}/.test(a.username));
  resident = t.anonymous();
  await resident.request("POST", "/api/v1/auth/login", { username: account.username, password: account.password });
  window = await t.login("fz.mz.window");
  other = await secondProcess(t);
});
afterAll(async () => {
  await other?.close();
  await t.close();
});

describe("case reads from memory", () => {
  it("answers a settled case from memory, and shows each change made through the service at once", async () => {
    const id = (await resident.request("POST", "/api/v1/applications", { serviceCode: "350100-MZ-0001" })).json().id;
    await integrate();
    const first = await read(id);
    await behindTheBack(id, "CACHE-PROOF-1");
    expect((await read(id)).number).toBe(first.number); // from memory
    const metrics = (await t.app.inject("/metrics")).body;
    expect(Number(metrics.match(/^tongban_case_reads_total\{source="memory"\} (\d+)$/m)?.[1])).toBeGreaterThan(0);
    expect(Number(metrics.match(/^tongban_case_reads_total\{source="database"\} (\d+)$/m)?.[1])).toBeGreaterThan(0);

    await resident.request("PATCH", `/api/v1/applications/${id}`, { form: { partnerName: "陈美玲" } });
    const afterForm = await read(id);
    expect(afterForm.form).toEqual({ partnerName: "陈美玲" });
    expect(afterForm.number).toBe("CACHE-PROOF-1"); // read again from the database after the change

    await integrate();
    await read(id);
    await resident.request(
      "POST",
      `/api/v1/applications/${id}/actions`,
      { type: "withdraw" },
      {
        "idempotency-key": `withdraw-${id}`,
      },
    );
    expect((await read(id)).status).toBe("withdrawn");
  });

  it("keeps a case whose last step is not on the ledger yet, and gives the kept copy its index when it gets one", async () => {
    const id = await withdrawnCase();
    const before = await read(id);
    expect(before.actions[0].ledgerIndex).toBeNull();
    await behindTheBack(id, "CACHE-PROOF-3");
    expect((await read(id)).number).toBe(before.number); // kept, although not on the ledger yet
    await integrate();
    const after = await read(id);
    expect(after.number).toBe(before.number); // still from memory
    expect(after.actions[0].ledgerIndex).toBe(await indexInDatabase(id));
    expect(after.actions[0].ledgerIndex).toEqual(expect.any(Number));
  });

  it.runIf(Boolean(process.env.DATABASE_URL))(
    "hears over NOTIFY the index another process's ledger batch gave a kept case's step, and takes it in without reading the case again (PostgreSQL)",
    async () => {
      const id = await withdrawnCase();
      const readThere = async () =>
        (
          await other?.inject({
            method: "GET",
            url: `/api/v1/applications/${id}`,
            headers: { cookie: resident.cookie ?? "" },
          })
        )?.json();
      expect((await readThere()).actions[0].ledgerIndex).toBeNull(); // kept by the second process
      await behindTheBack(id, "CACHE-PROOF-4");
      expect((await readThere()).number).not.toBe("CACHE-PROOF-4"); // from its memory
      await integrate(); // in the first process
      let seen = await readThere();
      for (let i = 0; i < 100 && seen.actions[0].ledgerIndex === null; i++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = await readThere();
      }
      expect(seen.actions[0].ledgerIndex).toBe(await indexInDatabase(id));
      expect(seen.number).not.toBe("CACHE-PROOF-4"); // the kept copy, revised
    },
  );

  it("keeps the case an action left: the next read comes from memory and shows exactly the answer", async () => {
    const id = (await resident.request("POST", "/api/v1/applications", { serviceCode: "350100-MZ-0001" })).json().id;
    const memory = async () =>
      Number((await t.app.inject("/metrics")).body.match(/^tongban_case_reads_total\{source="memory"\} (\d+)$/m)?.[1]);
    const answer = (
      await resident.request(
        "POST",
        `/api/v1/applications/${id}/actions`,
        { type: "withdraw" },
        { "idempotency-key": `kept-${id}` },
      )
    ).json();
    await behindTheBack(id, "CACHE-PROOF-5");
    const before = await memory();
    const read = await resident.request("GET", `/api/v1/applications/${id}`);
    expect(await memory()).toBe(before + 1);
    expect(read.json()).toEqual(answer);
    await integrate(); // its step gets its index, in the kept copy too
    const indexed = (await resident.request("GET", `/api/v1/applications/${id}`)).json();
    expect(await memory()).toBe(before + 2);
    expect(indexed).toEqual({
      ...answer,
      actions: [{ ...answer.actions[0], ledgerIndex: await indexInDatabase(id) }],
    });
  });

  it("still hides a case from staff of another department and other residents", async () => {
    const id = await withdrawnCase();
    await integrate();
    await read(id);
    const stranger = await t.login("fz.sf.handler");
    expect((await stranger.request("GET", `/api/v1/applications/${id}`)).statusCode).toBe(404);
    expect((await window.request("GET", `/api/v1/applications/${id}`)).statusCode).toBe(200);
  });

  it("reads through to the database with CASE_CACHE_SECONDS=0", async () => {
    const uncached = await createTestApp({ caseCacheSeconds: 0 });
    try {
      const account = uncached.find((a) => a.roles.length === 0 && a.region === "350100" && /^\d{17}/.test(a.username));
      const c = uncached.anonymous();
      await c.request("POST", "/api/v1/auth/login", { username: account.username, password: account.password });
      const id = (await c.request("POST", "/api/v1/applications", { serviceCode: "350100-MZ-0001" })).json().id;
      await c.request("GET", `/api/v1/applications/${id}`);
      await uncached.database.db
        .updateTable("applications")
        .set({ number: "READ-THROUGH" })
        .where("id", "=", id)
        .execute();
      expect((await c.request("GET", `/api/v1/applications/${id}`)).json().number).toBe("READ-THROUGH");
    } finally {
      await uncached.close();
    }
  });

  it("answers the applicant from memory day by day: the days a kept case has run count on", async () => {
    t.clock.set("2026-11-30T01:00:00Z"); // Monday 30 November 2026, 09:00 in China
    const id = await submittedMarriage(t, resident);
    expect((await act(window, id, { type: "accept" })).statusCode).toBe(200);
    await integrate();
    const monday = await read(id);
    await behindTheBack(id, "CACHE-PROOF-DAY");
    expect(await read(id)).toEqual(monday); // the same answer, from memory
    t.clock.set("2026-12-01T01:00:00Z"); // Tuesday
    const tuesday = await read(id);
    expect(tuesday.number).toBe(monday.number); // still from memory
    expect(tuesday.deadline.elapsedDays).toBe(monday.deadline.elapsedDays + 1);
    // Staff read the same kept case as staff: their own actions, not the applicant's.
    const staffView = (await window.request("GET", `/api/v1/applications/${id}`)).json();
    expect(staffView.allowedActions).not.toEqual(tuesday.allowedActions);
  });

  it.runIf(Boolean(process.env.DATABASE_URL))(
    "hears another process's change to a case over NOTIFY (PostgreSQL)",
    async () => {
      const id = (await resident.request("POST", "/api/v1/applications", { serviceCode: "350100-MZ-0001" })).json().id;
      await integrate();
      const cached = await read(id);
      await behindTheBack(id, "CACHE-PROOF-2");
      expect((await read(id)).number).toBe(cached.number); // from memory
      // The resident saves the form through the second process (sessions are shared).
      const response = await other?.inject({
        method: "PATCH",
        url: `/api/v1/applications/${id}`,
        headers: { cookie: resident.cookie ?? "", "x-csrf-token": resident.csrfToken ?? "" },
        payload: { form: { partnerName: "陈美玲" } },
      });
      expect(response?.statusCode).toBe(200);
      // The notification arrives after the other process's commit; wait for it, a read at a time.
      let seen: { number: string } = cached;
      for (let i = 0; i < 100 && seen.number !== "CACHE-PROOF-2"; i++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = await read(id);
      }
      expect(seen.number).toBe("CACHE-PROOF-2");
    },
  );
});

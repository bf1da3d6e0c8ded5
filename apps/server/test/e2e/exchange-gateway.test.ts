// The gateway's record under concurrency (group commit) and its in-memory grants (dropped on every
// decision and revocation, in this process and — on PostgreSQL — in the others that share the database).
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ExchangeAnswer } from "@tongban/contracts";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderServer } from "../../src/demo-providers/provider.ts";
import { demoProviders } from "../../src/demo-providers/records.ts";
import { toActor } from "../../src/modules/accounts/accounts.service.ts";
import { type Client, createTestApp, secondProcess, type TestApp } from "../support/app.ts";
import { grantThrough, idNumberOf, pointAt, servicesOf } from "../support/exchange.ts";

const HOUSEHOLD = "350100.gongan.household_registration";
const IDENTITY = "350100.gongan.resident_identity";
const lin = idNumberOf("林晓燕");
const chen = idNumberOf("陈志强");

let t: TestApp;
let gaSteward: Client;
let mzHandler: Client;
let rsHandler: Client;
let provider: Server;
let providerUrl = "";
/** A second server process on the same PostgreSQL database, when there is one. */
let other: FastifyInstance | undefined;

const query = (client: Client, body: Record<string, unknown>) =>
  client.request("POST", "/api/v1/exchange/query", { purpose: "核验户籍信息", ...body });

/** The same request through the second process, with the session made on the first. */
async function queryOther(client: Client, body: Record<string, unknown>) {
  if (!other) throw new Error("no second process");
  const response = await other.inject({
    method: "POST",
    url: "/api/v1/exchange/query",
    headers: { cookie: client.cookie ?? "", "x-csrf-token": client.csrfToken ?? "" },
    payload: { purpose: "核验户籍信息", ...body },
  });
  return { status: response.statusCode, body: response.json() };
}

beforeAll(async () => {
  t = await createTestApp();
  gaSteward = await t.login("fz.ga.steward");
  mzHandler = await t.login("fz.mz.handler");
  rsHandler = await t.login("fz.rs.handler");
  other = await secondProcess(t);
  // The department system (both processes sign with the node's one gateway key).
  provider = createProviderServer({
    name: demoProviders.gongan.name,
    data: demoProviders.gongan.records(),
    trusted: [servicesOf(t).exchange.gatewayKey()],
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  await pointAt(gaSteward, HOUSEHOLD, providerUrl);
  await pointAt(gaSteward, IDENTITY, providerUrl);
});
afterAll(async () => {
  await new Promise<void>((resolve) => provider.close(() => resolve()));
  await other?.close();
  await t.close();
});

describe("the gateway's record of concurrent queries", () => {
  it("records every one of many simultaneous queries, allowed and refused, each with its ledger row, before answering", async () => {
    const allowed = Array.from({ length: 30 }, (_, i) =>
      query(mzHandler, { resource: HOUSEHOLD, key: i % 2 ? lin : chen }),
    );
    // Beyond 民政's grant: refused, and each a security event.
    const refused = Array.from({ length: 10 }, () =>
      query(mzHandler, { resource: HOUSEHOLD, key: lin, fields: ["policeStation"] }),
    );
    const answers = await Promise.all([...allowed, ...refused]);
    expect(answers.slice(0, 30).map((a) => a.statusCode)).toEqual(Array(30).fill(200));
    expect(answers.slice(30).map((a) => a.json().code)).toEqual(Array(10).fill("EXCHANGE_BEYOND_GRANT"));

    // Each answer's access is on record the moment it answered, linked to its own outbox row.
    const ids = answers.slice(0, 30).map((a) => a.json().accessId as string);
    const rows = await t.database.db
      .selectFrom("data_accesses as a")
      .innerJoin("outbox as o", "o.id", "a.outbox_id")
      .select(["a.id", "a.outcome", "o.subject", "o.type"])
      .where("a.id", "in", ids)
      .execute();
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(row).toMatchObject({ subject: row.id, type: "data.accessed", outcome: "allowed" });
    const refusedRows = await t.database.db
      .selectFrom("data_accesses as a")
      .innerJoin("outbox as o", "o.id", "a.outbox_id")
      .select(["a.id", "o.type"])
      .where("a.error_code", "=", "EXCHANGE_BEYOND_GRANT")
      .execute();
    expect(refusedRows.length).toBeGreaterThanOrEqual(10);
    for (const row of refusedRows) expect(row.type).toBe("data.access_refused");
    const events = await t.database.db
      .selectFrom("security_events")
      .select(["subject", "type"])
      .where(
        "subject",
        "in",
        refusedRows.map((r) => r.id),
      )
      .execute();
    expect(events).toHaveLength(refusedRows.length);
    for (const event of events) expect(event.type).toBe("exchange.beyond_grant");
  });
});

describe("the answer, prepared while its record commits", () => {
  /** 民政's handler as the service sees them. */
  async function mzActor() {
    const account = await servicesOf(t).accounts.findByUsername("fz.mz.handler");
    if (!account) throw new Error("no fz.mz.handler");
    return toActor(account);
  }
  const accessRow = (id: string) =>
    t.database.db
      .selectFrom("data_accesses as a")
      .innerJoin("outbox as o", "o.id", "a.outbox_id")
      .select(["a.outcome", "a.answer_hash", "o.type"])
      .where("a.id", "=", id)
      .executeTakeFirst();

  it("answers over HTTP the bytes the response schema's serialiser makes, with a JSON content type", async () => {
    const response = await query(mzHandler, { resource: HOUSEHOLD, key: lin });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    const answer = ExchangeAnswer.parse(response.json());
    expect(response.body).toBe(JSON.stringify(answer));
    expect(answer.records.length).toBeGreaterThan(0);
    expect(await accessRow(answer.accessId)).toMatchObject({ outcome: "allowed", type: "data.accessed" });
  });

  it("answers what was prepared only once the record is durable, and prepares each answer once", async () => {
    const prepared: string[] = [];
    const result = await servicesOf(t).exchange.query(
      await mzActor(),
      { resource: HOUSEHOLD, key: lin, purpose: "核验户籍信息", offset: 0, limit: 20 },
      (answer) => {
        prepared.push(answer.accessId);
        return { prepared: answer.accessId };
      },
    );
    expect(prepared).toEqual([result.prepared]);
    expect(await accessRow(result.prepared)).toMatchObject({ outcome: "allowed", type: "data.accessed" });
  });

  it("still records the query once, as answered, when preparing the answer fails", async () => {
    let accessId = "";
    const failure = await servicesOf(t)
      .exchange.query(
        await mzActor(),
        { resource: HOUSEHOLD, key: lin, purpose: "核验户籍信息", offset: 0, limit: 20 },
        (answer) => {
          accessId = answer.accessId;
          throw new Error("cannot serialise");
        },
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe("cannot serialise");
    // On record when the failure surfaced: the access it had answered, once, with its ledger row.
    const row = await accessRow(accessId);
    expect(row).toMatchObject({ outcome: "allowed", type: "data.accessed" });
    expect(row?.answer_hash).toMatch(/^[0-9a-f]{64}$/);
    const count = await t.database.db
      .selectFrom("data_accesses")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("id", "=", accessId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });
});

describe("the ledger hears of recorded queries", () => {
  it("wakes the sequencer when a batch of query records commits", async () => {
    let heard = 0;
    const stop = t.database.outboxCommits.on(() => {
      heard++;
    });
    try {
      expect((await query(mzHandler, { resource: HOUSEHOLD, key: lin })).statusCode).toBe(200);
      expect(heard).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });
});

describe("grants kept in memory", () => {
  it("takes a new grant and its revocation into account at the next query", async () => {
    expect((await query(rsHandler, { resource: IDENTITY, key: lin })).json().code).toBe("EXCHANGE_NO_GRANT");
    const grant = await grantThrough(rsHandler, gaSteward, { resource: IDENTITY, fields: ["idNumber", "name"] });
    const granted = await query(rsHandler, { resource: IDENTITY, key: lin });
    expect(granted.statusCode).toBe(200);
    expect(granted.json().grantId).toBe(grant);
    expect((await query(rsHandler, { resource: IDENTITY, key: chen })).statusCode).toBe(200);
    await gaSteward.request("POST", `/api/v1/exchange/grants/${grant}/revoke`, { reason: "协议终止" });
    expect((await query(rsHandler, { resource: IDENTITY, key: lin })).json().code).toBe("EXCHANGE_GRANT_REVOKED");
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "hears another server process's decision and revocation over LISTEN/NOTIFY",
    async () => {
      // 人社's household registration: not granted yet, in the second process (which remembers that).
      const before = await queryOther(rsHandler, { resource: HOUSEHOLD, key: lin });
      expect(before.body.code).toBe("EXCHANGE_NO_GRANT");
      const grant = await grantThrough(rsHandler, gaSteward, { resource: HOUSEHOLD, fields: ["idNumber", "name"] });
      const allowed = await eventually(
        () => queryOther(rsHandler, { resource: HOUSEHOLD, key: lin }),
        (a) => a.status === 200,
      );
      expect(allowed.body.grantId).toBe(grant);
      await gaSteward.request("POST", `/api/v1/exchange/grants/${grant}/revoke`, { reason: "协议终止" });
      const refused = await eventually(
        () => queryOther(rsHandler, { resource: HOUSEHOLD, key: lin }),
        (a) => a.body.code === "EXCHANGE_GRANT_REVOKED",
      );
      expect(refused.status).toBe(403);
    },
  );
});

/** Repeats `attempt` until `done` holds (a notice between processes takes a moment), for at most 5 s. */
async function eventually<T>(attempt: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

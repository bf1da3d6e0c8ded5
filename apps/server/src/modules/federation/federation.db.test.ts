// Two nodes in one process, each on its own database, joined by the local transport: the outbox,
// the inbox and their failure cases, against PGlite (or PostgreSQL with DATABASE_URL).
import type { Envelope, TrustList } from "@tongban/contracts";
import { generateNoteKey, parseSignerKey } from "@tongban/ledger";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testClock } from "../../../test/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../http/errors.ts";
import { memoryKeyStore, randomIds } from "../../ports/index.ts";
import { recordChange, recordChanges } from "../ledger/outbox.ts";
import { sealEnvelope } from "./envelope.ts";
import { createFederationService, type FederationService, SECURITY_EVENTS_PER_MINUTE } from "./federation.service.ts";
import { nodeIdentity } from "./identity.ts";
import { localTransport, type PeerAnswer } from "./transport.ts";
import { createTrustStore, signTrustList } from "./trust-list.ts";

const clock = testClock("2026-06-01T08:00:00Z");
const admin = generateNoteKey("tongban-federation-admin");
const fuzhouKeys = memoryKeyStore();
const weinanKeys = memoryKeyStore();
const fuzhouId = nodeIdentity(fuzhouKeys, "350100");
const weinanId = nodeIdentity(weinanKeys, "610500");
const URL_A = "http://127.0.0.1:19011/";
const URL_B = "http://127.0.0.1:19012/";

const list: TrustList = {
  federation: "test",
  sequence: 1,
  issuedAt: "2026-01-01T00:00:00Z",
  nextUpdate: "2027-01-01T00:00:00Z",
  members: [
    {
      regionCode: "350100",
      name: "福州市",
      url: URL_A,
      keys: [{ use: "node", key: fuzhouId.node.verifierKey }],
      validUntil: "2027-01-01T00:00:00Z",
    },
    {
      regionCode: "610500",
      name: "渭南市",
      url: URL_B,
      keys: [{ use: "node", key: weinanId.node.verifierKey }],
      validUntil: "2027-01-01T00:00:00Z",
    },
  ],
};
const note = signTrustList(list, [parseSignerKey(admin.signerKey)]);
const trust = () => createTrustStore({ read: () => note, adminKeys: [admin.verifierKey], now: () => clock.now() });

// The network between the nodes: a node missing from it is down; `tap` sees every envelope.
const network = new Map<string, (envelope: Envelope) => Promise<PeerAnswer>>();
// Nodes with the batch inbox (the others answer 404, as an older node would).
const batches = new Map<string, (envelopes: Envelope[], sealed: boolean) => Promise<PeerAnswer>>();
let tap: (envelope: Envelope, answer: PeerAnswer) => void = () => {};

let a: TestDatabase;
let b: TestDatabase;
let fuzhou: FederationService;
let weinan: FederationService;

const answerOf = async (receive: () => Promise<unknown>): Promise<PeerAnswer> => {
  try {
    return { status: 200, body: await receive() };
  } catch (error) {
    // As the HTTP error handler answers: code, message and details.
    if (error instanceof AppError)
      return { status: error.status, body: { code: error.code, message: error.message, details: error.details } };
    return { status: 500, body: { code: "INTERNAL" } };
  }
};

function node(db: Db, identity: typeof fuzhouId) {
  return createFederationService({
    db,
    clock,
    ids: randomIds,
    identity,
    trust: trust(),
    transport: localTransport(network, new Map(), new Map(), batches),
    delivery: { retryMaxMs: 2_000, retryBaseMs: 100, leaseMs: 10_000 },
  });
}

// What a message does at Weinan in the tests: a ledger entry, so "applied once" is countable.
async function applyNote(trx: Db, message: { id: string; body: Record<string, unknown> }) {
  if (message.body.refuse) throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: "refused by the handler" });
  if (message.body.invalid)
    throw new AppError("VALIDATION_FAILED", [{ field: "form.name", reason: "REQUIRED", message: "name is required" }]);
  if (message.body.crash) throw new Error("the handler fell over");
  await recordChange(trx, { type: "test.applied", subject: String(message.body.n), actor: null, at: clock.now() });
}

// The same, several at once (set-based): one statement for the batch's ledger entries.
const batchCalls: number[] = [];
async function applyNotes(trx: Db, messages: { message: { id: string; body: Record<string, unknown> } }[]) {
  batchCalls.push(messages.length);
  for (const { message } of messages) {
    if (message.body.refuse) throw new AppError("FEDERATION_MESSAGE_REFUSED", { reason: "refused by the handler" });
    if (message.body.crash) throw new Error("the handler fell over");
  }
  await recordChanges(
    trx,
    messages.map(({ message }) => ({
      type: "test.applied",
      subject: String(message.body.n),
      actor: null,
      at: clock.now(),
    })),
  );
}

const applied = async (n?: number) => {
  let query = b.database.db.selectFrom("outbox").select("subject").where("type", "=", "test.applied");
  if (n !== undefined) query = query.where("subject", "=", String(n));
  return (await query.execute()).length;
};
const securityEvents = async () =>
  (await b.database.db.selectFrom("security_events").select("type").where("source", "=", "federation").execute()).map(
    (r) => r.type,
  );
let counter = 0;
async function send(body: Record<string, unknown> = {}) {
  counter += 1;
  const n = counter;
  const id = await a.database.db.transaction().execute((trx) =>
    fuzhou.send(trx, {
      to: "610500",
      type: "test.note",
      subject: `case-${n}`,
      idempotencyKey: `note-key-${n}`,
      body: { n, ...body },
      actor: null,
    }),
  );
  return { id, n };
}
const outboxRow = (id: string) =>
  a.database.db.selectFrom("federation_outbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

beforeAll(async () => {
  a = await createTestDatabase();
  b = await createTestDatabase();
  fuzhou = node(a.database.db, fuzhouId);
  weinan = node(b.database.db, weinanId);
  weinan.on("test.note", applyNote);
  weinan.onMany("test.note", applyNotes);
});
afterAll(async () => {
  await a?.drop();
  await b?.drop();
});
beforeEach(() => {
  network.clear();
  batches.clear();
  network.set(URL_B, async (envelope) => {
    const answer = await answerOf(() => weinan.receive(envelope));
    tap(envelope, answer);
    return answer;
  });
  tap = () => {};
});

describe("messages between two nodes", () => {
  it("are delivered, applied once, acknowledged with a signed receipt and recorded on both ledgers", async () => {
    const { id, n } = await send();
    expect(await fuzhou.deliverDue()).toMatchObject({ taken: 1, delivered: 1 });
    expect(await applied(n)).toBe(1);
    const row = await outboxRow(id);
    expect(row.status).toBe("delivered");
    expect(JSON.parse(row.receipt as string)).toMatchObject({
      messageId: id,
      from: "350100",
      to: "610500",
      status: "accepted",
    });
    const sentTypes = await a.database.db.selectFrom("outbox").select("type").where("subject", "=", id).execute();
    expect(sentTypes.map((r) => r.type).sort()).toEqual(["federation.message_delivered", "federation.message_sent"]);
    const received = await b.database.db
      .selectFrom("federation_inbox")
      .select(["outbox_id", "subject"])
      .where("subject", "=", `case-${n}`)
      .execute();
    expect(received).toHaveLength(1);
    expect(received[0]?.outbox_id).not.toBeNull();
    // Nothing left to do.
    expect(await fuzhou.deliverDue()).toMatchObject({ taken: 0 });
  });

  it("queue a message once however often the sender asks with the same idempotency key", async () => {
    const queue = () =>
      a.database.db.transaction().execute((trx) =>
        fuzhou.send(trx, {
          to: "610500",
          type: "test.note",
          subject: "s",
          idempotencyKey: "same-key-1",
          body: { n: "same" },
          actor: null,
        }),
      );
    const first = await queue();
    const second = await queue();
    expect(second).toBe(first);
    await fuzhou.deliverDue();
    expect(await applied()).toBeGreaterThan(0);
    const rows = await b.database.db.selectFrom("outbox").select("subject").where("subject", "=", "same").execute();
    expect(rows).toHaveLength(1);
  });

  it("wait while the peer is down and arrive once it is back, none lost, none doubled", async () => {
    network.delete(URL_B);
    const sent = [await send(), await send(), await send()];
    expect(await fuzhou.deliverDue()).toMatchObject({ taken: 3, delivered: 0 });
    for (const { id } of sent) expect((await outboxRow(id)).last_error).toMatch(/unreachable/);
    // Not due again before the backoff has passed.
    expect(await fuzhou.deliverDue()).toMatchObject({ taken: 0 });
    clock.advance(1_000);
    expect(await fuzhou.deliverDue()).toMatchObject({ taken: 3, delivered: 0 });
    const peers = await fuzhou.peers();
    expect(peers.peers.find((p) => p.regionCode === "610500")?.pendingMessages).toBe(3);

    network.set(URL_B, (envelope) => answerOf(() => weinan.receive(envelope)));
    clock.advance(2_000);
    expect(await fuzhou.deliverDue()).toMatchObject({ taken: 3, delivered: 3 });
    for (const { id, n } of sent) {
      expect((await outboxRow(id)).status).toBe("delivered");
      expect(await applied(n)).toBe(1);
    }
  });

  it("are applied once when the receipt is lost and the sender delivers again", async () => {
    // The peer applies the message but the answer never reaches the sender.
    network.set(URL_B, async (envelope) => {
      await weinan.receive(envelope);
      throw new Error("socket hang up");
    });
    const { id, n } = await send();
    expect(await fuzhou.deliverDue()).toMatchObject({ delivered: 0 });
    expect(await applied(n)).toBe(1);
    network.set(URL_B, (envelope) => answerOf(() => weinan.receive(envelope)));
    clock.advance(2_000);
    expect(await fuzhou.deliverDue()).toMatchObject({ delivered: 1 });
    expect(await applied(n)).toBe(1);
    expect((await outboxRow(id)).status).toBe("delivered");
  });

  it("are applied once when two deliveries of one message arrive at the same moment", async () => {
    // A sender whose lease ran out while its delivery was still in flight sends the message again:
    // two envelopes of one message, each with its own nonce, reach the inbox together.
    counter += 1;
    const content = {
      id: randomIds.uuid(),
      from: "350100",
      to: "610500",
      type: "test.note",
      subject: `case-${counter}`,
      idempotencyKey: `note-key-${counter}`,
      body: { n: counter },
    };
    const [first, second] = await Promise.all(
      [0, 1].map(() => weinan.receive(sealEnvelope(content, fuzhouId.node, clock.now(), randomIds.token(18)))),
    );
    expect(second).toEqual(first);
    expect(await applied(counter)).toBe(1);
    const entries = await b.database.db.selectFrom("outbox").select("type").where("subject", "=", content.id).execute();
    expect(entries.map((r) => r.type)).toEqual(["federation.message_received"]);
  });

  it("survive a sender that dies mid-delivery: another sender takes the message after its lease", async () => {
    const { id, n } = await send();
    // The first sender takes the message and dies before delivering it: only its lease remains.
    await a.database.db
      .updateTable("federation_outbox")
      .set({ next_attempt_at: new Date(clock.now().getTime() + 10_000), attempts: 1 })
      .where("id", "=", id)
      .execute();
    const restarted = node(a.database.db, fuzhouId);
    expect(await restarted.deliverDue()).toMatchObject({ taken: 0 });
    clock.advance(10_001);
    expect(await restarted.deliverDue()).toMatchObject({ taken: 1, delivered: 1 });
    expect(await applied(n)).toBe(1);
  });

  it("are refused for good when the peer cannot apply them, and retried when it fails", async () => {
    const refused = await send({ refuse: true });
    const crashed = await send({ crash: true });
    // Any error of the handler that names what is wrong with the message (here a form the competent
    // node's rules refuse) is final too: sending it again would only be refused again, forever.
    const invalid = await send({ invalid: true });
    await fuzhou.deliverDue();
    const refusedRow = await outboxRow(refused.id);
    expect(refusedRow.status).toBe("refused");
    expect(refusedRow.last_error).toMatch(/FEDERATION_MESSAGE_REFUSED/);
    const invalidRow = await outboxRow(invalid.id);
    expect(invalidRow.status).toBe("refused");
    expect(invalidRow.last_error).toMatch(/FEDERATION_MESSAGE_REFUSED.*VALIDATION_FAILED.*form\.name/);
    const crashedRow = await outboxRow(crashed.id);
    expect(crashedRow.status).toBe("pending");
    expect(crashedRow.last_error).toMatch(/500/);
    // A refused message's inbox row was rolled back with the handler's effect.
    expect(
      await b.database.db
        .selectFrom("federation_inbox")
        .select("id")
        .where("subject", "=", `case-${refused.n}`)
        .execute(),
    ).toHaveLength(0);
  });
});

describe("several messages due for one peer", () => {
  it("go in one request, each applied once and answered with its own receipt or refusal", async () => {
    const requests: number[] = [];
    batches.set(URL_B, (envelopes) => {
      requests.push(envelopes.length);
      return answerOf(async () => ({ answers: await weinan.receiveBatch(envelopes) }));
    });
    const delivered = [await send(), await send()];
    const refused = await send({ refuse: true });
    delivered.push(await send());
    // A sender of its own: the shared one may have found the batch inbox missing in an earlier test.
    const sender = node(a.database.db, fuzhouId);
    expect(await sender.deliverDue()).toMatchObject({ taken: 4, delivered: 3 });
    expect(requests).toEqual([4]);
    for (const { id, n } of delivered) {
      expect((await outboxRow(id)).status).toBe("delivered");
      expect(await applied(n)).toBe(1);
    }
    expect((await outboxRow(refused.id)).status).toBe("refused");
    expect(await applied(refused.n)).toBe(0);
  });

  it("are applied together by the type's batch handler; one failing undoes the batch and each goes alone", async () => {
    batches.set(URL_B, (envelopes) => answerOf(async () => ({ answers: await weinan.receiveBatch(envelopes) })));
    const received = async (id: string) =>
      (
        await b.database.db
          .selectFrom("outbox")
          .select("id")
          .where("type", "=", "federation.message_received")
          .where("subject", "=", id)
          .execute()
      ).length;
    const sender = node(a.database.db, fuzhouId);
    batchCalls.length = 0;
    const before = { ...weinan.inboxBatches };
    const together = [await send(), await send(), await send()];
    expect(await sender.deliverDue()).toMatchObject({ taken: 3, delivered: 3 });
    expect(batchCalls).toEqual([3]);
    expect(weinan.inboxBatches).toEqual({ together: before.together + 3, alone: before.alone });
    for (const { id, n } of together) {
      expect((await outboxRow(id)).status).toBe("delivered");
      expect(await applied(n)).toBe(1);
      expect(await received(id)).toBe(1);
    }

    // A crash inside the batch: nothing of the shared transaction stays; the others are applied alone.
    batchCalls.length = 0;
    const good = [await send(), await send()];
    const crashing = await send({ crash: true });
    expect(await sender.deliverDue()).toMatchObject({ taken: 3, delivered: 2 });
    expect(batchCalls).toEqual([3]);
    expect(weinan.inboxBatches).toEqual({ together: before.together + 3, alone: before.alone + 3 });
    for (const { id, n } of good) {
      expect(await applied(n)).toBe(1);
      expect(await received(id)).toBe(1);
    }
    expect(await applied(crashing.n)).toBe(0);
    expect(await received(crashing.id)).toBe(0);
    expect((await outboxRow(crashing.id)).status).toBe("pending");
  });

  it("go sealed together, one signature each way; a peer without the sealed route gets each signed alone", async () => {
    const requests: { sealed: boolean; signatures: number }[] = [];
    let sealedRoute = true;
    batches.set(URL_B, (envelopes, sealed) => {
      requests.push({ sealed, signatures: new Set(envelopes.map((e) => e.signature)).size });
      if (sealed && !sealedRoute) return Promise.resolve({ status: 404, body: { code: "NOT_FOUND" } });
      return answerOf(async () => ({ answers: await weinan.receiveBatch(envelopes, {}, { sealReceipts: sealed }) }));
    });
    const receiptOf = async (id: string) => JSON.parse(String((await outboxRow(id)).receipt));
    const together = [await send(), await send(), await send()];
    expect(await node(a.database.db, fuzhouId).deliverDue()).toMatchObject({ taken: 3, delivered: 3 });
    expect(requests).toEqual([{ sealed: true, signatures: 1 }]);
    const receipts = await Promise.all(together.map(({ id }) => receiptOf(id)));
    // Each kept receipt is proof on its own: its path and the one signature over the receipts' root.
    expect(receipts.map((r) => r.tree?.index).sort()).toEqual([0, 1, 2]);
    expect(new Set(receipts.map((r) => r.signature)).size).toBe(1);
    for (const { n } of together) expect(await applied(n)).toBe(1);

    requests.length = 0;
    sealedRoute = false;
    const alone = [await send(), await send()];
    expect(await node(a.database.db, fuzhouId).deliverDue()).toMatchObject({ taken: 2, delivered: 2 });
    expect(requests).toEqual([
      { sealed: true, signatures: 1 },
      { sealed: false, signatures: 2 },
    ]);
    for (const { id, n } of alone) {
      expect((await receiptOf(id)).tree).toBeUndefined();
      expect(await applied(n)).toBe(1);
    }
  });

  it("sealed together and captured, are refused as replays when sent again", async () => {
    let captured: Envelope[] = [];
    batches.set(URL_B, (envelopes, sealed) => {
      captured = envelopes;
      return answerOf(async () => ({ answers: await weinan.receiveBatch(envelopes, {}, { sealReceipts: sealed }) }));
    });
    const sent = [await send(), await send()];
    await node(a.database.db, fuzhouId).deliverDue();
    expect(captured.every((e) => e.tree !== undefined)).toBe(true);
    const again = await weinan.receiveBatch(captured, {}, { sealReceipts: true });
    expect(again.map((a) => ("error" in a ? a.error.code : a.status))).toEqual([
      "ENVELOPE_REPLAYED",
      "ENVELOPE_REPLAYED",
    ]);
    for (const { n } of sent) expect(await applied(n)).toBe(1);
  });

  it("share their preparers' alike reads within one request, never across requests", async () => {
    batches.set(URL_B, (envelopes, sealed) =>
      answerOf(async () => ({ answers: await weinan.receiveBatch(envelopes, {}, { sealReceipts: sealed }) })),
    );
    // A preparer that reads "the service" once per request and a handler that records what it got.
    let reads = 0;
    const got = new Map<number, unknown>();
    weinan.on(
      "test.prepared",
      async (trx, message, prepared) => {
        got.set(Number(message.body.n), prepared);
        await recordChange(trx, {
          type: "test.applied",
          subject: String(message.body.n),
          actor: null,
          at: clock.now(),
        });
      },
      (_message, shared) => {
        let read = shared.get("service");
        if (!read) {
          reads += 1;
          read = Promise.resolve(`read ${reads}`);
          shared.set("service", read);
        }
        return read;
      },
    );
    const sendPrepared = async () => {
      counter += 1;
      const n = counter;
      await a.database.db.transaction().execute((trx) =>
        fuzhou.send(trx, {
          to: "610500",
          type: "test.prepared",
          subject: `case-${n}`,
          idempotencyKey: `prepared-key-${n}`,
          body: { n },
          actor: null,
        }),
      );
      return n;
    };
    const first = [await sendPrepared(), await sendPrepared(), await sendPrepared()];
    expect(await node(a.database.db, fuzhouId).deliverDue()).toMatchObject({ taken: 3, delivered: 3 });
    const second = [await sendPrepared(), await sendPrepared()];
    expect(await node(a.database.db, fuzhouId).deliverDue()).toMatchObject({ taken: 2, delivered: 2 });
    expect(reads).toBe(2);
    expect(first.map((n) => got.get(n))).toEqual(["read 1", "read 1", "read 1"]);
    expect(second.map((n) => got.get(n))).toEqual(["read 2", "read 2"]);
    for (const n of [...first, ...second]) expect(await applied(n)).toBe(1);
  });

  it("go one by one to a peer without the batch inbox", async () => {
    const sent = [await send(), await send()];
    const sender = node(a.database.db, fuzhouId);
    expect(await sender.deliverDue()).toMatchObject({ taken: 2, delivered: 2 });
    for (const { id, n } of sent) {
      expect((await outboxRow(id)).status).toBe("delivered");
      expect(await applied(n)).toBe(1);
    }
  });
});

describe("the inbox refuses and reports", () => {
  const seal = (
    overrides: Partial<Parameters<typeof sealEnvelope>[0]> = {},
    signer = fuzhouId.node,
    at = clock.now(),
  ) =>
    sealEnvelope(
      {
        id: randomIds.uuid(),
        from: "350100",
        to: "610500",
        type: "test.note",
        subject: "forged",
        idempotencyKey: `k-${randomIds.token(8)}`,
        body: { n: `x-${randomIds.token(4)}` },
        ...overrides,
      },
      signer,
      at,
      randomIds.token(18),
    );

  it("a replayed envelope: the copy is refused, the message applied once", async () => {
    let captured: Envelope | undefined;
    tap = (envelope) => {
      captured = envelope;
    };
    const { n } = await send();
    await fuzhou.deliverDue();
    expect(captured).toBeDefined();
    const before = (await securityEvents()).length;
    await expect(weinan.receive(captured)).rejects.toMatchObject({ code: "ENVELOPE_REPLAYED" });
    expect(await applied(n)).toBe(1);
    expect((await securityEvents()).slice(before)).toEqual(["federation.envelope_replayed"]);
  });

  it("in a batch: an altered and a replayed envelope are refused, each alone, and the rest applied", async () => {
    const good = seal();
    const other = seal();
    const altered = { ...seal(), body: { n: "altered" } };
    const answers = await weinan.receiveBatch([good, altered, other, good]);
    expect(answers.map((a) => a.status)).toEqual([200, 401, 200, 409]);
    expect(answers[1]).toMatchObject({ error: { code: "ENVELOPE_BAD_SIGNATURE" } });
    expect(answers[3]).toMatchObject({ error: { code: "ENVELOPE_REPLAYED" } });
    expect(answers[0]).toMatchObject({ receipt: { messageId: good.id, from: "350100", to: "610500" } });
    for (const [envelope, times] of [
      [good, 1],
      [other, 1],
      [altered, 0],
    ] as const) {
      const rows = await b.database.db
        .selectFrom("outbox")
        .select("subject")
        .where("type", "=", "test.applied")
        .where("subject", "=", String(envelope.body.n))
        .execute();
      expect(rows).toHaveLength(times);
    }
  });

  it("forged, altered, misaddressed and expired envelopes, each as a security event", async () => {
    const before = (await securityEvents()).length;
    const intruder = parseSignerKey(generateNoteKey("tongban-node-350100").signerKey);
    await expect(weinan.receive(seal({}, intruder))).rejects.toMatchObject({ code: "ENVELOPE_UNTRUSTED_SENDER" });
    const altered = { ...seal(), body: { n: "altered" } };
    await expect(weinan.receive(altered)).rejects.toMatchObject({ code: "ENVELOPE_BAD_SIGNATURE" });
    await expect(weinan.receive(seal({ to: "500000" }))).rejects.toMatchObject({ code: "ENVELOPE_MISADDRESSED" });
    const old = seal({}, fuzhouId.node, new Date(clock.now().getTime() - 10 * 60_000));
    await expect(weinan.receive(old)).rejects.toMatchObject({ code: "ENVELOPE_EXPIRED" });
    await expect(weinan.receive({ hello: "world" })).rejects.toMatchObject({ code: "ENVELOPE_MALFORMED" });
    expect((await securityEvents()).slice(before).sort()).toEqual([
      "federation.envelope_bad_signature",
      "federation.envelope_expired",
      "federation.envelope_malformed",
      "federation.envelope_misaddressed",
      "federation.envelope_untrusted_sender",
    ]);
    const event = await b.database.db
      .selectFrom("security_events")
      .selectAll()
      .where("type", "=", "federation.envelope_bad_signature")
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ severity: "high", region_code: "610500" });
    expect(await applied()).toBeGreaterThan(0);
    expect(
      await b.database.db.selectFrom("outbox").select("id").where("subject", "in", ["altered", "forged"]).execute(),
    ).toHaveLength(0);
  });

  it("a flood of junk from one address is recorded one by one only up to a bound a minute", async () => {
    const before = (await securityEvents()).length;
    for (let i = 0; i < SECURITY_EVENTS_PER_MINUTE + 10; i++)
      await expect(weinan.receive({ junk: i }, { ip: "203.0.113.9" })).rejects.toMatchObject({
        code: "ENVELOPE_MALFORMED",
      });
    // Another address is not silenced by the first one's flood.
    await expect(weinan.receive({ junk: "x" }, { ip: "198.51.100.1" })).rejects.toMatchObject({
      code: "ENVELOPE_MALFORMED",
    });
    const recorded = await b.database.db
      .selectFrom("security_events")
      .select(["details"])
      .where("type", "=", "federation.envelope_malformed")
      .execute();
    const fromFlood = recorded.filter((e) => (e.details as { ip?: string }).ip === "203.0.113.9");
    expect(fromFlood).toHaveLength(SECURITY_EVENTS_PER_MINUTE + 1);
    const flagged = fromFlood.filter((e) => "flood" in (e.details as object));
    expect(flagged).toHaveLength(1);
    expect(flagged[0]?.details).toMatchObject({ flood: expect.stringContaining("within a minute") });
    expect(recorded.filter((e) => (e.details as { ip?: string }).ip === "198.51.100.1")).toHaveLength(1);
    expect((await securityEvents()).length - before).toBe(SECURITY_EVENTS_PER_MINUTE + 2);
  });

  it("a message type the node has no handler for is refused without a security event", async () => {
    const before = (await securityEvents()).length;
    await expect(weinan.receive(seal({ type: "unknown.kind" }))).rejects.toMatchObject({
      code: "FEDERATION_MESSAGE_REFUSED",
    });
    expect((await securityEvents()).length).toBe(before);
  });
});

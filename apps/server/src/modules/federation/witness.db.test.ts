// A node witnessing a peer's ledger (C2SP tlog-witness add-checkpoint): consistent checkpoints are
// cosigned, a log showing two histories is refused and reported.
import type { TrustList } from "@tongban/contracts";
import {
  consistencyProofFromStore,
  generateNoteKey,
  MemoryLog,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  toBase64,
  utf8Encode,
  verifyCosignature,
} from "@tongban/ledger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../../../test/support/clock.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { memoryKeyStore, randomIds } from "../../ports/index.ts";
import { createFederationService } from "./federation.service.ts";
import { nodeIdentity } from "./identity.ts";
import { localTransport } from "./transport.ts";
import { createTrustStore, signTrustList } from "./trust-list.ts";
import { createWitnessing, formatAddCheckpoint } from "./witness.ts";

const clock = testClock("2026-06-01T08:00:00Z");
const admin = generateNoteKey("tongban-federation-admin");
const witnessNode = nodeIdentity(memoryKeyStore(), "350100");
const origin = "tongban.local/610500/ledger";
const logKey = parseSignerKey(generateNoteKey(origin).signerKey);
const member = (regionCode: string, keys: TrustList["members"][number]["keys"]) => ({
  regionCode,
  name: regionCode,
  url: `http://127.0.0.1:190${regionCode.slice(0, 2)}/`,
  keys,
  validUntil: "2027-01-01T00:00:00Z",
});
const list: TrustList = {
  federation: "test",
  sequence: 1,
  issuedAt: "2026-01-01T00:00:00Z",
  nextUpdate: "2027-01-01T00:00:00Z",
  members: [
    member("350100", [
      { use: "node", key: witnessNode.node.verifierKey },
      { use: "witness", key: witnessNode.witness.verifierKey },
    ]),
    member("610500", [{ use: "ledger", key: logKey.verifierKey }]),
  ],
};
const note = signTrustList(list, [parseSignerKey(admin.signerKey)]);
let database: TestDatabase;
let witness: ReturnType<typeof createWitnessing>;

// The peer's log as the test grows it; `forked` is another history with the same first entries.
const log = new MemoryLog();
const forked = new MemoryLog();
const grow = (target: MemoryLog, n: number, tag: string) => {
  for (let i = 0; i < n; i++) target.append(utf8Encode(`${tag}-${target.size}`));
};
const checkpointOf = (target: MemoryLog, signer = logKey) =>
  signCheckpoint({ origin, treeSize: target.size, rootHash: target.rootHash(), extensions: [] }, [signer]);
const proof = async (target: MemoryLog, from: number) =>
  from === 0 ? [] : (await consistencyProofFromStore(target, from, target.size)).map(toBase64);
const securityTypes = async () =>
  (
    await database.database.db.selectFrom("security_events").select("type").where("source", "=", "federation").execute()
  ).map((r) => r.type);

beforeAll(async () => {
  database = await createTestDatabase();
  const trust = createTrustStore({ read: () => note, adminKeys: [admin.verifierKey], now: () => clock.now() });
  const transport = localTransport(new Map());
  const federation = createFederationService({
    db: database.database.db,
    clock,
    ids: randomIds,
    identity: witnessNode,
    trust,
    transport,
  });
  witness = createWitnessing({
    db: database.database.db,
    clock,
    identity: witnessNode,
    trust,
    transport,
    ledger: { checkpoint: async () => undefined, consistencyProof: async () => [] },
    federation,
  });
  grow(log, 5, "entry");
  grow(forked, 5, "entry");
});
afterAll(async () => {
  await database?.drop();
});

describe("witnessing a peer's ledger", () => {
  it("cosigns a first checkpoint, then only consistent ones, with the witness key of the trust list", async () => {
    const first = checkpointOf(log);
    const answer = await witness.addCheckpoint(formatAddCheckpoint(0, [], first));
    expect(answer.status).toBe(200);
    const cosignature = verifyCosignature(`${first}${answer.body}`, parseVerifierKey(witnessNode.witness.verifierKey));
    expect(cosignature.ok && cosignature.value.checkpoint.treeSize).toBe(5);

    // The log must say which size it extends; the witness answers the one it holds.
    grow(log, 3, "entry");
    const wrongOld = await witness.addCheckpoint(formatAddCheckpoint(0, [], checkpointOf(log)));
    expect(wrongOld).toEqual({ status: 409, body: "5\n" });
    const second = await witness.addCheckpoint(formatAddCheckpoint(5, await proof(log, 5), checkpointOf(log)));
    expect(second.status).toBe(200);
  });

  it("reports a fork only on evidence: two signed checkpoints of one size with different roots", async () => {
    const before = (await securityTypes()).length;
    // Another history of size 8: same first five entries, different last three.
    grow(forked, 3, "rewritten");
    const sameSize = await witness.addCheckpoint(formatAddCheckpoint(8, [], checkpointOf(forked)));
    expect(sameSize).toEqual({ status: 409, body: "8\n" });
    // A proof is chosen by whoever sends the request: one that does not verify is refused and is no
    // evidence against the log, so it raises nothing (anyone could otherwise raise a false alarm).
    grow(forked, 2, "rewritten");
    const longer = await witness.addCheckpoint(formatAddCheckpoint(8, await proof(forked, 8), checkpointOf(forked)));
    expect(longer.status).toBe(422);
    const junkProof = await witness.addCheckpoint(formatAddCheckpoint(8, await proof(log, 5), checkpointOf(log)));
    expect(junkProof.status).toBe(422);
    expect((await securityTypes()).slice(before)).toEqual(["federation.ledger_fork"]);
    const event = await database.database.db
      .selectFrom("security_events")
      .selectAll()
      .where("type", "=", "federation.ledger_fork")
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ severity: "high", region_code: "350100" });
    expect(event.details).toMatchObject({ log: "610500" });
    // The honest log goes on being cosigned from what was witnessed.
    grow(log, 2, "entry");
    expect((await witness.addCheckpoint(formatAddCheckpoint(8, await proof(log, 8), checkpointOf(log)))).status).toBe(
      200,
    );
  });

  it("refuses a checkpoint of an unknown log, a forged signature and a malformed request", async () => {
    const stranger = parseSignerKey(generateNoteKey("somewhere.else/ledger").signerKey);
    const unknown = signCheckpoint(
      { origin: "somewhere.else/ledger", treeSize: 1, rootHash: log.rootHash(), extensions: [] },
      [stranger],
    );
    expect((await witness.addCheckpoint(formatAddCheckpoint(0, [], unknown))).status).toBe(404);
    const impostor = parseSignerKey(generateNoteKey(origin).signerKey);
    expect((await witness.addCheckpoint(formatAddCheckpoint(10, [], checkpointOf(log, impostor)))).status).toBe(403);
    expect((await witness.addCheckpoint("not a request")).status).toBe(400);
  });
});

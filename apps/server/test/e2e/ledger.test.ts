import {
  auditTiles,
  entryBundlePath,
  fromBase64,
  leafHash,
  parseVerifierKey,
  tilePath,
  toBase64,
  utf8Encode,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from "@tongban/ledger";
import { main as cli } from "@tongban/ledger/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordChange } from "../../src/modules/ledger/outbox.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("ledger sequencer", () => {
  it("integrates every outbox row, signs a checkpoint, and proves each entry's inclusion", async () => {
    await t.login("fz.admin"); // a staff login is a state change too
    const ledger = (
      t.app as unknown as { services: { ledger: { integrate(n?: number): Promise<number | undefined> } } }
    ).services.ledger;
    let size: number | undefined;
    for (let more = await ledger.integrate(50); more !== undefined; more = await ledger.integrate(50)) size = more;
    const outbox = await t.database.db
      .selectFrom("outbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(size).toBe(Number(outbox.n));
    expect(await ledger.integrate()).toBeUndefined();

    const key = (await t.app.inject("/ledger/key")).body.trim();
    const note = (await t.app.inject("/ledger/checkpoint")).body;
    const checked = verifyCheckpoint(note, [parseVerifierKey(key)], "tongban.local/ledger");
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.checkpoint.treeSize).toBe(size);

    const last = (size as number) - 1;
    const body = (await t.app.inject(`/api/v1/ledger/entries/${last}`)).json();
    expect(JSON.parse(body.entry)).toMatchObject({
      type: "staff.login",
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(body.entry).not.toContain("林"); // no personal data in the log
    const leaf = leafHash(utf8Encode(body.entry));
    const proof = body.proof.map((p: string) => fromBase64(p) as Uint8Array);
    expect(verifyInclusion(leaf, last, body.treeSize, proof, checked.checkpoint.rootHash)).toBe(true);
    expect(
      verifyInclusion(
        leafHash(utf8Encode(body.entry.replace("staff.login", "staff.logout"))),
        last,
        body.treeSize,
        proof,
        checked.checkpoint.rootHash,
      ),
    ).toBe(false);
    expect(verifyInclusion(leaf, 0, body.treeSize, proof, checked.checkpoint.rootHash)).toBe(false);

    const missing = await t.app.inject(`/api/v1/ledger/entries/${(size as number) + 5}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("LEDGER_ENTRY_NOT_FOUND");
  });
});

describe("ledger tiles", () => {
  it("serves C2SP tiles from which an auditor recomputes the signed root, across two tile levels", async () => {
    const ledger = (
      t.app as unknown as { services: { ledger: { integrate(n?: number): Promise<number | undefined> } } }
    ).services.ledger;
    await t.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 600; i++)
        await recordChange(trx, { type: "test.change", subject: `s${i}`, actor: null, at: new Date(), facts: { i } });
    });
    for (let more = await ledger.integrate(250); more !== undefined; more = await ledger.integrate(250));
    const key = (await t.app.inject("/ledger/key")).body.trim();
    const checked = verifyCheckpoint((await t.app.inject("/ledger/checkpoint")).body, [parseVerifierKey(key)]);
    if (!checked.ok) throw new Error("checkpoint did not verify");
    const { treeSize, rootHash } = checked.checkpoint;
    expect(treeSize).toBeGreaterThan(600);
    const fetchBytes = async (path: string) => {
      const response = await t.app.inject(`/ledger/${path}`);
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode}`);
      return new Uint8Array(response.rawPayload);
    };
    const report = await auditTiles(
      treeSize,
      {
        readTile: (tile) => fetchBytes(tilePath(tile.level, tile.index, tile.width)),
        readEntryBundle: (tile) => fetchBytes(entryBundlePath(tile.index, tile.width)),
      },
      { expectedRoot: rootHash },
    );
    expect(report).toMatchObject({ ok: true });
    // A later checkpoint is consistent with an earlier one, and the proof says so.
    const older = await t.database.db
      .selectFrom("ledger_checkpoints")
      .select(["tree_size", "root_hash"])
      .where("tree_size", "<", treeSize)
      .orderBy("tree_size", "desc")
      .executeTakeFirstOrThrow();
    const from = Number(older.tree_size);
    const consistency = (await t.app.inject(`/api/v1/ledger/proofs/consistency?from=${from}&to=${treeSize}`)).json();
    const cproof = consistency.proof.map((p: string) => fromBase64(p) as Uint8Array);
    expect(verifyConsistency(from, treeSize, cproof, new Uint8Array(older.root_hash), rootHash)).toBe(true);
    expect(verifyConsistency(from, treeSize, cproof, new Uint8Array(32), rootHash)).toBe(false);
    const inclusion = (await t.app.inject(`/api/v1/ledger/proofs/inclusion?index=3&size=${from}`)).json();
    expect(inclusion.proof.length).toBeGreaterThan(0);
    expect((await t.app.inject(`/api/v1/ledger/proofs/inclusion?index=3&size=${treeSize + 1}`)).statusCode).toBe(404);
    const full = await t.app.inject(`/ledger/${tilePath(0, 0)}`);
    expect(full.headers["cache-control"]).toContain("immutable");
    expect((await t.app.inject(`/ledger/${tilePath(0, 99)}`)).statusCode).toBe(404);
  });
});

describe("ledger on the timeline", () => {
  it("gives every application action its ledger index once integrated", async () => {
    const resident = t.find((a) => a.roles.length === 0 && a.region === "350100");
    const client = t.anonymous();
    await client.request("POST", "/api/v1/auth/login", { username: resident.username, password: resident.password });
    const id = (await client.request("POST", "/api/v1/applications", { serviceCode: "350100-MZ-0001" })).json().id;
    const withdrawn = await client.request(
      "POST",
      `/api/v1/applications/${id}/actions`,
      { type: "withdraw" },
      { "idempotency-key": "withdraw-0001" },
    );
    expect(withdrawn.json().actions[0].ledgerIndex).toBeNull();
    const ledger = (
      t.app as unknown as { services: { ledger: { integrate(n?: number): Promise<number | undefined> } } }
    ).services.ledger;
    for (let more = await ledger.integrate(); more !== undefined; more = await ledger.integrate());
    const action = (await client.request("GET", `/api/v1/applications/${id}`)).json().actions[0];
    expect(action.ledgerIndex).toEqual(expect.any(Number));
    const entry = (await t.app.inject(`/api/v1/ledger/entries/${action.ledgerIndex}`)).json();
    expect(JSON.parse(entry.entry)).toMatchObject({ type: "application.withdraw", subject: id });
  });
});

describe("SM2 line on the node's checkpoints", () => {
  it("signs each checkpoint with Ed25519 and SM2, publishes both keys, and a forged SM2 line is rejected", async () => {
    const ledger = (
      t.app as unknown as { services: { ledger: { integrate(n?: number): Promise<number | undefined> } } }
    ).services.ledger;
    await t.database.db.transaction().execute(async (trx) => {
      await recordChange(trx, { type: "test.sm2", subject: "s", actor: null, at: new Date(), facts: {} });
    });
    for (let more = await ledger.integrate(); more !== undefined; more = await ledger.integrate());

    const ed25519 = (await t.app.inject("/ledger/key")).body;
    expect(ed25519.trim().split("\n")).toHaveLength(1); // Go sumdb/note reads exactly one key here
    const sm2Response = await t.app.inject("/ledger/key/sm2");
    expect(sm2Response.statusCode).toBe(200);
    const edKey = parseVerifierKey(ed25519.trim());
    const sm2Key = parseVerifierKey(sm2Response.body.trim());
    expect(edKey.type).toBe("ed25519");
    expect(sm2Key.type).toBe("sm2");
    expect(sm2Key.name).toBe(edKey.name);
    expect((await t.app.inject("/ledger/keys")).body).toBe(`${edKey.verifierKey}\n${sm2Key.verifierKey}\n`);

    const note = (await t.app.inject("/ledger/checkpoint")).body;
    const both = verifyCheckpoint(note, [edKey, sm2Key], "tongban.local/ledger");
    expect(both.ok).toBe(true);
    if (!both.ok) return;
    expect(both.verified.map((s) => s.keyId)).toEqual([edKey.keyId, sm2Key.keyId]);
    // Each signature stands on its own, too: a verifier trusting only one key accepts the note.
    expect(verifyCheckpoint(note, [edKey]).ok).toBe(true);
    expect(verifyCheckpoint(note, [sm2Key]).ok).toBe(true);

    // Forge the SM2 line (the second signature line) by flipping a bit of its signature: the whole
    // checkpoint is refused, by a verifier trusting both keys and by one trusting only SM2.
    const lines = note.split("\n");
    const sm2Line = lines.findLastIndex((line) => line.startsWith("— "));
    const line = lines[sm2Line] as string;
    const prefix = line.slice(0, line.lastIndexOf(" ") + 1);
    const encoded = line.slice(line.lastIndexOf(" ") + 1);
    const bytes = fromBase64(encoded) as Uint8Array;
    bytes[10] = (bytes[10] as number) ^ 0x01;
    const forged = lines.map((line, i) => (i === sm2Line ? `${prefix}${toBase64(bytes)}` : line)).join("\n");
    expect(verifyCheckpoint(forged, [edKey, sm2Key])).toMatchObject({ ok: false, reason: "invalid-signature" });
    expect(verifyCheckpoint(forged, [sm2Key])).toMatchObject({ ok: false, reason: "invalid-signature" });
    // An SM2 signature over another checkpoint, pasted onto this one, is refused as well.
    const older = await t.database.db
      .selectFrom("ledger_checkpoints")
      .select("note")
      .orderBy("tree_size", "asc")
      .executeTakeFirstOrThrow();
    const olderSm2 = older.note.split("\n").filter((line) => line.startsWith("— "))[1] as string;
    const pasted = lines.map((line, i) => (i === sm2Line ? olderSm2 : line)).join("\n");
    expect(pasted).not.toBe(note);
    expect(verifyCheckpoint(pasted, [edKey, sm2Key])).toMatchObject({ ok: false, reason: "invalid-signature" });

    // The independent verifier requires both keys, and refuses the forged line.
    const out: string[] = [];
    const io = (checkpoint: string) => ({
      stdout: (line: string) => out.push(line),
      stderr: (line: string) => out.push(line),
      fetch: async () => new Response(checkpoint),
    });
    const args = ["verify-checkpoint", "--key", edKey.verifierKey, "--key", sm2Key.verifierKey, "https://node/cp"];
    expect(await cli(args, io(note))).toBe(0);
    expect(out.join("\n")).toContain("(sm2)");
    expect(await cli(args, io(forged))).toBe(1);
  });

  it("leaves the SM2 line out when LEDGER_SM2 is false", async () => {
    const plain = await createTestApp({ ledgerSm2: false });
    try {
      const ledger = (
        plain.app as unknown as { services: { ledger: { integrate(n?: number): Promise<number | undefined> } } }
      ).services.ledger;
      await ledger.integrate();
      const note = (await plain.app.inject("/ledger/checkpoint")).body;
      expect(note.split("\n").filter((line) => line.startsWith("— "))).toHaveLength(1);
      expect((await plain.app.inject("/ledger/key/sm2")).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

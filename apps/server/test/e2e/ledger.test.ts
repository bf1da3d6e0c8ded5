import {
  auditTiles,
  entryBundlePath,
  fromBase64,
  leafHash,
  parseVerifierKey,
  tilePath,
  utf8Encode,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from "@tongban/ledger";
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

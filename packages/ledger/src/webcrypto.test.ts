import { describe, expect, it } from "vitest";
import { fromBase64, toBase64, utf8Encode } from "./bytes.ts";
import { signCheckpoint } from "./checkpoint.ts";
import { generateNoteKey, parseSignerKey } from "./keys.ts";
import { MemoryLog } from "./memory-log.ts";
import { inclusionProofFromStore } from "./stored.ts";
import { parseEd25519VerifierKey, verifyEntryInclusion } from "./webcrypto.ts";

// Go's golang.org/x/mod/sumdb/note example key and note (the package documentation).
const PETER_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

const ORIGIN = "example.gov.cn/ledger";
const log = new MemoryLog({ keepEntries: true });
const entries = Array.from({ length: 37 }, (_, i) =>
  JSON.stringify({ type: "application.submit", subject: `case-${i}`, at: "2026-11-27T02:00:00.000Z" }),
);
for (const entry of entries) log.append(utf8Encode(entry));
const key = generateNoteKey(ORIGIN);
const sm2 = generateNoteKey(ORIGIN, "sm2");
const root = log.rootHash();
const checkpoint = signCheckpoint({ origin: ORIGIN, treeSize: log.size, rootHash: root, extensions: [] }, [
  parseSignerKey(key.signerKey),
  parseSignerKey(sm2.signerKey),
]);
const INDEX = 21;
const proof = (await inclusionProofFromStore(log, INDEX, log.size)).map(toBase64);
const good = { verifierKey: key.verifierKey, checkpoint, entry: entries[INDEX] as string, index: INDEX, proof };

describe("verifyEntryInclusion (Web Crypto)", () => {
  it("proves an entry's inclusion under a checkpoint signed by the key, noting the SM2 line it leaves", async () => {
    const result = await verifyEntryInclusion({ ...good, origin: ORIGIN });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.checkpoint).toMatchObject({ origin: ORIGIN, treeSize: 37 });
    expect(result.checkpoint.rootHash).toEqual(root);
    expect(result.key.verifierKey).toBe(key.verifierKey);
    expect(result.otherSignatures.map((s) => s.name)).toEqual([ORIGIN]);
  });

  it("fails for every flipped byte of the proof", async () => {
    for (let h = 0; h < proof.length; h++) {
      const bytes = fromBase64(proof[h] as string) as Uint8Array;
      for (const position of [0, 17, 31]) {
        const flipped = bytes.slice();
        flipped[position] = (flipped[position] as number) ^ 0x01;
        const bad = proof.map((p, i) => (i === h ? toBase64(flipped) : p));
        expect(await verifyEntryInclusion({ ...good, proof: bad })).toMatchObject({ ok: false, reason: "bad-proof" });
      }
    }
    expect(await verifyEntryInclusion({ ...good, proof: proof.slice(1) })).toMatchObject({ reason: "bad-proof" });
    expect(await verifyEntryInclusion({ ...good, proof: [...proof, toBase64(root)] })).toMatchObject({
      reason: "bad-proof",
    });
    expect(await verifyEntryInclusion({ ...good, proof: ["not base64"] })).toMatchObject({ reason: "bad-proof" });
  });

  it("fails against a different root, even one properly signed", async () => {
    const otherRoot = root.slice();
    otherRoot[0] = (otherRoot[0] as number) ^ 0x80;
    const signedWrong = signCheckpoint({ origin: ORIGIN, treeSize: log.size, rootHash: otherRoot, extensions: [] }, [
      parseSignerKey(key.signerKey),
    ]);
    expect(await verifyEntryInclusion({ ...good, checkpoint: signedWrong })).toMatchObject({
      ok: false,
      reason: "bad-proof",
    });
    // The same root swapped into the signed text without re-signing: the signature no longer holds.
    const tampered = checkpoint.replace(toBase64(root), toBase64(otherRoot));
    expect(await verifyEntryInclusion({ ...good, checkpoint: tampered })).toMatchObject({
      ok: false,
      reason: "bad-checkpoint",
    });
  });

  it("fails with a wrong or malformed key, and with an SM2 key (which Web Crypto cannot check)", async () => {
    const other = generateNoteKey(ORIGIN);
    expect(await verifyEntryInclusion({ ...good, verifierKey: other.verifierKey })).toMatchObject({
      ok: false,
      reason: "bad-checkpoint",
    });
    const wrongId = key.verifierKey.replace(
      /\+([0-9a-f]{8})\+/,
      (_, id: string) => `+${id === "00000000" ? "00000001" : "00000000"}+`,
    );
    expect(await verifyEntryInclusion({ ...good, verifierKey: wrongId })).toMatchObject({ reason: "bad-key" });
    expect(await verifyEntryInclusion({ ...good, verifierKey: sm2.verifierKey })).toMatchObject({ reason: "bad-key" });
    expect(await verifyEntryInclusion({ ...good, verifierKey: "nonsense" })).toMatchObject({ reason: "bad-key" });
  });

  it("fails for another entry, a changed entry, or another index", async () => {
    expect(await verifyEntryInclusion({ ...good, entry: entries[INDEX + 1] as string })).toMatchObject({
      reason: "bad-proof",
    });
    expect(await verifyEntryInclusion({ ...good, entry: `${entries[INDEX]} ` })).toMatchObject({ reason: "bad-proof" });
    expect(await verifyEntryInclusion({ ...good, index: INDEX + 1 })).toMatchObject({ reason: "bad-proof" });
    expect(await verifyEntryInclusion({ ...good, index: 37 })).toMatchObject({ reason: "not-in-checkpoint" });
    expect(await verifyEntryInclusion({ ...good, origin: "other.example/ledger" })).toMatchObject({
      reason: "wrong-origin",
    });
  });

  it("reads Go sumdb/note verifier keys", () => {
    const parsed = parseEd25519VerifierKey(PETER_VERIFIER_KEY);
    expect(parsed.ok && parsed.value.keyId).toBe(0xc74f20a3);
    expect(parsed.ok && parsed.value.verifierKey).toBe(PETER_VERIFIER_KEY);
  });
});

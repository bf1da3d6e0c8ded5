import {
  fromBase64,
  generateNoteKey,
  inclusionProofFromStore,
  MemoryLog,
  parseSignerKey,
  signCheckpoint,
  toBase64,
  utf8Encode,
} from "@tongban/ledger";
import { describe, expect, it } from "vitest";
import { cliCommand, type FetchText, type StepRef, verifyStep } from "./verify.ts";

const ORIGIN = "tongban.local/ledger";
const CASE = "0b7e6c1e-5a3f-4c55-9c1e-2f8f0d1b2a33";
const AT = "2026-11-27T02:00:00.000Z";
const entryFor = (i: number) =>
  JSON.stringify({
    actor: "a",
    at: AT,
    contentHash: "0".repeat(64),
    subject: i === 40 ? CASE : `other-${i}`,
    type: i === 40 ? "application.submit" : "application.created",
  });

const log = new MemoryLog({ keepEntries: true });
const entries = Array.from({ length: 77 }, (_, i) => entryFor(i));
for (const entry of entries) log.append(utf8Encode(entry));
const key = generateNoteKey(ORIGIN);
const sm2 = generateNoteKey(ORIGIN, "sm2");
const signers = [parseSignerKey(key.signerKey), parseSignerKey(sm2.signerKey)];
const checkpointOf = async (size: number, root?: Uint8Array) =>
  signCheckpoint(
    { origin: ORIGIN, treeSize: size, rootHash: root ?? (await log.rootHashAt(size)), extensions: [] },
    signers,
  );

const step: StepRef = { applicationId: CASE, type: "submit", at: AT, index: 40 };

/** A node serving the log at `size` (checkpoint) with `overrides` for some paths. */
async function node(
  options: { size?: number; entrySize?: number; overrides?: Record<string, string | ((body: string) => string)> } = {},
): Promise<{ fetchText: FetchText; paths: string[] }> {
  const size = options.size ?? 77;
  const entrySize = options.entrySize ?? size;
  const paths: string[] = [];
  const bodies: Record<string, string> = {
    "/ledger/key": `${key.verifierKey}\n`,
    "/ledger/checkpoint": await checkpointOf(size),
  };
  for (const index of [40, 41]) {
    if (index >= entrySize) continue;
    bodies[`/api/v1/ledger/entries/${index}`] = JSON.stringify({
      index,
      entry: entries[index],
      leafHash: "",
      treeSize: entrySize,
      proof: (await inclusionProofFromStore(log, index, entrySize)).map(toBase64),
      checkpoint: await checkpointOf(entrySize),
    });
    if (index >= size) continue;
    bodies[`/api/v1/ledger/proofs/inclusion?index=${index}&size=${size}`] = JSON.stringify({
      index,
      size,
      proof: (await inclusionProofFromStore(log, index, size)).map(toBase64),
    });
  }
  return {
    paths,
    fetchText: async (path) => {
      paths.push(path);
      const override = options.overrides?.[path];
      const body = typeof override === "function" ? override(bodies[path] ?? "") : (override ?? bodies[path]);
      return body === undefined ? { status: 404, text: "{}" } : { status: 200, text: body };
    },
  };
}

const flipProofByte = (body: string) => {
  const parsed = JSON.parse(body) as { proof: string[] };
  const bytes = fromBase64(parsed.proof[2] as string) as Uint8Array;
  bytes[5] = (bytes[5] as number) ^ 0x01;
  parsed.proof[2] = toBase64(bytes);
  return JSON.stringify(parsed);
};

describe("verifying a timeline step in the browser", () => {
  it("proves a good step: signed checkpoint, recomputed leaf, inclusion proof, and the right case and action", async () => {
    const { fetchText } = await node();
    const result = await verifyStep(step, { fetchText });
    expect(result).toMatchObject({
      status: "verified",
      index: 40,
      treeSize: 77,
      origin: ORIGIN,
      verifierKey: key.verifierKey,
      otherSignatures: [ORIGIN], // the SM2 line, left to the CLI
    });
    if (result.status !== "verified") return;
    expect(result.rootHash).toBe(toBase64(log.rootHash()));
    expect(cliCommand("https://node.example", result)).toBe(
      `npx tongban-ledger verify-inclusion --key "${key.verifierKey}" --log https://node.example/ledger --index 40`,
    );
  });

  it("fails when one byte of the proof is flipped", async () => {
    const { fetchText } = await node({ overrides: { "/api/v1/ledger/entries/40": flipProofByte } });
    expect(await verifyStep(step, { fetchText })).toMatchObject({ status: "failed", reason: "bad-proof" });
  });

  it("fails against a wrong root, signed or not", async () => {
    const wrongRoot = log.rootHash().slice();
    wrongRoot[31] = (wrongRoot[31] as number) ^ 0x40;
    const signed = await node({ overrides: { "/ledger/checkpoint": await checkpointOf(77, wrongRoot) } });
    expect(await verifyStep(step, { fetchText: signed.fetchText })).toMatchObject({
      status: "failed",
      reason: "bad-proof",
    });
    const good = await checkpointOf(77);
    const swapped = await node({
      overrides: { "/ledger/checkpoint": good.replace(toBase64(log.rootHash()), toBase64(wrongRoot)) },
    });
    expect(await verifyStep(step, { fetchText: swapped.fetchText })).toMatchObject({
      status: "failed",
      reason: "bad-checkpoint",
    });
  });

  it("fails with a wrong key", async () => {
    const { fetchText } = await node({ overrides: { "/ledger/key": generateNoteKey(ORIGIN).verifierKey } });
    expect(await verifyStep(step, { fetchText })).toMatchObject({ status: "failed", reason: "bad-checkpoint" });
    const garbled = await node({ overrides: { "/ledger/key": "not a key" } });
    expect(await verifyStep(step, { fetchText: garbled.fetchText })).toMatchObject({
      status: "failed",
      reason: "bad-key",
    });
  });

  it("fails for a wrong entry: another step's (proven, but not this one) or altered bytes", async () => {
    // The server answers index 40 with entry 41 and its genuine proof: the proof is for index 41.
    const other = await node({
      overrides: {
        "/api/v1/ledger/entries/40": (body) => {
          const parsed = JSON.parse(body) as { entry: string };
          parsed.entry = entries[41] as string;
          return JSON.stringify(parsed);
        },
      },
    });
    expect(await verifyStep(step, { fetchText: other.fetchText })).toMatchObject({ reason: "bad-proof" });
    // Entry 41 asked for as if it were this step: included, but about another case.
    const { fetchText } = await node();
    expect(await verifyStep({ ...step, index: 41 }, { fetchText })).toMatchObject({
      status: "failed",
      reason: "wrong-entry",
    });
    expect(await verifyStep({ ...step, type: "approve" }, { fetchText })).toMatchObject({ reason: "wrong-entry" });
    expect(await verifyStep({ ...step, at: "2026-11-27T02:00:01.000Z" }, { fetchText })).toMatchObject({
      reason: "wrong-entry",
    });
    const altered = await node({
      overrides: { "/api/v1/ledger/entries/40": (body) => body.replace("application.submit", "application.approve") },
    });
    expect(await verifyStep(step, { fetchText: altered.fetchText })).toMatchObject({ reason: "bad-proof" });
  });

  it("proves against the checkpoint it holds when the log grew in between", async () => {
    const { fetchText, paths } = await node({ size: 60, entrySize: 77 });
    expect(await verifyStep(step, { fetchText })).toMatchObject({ status: "verified", treeSize: 60 });
    expect(paths).toContain("/api/v1/ledger/proofs/inclusion?index=40&size=60");
  });

  it("says 'not yet sealed' beyond the checkpoint, and 'unavailable' (not 'failed') when it cannot fetch", async () => {
    const small = await node({ size: 30 });
    expect(await verifyStep(step, { fetchText: small.fetchText })).toEqual({ status: "pending" });
    const down: FetchText = async () => {
      throw new TypeError("Failed to fetch");
    };
    expect(await verifyStep(step, { fetchText: down })).toMatchObject({ status: "unavailable" });
    const broken = await node({ overrides: { "/ledger/checkpoint": "" } });
    const failing: FetchText = async (path) =>
      path === "/ledger/checkpoint" ? { status: 503, text: "" } : broken.fetchText(path);
    expect(await verifyStep(step, { fetchText: failing })).toMatchObject({ status: "unavailable" });
  });
});

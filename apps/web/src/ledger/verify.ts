// "Verify" on a case's timeline, done entirely in the browser: the node's signed checkpoint
// (Ed25519 through Web Crypto), the entry's leaf hash recomputed from its bytes, its inclusion proof
// up to the signed root, and that the entry is about this very step of this case. No React here, so
// it is unit-tested on its own (verify.test.ts).
import {
  parseCheckpoint,
  parseEd25519VerifierKey,
  parseNote,
  type SubtleVerify,
  toBase64,
  toHex,
  verifyEntryInclusion,
} from "@tongban/ledger/core";

/** GETs a same-origin path and answers its status and body text; throws only when nothing came back. */
export type FetchText = (path: string) => Promise<{ status: number; text: string }>;

export const browserFetchText: FetchText = async (path) => {
  const response = await fetch(path, { credentials: "same-origin", cache: "no-store" });
  return { status: response.status, text: await response.text() };
};

/** The timeline step to prove: its case, its action type and time, and the index the API gave it. */
export interface StepRef {
  applicationId: string;
  type: string;
  at: string;
  index: number;
}

export type VerifyFailure =
  | "bad-key"
  | "bad-checkpoint"
  | "wrong-origin"
  | "not-in-checkpoint"
  | "bad-proof"
  /** The entry at that index is not about this step (another case, action or time). */
  | "wrong-entry";

export type StepProof =
  | {
      status: "verified";
      index: number;
      treeSize: number;
      origin: string;
      rootHash: string;
      leafHash: string;
      verifierKey: string;
      /** Names of the other signatures on the checkpoint (the node's SM2 line), not checked here. */
      otherSignatures: string[];
      entry: string;
      checkedAt: Date;
    }
  /** The step has no index yet, or the published checkpoint does not cover it yet. */
  | { status: "pending" }
  | { status: "failed"; reason: VerifyFailure; detail: string }
  /** The checkpoint, key or proof could not be fetched: nothing was concluded about the ledger. */
  | { status: "unavailable"; detail: string };

interface EntryBody {
  index: number;
  entry: string;
  treeSize: number;
  proof: string[];
}

async function get(fetchText: FetchText, path: string): Promise<{ status: number; text: string } | string> {
  try {
    return await fetchText(path);
  } catch (error) {
    return `GET ${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Verifies one timeline step against the node's ledger. Never throws. */
export async function verifyStep(
  step: StepRef,
  { fetchText = browserFetchText, subtle }: { fetchText?: FetchText; subtle?: SubtleVerify } = {},
): Promise<StepProof> {
  const unavailable = (detail: string): StepProof => ({ status: "unavailable", detail });

  const keyResponse = await get(fetchText, "/ledger/key");
  if (typeof keyResponse === "string") return unavailable(keyResponse);
  if (keyResponse.status !== 200) return unavailable(`GET /ledger/key: HTTP ${keyResponse.status}`);
  const verifierKey = keyResponse.text.split("\n")[0]?.trim() ?? "";
  const key = parseEd25519VerifierKey(verifierKey);
  if (!key.ok) return { status: "failed", reason: "bad-key", detail: key.error };

  const checkpointResponse = await get(fetchText, "/ledger/checkpoint");
  if (typeof checkpointResponse === "string") return unavailable(checkpointResponse);
  if (checkpointResponse.status === 404) return { status: "pending" };
  if (checkpointResponse.status !== 200)
    return unavailable(`GET /ledger/checkpoint: HTTP ${checkpointResponse.status}`);
  const note = checkpointResponse.text;
  // Read (not yet trusted) only to ask for the proof against this very checkpoint's size.
  const parsedNote = parseNote(note);
  const claimed = parsedNote.ok ? parseCheckpoint(parsedNote.value.text) : parsedNote;
  if (!claimed.ok) return { status: "failed", reason: "bad-checkpoint", detail: claimed.error };
  const size = claimed.value.treeSize;
  if (step.index >= size) return { status: "pending" };

  const entryResponse = await get(fetchText, `/api/v1/ledger/entries/${step.index}`);
  if (typeof entryResponse === "string") return unavailable(entryResponse);
  if (entryResponse.status === 404) return { status: "pending" };
  if (entryResponse.status !== 200) return unavailable(`GET entry ${step.index}: HTTP ${entryResponse.status}`);
  let body: EntryBody;
  try {
    body = JSON.parse(entryResponse.text) as EntryBody;
  } catch {
    return unavailable(`GET entry ${step.index}: not JSON`);
  }
  if (typeof body.entry !== "string" || !Array.isArray(body.proof)) {
    return { status: "failed", reason: "bad-proof", detail: "the entry answer has no entry or proof" };
  }
  let proof = body.proof;
  if (body.treeSize !== size) {
    // The log grew between the two requests: ask for the proof in the checkpoint we hold.
    const proofResponse = await get(fetchText, `/api/v1/ledger/proofs/inclusion?index=${step.index}&size=${size}`);
    if (typeof proofResponse === "string") return unavailable(proofResponse);
    if (proofResponse.status !== 200) return unavailable(`GET inclusion proof: HTTP ${proofResponse.status}`);
    try {
      proof = (JSON.parse(proofResponse.text) as { proof: string[] }).proof;
    } catch {
      return unavailable("GET inclusion proof: not JSON");
    }
  }

  const result = await verifyEntryInclusion({
    verifierKey,
    checkpoint: note,
    entry: body.entry,
    index: step.index,
    proof: Array.isArray(proof) ? proof : [],
    // The node names its log after its key (C2SP: the key name is the origin).
    origin: key.value.name,
    ...(subtle ? { subtle } : {}),
  });
  if (!result.ok) return { status: "failed", reason: result.reason, detail: result.error };

  // The proof holds for whatever entry the server sent: it must also be this step of this case.
  let entry: { type?: unknown; subject?: unknown; at?: unknown };
  try {
    entry = JSON.parse(body.entry) as typeof entry;
  } catch {
    return { status: "failed", reason: "wrong-entry", detail: "the entry is not JSON" };
  }
  const expected = { type: `application.${step.type}`, subject: step.applicationId, at: step.at };
  const mismatch = (Object.keys(expected) as (keyof typeof expected)[]).filter(
    (field) => entry[field] !== expected[field],
  );
  if (mismatch.length > 0) {
    return {
      status: "failed",
      reason: "wrong-entry",
      detail: `entry ${step.index} differs from this step in ${mismatch.join(", ")}: ${body.entry}`,
    };
  }

  return {
    status: "verified",
    index: step.index,
    treeSize: result.checkpoint.treeSize,
    origin: result.checkpoint.origin,
    rootHash: toBase64(result.checkpoint.rootHash),
    leafHash: toHex(result.leafHash),
    verifierKey: result.key.verifierKey,
    otherSignatures: result.otherSignatures.map((s) => s.name),
    entry: body.entry,
    checkedAt: new Date(),
  };
}

/** The command that repeats the check without this web page (the project's independent verifier). */
export function cliCommand(base: string, proof: { index: number; verifierKey: string }): string {
  return `npx tongban-ledger verify-inclusion --key "${proof.verifierKey}" --log ${base}/ledger --index ${proof.index}`;
}

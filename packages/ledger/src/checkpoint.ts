// C2SP tlog-checkpoint: the note text a log signs to commit to its tree (origin, size, root hash).
import { fromBase64, hasControlCharacter, toBase64 } from "./bytes.ts";
import { HASH_SIZE } from "./merkle.ts";
import {
  type AsyncNoteVerifier,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  signNote,
  type VerifyNoteFailure,
  type VerifyNoteResult,
  verifyNote,
  verifyNoteAsync,
} from "./note.ts";
import { fail, ok, type Result } from "./result.ts";

export interface Checkpoint {
  /** Unique identity of the log, conventionally a schema-less URL such as `ledger.fuzhou.gov.cn/v1`. */
  readonly origin: string;
  /** Number of leaves in the tree. */
  readonly treeSize: number;
  /** RFC 9162 root hash of the tree at treeSize. */
  readonly rootHash: Uint8Array;
  /** Optional opaque, non-empty lines after the root hash (not auditable; use sparingly). */
  readonly extensions: readonly string[];
}

/**
 * C2SP tlog-checkpoint "Note text": parses a checkpoint body — at least three non-empty lines
 * ending in a newline; the size in decimal without leading zeroes; the root hash in base64.
 * Give it the text of a verified note (verifyNote / verifyCheckpoint), not the signed note itself.
 */
export function parseCheckpoint(text: string): Result<Checkpoint> {
  if (typeof text !== "string") return fail("checkpoint text must be a string");
  if (!text.endsWith("\n")) return fail("checkpoint text must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) return fail("checkpoint needs an origin, a tree size and a root hash line");
  const [origin = "", sizeLine = "", rootLine = "", ...extensions] = lines;
  if (origin === "") return fail("checkpoint origin line is empty");
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) {
    return fail(`checkpoint tree size ${JSON.stringify(sizeLine)} is not a decimal without leading zeroes`);
  }
  const treeSize = Number(sizeLine);
  if (!Number.isSafeInteger(treeSize)) return fail(`checkpoint tree size ${sizeLine} is beyond 2^53 − 1`);
  const rootHash = fromBase64(rootLine);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) {
    return fail("checkpoint root hash is not base64 of 32 bytes");
  }
  if (extensions.some((line) => line === "")) return fail("checkpoint extension lines must not be empty");
  if (lines.some((line) => hasControlCharacter(line))) return fail("checkpoint contains control characters");
  return ok({ origin, treeSize, rootHash, extensions });
}

/** C2SP tlog-checkpoint "Note text": the checkpoint body to be signed as a note. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, treeSize, rootHash, extensions = [] } = checkpoint;
  const isLine = (line: string) => line !== "" && !hasControlCharacter(line);
  if (!isLine(origin)) throw new RangeError("checkpoint origin must be one non-empty line");
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new RangeError("checkpoint tree size must be a non-negative safe integer");
  }
  if (rootHash.length !== HASH_SIZE) throw new RangeError("checkpoint root hash must be 32 bytes");
  if (!extensions.every(isLine)) throw new RangeError("checkpoint extension lines must be non-empty single lines");
  return `${[origin, String(treeSize), toBase64(rootHash), ...extensions].join("\n")}\n`;
}

export type VerifyCheckpointResult =
  | {
      readonly ok: true;
      readonly checkpoint: Checkpoint;
      readonly text: string;
      readonly verified: readonly NoteSignature[];
      readonly unverified: readonly NoteSignature[];
    }
  | {
      readonly ok: false;
      readonly reason: VerifyNoteFailure | "not-a-checkpoint" | "wrong-origin";
      readonly error: string;
    };

/**
 * C2SP tlog-checkpoint "Signatures": opens a signed checkpoint with the trusted keys (see
 * verifyNote) and parses its text. With `origin`, also insists the checkpoint is for that log.
 * Which of the keys must have signed (log key, SM2 key, witness quorum) is the caller's policy,
 * decided on `verified`. Never throws.
 */
export function verifyCheckpoint(
  signedCheckpoint: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin?: string,
): VerifyCheckpointResult {
  return checkpointOf(verifyNote(signedCheckpoint, verifiers), origin);
}

/** verifyCheckpoint with verifiers that may answer asynchronously (e.g. Web Crypto in a browser). */
export async function verifyCheckpointAsync(
  signedCheckpoint: string | Uint8Array,
  verifiers: readonly AsyncNoteVerifier[],
  origin?: string,
): Promise<VerifyCheckpointResult> {
  return checkpointOf(await verifyNoteAsync(signedCheckpoint, verifiers), origin);
}

function checkpointOf(opened: VerifyNoteResult, origin: string | undefined): VerifyCheckpointResult {
  if (!opened.ok) return { ok: false, reason: opened.reason, error: opened.error };
  const checkpoint = parseCheckpoint(opened.text);
  if (!checkpoint.ok) return { ok: false, reason: "not-a-checkpoint", error: checkpoint.error };
  if (origin !== undefined && checkpoint.value.origin !== origin) {
    return {
      ok: false,
      reason: "wrong-origin",
      error: `checkpoint is for ${JSON.stringify(checkpoint.value.origin)}, expected ${JSON.stringify(origin)}`,
    };
  }
  return {
    ok: true,
    checkpoint: checkpoint.value,
    text: opened.text,
    verified: opened.verified,
    unverified: opened.unverified,
  };
}

/** C2SP tlog-checkpoint: formats and signs a checkpoint (e.g. with the log's Ed25519 and SM2 keys). */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

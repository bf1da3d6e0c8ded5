// Proof files given to the verifier: JSON — an array of hashes, or an object with a "proof" array
// and optionally the positions it is for — or plain text with one hash per line. Hashes may be
// base64 (as in checkpoints) or 64 hex digits.
import { fromBase64, fromHex, utf8Decode } from "../bytes.ts";
import { HASH_SIZE } from "../merkle.ts";
import { fail, ok, type Result } from "../result.ts";

export interface ProofFile {
  readonly hashes: Uint8Array[];
  /** Positions the file states (index, treeSize, size1, size2…), to cross-check the command line. */
  readonly claims: Readonly<Record<string, number>>;
}

const POSITION_FIELDS = ["index", "leafIndex", "treeSize", "size", "size1", "size2", "from", "to"];

export function parseProofFile(bytes: Uint8Array): Result<ProofFile> {
  const text = utf8Decode(bytes);
  if (text === undefined) return fail("proof file is not UTF-8 text");
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      return fail(`proof file is not valid JSON: ${(error as Error).message}`);
    }
    const list = Array.isArray(json)
      ? json
      : ((json as { proof?: unknown; hashes?: unknown }).proof ?? (json as { hashes?: unknown }).hashes);
    if (!Array.isArray(list)) return fail('proof JSON needs an array of hashes, or an object with a "proof" array');
    const claims: Record<string, number> = {};
    if (!Array.isArray(json)) {
      for (const field of POSITION_FIELDS) {
        const value = (json as Record<string, unknown>)[field];
        if (typeof value === "number") claims[field] = value;
        else if (typeof value === "string" && /^\d+$/.test(value)) claims[field] = Number(value);
      }
    }
    return decodeHashes(list, claims);
  }
  return decodeHashes(trimmed === "" ? [] : trimmed.split(/\r?\n/).map((line) => line.trim()), {});
}

function decodeHashes(list: readonly unknown[], claims: Record<string, number>): Result<ProofFile> {
  const hashes: Uint8Array[] = [];
  for (const [i, item] of list.entries()) {
    const hash = typeof item === "string" ? decodeHash(item) : undefined;
    if (hash === undefined) return fail(`proof element ${i} is not a 32-byte hash in base64 or hex`);
    hashes.push(hash);
  }
  return ok({ hashes, claims });
}

/** A 32-byte hash written as 64 hex digits or base64. */
export function decodeHash(text: string): Uint8Array | undefined {
  const hash = /^[0-9a-fA-F]{64}$/.test(text) ? fromHex(text) : fromBase64(text);
  return hash !== undefined && hash.length === HASH_SIZE ? hash : undefined;
}

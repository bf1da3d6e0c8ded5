// Checking a log entry in a browser: the log's Ed25519 checkpoint signature through Web Crypto
// (crypto.subtle, no node:crypto), the entry's leaf hash and its RFC 9162 inclusion proof against
// the signed root. Browser-safe: part of @tongban/ledger/core.
import { fromBase64, toBase64, utf8Encode } from "./bytes.ts";
import { type Checkpoint, verifyCheckpointAsync } from "./checkpoint.ts";
import { HASH_SIZE, leafHash, verifyInclusion } from "./merkle.ts";
import { type AsyncNoteVerifier, computeKeyId, formatKeyId, isValidKeyName, type NoteSignature } from "./note.ts";
import { fail, ok, type Result } from "./result.ts";

const ED25519_TYPE = 0x01;
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;

/** A parsed Ed25519 verifier key (Go sumdb/note text form `name+keyid+base64(0x01 ‖ key)`). */
export interface Ed25519VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** The key in its canonical text form. */
  readonly verifierKey: string;
}

/**
 * Parses an Ed25519 verifier key without any crypto library: checks its form, its algorithm byte,
 * its length and that the key ID is the C2SP signed-note ID of that key. Never throws.
 */
export function parseEd25519VerifierKey(text: string): Result<Ed25519VerifierKey> {
  if (typeof text !== "string") return fail("a verifier key must be a string");
  const trimmed = text.trim();
  const first = trimmed.indexOf("+");
  const second = first < 0 ? -1 : trimmed.indexOf("+", first + 1);
  if (second < 0) return fail("malformed key: expected name+keyid+key");
  const name = trimmed.slice(0, first);
  const keyIdText = trimmed.slice(first + 1, second);
  if (!isValidKeyName(name)) return fail(`malformed key: invalid name ${JSON.stringify(name)}`);
  if (!/^[0-9a-fA-F]{8}$/.test(keyIdText)) return fail("malformed key: the key ID must be 8 hex digits");
  const material = fromBase64(trimmed.slice(second + 1));
  if (material === undefined || material.length === 0) return fail("malformed key: the key is not valid base64");
  if (material[0] !== ED25519_TYPE) return fail("not an Ed25519 key");
  if (material.length !== 1 + ED25519_KEY_SIZE) return fail("malformed key: an Ed25519 key is 32 bytes");
  const keyId = Number.parseInt(keyIdText, 16);
  if (computeKeyId(name, material) !== keyId) return fail(`key ID ${keyIdText} does not match the key for ${name}`);
  return ok({
    name,
    keyId,
    publicKey: material.slice(1),
    verifierKey: `${name}+${formatKeyId(keyId)}+${toBase64(material)}`,
  });
}

/** The parts of Web Crypto used here (globalThis.crypto.subtle in browsers and Node ≥ 20). */
export type SubtleVerify = Pick<SubtleCrypto, "importKey" | "verify">;

function defaultSubtle(): SubtleVerify | undefined {
  return (globalThis as { crypto?: { subtle?: SubtleVerify } }).crypto?.subtle;
}

/**
 * A signed-note verifier for an Ed25519 verifier key, checking signatures with Web Crypto.
 * Fails (never throws) when the key is malformed or the browser has no Ed25519 in Web Crypto.
 */
export async function webCryptoEd25519Verifier(
  verifierKey: string,
  subtle: SubtleVerify | undefined = defaultSubtle(),
): Promise<Result<AsyncNoteVerifier & Ed25519VerifierKey>> {
  const parsed = parseEd25519VerifierKey(verifierKey);
  if (!parsed.ok) return parsed;
  if (subtle === undefined) return fail("this browser offers no Web Crypto (crypto.subtle)");
  let key: CryptoKey;
  try {
    key = await subtle.importKey("raw", new Uint8Array(parsed.value.publicKey), { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    return fail(`this browser cannot use Ed25519 keys in Web Crypto (${(error as Error).message})`);
  }
  return ok({
    ...parsed.value,
    async verify(text: Uint8Array, signature: Uint8Array) {
      if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
      try {
        return await subtle.verify({ name: "Ed25519" }, key, new Uint8Array(signature), new Uint8Array(text));
      } catch {
        return false;
      }
    },
  });
}

export interface EntryInclusionInput {
  /** The log's Ed25519 verifier key, obtained independently (e.g. /ledger/key). */
  readonly verifierKey: string;
  /** The signed checkpoint (note text with its signature lines). */
  readonly checkpoint: string | Uint8Array;
  /** The entry exactly as logged. */
  readonly entry: string | Uint8Array;
  readonly index: number;
  /** The inclusion proof of `index` in the checkpoint's tree: hashes as bytes or base64. */
  readonly proof: readonly (Uint8Array | string)[];
  /** With it, the checkpoint must be for this log. */
  readonly origin?: string;
  readonly subtle?: SubtleVerify;
}

export type EntryInclusionFailure =
  /** The verifier key is malformed, or this browser cannot use it. */
  | "bad-key"
  /** The checkpoint is not signed by the key, its signature is wrong, or it is malformed. */
  | "bad-checkpoint"
  /** The checkpoint is for another log. */
  | "wrong-origin"
  /** The checkpoint's tree is smaller than the entry's index. */
  | "not-in-checkpoint"
  /** The proof is malformed or does not lead from the entry to the signed root. */
  | "bad-proof";

export type EntryInclusionResult =
  | {
      readonly ok: true;
      readonly checkpoint: Checkpoint;
      /** RFC 9162 leaf hash of the entry, recomputed here. */
      readonly leafHash: Uint8Array;
      readonly key: Ed25519VerifierKey;
      /** Signatures on the checkpoint by other keys (e.g. the log's SM2 key), not checked here. */
      readonly otherSignatures: readonly NoteSignature[];
    }
  | { readonly ok: false; readonly reason: EntryInclusionFailure; readonly error: string };

/**
 * Proves, in any JavaScript engine with Web Crypto, that `entry` is entry `index` of the log whose
 * checkpoint is signed by `verifierKey`: the checkpoint's Ed25519 signature, the entry's leaf hash
 * recomputed from its bytes, and the inclusion proof up to the signed root. Never throws.
 */
export async function verifyEntryInclusion(input: EntryInclusionInput): Promise<EntryInclusionResult> {
  const verifier = await webCryptoEd25519Verifier(input.verifierKey, input.subtle ?? defaultSubtle());
  if (!verifier.ok) return { ok: false, reason: "bad-key", error: verifier.error };
  const opened = await verifyCheckpointAsync(input.checkpoint, [verifier.value], input.origin);
  if (!opened.ok) {
    return {
      ok: false,
      reason: opened.reason === "wrong-origin" ? "wrong-origin" : "bad-checkpoint",
      error: opened.error,
    };
  }
  const { checkpoint } = opened;
  if (!Number.isSafeInteger(input.index) || input.index < 0 || input.index >= checkpoint.treeSize) {
    return {
      ok: false,
      reason: "not-in-checkpoint",
      error: `entry ${input.index} is not in the checkpoint of ${checkpoint.treeSize} entries`,
    };
  }
  const proof: Uint8Array[] = [];
  for (const hash of input.proof) {
    const bytes = typeof hash === "string" ? fromBase64(hash) : hash;
    if (bytes === undefined || bytes.length !== HASH_SIZE) {
      return { ok: false, reason: "bad-proof", error: "the proof holds something that is not a 32-byte hash" };
    }
    proof.push(bytes);
  }
  const leaf = leafHash(typeof input.entry === "string" ? utf8Encode(input.entry) : input.entry);
  if (!verifyInclusion(leaf, input.index, checkpoint.treeSize, proof, checkpoint.rootHash)) {
    return {
      ok: false,
      reason: "bad-proof",
      error: `the proof does not lead from entry ${input.index} to the signed root of ${checkpoint.treeSize} entries`,
    };
  }
  return {
    ok: true,
    checkpoint,
    leafHash: leaf,
    key: {
      name: verifier.value.name,
      keyId: verifier.value.keyId,
      publicKey: verifier.value.publicKey,
      verifierKey: verifier.value.verifierKey,
    },
    otherSignatures: opened.unverified,
  };
}

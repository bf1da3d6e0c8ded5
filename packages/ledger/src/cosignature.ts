// C2SP tlog-cosignature, Ed25519 "cosignature/v1": a witness's timestamped statement that the
// checkpoint is the largest consistent tree head it has seen for the log. The cosignature is a
// signed-note signature (type 0x04) whose bytes are timestamp(u64, big-endian) ‖ Ed25519 signature
// over "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint text.
import { concatBytes, utf8Encode } from "./bytes.ts";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { ED25519_SIGNATURE_SIZE, ed25519PublicKey, ed25519Signer, ed25519Verifier } from "./crypto/ed25519.ts";
import { computeKeyId, type NoteSigner, type NoteVerifier, parseNote, signNote, verifyNote } from "./note.ts";
import { fail, ok, type Result } from "./result.ts";

/** Signed-note signature type of Ed25519 cosignatures (C2SP signed-note "Signature types"). */
export const COSIGNATURE_V1_TYPE = 0x04;
/** 2^63 − 1: the largest timestamp tlog-cosignature allows. */
const MAX_TIMESTAMP = (1n << 63n) - 1n;
const HEADER = utf8Encode("cosignature/v1\ntime ");

/** Reads the POSIX time in whole seconds; injectable so signing is reproducible in tests. */
export type Clock = () => number;

export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

/** C2SP tlog-cosignature "Ed25519 signed message": what a cosignature/v1 signature signs. */
export function cosignatureMessage(timestamp: number | bigint, checkpointText: Uint8Array): Uint8Array {
  const time = BigInt(timestamp);
  if (time < 0n || time > MAX_TIMESTAMP) throw new RangeError("cosignature timestamp must be within 0…2^63 − 1");
  return concatBytes(HEADER, utf8Encode(`${time.toString()}\n`), checkpointText);
}

/** C2SP tlog-cosignature "Format": a cosigner for `name` from a 32-byte Ed25519 seed. */
export function cosignatureSigner(name: string, seed: Uint8Array, clock: Clock = systemClock): NoteSigner {
  const keyId = computeKeyId(name, concatBytes(Uint8Array.of(COSIGNATURE_V1_TYPE), ed25519PublicKey(seed)));
  const signEd25519 = ed25519Signer(seed);
  return {
    name,
    keyId,
    sign(text) {
      const timestamp = clock();
      if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
        throw new RangeError("clock must give whole non-negative seconds");
      }
      const stamp = new Uint8Array(8);
      new DataView(stamp.buffer).setBigUint64(0, BigInt(timestamp), false);
      return concatBytes(stamp, signEd25519(cosignatureMessage(timestamp, text)));
    },
  };
}

/** C2SP tlog-cosignature "Format": verifies cosignature/v1 signatures by the key `publicKey`. */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  const keyId = computeKeyId(name, concatBytes(Uint8Array.of(COSIGNATURE_V1_TYPE), publicKey));
  const verifyEd25519 = ed25519Verifier(publicKey);
  return {
    name,
    keyId,
    verify(text, signature) {
      const timestamp = cosignatureTimestamp(signature);
      if (timestamp === undefined) return false;
      return verifyEd25519(cosignatureMessage(timestamp, text), signature.subarray(8));
    },
  };
}

/**
 * C2SP tlog-cosignature: adds a cosignature to a signed checkpoint and returns the new note. The
 * caller (a witness) must already have verified the log's signature and the checkpoint's
 * consistency with the last one it cosigned; this function only signs. Throws if the note is not
 * a well-formed signed checkpoint.
 */
export function cosign(signedCheckpoint: string, cosigner: NoteSigner): string {
  const parsed = parseNote(signedCheckpoint);
  if (!parsed.ok) throw new RangeError(`cannot cosign a malformed note: ${parsed.error}`);
  const checkpoint = parseCheckpoint(parsed.value.text);
  if (!checkpoint.ok) throw new RangeError(`cannot cosign: ${checkpoint.error}`);
  return signNote(parsed.value.text, [cosigner], parsed.value.signatures);
}

export interface VerifiedCosignature {
  /** When the witness cosigned, in POSIX seconds. */
  readonly timestamp: number;
  readonly checkpoint: Checkpoint;
}

/**
 * C2SP tlog-cosignature: checks the cosignature by `cosigner` on a signed checkpoint and returns
 * its timestamp and the checkpoint. The log's own signature is not checked here (verifyNote or
 * verifyCheckpoint with the log's key does that). Never throws.
 */
export function verifyCosignature(signedCheckpoint: string, cosigner: NoteVerifier): Result<VerifiedCosignature> {
  const opened = verifyNote(signedCheckpoint, [cosigner]);
  if (!opened.ok) return fail(opened.error);
  const checkpoint = parseCheckpoint(opened.text);
  if (!checkpoint.ok) return fail(checkpoint.error);
  const signature = opened.verified[0];
  const timestamp = signature === undefined ? undefined : cosignatureTimestamp(signature.signature);
  if (timestamp === undefined) return fail("signature is not a cosignature/v1 signature");
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return fail("cosignature timestamp is beyond 2^53 − 1 seconds");
  return ok({ timestamp: Number(timestamp), checkpoint: checkpoint.value });
}

/** The timestamp of a timestamped_signature, or undefined if the bytes cannot be one. */
function cosignatureTimestamp(signature: Uint8Array): bigint | undefined {
  if (signature.length !== 8 + ED25519_SIGNATURE_SIZE) return undefined;
  const timestamp = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0, false);
  return timestamp > MAX_TIMESTAMP ? undefined : timestamp;
}

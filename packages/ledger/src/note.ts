// C2SP signed-note (the format of Go's golang.org/x/mod/sumdb/note): text followed by a blank line
// and lines "— <key name> base64(key ID ‖ signature)". This file is the format only — parsing,
// assembling, and checking signatures through injected verifiers — so it runs anywhere; the
// algorithms (Ed25519, cosignature/v1, SM2) live in keys.ts.
import { sha256 } from "#sha256";
import {
  concatBytes,
  fromBase64,
  hasControlCharacter,
  isWellFormedString,
  toBase64,
  utf8Decode,
  utf8Encode,
} from "./bytes.ts";
import { fail, ok, type Result } from "./result.ts";

/** Go's sumdb/note rejects notes with more signatures than this; C2SP requires accepting ≥ 16. */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = "\u2014 "; // em dash, space

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  /** uint32 key ID (the first four bytes of the decoded signature line). */
  readonly keyId: number;
  /** The algorithm-specific signature bytes that follow the key ID. */
  readonly signature: Uint8Array;
}

/** Checks signatures by one key. `verify` gets the note text as UTF-8 and must not throw. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs note texts with one key. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

export interface ParsedNote {
  /** The signed text, including its final newline but not the blank separator line. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export type VerifyNoteFailure = "malformed" | "ambiguous-key" | "invalid-signature" | "unverified";

export type VerifyNoteResult =
  | {
      readonly ok: true;
      readonly text: string;
      /** Signatures by the given verifiers, each checked. */
      readonly verified: readonly NoteSignature[];
      /** Signatures by keys the caller did not give (ignored, as C2SP requires). */
      readonly unverified: readonly NoteSignature[];
    }
  | {
      readonly ok: false;
      readonly reason: VerifyNoteFailure;
      readonly error: string;
      /** For "unverified": the keys that did sign, to help diagnose a wrong verifier key. */
      readonly unverified?: readonly NoteSignature[];
    };

/**
 * C2SP signed-note "Format": key names are non-empty and contain no Unicode space (the White_Space
 * property, exactly what Go's unicode.IsSpace tests) and no plus sign.
 */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === "string" &&
    name !== "" &&
    isWellFormedString(name) &&
    !/\p{White_Space}/u.test(name) &&
    !name.includes("+") &&
    !hasControlCharacter(name)
  );
}

/**
 * C2SP signed-note "Signatures": key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4]
 * read big-endian. `keyMaterial` is the signature type byte(s) followed by the public key.
 */
export function computeKeyId(name: string, keyMaterial: Uint8Array): number {
  const digest = sha256(concatBytes(utf8Encode(name), Uint8Array.of(0x0a), keyMaterial));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

/** A key ID as the 8 lower-case hex digits of Go sumdb/note key strings ("name+c74f20a3+…"). */
export function formatKeyId(keyId: number): string {
  return (keyId >>> 0).toString(16).padStart(8, "0");
}

/**
 * C2SP signed-note "Format": splits a signed note into its text and signature lines, rejecting
 * anything malformed: invalid UTF-8, control characters other than newline, no blank line before
 * the signatures, a bad signature line, or more than MAX_NOTE_SIGNATURES signatures. Never throws.
 */
export function parseNote(note: string | Uint8Array): Result<ParsedNote> {
  try {
    const decoded = typeof note === "string" ? note : utf8Decode(note);
    if (decoded === undefined || !isWellFormedString(decoded)) return fail("note is not valid UTF-8");
    if (hasControlCharacter(decoded, true)) return fail("note contains control characters other than newline");
    const split = decoded.lastIndexOf("\n\n");
    if (split < 0) return fail("note has no blank line before its signatures");
    const text = decoded.slice(0, split + 1);
    const block = decoded.slice(split + 2);
    if (block === "" || !block.endsWith("\n")) return fail("note has no signature lines ending in a newline");
    const lines = block.slice(0, -1).split("\n");
    if (lines.length > MAX_NOTE_SIGNATURES) return fail(`note has more than ${MAX_NOTE_SIGNATURES} signatures`);
    const signatures: NoteSignature[] = [];
    for (const line of lines) {
      const parsed = parseSignatureLine(line);
      if (!parsed.ok) return parsed;
      signatures.push(parsed.value);
    }
    return ok({ text, signatures });
  } catch {
    return fail("note could not be parsed");
  }
}

/** C2SP signed-note "Signatures": one signature line, without its newline. */
export function formatSignatureLine(signature: NoteSignature): string {
  if (!isValidKeyName(signature.name)) throw new RangeError(`invalid key name ${JSON.stringify(signature.name)}`);
  const keyId = new Uint8Array(4);
  new DataView(keyId.buffer).setUint32(0, signature.keyId >>> 0, false);
  return `${SIGNATURE_PREFIX}${signature.name} ${toBase64(concatBytes(keyId, signature.signature))}`;
}

/**
 * C2SP signed-note "Format": signs `text` (which must end in a newline) with each signer and
 * returns the signed note. Signatures in `existing` are kept, before the new ones, unless a signer
 * uses the same key (name and key ID), whose fresh signature replaces the old one — as Go's
 * note.Sign does. Throws on invalid text or signer names: those are programming errors.
 */
export function signNote(
  text: string,
  signers: readonly NoteSigner[],
  existing: readonly NoteSignature[] = [],
): string {
  if (!text.endsWith("\n")) throw new RangeError("note text must end with a newline");
  if (!isWellFormedString(text) || hasControlCharacter(text, true)) {
    throw new RangeError("note text must be valid UTF-8 without control characters other than newline");
  }
  const textBytes = utf8Encode(text);
  const fresh = signers.map((signer) => {
    if (!isValidKeyName(signer.name)) throw new RangeError(`invalid signer name ${JSON.stringify(signer.name)}`);
    return { name: signer.name, keyId: signer.keyId >>> 0, signature: signer.sign(textBytes) };
  });
  const replaced = new Set(fresh.map((signature) => keyLabel(signature.name, signature.keyId)));
  const kept = existing.filter((signature) => !replaced.has(keyLabel(signature.name, signature.keyId)));
  const all = [...kept, ...fresh];
  if (all.length === 0) throw new RangeError("a note needs at least one signature");
  if (all.length > MAX_NOTE_SIGNATURES) throw new RangeError(`a note holds at most ${MAX_NOTE_SIGNATURES} signatures`);
  return `${text}\n${all.map((signature) => `${formatSignatureLine(signature)}\n`).join("")}`;
}

/**
 * C2SP signed-note "Signatures": opens a note with the verifiers the caller trusts. Signatures by
 * other keys are ignored (reported as `unverified`); a signature by a trusted key that fails to
 * verify rejects the whole note; at least one trusted signature must verify. Never throws.
 */
export function verifyNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): VerifyNoteResult {
  const plan = planVerification(note, verifiers);
  if (!plan.ok) return plan.failure;
  for (const { signature, verifier } of plan.checks) {
    let valid = false;
    try {
      valid = verifier.verify(plan.textBytes, signature.signature) === true;
    } catch {
      valid = false;
    }
    if (!valid) return invalidSignature(signature);
  }
  return plan.finish();
}

/**
 * A verifier whose check may be asynchronous, such as Web Crypto's `crypto.subtle.verify` in a
 * browser, where Node's crypto is not available. It must not throw (a rejection counts as invalid).
 */
export interface AsyncNoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** verifyNote with verifiers that may answer asynchronously; the same rules, the same results. */
export async function verifyNoteAsync(
  note: string | Uint8Array,
  verifiers: readonly AsyncNoteVerifier[],
): Promise<VerifyNoteResult> {
  const plan = planVerification(note, verifiers);
  if (!plan.ok) return plan.failure;
  for (const { signature, verifier } of plan.checks) {
    let valid = false;
    try {
      valid = (await verifier.verify(plan.textBytes, signature.signature)) === true;
    } catch {
      valid = false;
    }
    if (!valid) return invalidSignature(signature);
  }
  return plan.finish();
}

function invalidSignature(signature: NoteSignature): VerifyNoteResult {
  const label = keyLabel(signature.name, signature.keyId);
  return { ok: false, reason: "invalid-signature", error: `invalid signature for key ${label}` };
}

type VerificationPlan<V> =
  | { ok: false; failure: VerifyNoteResult }
  | {
      ok: true;
      textBytes: Uint8Array;
      /** Each trusted key's first signature, with the verifier to check it. */
      checks: { signature: NoteSignature; verifier: V }[];
      /** The answer once every check has passed. */
      finish(): VerifyNoteResult;
    };

/** Parses the note and pairs each signature with the one trusted verifier of its key (or none). */
function planVerification<V extends { readonly name: string; readonly keyId: number }>(
  note: string | Uint8Array,
  verifiers: readonly V[],
): VerificationPlan<V> {
  const parsed = parseNote(note);
  if (!parsed.ok)
    return { ok: false, failure: { ok: false, reason: "malformed", error: `malformed note: ${parsed.error}` } };
  const { text, signatures } = parsed.value;

  const byKey = new Map<string, V[]>();
  for (const verifier of verifiers) {
    const label = keyLabel(verifier.name, verifier.keyId);
    byKey.set(label, [...(byKey.get(label) ?? []), verifier]);
  }

  const checks: { signature: NoteSignature; verifier: V }[] = [];
  const unverified: NoteSignature[] = [];
  const seenVerified = new Set<string>();
  const seenUnverified = new Set<string>();
  for (const signature of signatures) {
    const label = keyLabel(signature.name, signature.keyId);
    const candidates = byKey.get(label);
    if (candidates === undefined) {
      const line = `${label} ${toBase64(signature.signature)}`;
      if (!seenUnverified.has(line)) unverified.push(signature);
      seenUnverified.add(line);
      continue;
    }
    if (candidates.length > 1) {
      return {
        ok: false,
        failure: { ok: false, reason: "ambiguous-key", error: `ambiguous key ${label}: given more than once` },
      };
    }
    if (seenVerified.has(label)) continue; // Go also drops repeated signatures by one key
    seenVerified.add(label);
    checks.push({ signature, verifier: candidates[0] as V });
  }
  const verified = checks.map((check) => check.signature);
  return {
    ok: true,
    textBytes: utf8Encode(text),
    checks,
    finish: () =>
      verified.length === 0
        ? { ok: false, reason: "unverified", error: "note has no signature by any of the given keys", unverified }
        : { ok: true, text, verified, unverified },
  };
}

function parseSignatureLine(line: string): Result<NoteSignature> {
  if (!line.startsWith(SIGNATURE_PREFIX)) return fail("signature line does not start with an em dash and a space");
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(" ");
  const name = space < 0 ? rest : rest.slice(0, space);
  const encoded = space < 0 ? "" : rest.slice(space + 1);
  if (!isValidKeyName(name)) return fail(`signature line has an invalid key name ${JSON.stringify(name)}`);
  const bytes = fromBase64(encoded);
  if (encoded === "" || bytes === undefined) return fail(`signature by ${name} is not valid base64`);
  if (bytes.length < 5) return fail(`signature by ${name} is too short`);
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  return ok({ name, keyId, signature: bytes.slice(4) });
}

function keyLabel(name: string, keyId: number): string {
  return `${name}+${formatKeyId(keyId)}`;
}

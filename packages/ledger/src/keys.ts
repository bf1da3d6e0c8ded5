// Signed-note keys as text, interoperable with Go's golang.org/x/mod/sumdb/note:
//   verifier key  <name>+<key ID, 8 hex>+base64(signature type ‖ public key)
//   signer key    PRIVATE+KEY+<name>+<key ID, 8 hex>+base64(signature type ‖ private key)
// Three signature types: Ed25519 (0x01), Ed25519 cosignature/v1 (0x04), and SM2 with SM3 under the
// private-use type 0xff followed by the DER-encoded OID 1.2.156.10197.1.501 (SM2-with-SM3), so the
// identifier cannot collide with anyone else's 0xff algorithm (see docs/adr/0002-ledger-library.md).
import { bytesEqual, concatBytes, fromBase64, toBase64 } from "./bytes.ts";
import { type Clock, COSIGNATURE_V1_TYPE, cosignatureSigner, cosignatureVerifier, systemClock } from "./cosignature.ts";
import {
  ED25519_KEY_SIZE,
  ed25519PublicKey,
  ed25519Signer,
  ed25519Verifier,
  generateEd25519KeyPair,
} from "./crypto/ed25519.ts";
import {
  generateSm2KeyPair,
  isValidSm2PrivateKey,
  isValidSm2PublicKey,
  SM2_DEFAULT_USER_ID,
  SM2_PRIVATE_KEY_SIZE,
  SM2_PUBLIC_KEY_SIZE,
  sm2PublicKey,
  sm2Sign,
  sm2Verify,
} from "./crypto/sm2.ts";
import { computeKeyId, formatKeyId, isValidKeyName, type NoteSigner, type NoteVerifier } from "./note.ts";

export type NoteKeyType = "ed25519" | "cosignature/v1" | "sm2";

/** Signed-note type byte of plain Ed25519 signatures. */
export const ED25519_TYPE = 0x01;
/** Signed-note type byte reserved for algorithms without an assigned byte. */
export const PRIVATE_USE_TYPE = 0xff;
/** DER encoding of OID 1.2.156.10197.1.501 (SM2 signature with SM3, GM/T 0006-2012). */
export const SM2_SM3_OID_DER = Uint8Array.of(0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75);

/** The signature-type bytes that precede the key material in key strings and key IDs. */
export const SIGNATURE_TYPE_PREFIX: Readonly<Record<NoteKeyType, Uint8Array>> = {
  ed25519: Uint8Array.of(ED25519_TYPE),
  "cosignature/v1": Uint8Array.of(COSIGNATURE_V1_TYPE),
  sm2: concatBytes(Uint8Array.of(PRIVATE_USE_TYPE), SM2_SM3_OID_DER),
};

const PUBLIC_KEY_SIZE: Readonly<Record<NoteKeyType, number>> = {
  ed25519: ED25519_KEY_SIZE,
  "cosignature/v1": ED25519_KEY_SIZE,
  sm2: SM2_PUBLIC_KEY_SIZE,
};
const PRIVATE_KEY_SIZE: Readonly<Record<NoteKeyType, number>> = {
  ed25519: ED25519_KEY_SIZE,
  "cosignature/v1": ED25519_KEY_SIZE,
  sm2: SM2_PRIVATE_KEY_SIZE,
};
const KEY_TYPES = Object.keys(SIGNATURE_TYPE_PREFIX) as NoteKeyType[];

/** A bad key string. Keys are configuration, so a bad one is an error to fix, not a verdict. */
export class NoteKeyError extends Error {
  override name = "NoteKeyError";
}

export interface ParsedVerifier extends NoteVerifier {
  readonly type: NoteKeyType;
  readonly publicKey: Uint8Array;
  /** The key in its canonical text form. */
  readonly verifierKey: string;
}

export interface ParsedSigner extends NoteSigner {
  readonly type: NoteKeyType;
  readonly publicKey: Uint8Array;
  /** The matching verifier key, to publish. */
  readonly verifierKey: string;
}

export interface NoteKeyPair {
  /** Secret: PRIVATE+KEY+… */
  readonly signerKey: string;
  /** Public: give it to verifiers. */
  readonly verifierKey: string;
}

export interface SignerOptions {
  /** Time source for cosignature/v1 timestamps (POSIX seconds). */
  readonly clock?: Clock;
  /** SM2 distinguishing identifier; the GM/T 0009 default 1234567812345678 unless agreed otherwise. */
  readonly sm2UserId?: string;
}

/** Go sumdb/note GenerateKey: a fresh key pair for `name` as signer and verifier key strings. */
export function generateNoteKey(name: string, type: NoteKeyType = "ed25519"): NoteKeyPair {
  if (!isValidKeyName(name)) {
    throw new NoteKeyError(`invalid key name ${JSON.stringify(name)}: it must be non-empty without spaces or "+"`);
  }
  let privateKey: Uint8Array;
  let publicKey: Uint8Array;
  if (type === "sm2") ({ privateKey, publicKey } = generateSm2KeyPair());
  else ({ seed: privateKey, publicKey } = generateEd25519KeyPair());
  const prefix = SIGNATURE_TYPE_PREFIX[type];
  const keyId = computeKeyId(name, concatBytes(prefix, publicKey));
  return {
    signerKey: `PRIVATE+KEY+${name}+${formatKeyId(keyId)}+${toBase64(concatBytes(prefix, privateKey))}`,
    verifierKey: verifierKeyFor(name, type, publicKey),
  };
}

/** C2SP signed-note key ID rule and Go's vkey text form: the verifier key for a raw public key. */
export function verifierKeyFor(name: string, type: NoteKeyType, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new NoteKeyError(`invalid key name ${JSON.stringify(name)}`);
  if (publicKey.length !== PUBLIC_KEY_SIZE[type]) {
    throw new NoteKeyError(`a ${type} public key is ${PUBLIC_KEY_SIZE[type]} bytes`);
  }
  const material = concatBytes(SIGNATURE_TYPE_PREFIX[type], publicKey);
  return `${name}+${formatKeyId(computeKeyId(name, material))}+${toBase64(material)}`;
}

/** Go sumdb/note NewVerifier: parses a verifier key string. Throws NoteKeyError on a bad key. */
export function parseVerifierKey(verifierKey: string): ParsedVerifier {
  const [nameText, keyIdText, encoded] = splitKey(verifierKey, 3);
  const { name, keyId, type, key } = decodeKey(nameText, keyIdText, encoded, PUBLIC_KEY_SIZE);
  const material = concatBytes(SIGNATURE_TYPE_PREFIX[type], key);
  if (computeKeyId(name, material) !== keyId) {
    throw new NoteKeyError(`key ID ${keyIdText} does not match the key for ${name}`);
  }
  if (type === "sm2" && !isValidSm2PublicKey(key)) {
    throw new NoteKeyError("the SM2 public key is not a point on the curve");
  }
  const canonical = `${name}+${formatKeyId(keyId)}+${toBase64(material)}`;
  const base = { name, keyId, type, publicKey: key, verifierKey: canonical };
  switch (type) {
    case "ed25519": {
      const verify = ed25519Verifier(key);
      return { ...base, verify: (text, signature) => verify(text, signature) };
    }
    case "cosignature/v1": {
      const verifier = cosignatureVerifier(name, key);
      return { ...base, verify: (text, signature) => verifier.verify(text, signature) };
    }
    case "sm2":
      return { ...base, verify: (text, signature) => sm2Verify(key, text, signature, SM2_DEFAULT_USER_ID) };
  }
}

/** Go sumdb/note NewSigner: parses a signer key string. Throws NoteKeyError on a bad key. */
export function parseSignerKey(signerKey: string, options: SignerOptions = {}): ParsedSigner {
  if (typeof signerKey !== "string" || !signerKey.startsWith("PRIVATE+KEY+")) {
    throw new NoteKeyError('a signer key starts with "PRIVATE+KEY+"');
  }
  const [, , nameText, keyIdText, encoded] = splitKey(signerKey, 5);
  const { name, keyId, type, key } = decodeKey(nameText, keyIdText, encoded, PRIVATE_KEY_SIZE);
  if (type === "sm2" && !isValidSm2PrivateKey(key)) throw new NoteKeyError("the SM2 private key is out of range");
  const publicKey = type === "sm2" ? sm2PublicKey(key) : ed25519PublicKey(key);
  // The key ID commits to the public key, so it can only be checked after deriving it.
  if (computeKeyId(name, concatBytes(SIGNATURE_TYPE_PREFIX[type], publicKey)) !== keyId) {
    throw new NoteKeyError(`key ID ${keyIdText} does not match the key for ${name}`);
  }
  const base = { name, keyId, type, publicKey, verifierKey: verifierKeyFor(name, type, publicKey) };
  switch (type) {
    case "ed25519": {
      const sign = ed25519Signer(key);
      return { ...base, sign: (text) => sign(text) };
    }
    case "cosignature/v1": {
      const signer = cosignatureSigner(name, key, options.clock ?? systemClock);
      return { ...base, sign: (text) => signer.sign(text) };
    }
    case "sm2": {
      const userId = options.sm2UserId ?? SM2_DEFAULT_USER_ID;
      return { ...base, sign: (text) => sm2Sign(key, text, userId, publicKey) };
    }
  }
}

/** Splits at the first `parts − 1` plus signs (base64 itself may contain "+"). */
function splitKey(text: string, parts: number): string[] {
  if (typeof text !== "string") throw new NoteKeyError("a key must be a string");
  const out: string[] = [];
  let rest = text;
  for (let i = 0; i < parts - 1; i++) {
    const plus = rest.indexOf("+");
    if (plus < 0) throw new NoteKeyError("malformed key: expected name+keyid+key");
    out.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  out.push(rest);
  return out;
}

function decodeKey(
  name: string | undefined,
  keyIdText: string | undefined,
  encoded: string | undefined,
  sizes: Readonly<Record<NoteKeyType, number>>,
): { name: string; keyId: number; type: NoteKeyType; key: Uint8Array } {
  if (name === undefined || !isValidKeyName(name)) {
    throw new NoteKeyError(`malformed key: invalid name ${JSON.stringify(name)}`);
  }
  if (keyIdText === undefined || !/^[0-9a-fA-F]{8}$/.test(keyIdText)) {
    throw new NoteKeyError("malformed key: the key ID must be 8 hex digits");
  }
  const material = encoded === undefined ? undefined : fromBase64(encoded);
  if (material === undefined || material.length === 0) {
    throw new NoteKeyError("malformed key: the key is not valid base64");
  }
  const type = KEY_TYPES.find((candidate) => startsWith(material, SIGNATURE_TYPE_PREFIX[candidate]));
  if (type === undefined) {
    throw new NoteKeyError(`unknown key algorithm 0x${(material[0] as number).toString(16).padStart(2, "0")}`);
  }
  const key = material.slice(SIGNATURE_TYPE_PREFIX[type].length);
  if (key.length !== sizes[type]) {
    throw new NoteKeyError(`malformed key: a ${type} key is ${sizes[type]} bytes, got ${key.length}`);
  }
  return { name, keyId: Number.parseInt(keyIdText, 16), type, key };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && bytesEqual(bytes.subarray(0, prefix.length), prefix);
}

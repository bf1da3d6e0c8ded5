// Ed25519 (RFC 8032) over raw 32-byte keys with node:crypto, which only takes DER key objects;
// the fixed DER prefixes below wrap a raw seed (PKCS #8) or public key (SPKI, RFC 8410).

import type { KeyObject } from "node:crypto";
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { concatBytes } from "../bytes.ts";

const PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);
const SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);

export const ED25519_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

export interface Ed25519KeyPair {
  /** The 32-byte private seed (RFC 8032 §5.1.5's k). */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** RFC 8032 §5.1.5 key generation from a fresh random seed. */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  const seed = exportSeed(privateKey);
  return { seed, publicKey: ed25519PublicKey(seed) };
}

/** RFC 8032 §5.1.5: the 32-byte public key A of a seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyFromSeed(seed)).export({ format: "der", type: "spki" });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

/** RFC 8032 §5.1.6 signing: deterministic, so a given key and message always give the same signature. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed25519Signer(seed)(message);
}

/**
 * RFC 8032 §5.1.6 signing with one key, its key object made once: node:crypto takes a millisecond or
 * two to decode a key, many times what the signature itself costs.
 */
export function ed25519Signer(seed: Uint8Array): (message: Uint8Array) => Uint8Array {
  let key: KeyObject | undefined;
  return (message) => {
    key ??= privateKeyFromSeed(seed);
    return new Uint8Array(sign(null, message, key));
  };
}

/** RFC 8032 §5.1.7 verification; false (never an exception) for malformed keys or signatures. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return ed25519Verifier(publicKey)(message, signature);
}

/** RFC 8032 §5.1.7 verification with one public key, its key object made once (see ed25519Signer). */
export function ed25519Verifier(publicKey: Uint8Array): (message: Uint8Array, signature: Uint8Array) => boolean {
  let key: KeyObject | undefined;
  if (publicKey.length === ED25519_KEY_SIZE) {
    try {
      key = createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)), format: "der", type: "spki" });
    } catch {
      key = undefined;
    }
  }
  return (message, signature) => {
    if (!key || signature.length !== ED25519_SIGNATURE_SIZE) return false;
    try {
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  };
}

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== ED25519_KEY_SIZE) throw new RangeError("an Ed25519 seed is 32 bytes");
  return createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, seed)), format: "der", type: "pkcs8" });
}

function exportSeed(privateKey: KeyObject): Uint8Array {
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" });
  return new Uint8Array(pkcs8.subarray(PKCS8_PREFIX.length));
}

// SHA-256 for Node.js: the one place the ledger core touches node:crypto.
// Selected through the "#sha256" subpath import (package.json "imports", condition "node");
// browsers get ./sha256.pure.ts instead, so the Merkle core stays synchronous everywhere.
import * as nodeCrypto from "node:crypto";

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: "buffer") => Uint8Array;

// crypto.hash (Node ≥ 20.12) skips the Hash object and is ~25 % faster for small inputs,
// which is most of what a Merkle tree hashes; older runtimes fall back to createHash.
const oneShot = (nodeCrypto as unknown as { hash?: OneShotHash }).hash;

/** FIPS 180-4 SHA-256 of `data`, as a plain Uint8Array (not a Buffer, so results compare equal in tests). */
export function sha256(data: Uint8Array): Uint8Array {
  const digest =
    oneShot !== undefined ? oneShot("sha256", data, "buffer") : nodeCrypto.createHash("sha256").update(data).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

export const sha256Implementation = "node:crypto";

// SM3 (GB/T 32905-2016) through node:crypto, which ships it with OpenSSL. The tree stays SHA-256
// so standard tools can audit it; SM3 is offered for content digests that regulators ask for.
import { createHash } from "node:crypto";

/** GB/T 32905-2016 SM3 digest (32 bytes). */
export function sm3(data: Uint8Array): Uint8Array {
  const digest = createHash("sm3").update(data).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

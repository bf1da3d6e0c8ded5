// Multibase base58-btc ("z" prefix; draft-multiformats-multibase, Bitcoin alphabet) and the
// multicodec-prefixed Ed25519 public key of W3C Controlled Identifiers' Multikey (§2.2.2) and
// did:key (W3C did:key v0.7 §3.1.2).

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/** base58-btc of `bytes` (leading zero bytes become "1"). */
export function base58btcEncode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i] as number;
    for (let j = 0; j < digits.length; j++) {
      carry += (digits[j] as number) << 8;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  return (
    "1".repeat(zeros) +
    digits
      .reverse()
      .map((d) => ALPHABET[d])
      .join("")
  );
}

/** The bytes of a base58-btc string, or undefined when it holds a character outside the alphabet. */
export function base58btcDecode(text: string): Uint8Array | undefined {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === "1") zeros++;
  const bytes: number[] = [];
  for (let i = zeros; i < text.length; i++) {
    const value = INDEX.get(text[i] as string);
    if (value === undefined) return undefined;
    let carry = value;
    for (let j = 0; j < bytes.length; j++) {
      carry += (bytes[j] as number) * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes.reverse()]);
}

/** Multicodec `ed25519-pub` (0xed as an unsigned varint: 0xed 0x01). */
const ED25519_PUB = Uint8Array.of(0xed, 0x01);

/** Multikey publicKeyMultibase of a raw 32-byte Ed25519 public key: "z6Mk…". */
export function ed25519Multikey(publicKey: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB.length + publicKey.length);
  bytes.set(ED25519_PUB);
  bytes.set(publicKey, ED25519_PUB.length);
  return `z${base58btcEncode(bytes)}`;
}

/** The raw Ed25519 public key of a Multikey "z6Mk…", or undefined when it is not one. */
export function ed25519FromMultikey(multikey: string): Uint8Array | undefined {
  if (!multikey.startsWith("z")) return undefined;
  const bytes = base58btcDecode(multikey.slice(1));
  if (bytes?.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) return undefined;
  return bytes.slice(2);
}

/** did:key v0.7 §3.1.2: the did:key and its verification method for an Ed25519 key. */
export function ed25519DidKey(publicKey: Uint8Array): { did: string; verificationMethod: string } {
  const multikey = ed25519Multikey(publicKey);
  return { did: `did:key:${multikey}`, verificationMethod: `did:key:${multikey}#${multikey}` };
}

// A verifier meets few keys and sees each many times: decoded methods are kept.
const decodedMethods = new Map<string, Uint8Array | undefined>();

/** The Ed25519 public key a did:key verification method names, or undefined. */
export function ed25519FromVerificationMethod(verificationMethod: string): Uint8Array | undefined {
  if (decodedMethods.has(verificationMethod)) return decodedMethods.get(verificationMethod);
  const key = decodeVerificationMethod(verificationMethod);
  if (decodedMethods.size > 1000) decodedMethods.clear();
  decodedMethods.set(verificationMethod, key);
  return key;
}

function decodeVerificationMethod(verificationMethod: string): Uint8Array | undefined {
  const match = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)#(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(verificationMethod);
  if (!match || match[1] !== match[2]) return undefined;
  return ed25519FromMultikey(match[1] as string);
}

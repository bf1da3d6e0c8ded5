// Byte helpers shared by the pure core. No Buffer: the core must also run in browsers.

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_VALUES[BASE64_ALPHABET.charCodeAt(i)] = i;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Byte-wise equality, without an early exit (hashes are public, but the habit costs nothing). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

/** a ‖ b ‖ …, the concatenation every RFC 9162 and C2SP construction is written in. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** RFC 4648 §8 base16, lower case, as hashes are conventionally shown. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** RFC 4648 §8 base16 decoding of lower- or upper-case hex; undefined for odd length or any non-hex character. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** RFC 4648 §4 base64 with padding, the encoding every C2SP format uses. */
export function toBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      BASE64_ALPHABET[n >>> 18] +
      (BASE64_ALPHABET[(n >>> 12) & 63] as string) +
      (BASE64_ALPHABET[(n >>> 6) & 63] as string) +
      (BASE64_ALPHABET[n & 63] as string);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${BASE64_ALPHABET[n >>> 18]}${BASE64_ALPHABET[(n >>> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${BASE64_ALPHABET[n >>> 18]}${BASE64_ALPHABET[(n >>> 12) & 63]}${BASE64_ALPHABET[(n >>> 6) & 63]}=`;
  }
  return out;
}

/**
 * Strict RFC 4648 §4 decoding: padding required, no whitespace, and the unused bits of the last
 * character must be zero (§3.5), so every byte string has exactly one accepted encoding and a
 * signature line cannot be re-encoded into a "different" but equally valid one.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  let padding = 0;
  if (text.endsWith("==")) padding = 2;
  else if (text.endsWith("=")) padding = 1;
  const body = text.length - padding;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let outIndex = 0;
  let accumulator = 0;
  let bits = 0;
  for (let i = 0; i < body; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (BASE64_VALUES[code] as number) : -1;
    if (value < 0) return undefined;
    accumulator = ((accumulator << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[outIndex++] = (accumulator >>> bits) & 0xff;
    }
  }
  if (bits > 0 && (accumulator & ((1 << bits) - 1)) !== 0) return undefined;
  return outIndex === out.length ? out : undefined;
}

/** UTF-8 (RFC 3629): C2SP signed notes are UTF-8 text and are signed as UTF-8 bytes. */
export function utf8Encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** RFC 3629 UTF-8 decoding, or undefined if the bytes are not well-formed (C2SP signed-note rejects such notes). */
export function utf8Decode(bytes: Uint8Array): string | undefined {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** True if the string has no unpaired surrogate, i.e. it encodes to UTF-8 losslessly. */
export function isWellFormedString(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** C2SP signed-note "Format": true if the text contains an ASCII control character (below U+0020) other than an allowed newline. */
export function hasControlCharacter(text: string, allowNewline = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !(allowNewline && code === 0x0a)) return true;
  }
  return false;
}

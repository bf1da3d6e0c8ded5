import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex, utf8Encode } from "../bytes.ts";
import { sha256 as nodeSha256 } from "./sha256.node.ts";
import { sha256 as pureSha256 } from "./sha256.pure.ts";

// FIPS 180-2 Appendix B examples (one-block, multi-block) and the empty string.
const vectors: [string, string][] = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  [
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  ],
];

describe.each([
  ["pure TypeScript", pureSha256],
  ["node:crypto", nodeSha256],
])("SHA-256 (%s)", (_name, sha256) => {
  it.each(vectors)("hashes %j to the FIPS 180-2 digest", (input, digest) => {
    expect(toHex(sha256(utf8Encode(input)))).toBe(digest);
  });

  it("matches OpenSSL for every length across block and padding boundaries", () => {
    for (let length = 0; length <= 300; length++) {
      const data = randomBytes(length);
      expect(toHex(sha256(data)), `length ${length}`).toBe(createHash("sha256").update(data).digest("hex"));
    }
  });

  it("hashes a view into a larger buffer without reading outside it", () => {
    const backing = randomBytes(200);
    const view = backing.subarray(37, 150);
    expect(toHex(sha256(view))).toBe(createHash("sha256").update(view).digest("hex"));
  });

  it("returns a plain Uint8Array", () => {
    expect(Object.getPrototypeOf(sha256(new Uint8Array(1)))).toBe(Uint8Array.prototype);
  });
});

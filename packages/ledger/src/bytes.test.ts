import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, isWellFormedString, toBase64, toHex, utf8Decode } from "./bytes.ts";

describe("base64", () => {
  it("round-trips every length and matches Node's encoder", () => {
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      const encoded = toBase64(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString("base64"));
      expect(fromBase64(encoded)).toEqual(bytes);
    }
  });

  it.each([
    ["missing padding", "QQ"],
    ["whitespace", "QUJD RA=="],
    ["URL alphabet", "-_-_"],
    ["padding in the middle", "QQ==QUJD"],
    ["non-zero padding bits", "QR=="],
    ["non-ASCII", "QUJ€"],
    ["three pad characters", "Q==="],
  ])("rejects %s", (_case, text) => {
    expect(fromBase64(text)).toBeUndefined();
  });
});

describe("hex", () => {
  it("round-trips and rejects odd or non-hex input", () => {
    expect(toHex(Uint8Array.of(0, 15, 255))).toBe("000fff");
    expect(fromHex("000FfF")).toEqual(Uint8Array.of(0, 15, 255));
    expect(fromHex("abc")).toBeUndefined();
    expect(fromHex("zz")).toBeUndefined();
  });
});

describe("UTF-8", () => {
  it("rejects malformed UTF-8 and unpaired surrogates", () => {
    expect(utf8Decode(Uint8Array.of(0xc3, 0x28))).toBeUndefined();
    expect(utf8Decode(Uint8Array.of(0xe9, 0x80, 0x9a))).toBe("通");
    expect(isWellFormedString("a\ud800b")).toBe(false);
    expect(isWellFormedString("通辦😀")).toBe(true);
  });
});

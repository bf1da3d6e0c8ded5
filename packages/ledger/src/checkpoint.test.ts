import { describe, expect, it } from "vitest";
import { fromBase64, toHex } from "./bytes.ts";
import { formatCheckpoint, parseCheckpoint, signCheckpoint, verifyCheckpoint } from "./checkpoint.ts";
import { generateNoteKey, parseSignerKey, parseVerifierKey } from "./keys.ts";
import { leafHash, rootHash } from "./merkle.ts";

// The example checkpoint of the C2SP tlog-checkpoint specification (test data, verbatim).
const SPEC_TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

describe("C2SP tlog-checkpoint note text", () => {
  it("parses the specification's example", () => {
    const parsed = parseCheckpoint(SPEC_TEXT);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.origin).toBe("example.com/behind-the-sofa");
    expect(parsed.value.treeSize).toBe(20852163);
    expect(parsed.value.rootHash).toEqual(fromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
    expect(parsed.value.extensions).toEqual([]);
    expect(formatCheckpoint(parsed.value)).toBe(SPEC_TEXT);
  });

  it("round-trips extension lines and the empty tree", () => {
    const checkpoint = {
      origin: "ledger.cq.gov.cn/v1",
      treeSize: 0,
      rootHash: rootHash([]),
      extensions: ["sm3 0a1b", "region 500000"],
    };
    const text = formatCheckpoint(checkpoint);
    expect(text).toBe(
      `ledger.cq.gov.cn/v1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nsm3 0a1b\nregion 500000\n`,
    );
    expect(parseCheckpoint(text)).toEqual({ ok: true, value: checkpoint });
  });

  it.each([
    ["no final newline", "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="],
    ["too few lines", "origin\n1\n"],
    ["an empty origin", "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"],
    ["a leading zero", "origin\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"],
    ["a signed size", "origin\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"],
    ["a size beyond 2^53", "origin\n9007199254740993\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"],
    ["a short root", "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n"],
    ["a hex root", `origin\n1\n${"ab".repeat(32)}\n`],
    ["an empty extension line", "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\next\n"],
    ["a trailing empty line", "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"],
    ["a control character", "ori\tgin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"],
  ])("rejects %s", (_case, text) => {
    expect(parseCheckpoint(text).ok).toBe(false);
  });

  it("refuses to format what it could not parse", () => {
    const root = rootHash([]);
    expect(() => formatCheckpoint({ origin: "", treeSize: 1, rootHash: root, extensions: [] })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: "a\nb", treeSize: 1, rootHash: root, extensions: [] })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: "o", treeSize: -1, rootHash: root, extensions: [] })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin: "o", treeSize: 1, rootHash: root.slice(1), extensions: [] })).toThrow(
      RangeError,
    );
    expect(() => formatCheckpoint({ origin: "o", treeSize: 1, rootHash: root, extensions: [""] })).toThrow(RangeError);
  });
});

describe("signed checkpoints", () => {
  const origin = "ledger.fuzhou.gov.cn/v1";
  const log = generateNoteKey(origin);
  const sm2 = generateNoteKey(`${origin}/sm2`, "sm2");
  const checkpoint = {
    origin,
    treeSize: 3,
    rootHash: rootHash([1, 2, 3].map((i) => leafHash(Uint8Array.of(i)))),
    extensions: [],
  };

  it("carries an Ed25519 and an SM2 signature, each verifiable on its own", () => {
    const note = signCheckpoint(checkpoint, [parseSignerKey(log.signerKey), parseSignerKey(sm2.signerKey)]);
    const both = verifyCheckpoint(note, [parseVerifierKey(log.verifierKey), parseVerifierKey(sm2.verifierKey)], origin);
    expect(both.ok && both.verified.map((signature) => signature.name)).toEqual([origin, `${origin}/sm2`]);
    expect(both.ok && toHex(both.checkpoint.rootHash)).toBe(toHex(checkpoint.rootHash));

    // A standard client that knows only the Ed25519 key ignores the SM2 line, as C2SP requires.
    const edOnly = verifyCheckpoint(note, [parseVerifierKey(log.verifierKey)]);
    expect(edOnly.ok && edOnly.unverified.map((signature) => signature.name)).toEqual([`${origin}/sm2`]);
  });

  it("rejects another log's checkpoint and a signed non-checkpoint", () => {
    const note = signCheckpoint(checkpoint, [parseSignerKey(log.signerKey)]);
    expect(verifyCheckpoint(note, [parseVerifierKey(log.verifierKey)], "ledger.weinan.gov.cn/v1")).toMatchObject({
      ok: false,
      reason: "wrong-origin",
    });
    const notACheckpoint = `${origin}\nhello\n\n— ${note.split("— ")[1]}`;
    expect(verifyCheckpoint(notACheckpoint, [parseVerifierKey(log.verifierKey)]).ok).toBe(false);
  });
});

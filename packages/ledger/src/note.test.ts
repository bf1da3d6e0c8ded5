import { describe, expect, it } from "vitest";
import { utf8Encode } from "./bytes.ts";
import { parseSignerKey, parseVerifierKey } from "./keys.ts";
import { computeKeyId, isValidKeyName, type NoteVerifier, parseNote, signNote, verifyNote } from "./note.ts";

// Go's published sumdb/note examples (golang.org/x/mod/sumdb/note: package documentation and
// note_test.go). Test data, used verbatim: we must read and write these notes byte for byte.
const PETER_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VERIFIER_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG_B64 = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
const ENOCH_SIG_B64 = "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=";
const PETER_SIG = `— PeterNeumann ${PETER_SIG_B64}\n`;
const ENOCH_SIG = `— EnochRoot ${ENOCH_SIG_B64}\n`;
const SIGNED = `${TEXT}\n${PETER_SIG}`;

const peter = () => parseVerifierKey(PETER_VERIFIER_KEY);
const enoch = () => parseVerifierKey(ENOCH_VERIFIER_KEY);
const summary = (signatures: readonly { name: string; keyId: number }[]) =>
  signatures.map((signature) => `${signature.name}+${signature.keyId.toString(16).padStart(8, "0")}`);

describe("Go sumdb/note interoperability", () => {
  it("produces Go's signature from Go's signer key, byte for byte (Ed25519 is deterministic)", () => {
    expect(signNote(TEXT, [parseSignerKey(PETER_SIGNER_KEY)])).toBe(SIGNED);
  });

  it("verifies Go's signed note with Go's verifier key", () => {
    const result = verifyNote(SIGNED, [peter()]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.text).toBe(TEXT);
    expect(summary(result.verified)).toEqual(["PeterNeumann+c74f20a3"]);
    expect(result.unverified).toEqual([]);
  });

  it("derives Go's verifier key and key ID from the signer key", () => {
    const signer = parseSignerKey(PETER_SIGNER_KEY);
    expect(signer.verifierKey).toBe(PETER_VERIFIER_KEY);
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(computeKeyId("PeterNeumann", Uint8Array.of(0x01, ...peter().publicKey))).toBe(0xc74f20a3);
  });

  it("replaces an existing signature by the same key instead of repeating it", () => {
    const stale = { name: "PeterNeumann", keyId: 0xc74f20a3, signature: utf8Encode("stale signature") };
    expect(signNote(TEXT, [parseSignerKey(PETER_SIGNER_KEY)], [stale])).toBe(SIGNED);
  });

  it("reports one verified and one ignored signature (TestOpen)", () => {
    const result = verifyNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter()]);
    expect(result.ok && summary(result.verified)).toEqual(["PeterNeumann+c74f20a3"]);
    expect(result.ok && summary(result.unverified)).toEqual(["EnochRoot+af0cfe78"]);
  });

  it("verifies both signatures when both keys are known", () => {
    const result = verifyNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter(), enoch()]);
    expect(result.ok && summary(result.verified)).toEqual(["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"]);
  });

  it("rejects a note no given key signed, and says who did", () => {
    const result = verifyNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("unverified");
    expect(summary(result.unverified ?? [])).toEqual(["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"]);
  });

  it("rejects an ambiguous verifier list only when it matters", () => {
    const result = verifyNote(`${TEXT}\n${ENOCH_SIG}`, [enoch(), peter(), enoch()]);
    expect(result).toMatchObject({
      ok: false,
      reason: "ambiguous-key",
      error: "ambiguous key EnochRoot+af0cfe78: given more than once",
    });
    expect(verifyNote(`${TEXT}\n${PETER_SIG}`, [enoch(), peter(), enoch()]).ok).toBe(true);
  });

  it("rejects the whole note when a known key's signature is bad", () => {
    const forged = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(verifyNote(forged, [peter()])).toMatchObject({
      ok: false,
      reason: "invalid-signature",
      error: "invalid signature for key PeterNeumann+c74f20a3",
    });
  });

  it("drops repeated signatures, verified or not", () => {
    const enochForged = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    const result = verifyNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochForged}`, [peter()]);
    expect(result.ok && summary(result.verified)).toEqual(["PeterNeumann+c74f20a3"]);
    expect(result.ok && result.unverified.length).toBe(2);
  });

  it("rejects more than 100 signatures", () => {
    expect(verifyNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter()])).toMatchObject({
      ok: false,
      reason: "malformed",
    });
    expect(verifyNote(`${TEXT}\n${PETER_SIG.repeat(100)}`, [peter()]).ok).toBe(true);
  });

  it.each([
    ["text only", TEXT],
    ["no signature lines", `${TEXT}\n`],
    ["no final newline", `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ["a control character", `\x01${TEXT}\n${PETER_SIG}`],
    ["a name with a space", `${TEXT}\n— Bad Name ${PETER_SIG_B64}`],
    ["a line after the signatures", `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
    ["a hyphen instead of an em dash", `${TEXT}\n- PeterNeumann ${PETER_SIG_B64}\n`],
    ["an unpadded signature", `${TEXT}\n— PeterNeumann ${PETER_SIG_B64.slice(0, -1)}\n`],
    ["a 4-byte signature", `${TEXT}\n— PeterNeumann x08gow==\n`],
    ["a plus in the name", `${TEXT}\n— Peter+Neumann ${PETER_SIG_B64}\n`],
    ["an ideographic space in the name", `${TEXT}\n— Peter\u3000Neumann ${PETER_SIG_B64}\n`],
  ])("rejects a malformed note: %s", (_case, note) => {
    expect(verifyNote(note, [peter()])).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("rejects bytes that are not UTF-8", () => {
    const bytes = new Uint8Array([0xff, ...utf8Encode(SIGNED)]);
    expect(verifyNote(bytes, [peter()])).toMatchObject({ ok: false, reason: "malformed" });
    expect(verifyNote(utf8Encode(SIGNED), [peter()]).ok).toBe(true);
  });

  it("never throws, even when a verifier does", () => {
    const explosive: NoteVerifier = {
      name: "PeterNeumann",
      keyId: 0xc74f20a3,
      verify() {
        throw new Error("boom");
      },
    };
    expect(verifyNote(SIGNED, [explosive])).toMatchObject({ ok: false, reason: "invalid-signature" });
    expect(verifyNote(undefined as unknown as string, [peter()])).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("refuses to sign malformed texts or with invalid names", () => {
    const signer = parseSignerKey(PETER_SIGNER_KEY);
    expect(() => signNote("abc", [signer])).toThrow(/end with a newline/);
    expect(() => signNote("a\tb\n", [signer])).toThrow(/control characters/);
    expect(() => signNote(TEXT, [{ ...signer, name: "bad name" }])).toThrow(/invalid signer name/);
    expect(() => signNote(TEXT, [], [{ name: "a+b", keyId: 1, signature: Uint8Array.of(1) }])).toThrow(
      /invalid key name/,
    );
    expect(() => signNote(TEXT, [])).toThrow(/at least one signature/);
  });
});

describe("C2SP signed-note format", () => {
  it("parses the specification's example note", () => {
    const note =
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n" +
      "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    const parsed = parseNote(note);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    // The text keeps its inner blank line: only the last blank line separates the signatures.
    expect(parsed.value.text).toBe(
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n",
    );
    expect(parsed.value.signatures).toHaveLength(1);
    expect(parsed.value.signatures[0]?.name).toBe("quasimodo.example/salvatore");
    expect(parsed.value.signatures[0]?.keyId).toBe(0x367ba04b);
    expect(parsed.value.signatures[0]?.signature).toHaveLength(64);
  });

  it("validates key names as Go does", () => {
    expect(isValidKeyName("ledger.fuzhou.gov.cn/v1")).toBe(true);
    expect(isValidKeyName("通辦/福州")).toBe(true);
    for (const bad of ["", "a b", "a+b", "a\u00a0b", "a\u2028b", "a\u0085b", "a\tb"])
      expect(isValidKeyName(bad), bad).toBe(false);
  });
});

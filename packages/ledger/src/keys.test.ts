import { describe, expect, it } from "vitest";
import { toBase64 } from "./bytes.ts";
import {
  generateNoteKey,
  NoteKeyError,
  type NoteKeyType,
  parseSignerKey,
  parseVerifierKey,
  SIGNATURE_TYPE_PREFIX,
  verifierKeyFor,
} from "./keys.ts";
import { computeKeyId, formatKeyId, signNote, verifyNote } from "./note.ts";

// Go's sumdb/note test keys (note_test.go TestNewVerifier / TestNewSigner), used verbatim.
const PETER_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const SM2_PREFIX = SIGNATURE_TYPE_PREFIX.sm2;

/** Every proper substring and every single-byte increment, as Go's tests mangle keys. */
function manglings(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= key.length; i++) {
    for (let j = i + 1; j <= key.length; j++) if (i !== 0 || j !== key.length) out.push(key.slice(i, j));
  }
  for (let i = 0; i < key.length; i++)
    out.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
  return out;
}

describe("verifier keys (Go sumdb/note NewVerifier)", () => {
  it("accepts Go's key", () => {
    const verifier = parseVerifierKey(PETER_VERIFIER_KEY);
    expect(verifier).toMatchObject({
      name: "PeterNeumann",
      keyId: 0xc74f20a3,
      type: "ed25519",
      verifierKey: PETER_VERIFIER_KEY,
    });
  });

  it("rejects every mangling of Go's key", () => {
    const accepted = manglings(PETER_VERIFIER_KEY).filter((key) => {
      try {
        parseVerifierKey(key);
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(NoteKeyError);
        return false;
      }
    });
    expect(accepted).toEqual([]);
  });

  it("rejects a wrong-length key and an unknown algorithm even with an adjusted key ID", () => {
    expect(() =>
      parseVerifierKey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="),
    ).toThrow(NoteKeyError);
    expect(() => parseVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toThrow(
      /unknown key algorithm/,
    );
  });

  it("builds Go's key from a raw public key", () => {
    const { publicKey } = parseVerifierKey(PETER_VERIFIER_KEY);
    expect(verifierKeyFor("PeterNeumann", "ed25519", publicKey)).toBe(PETER_VERIFIER_KEY);
    expect(() => verifierKeyFor("PeterNeumann", "ed25519", publicKey.slice(1))).toThrow(NoteKeyError);
  });
});

describe("signer keys (Go sumdb/note NewSigner)", () => {
  it("accepts Go's key", () => {
    expect(parseSignerKey(PETER_SIGNER_KEY)).toMatchObject({
      name: "PeterNeumann",
      keyId: 0xc74f20a3,
      verifierKey: PETER_VERIFIER_KEY,
    });
  });

  it("rejects every mangling of Go's key", () => {
    const accepted = manglings(PETER_SIGNER_KEY).filter((key) => {
      try {
        parseSignerKey(key);
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted).toEqual([]);
  });
});

describe.each<NoteKeyType>(["ed25519", "cosignature/v1", "sm2"])("generated %s keys", (type) => {
  const name = `ledger.example.gov.cn/${type.replace("/", "-")}`;
  const { signerKey, verifierKey } = generateNoteKey(name, type);

  it("parse back to a matching signer and verifier", () => {
    const signer = parseSignerKey(signerKey, { clock: () => 1_700_000_000 });
    const verifier = parseVerifierKey(verifierKey);
    expect(signer.verifierKey).toBe(verifierKey);
    expect(signer.keyId).toBe(verifier.keyId);
    expect(signer.type).toBe(type);
    expect(verifierKey.startsWith(`${name}+`)).toBe(true);
    expect(signerKey.startsWith(`PRIVATE+KEY+${name}+`)).toBe(true);
  });

  it("sign notes that verify, and not after tampering", () => {
    const signer = parseSignerKey(signerKey, { clock: () => 1_700_000_000 });
    const verifier = parseVerifierKey(verifierKey);
    const note = signNote("通辦 ledger\n42\n", [signer]);
    expect(verifyNote(note, [verifier]).ok).toBe(true);
    expect(verifyNote(note.replace("42", "43"), [verifier])).toMatchObject({ ok: false, reason: "invalid-signature" });
  });

  it("are fresh each time", () => {
    expect(generateNoteKey(name, type).verifierKey).not.toBe(verifierKey);
  });
});

describe("key errors", () => {
  it("names what is wrong", () => {
    expect(() => generateNoteKey("bad name")).toThrow(/invalid key name/);
    expect(() => parseVerifierKey("PeterNeumann+c74f20a3")).toThrow(/expected name\+keyid\+key/);
    expect(() => parseVerifierKey("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toThrow(
      /8 hex digits/,
    );
    expect(() => parseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toThrow(
      /does not match/,
    );
    expect(() => parseSignerKey(PETER_VERIFIER_KEY)).toThrow(/PRIVATE\+KEY/);
    expect(() => parseVerifierKey(123 as unknown as string)).toThrow(NoteKeyError);
  });

  it("rejects an SM2 public key that is not on the curve", () => {
    const { publicKey } = parseVerifierKey(generateNoteKey("sm2.example", "sm2").verifierKey);
    const offCurve = publicKey.slice();
    offCurve[64] = (offCurve[64] as number) ^ 1;
    const material = new Uint8Array([...SM2_PREFIX, ...offCurve]);
    const forged = `sm2.example+${formatKeyId(computeKeyId("sm2.example", material))}+${toBase64(material)}`;
    expect(() => parseVerifierKey(forged)).toThrow(/not a point on the curve/);
  });

  it("rejects SM2 private keys outside [1, n − 2]", () => {
    const zero = `PRIVATE+KEY+sm2.example+00000000+${toBase64(new Uint8Array([...SM2_PREFIX, ...new Uint8Array(32)]))}`;
    expect(() => parseSignerKey(zero)).toThrow(/out of range/);
  });

  it("checks the key ID of a signer key against the derived public key", () => {
    const { signerKey } = generateNoteKey("sm2.example", "sm2");
    const parts = signerKey.split("+");
    parts[3] = "00000000";
    expect(() => parseSignerKey(parts.join("+"))).toThrow(/does not match/);
  });
});

import { randomBytes } from "node:crypto";
import smCrypto from "sm-crypto";
import { sm2 } from "sm-crypto-v2";
import { describe, expect, it } from "vitest";
import { concatBytes, fromHex, toHex, utf8Encode } from "../bytes.ts";
import { signCheckpoint, verifyCheckpoint } from "../checkpoint.ts";
import { generateNoteKey, parseSignerKey, parseVerifierKey } from "../keys.ts";
import { rootHash } from "../merkle.ts";
import { parseNote } from "../note.ts";
import { generateSm2KeyPair, SM2_DEFAULT_USER_ID, sm2PublicKey, sm2Sign, sm2Verify } from "./sm2.ts";
import { sm3 } from "./sm3.ts";

const hex = (text: string): Uint8Array => fromHex(text.replace(/\s+/g, "")) as Uint8Array;

// GB/T 32918.5-2017 (= GM/T 0003.5-2012) Annex A, signature example on the recommended curve:
// message "message digest", distinguishing ID 1234567812345678. Also reproduced in OpenSSL's and
// BouncyCastle's SM2 test suites. Test data, used verbatim.
const VECTOR = {
  privateKey: hex("3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8"),
  publicKey: hex(
    "04 09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020" +
      "   CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13",
  ),
  message: utf8Encode("message digest"),
  k: "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21",
  za: "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3",
  e: "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640",
  signature: hex(
    "F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3" +
      "B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA",
  ),
};

// GB/T 32918.5-2017 recommended-curve parameters, which enter Z_A.
const CURVE = {
  a: "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
  b: "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
  gx: "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
  gy: "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0",
};

describe("SM3 (GB/T 32905-2016)", () => {
  it("gives the standard's example digests", () => {
    // GB/T 32905-2016 Annex A: "abc" and "abcd" × 16.
    expect(toHex(sm3(utf8Encode("abc")))).toBe("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    expect(toHex(sm3(utf8Encode("abcd".repeat(16))))).toBe(
      "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
    );
  });

  it("agrees with sm-crypto's pure-JS SM3", () => {
    for (let length = 0; length < 200; length += 7) {
      const data = randomBytes(length);
      expect(toHex(sm3(data))).toBe(smCrypto.sm3(Array.from(data)));
    }
  });
});

describe("SM2 signatures (GB/T 32918.2-2016)", () => {
  it("derives the example's public key", () => {
    expect(sm2PublicKey(VECTOR.privateKey)).toEqual(VECTOR.publicKey);
  });

  it("computes the example's Z_A and e with the default distinguishing ID", () => {
    const id = utf8Encode(SM2_DEFAULT_USER_ID);
    const entl = Uint8Array.of((id.length * 8) >> 8, (id.length * 8) & 0xff);
    const za = sm3(
      concatBytes(entl, id, hex(CURVE.a), hex(CURVE.b), hex(CURVE.gx), hex(CURVE.gy), VECTOR.publicKey.subarray(1)),
    );
    expect(toHex(za)).toBe(VECTOR.za.toLowerCase());
    expect(toHex(sm3(concatBytes(za, VECTOR.message)))).toBe(VECTOR.e.toLowerCase());
  });

  it("verifies the example's published signature", () => {
    expect(sm2Verify(VECTOR.publicKey, VECTOR.message, VECTOR.signature)).toBe(true);
  });

  it("reproduces the example's signature from its nonce k", () => {
    // sm-crypto-v2 takes precomputed nonces through pointPool ({ k, x1 } with x1 the x of k·G).
    const kG = sm2PublicKey(hex(VECTOR.k));
    const signature = sm2.doSignature(VECTOR.message, toHex(VECTOR.privateKey), {
      hash: true,
      userId: SM2_DEFAULT_USER_ID,
      pointPool: [{ k: BigInt(`0x${VECTOR.k}`), x1: BigInt(`0x${toHex(kG.subarray(1, 33))}`) }],
    } as Parameters<typeof sm2.doSignature>[2]);
    expect(signature).toBe(toHex(VECTOR.signature));
  });

  it("agrees with sm-crypto, an independent implementation, both ways", () => {
    const { privateKey, publicKey } = generateSm2KeyPair();
    const message = utf8Encode("通辦 ledger checkpoint\n");
    const ours = sm2Sign(privateKey, message);
    const options = { hash: true, der: false, userId: SM2_DEFAULT_USER_ID };
    expect(smCrypto.sm2.doVerifySignature(Array.from(message), toHex(ours), toHex(publicKey), options)).toBe(true);
    const theirs = smCrypto.sm2.doSignature(Array.from(message), toHex(privateKey), {
      ...options,
      publicKey: toHex(publicKey),
    });
    expect(sm2Verify(publicKey, message, hex(theirs))).toBe(true);
  });

  it("rejects the example signature under any change", () => {
    const flipped = (bytes: Uint8Array, at: number) => bytes.map((byte, i) => (i === at ? byte ^ 1 : byte));
    expect(sm2Verify(VECTOR.publicKey, VECTOR.message, VECTOR.signature, "ALICE123@YAHOO.COM")).toBe(false);
    expect(sm2Verify(VECTOR.publicKey, utf8Encode("message digesT"), VECTOR.signature)).toBe(false);
    expect(sm2Verify(VECTOR.publicKey, VECTOR.message, flipped(VECTOR.signature, 5))).toBe(false);
    expect(sm2Verify(VECTOR.publicKey, VECTOR.message, flipped(VECTOR.signature, 40))).toBe(false);
    expect(sm2Verify(generateSm2KeyPair().publicKey, VECTOR.message, VECTOR.signature)).toBe(false);
    expect(sm2Verify(flipped(VECTOR.publicKey, 64), VECTOR.message, VECTOR.signature)).toBe(false);
    expect(sm2Verify(VECTOR.publicKey, VECTOR.message, VECTOR.signature.subarray(1))).toBe(false);
    expect(sm2Verify(VECTOR.publicKey, VECTOR.message, new Uint8Array(64))).toBe(false);
    // r = n is out of range even though it "fits" in 32 bytes.
    const n = hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");
    expect(sm2Verify(VECTOR.publicKey, VECTOR.message, concatBytes(n, VECTOR.signature.subarray(32)))).toBe(false);
  });

  it("signs and verifies fresh keys (randomised signatures, each verifying)", () => {
    const { privateKey, publicKey } = generateSm2KeyPair();
    const message = utf8Encode("通辦 ledger checkpoint\n");
    const first = sm2Sign(privateKey, message);
    const second = sm2Sign(privateKey, message);
    expect(first).toHaveLength(64);
    expect(toHex(first)).not.toBe(toHex(second));
    expect(sm2Verify(publicKey, message, first)).toBe(true);
    expect(sm2Verify(publicKey, message, second)).toBe(true);
  });
});

describe("SM2 signatures in signed notes (private-use type 0xff + SM2-with-SM3 OID)", () => {
  it("uses 0xff followed by the DER OID 1.2.156.10197.1.501 in key strings", () => {
    const { verifierKey } = generateNoteKey("ledger.example/sm2", "sm2");
    const material = Buffer.from(verifierKey.split("+").slice(2).join("+"), "base64");
    expect(material.subarray(0, 11).toString("hex")).toBe("ff06082a811ccf55018375");
    expect(material.subarray(11)).toHaveLength(65);
    expect(material[11]).toBe(0x04);
  });

  it("signs the note text itself, checkable with sm-crypto and the standard ID", () => {
    const key = generateNoteKey("ledger.example/sm2", "sm2");
    const signer = parseSignerKey(key.signerKey);
    const checkpoint = { origin: "ledger.example", treeSize: 0, rootHash: rootHash([]), extensions: [] };
    const note = signCheckpoint(checkpoint, [signer]);
    const parsed = parseNote(note);
    if (!parsed.ok) throw new Error(parsed.error);
    const signature = parsed.value.signatures[0]?.signature as Uint8Array;
    expect(signature).toHaveLength(64);
    expect(
      smCrypto.sm2.doVerifySignature(
        Array.from(utf8Encode(parsed.value.text)),
        toHex(signature),
        toHex(signer.publicKey),
        {
          hash: true,
          userId: "1234567812345678",
        },
      ),
    ).toBe(true);
    expect(verifyCheckpoint(note, [parseVerifierKey(key.verifierKey)]).ok).toBe(true);
  });

  it("rejects a checkpoint whose SM2 signature was tampered with", () => {
    const ed = generateNoteKey("ledger.example");
    const sm = generateNoteKey("ledger.example/sm2", "sm2");
    const checkpoint = { origin: "ledger.example", treeSize: 0, rootHash: rootHash([]), extensions: [] };
    const note = signCheckpoint(checkpoint, [parseSignerKey(ed.signerKey), parseSignerKey(sm.signerKey)]);
    const lines = note.split("\n");
    const smLine = lines.findIndex((line) => line.startsWith("— ledger.example/sm2 "));
    const tail = lines[smLine] as string;
    lines[smLine] = `${tail.slice(0, -6)}${tail.slice(-6, -5) === "A" ? "B" : "A"}${tail.slice(-5)}`;
    const tampered = lines.join("\n");
    expect(
      verifyCheckpoint(tampered, [parseVerifierKey(ed.verifierKey), parseVerifierKey(sm.verifierKey)]),
    ).toMatchObject({
      ok: false,
      reason: "invalid-signature",
    });
  });
});

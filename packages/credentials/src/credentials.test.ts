import { createHash, randomUUID } from "node:crypto";
import {
  generateNoteKey,
  inclusionProofFromStore,
  MemoryLog,
  parseSignerKey,
  signCheckpoint,
  toBase64,
  utf8Encode,
  verifierKeyFor,
} from "@tongban/ledger";
import { describe, expect, it } from "vitest";
import { type CertificateCredential, ISSUED_ENTRY_TYPE, issuanceFacts, VC_CONTEXT_V2 } from "./credential.ts";
import { addProof } from "./data-integrity.ts";
import { canonicalize } from "./jcs.ts";
import { certificateSigningKey } from "./keys.ts";
import { base58btcDecode, base58btcEncode, ed25519DidKey, ed25519FromVerificationMethod } from "./multibase.ts";
import { trustFromList } from "./trust.ts";
import { verifyCredentialOffline } from "./verify.ts";

describe("base58-btc", () => {
  it("matches the vectors of draft-msporny-base58", () => {
    expect(base58btcEncode(utf8Encode("Hello World!"))).toBe("2NEpo7TZRRrLZSi2U");
    expect(base58btcEncode(Uint8Array.of(0, 0, 0x28, 0x7f, 0xb4, 0xcd))).toBe("11233QC4");
    expect(base58btcEncode(utf8Encode("The quick brown fox jumps over the lazy dog."))).toBe(
      "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
    );
    expect(base58btcDecode("11233QC4")).toEqual(Uint8Array.of(0, 0, 0x28, 0x7f, 0xb4, 0xcd));
    expect(base58btcDecode("0OIl")).toBeUndefined();
  });
});

describe("JCS (RFC 8785)", () => {
  it("sorts members by UTF-16 code units as §3.2.3's example does", () => {
    const value = {
      "\u20ac": "Euro",
      "\r": "CR",
      "\ufb33": "Hebrew",
      "1": "One",
      "\ud83d\ude00": "Smiley",
      "\u0080": "Ctl",
      "\u00f6": "o",
    };
    const order = Object.keys(JSON.parse(canonicalize(value)) as object);
    // JSON.parse keeps "1" first (an integer-like key); compare the text instead.
    expect(order).toContain("1");
    expect(canonicalize(value)).toBe(
      '{"\\r":"CR","1":"One","\u0080":"Ctl","ö":"o","€":"Euro","😀":"Smiley","דּ":"Hebrew"}',
    );
    expect(canonicalize({ b: [1, 1e21, 0.1, -0], a: null, c: undefined })).toBe('{"a":null,"b":[1,1e+21,0.1,0]}');
    expect(() => canonicalize({ x: Number.NaN })).toThrow();
  });
});

function issuerKey(name = "tongban.test/certificates") {
  const pair = generateNoteKey(name, "ed25519");
  return { pair, ...certificateSigningKey(pair.signerKey) };
}

function credentialOf(key: ReturnType<typeof issuerKey>, id = randomUUID(), region = "350100"): CertificateCredential {
  const { did, verificationMethod } = key;
  const unsigned = {
    "@context": [VC_CONTEXT_V2],
    id: `urn:uuid:${id}`,
    type: ["VerifiableCredential", "TongbanCertificate"],
    name: "结婚证",
    issuer: { id: did, name: "福州市民政局", regionCode: region },
    validFrom: "2026-11-30T02:00:00Z",
    credentialSubject: {
      certificateType: "marriage_certificate",
      certificateNumber: "350100-2026-000001",
      holder: { name: "张三", idNumber: "350102199001011234", kind: "resident" as const },
      details: [{ label: "配偶姓名", value: "陈美玲" }],
    },
    credentialStatus: {
      id: "https://node.example/api/v1/certificates/x/status",
      type: "TongbanCertificateStatus" as const,
    },
  };
  return addProof(unsigned, {
    privateKey: key.privateKey,
    verificationMethod,
    created: new Date("2026-11-30T02:00:00Z"),
  });
}

const membersWith = (key: ReturnType<typeof issuerKey>, extra: { use: string; key: string }[] = []) => ({
  federation: "test",
  sequence: 1,
  members: [
    {
      regionCode: "350100",
      name: "福州",
      validUntil: "2030-01-01T00:00:00Z",
      keys: [{ use: "certificate", key: key.pair.verifierKey }, ...extra],
    },
  ],
});
const now = new Date("2026-12-01T00:00:00Z");

describe("e-certificate credentials (eddsa-jcs-2022)", () => {
  const key = issuerKey();
  it("signs a credential that verifies against a trust list holding the key", () => {
    const credential = credentialOf(key);
    expect(credential.proof.proofValue).toMatch(/^z[1-9A-HJ-NP-Za-km-z]{80,90}$/);
    expect(ed25519FromVerificationMethod(credential.proof.verificationMethod)).toEqual(key.publicKey);
    const report = verifyCredentialOffline(credential, { trust: trustFromList(membersWith(key)), now });
    expect(report.valid).toBe(true);
    expect(report.checks.map((c) => [c.check, c.outcome])).toEqual([
      ["format", "pass"],
      ["signature", "pass"],
      ["issuer", "pass"],
      ["validity", "pass"],
      ["ledger", "not_checked"],
      ["status", "not_checked"],
    ]);
  });

  it("fails a credential changed after signing, saying the signature does not match", () => {
    const credential = credentialOf(key);
    const tampered = structuredClone(credential);
    tampered.credentialSubject.holder.name = "李四";
    const report = verifyCredentialOffline(tampered, { trust: trustFromList(membersWith(key)), now });
    expect(report.valid).toBe(false);
    expect(report.checks.find((c) => c.check === "signature")).toMatchObject({
      outcome: "fail",
      detail: expect.stringContaining("altered"),
    });
  });

  it("fails a credential naming a region its issuer's member does not serve (重庆's key for 成都)", () => {
    const chongqing = {
      federation: "test",
      sequence: 1,
      members: [
        {
          regionCode: "500000",
          name: "重庆",
          validUntil: "2030-01-01T00:00:00Z",
          keys: [{ use: "certificate", key: key.pair.verifierKey }],
        },
      ],
    };
    const elsewhere = credentialOf(key, randomUUID(), "510100");
    const report = verifyCredentialOffline(elsewhere, { trust: trustFromList(chongqing), now });
    expect(report.valid).toBe(false);
    expect(report.checks.find((c) => c.check === "issuer")).toMatchObject({
      outcome: "fail",
      detail: expect.stringContaining("does not serve region 510100"),
    });
    const district = credentialOf(key, randomUUID(), "500103");
    expect(verifyCredentialOffline(district, { trust: trustFromList(chongqing), now }).valid).toBe(true);
  });

  it("fails a credential whose issuer key nobody in the trust list holds", () => {
    const stranger = issuerKey("stranger.example/certificates");
    const report = verifyCredentialOffline(credentialOf(stranger), { trust: trustFromList(membersWith(key)), now });
    expect(report.valid).toBe(false);
    expect(report.checks.find((c) => c.check === "issuer")).toMatchObject({
      outcome: "fail",
      detail: expect.stringContaining("not in the trust list"),
    });
  });

  it("fails a key swapped for another (issuer id and proof no longer agree)", () => {
    const other = issuerKey("other/certificates");
    const credential = credentialOf(key);
    const swapped = { ...credential, issuer: { ...credential.issuer, id: ed25519DidKey(other.publicKey).did } };
    const report = verifyCredentialOffline(swapped, { trust: trustFromList(membersWith(key)), now });
    expect(report.valid).toBe(false);
  });

  it("checks a ledger receipt: the issuance entry in a checkpoint the issuer's ledger key signed", async () => {
    const ledger = generateNoteKey("tongban.test/ledger", "ed25519");
    const id = randomUUID();
    const credential = credentialOf(key, id);
    const log = new MemoryLog();
    log.append(utf8Encode("{}"));
    const contentHash = createHash("sha256")
      .update(canonicalize(issuanceFacts(credential)))
      .digest("hex");
    const entry = canonicalize({
      type: ISSUED_ENTRY_TYPE,
      subject: id,
      actor: null,
      at: "2026-11-30T02:00:00.000Z",
      contentHash,
    });
    const index = log.append(utf8Encode(entry));
    log.append(utf8Encode("{}"));
    const checkpoint = signCheckpoint(
      { origin: "tongban.test/ledger", treeSize: log.size, rootHash: log.rootHash(), extensions: [] },
      [parseSignerKey(ledger.signerKey)],
    );
    const proof = (await inclusionProofFromStore(log, index, log.size)).map(toBase64);
    const trust = trustFromList(membersWith(key, [{ use: "ledger", key: ledger.verifierKey }]));
    const receipt = { index, entry, proof, checkpoint };
    const good = verifyCredentialOffline(credential, { trust, now, receipt });
    expect(good.checks.find((c) => c.check === "ledger")).toMatchObject({ outcome: "pass" });
    expect(good.valid).toBe(true);

    // The receipt of another certificate does not vouch for this one.
    const other = verifyCredentialOffline(credentialOf(key), { trust, now, receipt });
    expect(other.checks.find((c) => c.check === "ledger")?.outcome).toBe("fail");
    // A checkpoint signed by a key that is not the issuer's ledger key proves nothing.
    const forged = signCheckpoint(
      { origin: "tongban.test/ledger", treeSize: log.size, rootHash: log.rootHash(), extensions: [] },
      [parseSignerKey(generateNoteKey("tongban.test/ledger").signerKey)],
    );
    const report = verifyCredentialOffline(credential, { trust, now, receipt: { ...receipt, checkpoint: forged } });
    expect(report.checks.find((c) => c.check === "ledger")).toMatchObject({ outcome: "fail" });
    expect(verifierKeyFor("x", "ed25519", key.publicKey)).toContain("x+");
  });

  it("answers a clear failure for things that are not credentials", () => {
    for (const input of [null, "x", { "@context": ["https://www.w3.org/2018/credentials/v1"] }]) {
      const report = verifyCredentialOffline(input, { trust: trustFromList(membersWith(key)), now });
      expect(report.valid).toBe(false);
      expect(report.checks[0]?.check).toBe("format");
    }
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateNoteKey, parseSignerKey, signNote } from "@tongban/ledger";
import { describe, expect, it } from "vitest";
import { main } from "./cli.ts";
import { VC_CONTEXT_V2 } from "./credential.ts";
import { addProof } from "./data-integrity.ts";
import { canonicalize } from "./jcs.ts";
import { certificateSigningKey } from "./keys.ts";

const run = async (args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    now: () => new Date("2026-12-01T00:00:00Z"),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
};

describe("tongban-credential verify", () => {
  const dir = mkdtempSync(join(tmpdir(), "tb-credential-cli-"));
  const issuerPair = generateNoteKey("tongban.test/certificates");
  const issuer = certificateSigningKey(issuerPair.signerKey);
  const credential = addProof(
    {
      "@context": [VC_CONTEXT_V2],
      id: "urn:uuid:3f0c9a52-6a3b-4f5e-9d51-6f1e2b7c8a90",
      type: ["VerifiableCredential", "TongbanCertificate"],
      name: "结婚证",
      issuer: { id: issuer.did, name: "福州市民政局", regionCode: "350100" },
      validFrom: "2026-11-30T02:00:00Z",
      credentialSubject: {
        certificateType: "marriage_certificate",
        certificateNumber: "350100-2026-0000001",
        holder: { name: "张三", idNumber: null, kind: "resident" },
        details: [],
      },
      credentialStatus: { id: "https://node.example/status", type: "TongbanCertificateStatus" },
    },
    {
      privateKey: issuer.privateKey,
      verificationMethod: issuer.verificationMethod,
      created: new Date("2026-11-30T02:00:00Z"),
    },
  );
  const list = {
    federation: "tongban-test",
    sequence: 3,
    members: [
      {
        regionCode: "350100",
        name: "福州",
        validUntil: "2030-01-01T00:00:00Z",
        keys: [{ use: "certificate", key: issuerPair.verifierKey }],
      },
    ],
  };
  const admin = generateNoteKey("tongban-federation-admin");
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const credentialFile = file("c.vc.json", JSON.stringify(credential));
  const jsonList = file("trust.json", JSON.stringify(list));
  const signedList = file(
    "trust-list",
    signNote(`tongban/federation-trust-list/v1\n${canonicalize(list)}\n`, [parseSignerKey(admin.signerKey)]),
  );

  it("says VALID and exits 0 for a credential whose issuer the trust list holds (JSON or signed list)", async () => {
    const plain = await run(["verify", "--trust-list", jsonList, credentialFile]);
    expect(plain.code).toBe(0);
    expect(plain.out).toContain("VALID (offline checks)");
    expect(plain.out).toContain("– status");
    const signed = await run([
      "verify",
      "--trust-list",
      signedList,
      "--federation-key",
      admin.verifierKey,
      credentialFile,
    ]);
    expect(signed.code).toBe(0);
    expect(signed.out).toContain("tongban-test trust list #3");
  });

  it("exits 1 for an altered credential and for an issuer outside the list, saying why", async () => {
    const altered = file("altered.json", JSON.stringify({ ...credential, name: "离婚证" }));
    const result = await run(["verify", "--trust-list", jsonList, altered]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("✗ signature");
    const other = file("other.json", JSON.stringify({ ...list, members: [{ ...list.members[0], keys: [] }] }));
    const untrusted = await run(["verify", "--trust-list", other, credentialFile, "--json"]);
    expect(untrusted.code).toBe(1);
    expect(JSON.parse(untrusted.out).checks.find((c: { check: string }) => c.check === "issuer").outcome).toBe("fail");
  });

  it("exits 2 for a trust list signed by someone else, and for bad usage", async () => {
    const forged = await run([
      "verify",
      "--trust-list",
      signedList,
      "--federation-key",
      generateNoteKey("someone-else").verifierKey,
      credentialFile,
    ]);
    expect(forged.code).toBe(2);
    expect(forged.err).toContain("does not verify");
    expect((await run(["verify", credentialFile])).code).toBe(2);
  });
});

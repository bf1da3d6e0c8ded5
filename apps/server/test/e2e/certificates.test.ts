import {
  addProof,
  type CertificateCredential,
  certificateSigningKey,
  pdfAttachments,
  trustFromList,
  verifyFileOffline,
} from "@tongban/credentials";
import { generateNoteKey, parseSignerKey } from "@tongban/ledger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import { act, loginResident, submittedMarriage } from "../support/cases.ts";

let t: TestApp;
let resident: Client;
let window: Client;
let handler: Client;

/** Takes a marriage case to approval; answers its id. */
async function approvedMarriage(): Promise<string> {
  const id = await submittedMarriage(t, resident);
  await act(window, id, { type: "accept", opinion: "材料齐全，予以受理" });
  await act(handler, id, { type: "complete_step", opinion: "审查通过" });
  const approved = await act(handler, id, { type: "approve", opinion: "符合结婚登记条件，准予登记" });
  expect(approved.json().status).toBe("approved");
  return id;
}

const integrate = async () => {
  const ledger = (t.app as unknown as { services: { ledger: { integrate(): Promise<number | undefined> } } }).services
    .ledger;
  while ((await ledger.integrate()) !== undefined);
};

const verify = (body: object, client = t.anonymous()) => client.request("POST", "/api/v1/certificates/verify", body);
const checkOf = (result: { checks: { check: string; outcome: string; detail: string }[] }, name: string) =>
  result.checks.find((c) => c.check === name);

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set("2026-11-30T01:00:00Z");
  resident = await loginResident(t);
  window = await t.login("fz.mz.window");
  handler = await t.login("fz.mz.handler");
});
afterAll(() => t.close());

describe("e-certificates", () => {
  let certificate: { id: string; number: string; verifyUrl: string; ledgerIndex: number | null };

  it("issues the marriage certificate when the case is approved, as a signed W3C credential", async () => {
    const applicationId = await approvedMarriage();
    await integrate();
    const mine = await resident.request("GET", "/api/v1/me/certificates");
    expect(mine.statusCode).toBe(200);
    const list = mine.json() as (typeof certificate & {
      applicationId: string;
      name: string;
      status: string;
      details: { label: string; value: string }[];
    })[];
    const issued = list.find((c) => c.applicationId === applicationId);
    expect(issued).toMatchObject({ name: "结婚证", status: "valid" });
    expect(issued?.details).toContainEqual({ label: "对方姓名", value: "陈美玲" });
    expect(issued?.ledgerIndex).toEqual(expect.any(Number));
    certificate = issued as typeof certificate;

    const vc = await resident.request("GET", `/api/v1/certificates/${certificate.id}/credential`);
    expect(vc.headers["content-type"]).toContain("application/vc+json");
    const credential = vc.json() as CertificateCredential;
    expect(credential["@context"][0]).toBe("https://www.w3.org/ns/credentials/v2");
    expect(credential.proof).toMatchObject({ type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022" });
    expect(credential.issuer.id).toMatch(/^did:key:z6Mk/);
  });

  it("shows a certificate only to its holder", async () => {
    const other = await loginResident(t, "610500");
    expect((await other.request("GET", `/api/v1/certificates/${certificate.id}/pdf`)).statusCode).toBe(404);
    expect((await other.request("GET", `/api/v1/certificates/${certificate.id}/credential`)).statusCode).toBe(404);
    expect((await t.anonymous().request("GET", `/api/v1/certificates/${certificate.id}/pdf`)).statusCode).toBe(401);
    expect(
      ((await other.request("GET", "/api/v1/me/certificates")).json() as { id: string }[]).some(
        (c) => c.id === certificate.id,
      ),
    ).toBe(false);
  });

  it("prints a PDF carrying the credential and its ledger receipt, verifiable offline", async () => {
    const pdf = await resident.request("GET", `/api/v1/certificates/${certificate.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const bytes = new Uint8Array(pdf.rawPayload);
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe("%PDF-");
    const attachments = await pdfAttachments(bytes);
    expect([...attachments.keys()].sort()).toEqual(["credential.json", "ledger-receipt.json"]);
    // The font is embedded (a subset), so Chinese text renders anywhere.
    expect(Buffer.from(bytes).toString("latin1")).toMatch(/FontFile2/);
    // A second download is the same file.
    const again = await resident.request("GET", `/api/v1/certificates/${certificate.id}/pdf`);
    expect(Buffer.compare(again.rawPayload, pdf.rawPayload)).toBe(0);

    const issuer = (await t.anonymous().request("GET", "/api/v1/certificates/issuer")).json();
    const offline = await verifyFileOffline(bytes, { trust: trustFromList(issuer.trustList), now: t.clock.now() });
    expect(offline.valid).toBe(true);
    expect(offline.checks.find((c) => c.check === "ledger")?.outcome).toBe("pass");
  });

  it("verifies by QR code, number, credential and PDF: every check passes and each verification is shown to the holder", async () => {
    const credential = (await resident.request("GET", `/api/v1/certificates/${certificate.id}/credential`)).json();
    const pdf = (await resident.request("GET", `/api/v1/certificates/${certificate.id}/pdf`)).rawPayload;
    for (const body of [
      { qr: certificate.verifyUrl },
      { number: certificate.number },
      { credential },
      { pdf: pdf.toString("base64") },
    ]) {
      const result = (await verify(body)).json();
      expect(result, JSON.stringify(body).slice(0, 40)).toMatchObject({ valid: true, outcome: "valid" });
      expect(checkOf(result, "signature")?.outcome).toBe("pass");
      expect(checkOf(result, "issuer")?.outcome).toBe("pass");
      expect(checkOf(result, "ledger")?.outcome).toBe("pass");
      expect(checkOf(result, "status")?.outcome).toBe("pass");
      expect(result.certificate.holderIdNumber).toMatch(/^\d{4}\*+\d{3}[\dX]$/);
    }
    const mine = (await resident.request("GET", `/api/v1/me/certificates/${certificate.id}`)).json();
    expect(mine.verifications.map((v: { method: string }) => v.method).sort()).toEqual(["json", "number", "pdf", "qr"]);

    // Numbers count up: by a number alone a stranger learns whether it holds, not what it says.
    const byNumber = (await verify({ number: certificate.number })).json();
    expect(byNumber.certificate.details).toEqual([]);
    expect(byNumber.certificate.holderName).toMatch(/^\S\*+$/);
    const byQr = (await verify({ qr: certificate.verifyUrl })).json();
    expect(byQr.certificate.details.length).toBeGreaterThan(0);
  });

  it("fails a tampered credential or PDF and says why", async () => {
    const credential = (await resident.request("GET", `/api/v1/certificates/${certificate.id}/credential`)).json();
    credential.credentialSubject.details[0].value = "王五";
    const forged = (await verify({ credential })).json();
    expect(forged).toMatchObject({ valid: false, outcome: "altered" });
    expect(checkOf(forged, "signature")?.detail).toContain("altered");

    const pdf = (await resident.request("GET", `/api/v1/certificates/${certificate.id}/pdf`)).rawPayload;
    // Change the document's title metadata in place: the embedded credential is intact, the PDF is not.
    const text = pdf.toString("latin1");
    const at = text.indexOf("/Producer");
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(pdf);
    tampered[at + 12] = tampered[at + 12] === 0x41 ? 0x42 : 0x41;
    const result = (await verify({ pdf: tampered.toString("base64") })).json();
    expect(result).toMatchObject({ valid: false, outcome: "altered" });
    expect(checkOf(result, "document")).toMatchObject({ outcome: "fail", detail: expect.stringContaining("altered") });
    expect(checkOf(result, "signature")?.outcome).toBe("pass");

    const garbage = (await verify({ pdf: Buffer.from("%PDF-1.7 nothing here").toString("base64") })).json();
    expect(garbage).toMatchObject({ valid: false });
    expect(checkOf(garbage, "format")?.outcome).toBe("fail");
  });

  it("fails a certificate signed by an issuer outside the trust list", async () => {
    const credential = (await resident.request("GET", `/api/v1/certificates/${certificate.id}/credential`)).json();
    const { proof: _proof, ...unsigned } = credential;
    const stranger = certificateSigningKey(generateNoteKey("rogue.example/certificates").signerKey);
    const resigned = addProof(
      { ...unsigned, issuer: { ...unsigned.issuer, id: stranger.did } },
      { privateKey: stranger.privateKey, verificationMethod: stranger.verificationMethod, created: new Date() },
    );
    const result = (await verify({ credential: resigned })).json();
    expect(result).toMatchObject({ valid: false, outcome: "untrusted" });
    expect(checkOf(result, "signature")?.outcome).toBe("pass");
    expect(checkOf(result, "issuer")?.detail).toContain("not in the trust list");
    expect(parseSignerKey(generateNoteKey("x").signerKey).type).toBe("ed25519");
  });

  it("refuses unclear verification requests field by field", async () => {
    const none = await verify({});
    expect(none.statusCode).toBe(400);
    expect(none.json().details[0]).toMatchObject({ field: "qr", reason: "REQUIRED" });
    expect((await verify({ qr: "https://example.com/other" })).json().details[0].reason).toBe("NOT_A_CERTIFICATE_QR");
    expect((await verify({ number: "nope" })).json()).toMatchObject({ valid: false, outcome: "not_found" });
  });

  it("lets only the issuing department's handling staff revoke, with a reason; then verification says revoked", async () => {
    expect(
      (await resident.request("POST", `/api/v1/certificates/${certificate.id}/revoke`, { reason: "登记错误" }))
        .statusCode,
    ).toBe(403);
    const otherDept = await t.login("fz.ga.handler");
    expect(
      (await otherDept.request("POST", `/api/v1/certificates/${certificate.id}/revoke`, { reason: "登记错误" }))
        .statusCode,
    ).toBe(403);
    const short = await handler.request("POST", `/api/v1/certificates/${certificate.id}/revoke`, { reason: "x" });
    expect(short.statusCode).toBe(400);
    const revoked = await handler.request("POST", `/api/v1/certificates/${certificate.id}/revoke`, {
      reason: "当事人隐瞒婚姻状况，依法撤销婚姻登记",
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().status).toBe("revoked");
    expect(
      (
        await handler.request("POST", `/api/v1/certificates/${certificate.id}/revoke`, { reason: "再次撤销试试" })
      ).json().code,
    ).toBe("CERTIFICATE_NOT_VALID");
    const result = (await verify({ qr: certificate.verifyUrl })).json();
    expect(result).toMatchObject({ valid: false, outcome: "revoked" });
    expect(checkOf(result, "status")).toMatchObject({ outcome: "fail", detail: expect.stringContaining("依法撤销") });
    expect(checkOf(result, "signature")?.outcome).toBe("pass");
    expect((await t.anonymous().request("GET", `/api/v1/certificates/${certificate.id}/status`)).json().status).toBe(
      "revoked",
    );
  });
});

describe("a certificate instead of a material (证照免提交)", () => {
  const NEWBORN = "350100-GA-0001";

  it("fills a material with the applicant's own valid certificate in one call; staff see it verified", async () => {
    await approvedMarriage();
    const mine = (await resident.request("GET", "/api/v1/me/certificates")).json() as {
      id: string;
      status: string;
      number: string;
    }[];
    const marriage = mine.find((c) => c.status === "valid") as { id: string; number: string };
    const revoked = mine.find((c) => c.status === "revoked") as { id: string };
    const id = (await resident.request("POST", "/api/v1/applications", { serviceCode: NEWBORN })).json().id as string;
    const use = (body: object, client = resident) =>
      client.request("POST", `/api/v1/applications/${id}/certificate-materials`, body);

    // Wrong material, a material that is uploaded, a revoked certificate, someone else's: each refused plainly.
    expect((await use({ materialCode: "nope", certificateId: marriage.id })).json().details[0].reason).toBe(
      "NOT_FOUND",
    );
    expect((await use({ materialCode: "birth_medical_certificate", certificateId: marriage.id })).json().code).toBe(
      "CERTIFICATE_NOT_APPLICABLE",
    );
    expect((await use({ materialCode: "marriage_certificate", certificateId: revoked.id })).json().code).toBe(
      "CERTIFICATE_NOT_VALID",
    );
    const stranger = await loginResident(t, "610500");
    expect((await use({ materialCode: "marriage_certificate", certificateId: marriage.id }, stranger)).statusCode).toBe(
      404,
    );

    const used = await use({ materialCode: "marriage_certificate", certificateId: marriage.id });
    expect(used.statusCode).toBe(200);
    expect(used.json()).toEqual([
      expect.objectContaining({ materialCode: "marriage_certificate", number: marriage.number, verified: true }),
    ]);
    const gaWindow = await t.login("fz.ga.window");
    // The case's department sees it verified; another department sees nothing.
    expect((await gaWindow.request("GET", `/api/v1/applications/${id}/certificate-materials`)).json()).toEqual([
      expect.objectContaining({ materialCode: "marriage_certificate", verified: true, outcome: "valid" }),
    ]);
    expect((await window.request("GET", `/api/v1/applications/${id}/certificate-materials`)).statusCode).toBe(404);
    await integrate();
    const entries = await t.database.db
      .selectFrom("outbox")
      .select(["type", "subject"])
      .where("subject", "=", id)
      .where("type", "=", "application.certificate_used")
      .execute();
    expect(entries).toHaveLength(1);
    // Revoking the certificate later shows on the case at once.
    await handler.request("POST", `/api/v1/certificates/${marriage.id}/revoke`, { reason: "登记机关发现登记错误" });
    const after = (await resident.request("GET", `/api/v1/applications/${id}/certificate-materials`)).json();
    expect(after[0]).toMatchObject({ verified: false, outcome: "revoked" });
  });
});

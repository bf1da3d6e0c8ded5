import { z } from "zod";

/** An e-certificate's status: the credential never changes; its issuer's record of it does. */
export const CertificateStatus = z.enum(["valid", "revoked", "superseded"]);
export type CertificateStatus = z.infer<typeof CertificateStatus>;

export const CertificateDetail = z.object({ label: z.string(), value: z.string() });

export const VerificationMethod = z.enum(["qr", "json", "pdf", "number"]);
export type VerificationMethod = z.infer<typeof VerificationMethod>;

/** One verification of a certificate, as its holder sees it. */
export const CertificateVerificationRecord = z.object({
  at: z.string(),
  method: VerificationMethod,
  valid: z.boolean(),
  outcome: z.string(),
});

/** A certificate as its holder sees it in the portal. */
export const Certificate = z.object({
  id: z.uuid(),
  number: z.string(),
  type: z.string(),
  name: z.string(),
  issuerName: z.string(),
  regionCode: z.string(),
  holderName: z.string(),
  details: z.array(CertificateDetail),
  issuedAt: z.string(),
  validUntil: z.string().nullable(),
  status: CertificateStatus,
  statusReason: z.string().nullable(),
  statusChangedAt: z.string().nullable(),
  supersededBy: z.string().nullable(),
  applicationId: z.string().nullable(),
  serviceCode: z.string(),
  /** The issuance's ledger index, once the sequencer has integrated it. */
  ledgerIndex: z.number().int().nullable(),
  /** The text of the QR code printed on the PDF: the verification page for this certificate. */
  verifyUrl: z.string(),
  verifications: z.array(CertificateVerificationRecord),
});
export type Certificate = z.infer<typeof Certificate>;

/** What a staff member gives to revoke a certificate. */
export const RevokeCertificate = z.object({
  reason: z.string().trim().min(4, { error: "Give the reason for revoking (at least 4 characters)" }).max(500),
});
export type RevokeCertificate = z.infer<typeof RevokeCertificate>;

/**
 * A verification request: exactly one of the QR code's text, the certificate's number, its
 * credential (the VC JSON) or its PDF (base64).
 */
export const VerifyCertificateRequest = z.object({
  qr: z.string().max(2000).optional(),
  number: z.string().max(100).optional(),
  credential: z.record(z.string(), z.unknown()).optional(),
  pdf: z.base64().max(2_000_000).optional(),
});
export type VerifyCertificateRequest = z.infer<typeof VerifyCertificateRequest>;

export const VerificationCheck = z.object({
  check: z.enum(["format", "signature", "issuer", "validity", "ledger", "status", "document"]),
  outcome: z.enum(["pass", "fail", "not_checked"]),
  detail: z.string(),
});
export type VerificationCheck = z.infer<typeof VerificationCheck>;

/** What a verification established, check by check, and what the certificate says (the holder's ID masked). */
export const CertificateVerification = z.object({
  valid: z.boolean(),
  /** valid, revoked, superseded, altered, untrusted, expired, not_found, unreadable. */
  outcome: z.string(),
  checks: z.array(VerificationCheck),
  certificate: z
    .object({
      id: z.string(),
      number: z.string(),
      name: z.string(),
      issuerName: z.string(),
      holderName: z.string(),
      holderIdNumber: z.string().nullable(),
      details: z.array(CertificateDetail),
      issuedAt: z.string(),
      validUntil: z.string().nullable(),
      status: CertificateStatus,
      statusReason: z.string().nullable(),
      ledgerIndex: z.number().int().nullable(),
    })
    .nullable(),
});
export type CertificateVerification = z.infer<typeof CertificateVerification>;

/** 证照免提交: the applicant names which of their certificates satisfies a material. */
export const UseCertificateForMaterial = z.object({
  materialCode: z.string().min(1).max(64),
  certificateId: z.uuid({ error: "Not a valid certificate id" }),
});
export type UseCertificateForMaterial = z.infer<typeof UseCertificateForMaterial>;

/** A material of a case satisfied by an e-certificate, checked afresh whenever it is read. */
export const CertificateMaterial = z.object({
  materialCode: z.string(),
  certificateId: z.string(),
  number: z.string(),
  name: z.string(),
  issuerName: z.string(),
  holderName: z.string(),
  details: z.array(CertificateDetail),
  attachedAt: z.string(),
  /** Signature, issuer, ledger, validity and status all hold now. */
  verified: z.boolean(),
  outcome: z.string(),
  ledgerIndex: z.number().int().nullable(),
});
export type CertificateMaterial = z.infer<typeof CertificateMaterial>;

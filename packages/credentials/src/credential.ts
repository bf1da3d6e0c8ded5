// The e-certificate (电子证照) as a W3C Verifiable Credential (VC Data Model 2.0). Only the base
// context: the terms beyond it fall under its @vocab (issuer-dependent), which VCDM 2.0 §5.2 allows.
import { createHash } from "node:crypto";
import type { DataIntegrityProof } from "./data-integrity.ts";
import { canonicalize } from "./jcs.ts";

export const VC_CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2";
export const CERTIFICATE_TYPE = "TongbanCertificate";
/** The ledger entry type that records an issuance; its subject is the certificate's id. */
export const ISSUED_ENTRY_TYPE = "certificate.issued";

export interface CertificateDetail {
  label: string;
  value: string;
}

export interface CertificateCredential {
  "@context": string[];
  /** urn:uuid:<certificate id> */
  id: string;
  type: string[];
  /** The certificate's name, e.g. 结婚证. */
  name: string;
  issuer: {
    /** The did:key of the issuing node's certificate key. */
    id: string;
    /** The issuing department, e.g. 福州市民政局. */
    name: string;
    regionCode: string;
  };
  validFrom: string;
  validUntil?: string;
  credentialSubject: {
    certificateType: string;
    certificateNumber: string;
    holder: { name: string; idNumber: string | null; kind: "resident" | "enterprise" };
    details: CertificateDetail[];
  };
  credentialStatus: { id: string; type: "TongbanCertificateStatus" };
  proof: DataIntegrityProof;
}

/** SHA-256 (hex) of the credential's canonical JSON, proof included: what the ledger records. */
export function credentialHash(credential: unknown): string {
  return createHash("sha256").update(canonicalize(credential), "utf8").digest("hex");
}

/** The facts the issuance's ledger entry hashes (its `contentHash` is SHA-256 of their JCS). */
export function issuanceFacts(credential: unknown): { credential: string } {
  return { credential: credentialHash(credential) };
}

/** The certificate's id from the credential's `urn:uuid:` id, or undefined. */
export function certificateIdOf(credential: { id?: unknown }): string | undefined {
  const match = typeof credential.id === "string" ? /^urn:uuid:([0-9a-f-]{36})$/.exec(credential.id) : null;
  return match?.[1];
}

/** Checks the shape VCDM 2.0 and this profile require; answers what is wrong, or undefined. */
export function credentialShapeProblem(value: unknown): string | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return "the credential is not a JSON object";
  const c = value as Record<string, unknown>;
  const context = c["@context"];
  if (!Array.isArray(context) || context[0] !== VC_CONTEXT_V2)
    return `the credential's first @context is not ${VC_CONTEXT_V2} (VC Data Model 2.0)`;
  if (!Array.isArray(c.type) || !c.type.includes("VerifiableCredential") || !c.type.includes(CERTIFICATE_TYPE))
    return `the credential's type must include VerifiableCredential and ${CERTIFICATE_TYPE}`;
  if (!certificateIdOf(c)) return "the credential's id is not a urn:uuid";
  const issuer = c.issuer as Record<string, unknown> | undefined;
  if (!issuer || typeof issuer.id !== "string" || typeof issuer.name !== "string")
    return "the credential names no issuer";
  if (typeof c.validFrom !== "string" || Number.isNaN(Date.parse(c.validFrom)))
    return "the credential has no validFrom";
  if (c.validUntil !== undefined && (typeof c.validUntil !== "string" || Number.isNaN(Date.parse(c.validUntil))))
    return "the credential's validUntil is not a date";
  const subject = c.credentialSubject as Record<string, unknown> | undefined;
  if (!subject || typeof subject.certificateNumber !== "string" || typeof subject.certificateType !== "string")
    return "the credential's subject lacks the certificate's type or number";
  return undefined;
}

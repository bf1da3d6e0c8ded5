export {
  CERTIFICATE_TYPE,
  type CertificateCredential,
  type CertificateDetail,
  certificateIdOf,
  credentialHash,
  credentialShapeProblem,
  ISSUED_ENTRY_TYPE,
  issuanceFacts,
  VC_CONTEXT_V2,
} from "./credential.ts";
export {
  addProof,
  CRYPTOSUITE,
  type DataIntegrityProof,
  ed25519PrivateKey,
  type ProofCheck,
  verifyProof,
} from "./data-integrity.ts";
export { canonicalize } from "./jcs.ts";
export { type CertificateSigningKey, certificateSigningKey } from "./keys.ts";
export {
  base58btcDecode,
  base58btcEncode,
  ed25519DidKey,
  ed25519FromMultikey,
  ed25519FromVerificationMethod,
  ed25519Multikey,
} from "./multibase.ts";
export { CREDENTIAL_ATTACHMENT, looksLikePdf, pdfAttachments, RECEIPT_ATTACHMENT } from "./pdf.ts";
export {
  combineTrust,
  type IssuerTrust,
  parseTrustListFile,
  type TrustedIssuer,
  TrustListError,
  type TrustListMembers,
  trustFromList,
} from "./trust.ts";
export {
  type Check,
  type CheckName,
  type CheckOutcome,
  checkReceipt,
  type LedgerReceipt,
  type VerificationReport,
  type VerifyOptions,
  validityCheck,
  verifyCredentialOffline,
} from "./verify.ts";
export { type OpenedFile, openCertificateFile, verifyFileOffline } from "./verify-file.ts";

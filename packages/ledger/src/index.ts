// @tongban/ledger for Node.js: the browser-safe core plus the signature algorithms (Ed25519 and
// cosignatures via node:crypto, SM2 via sm-crypto-v2) and SM3.
export * from "./core.ts";
export {
  type Clock,
  COSIGNATURE_V1_TYPE,
  cosign,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureVerifier,
  systemClock,
  type VerifiedCosignature,
  verifyCosignature,
} from "./cosignature.ts";
export { ed25519PublicKey, ed25519Sign, ed25519Verify, generateEd25519KeyPair } from "./crypto/ed25519.ts";
export { generateSm2KeyPair, SM2_DEFAULT_USER_ID, sm2PublicKey, sm2Sign, sm2Verify } from "./crypto/sm2.ts";
export { sm3 } from "./crypto/sm3.ts";
export {
  ED25519_TYPE,
  generateNoteKey,
  NoteKeyError,
  type NoteKeyPair,
  type NoteKeyType,
  type ParsedSigner,
  type ParsedVerifier,
  PRIVATE_USE_TYPE,
  parseSignerKey,
  parseVerifierKey,
  SIGNATURE_TYPE_PREFIX,
  type SignerOptions,
  SM2_SM3_OID_DER,
  verifierKeyFor,
} from "./keys.ts";

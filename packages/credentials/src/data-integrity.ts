// W3C Data Integrity EdDSA Cryptosuites v1.0, §3.3: the eddsa-jcs-2022 cryptosuite — RFC 8785 JCS
// instead of RDF canonicalisation, SHA-256, Ed25519 (RFC 8032). Written here so that the offline
// verifier needs nothing but Node.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { canonicalize } from "./jcs.ts";
import { base58btcDecode, base58btcEncode } from "./multibase.ts";

export const CRYPTOSUITE = "eddsa-jcs-2022";

/** A Data Integrity proof (VC Data Integrity 1.0 §2.1) as eddsa-jcs-2022 writes it. */
export interface DataIntegrityProof {
  type: "DataIntegrityProof";
  cryptosuite: typeof CRYPTOSUITE;
  created: string;
  verificationMethod: string;
  proofPurpose: "assertionMethod";
  "@context"?: unknown;
  proofValue: string;
}

const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

// Parsing a DER key is most of a verification's cost; a verifier meets few issuer keys.
const publicKeys = new Map<string, KeyObject>();
function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString("hex");
  let key = publicKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    if (publicKeys.size > 1000) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

/** The private key object of a raw 32-byte Ed25519 seed. */
export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** §3.3.4–3.3.5 (transformation, configuration, hashing): proofConfigHash ‖ transformedDocumentHash. */
function hashData(unsecured: Record<string, unknown>, proofConfig: Record<string, unknown>): Buffer {
  return Buffer.concat([sha256(canonicalize(proofConfig)), sha256(canonicalize(unsecured))]);
}

/** §3.3.1 Create Proof: signs `document` (without a proof) and answers it with its proof. */
export function addProof<T extends Record<string, unknown>>(
  document: T,
  options: { privateKey: KeyObject; verificationMethod: string; created: Date },
): T & { proof: DataIntegrityProof } {
  const proofConfig: Record<string, unknown> = {
    type: "DataIntegrityProof",
    cryptosuite: CRYPTOSUITE,
    // XML Schema dateTimeStamp without fractions, as the examples of the specification write it.
    created: options.created.toISOString().replace(/\.\d{3}Z$/, "Z"),
    verificationMethod: options.verificationMethod,
    proofPurpose: "assertionMethod",
  };
  // §3.3.1 step 4: a document with an @context lends it to the proof configuration.
  if (document["@context"] !== undefined) proofConfig["@context"] = document["@context"];
  const signature = sign(null, hashData(document, proofConfig), options.privateKey);
  const { "@context": _context, ...proof } = proofConfig;
  return { ...document, proof: { ...proof, proofValue: `z${base58btcEncode(signature)}` } as DataIntegrityProof };
}

export type ProofCheck = { ok: true; verificationMethod: string; created: string } | { ok: false; reason: string };

/**
 * §3.3.2 Verify Proof: checks the eddsa-jcs-2022 proof of `secured` with the Ed25519 public key its
 * verification method resolves to (`resolveKey`). Never throws; says what is wrong.
 */
export function verifyProof(
  secured: Record<string, unknown>,
  resolveKey: (verificationMethod: string) => Uint8Array | undefined,
): ProofCheck {
  const { proof, ...unsecured } = secured;
  if (!proof || typeof proof !== "object" || Array.isArray(proof))
    return { ok: false, reason: "the credential has no proof" };
  const { proofValue, ...options } = proof as Record<string, unknown>;
  if (options.type !== "DataIntegrityProof" || options.cryptosuite !== CRYPTOSUITE)
    return { ok: false, reason: `the proof is not a DataIntegrityProof with cryptosuite ${CRYPTOSUITE}` };
  if (options.proofPurpose !== "assertionMethod")
    return { ok: false, reason: "the proof's purpose is not assertionMethod" };
  if (typeof options.verificationMethod !== "string" || typeof options.created !== "string")
    return { ok: false, reason: "the proof lacks its verification method or creation time" };
  if (typeof proofValue !== "string" || !proofValue.startsWith("z"))
    return { ok: false, reason: "the proof value is not multibase base58-btc" };
  const signature = base58btcDecode(proofValue.slice(1));
  if (signature?.length !== 64) return { ok: false, reason: "the proof value is not a 64-byte Ed25519 signature" };
  // §3.3.2 step 5: a proof that names its own @context must carry the document's.
  if (options["@context"] !== undefined && canonicalize(options["@context"]) !== canonicalize(unsecured["@context"]))
    return { ok: false, reason: "the proof's @context differs from the credential's" };
  const publicKey = resolveKey(options.verificationMethod);
  if (!publicKey)
    return { ok: false, reason: `the verification method ${options.verificationMethod} is not an Ed25519 did:key` };
  const config = unsecured["@context"] === undefined ? options : { ...options, "@context": unsecured["@context"] };
  let valid = false;
  try {
    valid = verify(null, hashData(unsecured, config), publicKeyObject(publicKey), signature);
  } catch {
    valid = false;
  }
  if (!valid)
    return {
      ok: false,
      reason: "the signature does not match the content: the credential was altered or not signed by this key",
    };
  return { ok: true, verificationMethod: options.verificationMethod, created: options.created };
}

// The issuer's certificate key travels as a signed-note key pair (the form the federation's trust
// list names keys in), so one key string serves the trust list and the Data Integrity proofs.
import type { KeyObject } from "node:crypto";
import { fromBase64, parseSignerKey } from "@tongban/ledger";
import { ed25519PrivateKey } from "./data-integrity.ts";
import { ed25519DidKey } from "./multibase.ts";

export interface CertificateSigningKey {
  publicKey: Uint8Array;
  privateKey: KeyObject;
  /** The issuer's id in credentials (did:key) and the proof's verification method. */
  did: string;
  verificationMethod: string;
  /** The signed-note verifier key, for the trust list (use "certificate"). */
  verifierKey: string;
}

/** Opens an Ed25519 signed-note signer key (PRIVATE+KEY+name+id+base64(0x01 ‖ seed)). */
export function certificateSigningKey(signerKey: string): CertificateSigningKey {
  const parsed = parseSignerKey(signerKey);
  if (parsed.type !== "ed25519") throw new Error("an e-certificate key is an Ed25519 key");
  // Base64 may itself hold "+": the key material is everything after the fourth one.
  const material = fromBase64(signerKey.split("+").slice(4).join("+"));
  if (material?.length !== 33) throw new Error("the signer key's material is not an Ed25519 seed");
  return {
    publicKey: parsed.publicKey,
    privateKey: ed25519PrivateKey(material.subarray(1)),
    ...ed25519DidKey(parsed.publicKey),
    verifierKey: parsed.verifierKey,
  };
}

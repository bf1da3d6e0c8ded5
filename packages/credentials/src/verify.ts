// Verifying an e-certificate from the credential alone (and a trust list): its form, its
// eddsa-jcs-2022 signature, that a trusted issuer holds the key, its validity period and — when a
// ledger receipt comes with it — that its issuance is in the issuer's signed ledger. Whether it
// was revoked only the issuer knows: offline that check is "not checked", and says so.
import {
  fromBase64,
  leafHash,
  parseVerifierKey,
  sha256,
  toHex,
  utf8Encode,
  verifyCheckpoint,
  verifyInclusion,
} from "@tongban/ledger";
import {
  type CertificateCredential,
  certificateIdOf,
  credentialShapeProblem,
  ISSUED_ENTRY_TYPE,
  issuanceFacts,
} from "./credential.ts";
import { verifyProof } from "./data-integrity.ts";
import { canonicalize } from "./jcs.ts";
import { ed25519FromVerificationMethod } from "./multibase.ts";
import type { IssuerTrust, TrustedIssuer } from "./trust.ts";

export type CheckName = "format" | "signature" | "issuer" | "validity" | "ledger" | "status" | "document";
export type CheckOutcome = "pass" | "fail" | "not_checked";

export interface Check {
  check: CheckName;
  outcome: CheckOutcome;
  /** What was established or what is wrong, in plain words. */
  detail: string;
}

/** A ledger entry with its inclusion proof and the signed checkpoint it leads to. */
export interface LedgerReceipt {
  index: number;
  entry: string;
  proof: string[];
  checkpoint: string;
}

export interface VerificationReport {
  /** valid: every check that ran passed and none failed; otherwise invalid (revoked etc. by `status`). */
  valid: boolean;
  checks: Check[];
  credential?: CertificateCredential;
  issuer?: TrustedIssuer;
}

export interface VerifyOptions {
  trust: IssuerTrust;
  now: Date;
  /** The issuance's ledger receipt, when the verifier has one (a downloaded PDF carries it). */
  receipt?: LedgerReceipt;
}

const report = (checks: Check[], extra: Partial<VerificationReport> = {}): VerificationReport => ({
  valid: checks.every((c) => c.outcome !== "fail"),
  checks,
  ...extra,
});

/** Checks a ledger receipt for the credential against the issuer's ledger keys. */
/**
 * Whether the trust-list member of region `member` serves region `code` (GB/T 2260): a province or
 * municipality (xx0000) its whole province, a prefecture (xxxx00) its districts and counties, a county
 * itself. Not a prefix of the code with its zeros cut: 500000 (重庆) must not pass for 510100 (成都).
 */
function serves(member: string, code: string): boolean {
  if (member.endsWith("0000")) return code.slice(0, 2) === member.slice(0, 2);
  if (member.endsWith("00")) return code.slice(0, 4) === member.slice(0, 4);
  return code === member;
}

export function checkReceipt(
  credential: CertificateCredential,
  receipt: LedgerReceipt,
  ledgerKeys: readonly string[],
): Check {
  const fail = (detail: string): Check => ({ check: "ledger", outcome: "fail", detail });
  if (ledgerKeys.length === 0)
    return fail("the trust list names no ledger key for this issuer to check the receipt with");
  let verifiers: ReturnType<typeof parseVerifierKey>[];
  try {
    verifiers = ledgerKeys.map((k) => parseVerifierKey(k));
  } catch (error) {
    return fail(`the issuer's ledger key is not valid: ${(error as Error).message}`);
  }
  const opened = verifyCheckpoint(receipt.checkpoint, verifiers);
  if (!opened.ok) return fail("the receipt's checkpoint is not signed by the issuer's ledger");
  const { treeSize, rootHash } = opened.checkpoint;
  const proof = receipt.proof.map((p) => fromBase64(p));
  if (proof.some((p) => p === undefined)) return fail("the receipt's proof is not base64");
  const included = verifyInclusion(
    leafHash(utf8Encode(receipt.entry)),
    receipt.index,
    treeSize,
    proof as Uint8Array[],
    rootHash,
  );
  if (!included) return fail(`entry ${receipt.index} is not in the signed ledger of ${treeSize} entries`);
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(receipt.entry) as Record<string, unknown>;
  } catch {
    return fail("the receipt's entry is not JSON");
  }
  const expected = toHex(sha256(utf8Encode(canonicalize(issuanceFacts(credential)))));
  if (entry.type !== ISSUED_ENTRY_TYPE || entry.subject !== certificateIdOf(credential))
    return fail(`ledger entry ${receipt.index} records something else, not this certificate's issuance`);
  if (entry.contentHash !== expected)
    return fail(`ledger entry ${receipt.index} records a different credential: this one was altered after issuance`);
  return {
    check: "ledger",
    outcome: "pass",
    detail: `issued as entry ${receipt.index} of the issuer's ledger, within its signed state of ${treeSize} entries`,
  };
}

/** Whether `now` falls within the credential's validity period (VCDM 2.0 §4.9). */
export function validityCheck(credential: Pick<CertificateCredential, "validFrom" | "validUntil">, now: Date): Check {
  const at = now.getTime();
  if (Date.parse(credential.validFrom) > at)
    return { check: "validity", outcome: "fail", detail: `not valid before ${credential.validFrom}` };
  if (credential.validUntil && Date.parse(credential.validUntil) < at)
    return { check: "validity", outcome: "fail", detail: `expired at ${credential.validUntil}` };
  return {
    check: "validity",
    outcome: "pass",
    detail: credential.validUntil
      ? `valid from ${credential.validFrom} until ${credential.validUntil}`
      : `valid from ${credential.validFrom}, with no end date`,
  };
}

/**
 * Verifies a credential offline. Never throws on bad input; every check says what holds. Revocation
 * is "not_checked": only the issuer's node can say it (verify online for that).
 */
export function verifyCredentialOffline(input: unknown, options: VerifyOptions): VerificationReport {
  const problem = credentialShapeProblem(input);
  if (problem) return report([{ check: "format", outcome: "fail", detail: problem }]);
  const credential = input as CertificateCredential;
  const checks: Check[] = [{ check: "format", outcome: "pass", detail: "a VC Data Model 2.0 e-certificate" }];

  const proof = verifyProof(credential as unknown as Record<string, unknown>, ed25519FromVerificationMethod);
  if (!proof.ok) {
    checks.push({ check: "signature", outcome: "fail", detail: proof.reason });
    return report(checks, { credential });
  }
  if (!proof.verificationMethod.startsWith(`${credential.issuer.id}#`)) {
    checks.push({ check: "signature", outcome: "fail", detail: "the signing key is not the issuer's (issuer.id)" });
    return report(checks, { credential });
  }
  checks.push({
    check: "signature",
    outcome: "pass",
    detail: `signed with Ed25519 (eddsa-jcs-2022) by ${credential.issuer.id.slice(0, 24)}…; nothing in it changed since`,
  });

  const publicKey = ed25519FromVerificationMethod(proof.verificationMethod) as Uint8Array;
  const issuer = options.trust.issuerFor(publicKey);
  if (!issuer) {
    checks.push({
      check: "issuer",
      outcome: "fail",
      detail: `the signing key is not in the trust list: nobody vouches that ${credential.issuer.name} issued this`,
    });
    return report(checks, { credential });
  }
  if (issuer.validUntil && Date.parse(issuer.validUntil) < Date.parse(credential.validFrom)) {
    checks.push({
      check: "issuer",
      outcome: "fail",
      detail: `the issuer's membership ended at ${issuer.validUntil}, before this certificate was issued`,
    });
    return report(checks, { credential, issuer });
  }
  // A member without a region is the node's own one-member list (its database may hold several
  // regions); a federation member always names its region, and must serve the credential's.
  if (issuer.regionCode && credential.issuer.regionCode && !serves(issuer.regionCode, credential.issuer.regionCode)) {
    checks.push({
      check: "issuer",
      outcome: "fail",
      detail: `the key belongs to ${issuer.name} (${issuer.regionCode}), which does not serve region ${credential.issuer.regionCode}`,
    });
    return report(checks, { credential, issuer });
  }
  checks.push({
    check: "issuer",
    outcome: "pass",
    detail: `the key is ${issuer.name}'s certificate key in ${issuer.source}`,
  });

  checks.push(validityCheck(credential, options.now));

  checks.push(
    options.receipt
      ? checkReceipt(credential, options.receipt, issuer.ledgerKeys)
      : { check: "ledger", outcome: "not_checked", detail: "no ledger receipt came with the credential" },
  );
  checks.push({
    check: "status",
    outcome: "not_checked",
    detail: "whether it was revoked or superseded is known only to the issuer: verify online to learn it",
  });
  return report(checks, { credential, issuer });
}

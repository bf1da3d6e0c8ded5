// E-certificates (电子证照): issued as W3C Verifiable Credentials when a certifying case is approved,
// printed as PDFs, verified by anyone (online: signature, trusted issuer, ledger inclusion, status),
// revoked by the issuing department's staff, and reused as application materials (证照免提交).
import { createHash } from "node:crypto";
import type {
  Certificate,
  CertificateVerification,
  ServiceItem,
  VerificationMethod,
  VerifyCertificateRequest,
} from "@tongban/contracts";
import type { TrustListMembers } from "@tongban/credentials";
import {
  addProof,
  type CertificateCredential,
  type Check,
  certificateIdOf,
  certificateSigningKey,
  checkReceipt,
  credentialHash,
  ISSUED_ENTRY_TYPE,
  type IssuerTrust,
  issuanceFacts,
  type LedgerReceipt,
  openCertificateFile,
  VC_CONTEXT_V2,
  validityCheck,
  verifyCredentialOffline,
} from "@tongban/credentials";
import { generateNoteKey } from "@tongban/ledger";
import { LRUCache } from "lru-cache";
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { canonicalJson } from "../../lib/canonical-json.ts";
import { type Actor, decide } from "../../policy/policy.ts";
import type { FileStore } from "../../ports/files.ts";
import type { Clock, Ids, KeyStore } from "../../ports/index.ts";
import { maskValue } from "../exchange/masking.ts";
import type { LedgerService } from "../ledger/ledger.service.ts";
import { recordChange } from "../ledger/outbox.ts";
import { maskedDetail, maskIdentifier, renderCertificatePdf } from "./certificate-pdf.ts";
import { certificateTypes, detailsFrom, issuedType } from "./certificate-types.ts";
import { type CertificateRow, certificatesRepository as repo } from "./certificates.repository.ts";
import { nodeIssuerTrust, ownTrustList } from "./issuer-trust.ts";

/** What the applications module tells this one when it approves a case. */
export interface ApprovedCase {
  applicationId: string;
  applicationNumber: string;
  serviceCode: string;
  item: ServiceItem;
  regionCode: string;
  departmentId: string;
  departmentName: string;
  applicantId: string;
  form: Record<string, unknown>;
  approvedBy: string;
  at: Date;
}

const OUTCOME_OF_FAILED: Record<Check["check"], string> = {
  format: "unreadable",
  signature: "altered",
  issuer: "untrusted",
  validity: "expired",
  ledger: "not_in_ledger",
  status: "revoked",
  document: "altered",
};

/**
 * The node's e-certificate key (Ed25519, signed-note form), made at the first start beside its ledger
 * keys. The federation's trust list carries its verifier key under use "certificate".
 */
export function issuerSignerKey(keys: KeyStore, ledgerOrigin: string): string {
  const name = `${ledgerOrigin.replace(/\/ledger$/, "")}/certificates`.replace(/[^\w./-]/g, "-");
  return keys.getOrCreate("certificate-issuer-key", () => generateNoteKey(name, "ed25519").signerKey);
}

/** The verifier key of the node's e-certificate key, for its entry in the trust list. */
export const issuerVerifierKey = (keys: KeyStore, ledgerOrigin: string) =>
  certificateSigningKey(issuerSignerKey(keys, ledgerOrigin)).verifierKey;

const sha256Hex = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createCertificatesService(deps: {
  db: Db;
  clock: Clock;
  ids: Ids;
  keys: KeyStore;
  files: FileStore;
  ledger: Pick<LedgerService, "entryWithProof" | "verifierKey" | "origin">;
  /** Where people reach this node: the QR code's verification link starts with it. */
  publicUrl: string;
  /** The federation's current trust list, once this node belongs to one (issue 6). */
  federationTrustList?: () => TrustListMembers | undefined;
}) {
  const { db, clock, ids, files, ledger } = deps;
  const key = certificateSigningKey(issuerSignerKey(deps.keys, ledger.origin));
  const ownList = ownTrustList(key.verifierKey, [ledger.verifierKey]);
  const trust = nodeIssuerTrust(ownList, deps.federationTrustList);
  const base = deps.publicUrl.replace(/\/?$/, "/");
  const verifyUrlOf = (id: string, hash: string) => `${base}verify?c=${id}&h=${hash.slice(0, 16)}`;
  // A proof of inclusion in a signed checkpoint stays a proof forever: one per certificate is enough.
  const receipts = new LRUCache<string, LedgerReceipt>({ max: 50_000 });

  async function receiptOf(row: CertificateRow): Promise<LedgerReceipt | undefined> {
    const cached = receipts.get(row.id);
    if (cached) return cached;
    if (row.ledger_idx === null || row.ledger_idx === undefined) return undefined;
    try {
      const proof = await ledger.entryWithProof(Number(row.ledger_idx));
      const receipt = { index: proof.index, entry: proof.entry, proof: proof.proof, checkpoint: proof.checkpoint };
      receipts.set(row.id, receipt);
      return receipt;
    } catch (error) {
      // Integrated but not yet under a signed checkpoint: still being sealed.
      if (error instanceof AppError && error.code === "LEDGER_ENTRY_NOT_FOUND") return undefined;
      throw error;
    }
  }

  function view(row: CertificateRow, verifications: Certificate["verifications"]): Certificate {
    const credential = JSON.parse(row.credential) as CertificateCredential;
    return {
      id: row.id,
      number: row.number,
      type: row.type,
      name: row.name,
      issuerName: credential.issuer.name,
      regionCode: row.region_code,
      holderName: credential.credentialSubject.holder.name,
      details: credential.credentialSubject.details,
      issuedAt: row.issued_at.toISOString(),
      validUntil: row.valid_until ? row.valid_until.toISOString() : null,
      status: row.status,
      statusReason: row.status_reason,
      statusChangedAt: row.status_changed_at ? row.status_changed_at.toISOString() : null,
      supersededBy: row.superseded_by,
      applicationId: row.application_id,
      serviceCode: row.service_code,
      ledgerIndex: row.ledger_idx === null || row.ledger_idx === undefined ? null : Number(row.ledger_idx),
      verifyUrl: verifyUrlOf(row.id, row.credential_sha256),
      verifications,
    };
  }

  async function loadOwn(actor: Actor, id: string): Promise<CertificateRow> {
    const row = UUID.test(id) ? await repo.find(db, id) : undefined;
    // Someone else's certificate answers "not found", so ids reveal nothing.
    if (!row || !decide(actor, "record.read", { ownerId: row.holder_id }).allowed || actor.accountId !== row.holder_id)
      throw new AppError("CERTIFICATE_NOT_FOUND", { id });
    return row;
  }

  /** The online checks added to the offline ones: the record matches, the ledger holds it, its status. */
  // Verification records: each answer waits until its record is committed, but the records of
  // verifications arriving while a write is under way go together in the next insert (group commit),
  // so a busy verifier costs a few statements instead of one per verification.
  type VerificationRow = Parameters<typeof repo.insertVerifications>[1][number];
  const records = (() => {
    let queue: { row: VerificationRow; done: (error?: unknown) => void }[] = [];
    let writing = false;
    const pump = async () => {
      if (writing || queue.length === 0) return;
      writing = true;
      const batch = queue;
      queue = [];
      try {
        await repo.insertVerifications(
          db,
          batch.map((w) => w.row),
        );
        for (const w of batch) w.done();
      } catch (error) {
        for (const w of batch) w.done(error);
      } finally {
        writing = false;
        void pump();
      }
    };
    return {
      submit: (row: VerificationRow) =>
        new Promise<void>((resolve, reject) => {
          queue.push({ row, done: (error) => (error ? reject(error) : resolve()) });
          void pump();
        }),
    };
  })();

  // The checks that depend only on a credential's bytes and the trust in force — form, signature,
  // issuer, ledger inclusion — give the same answer for every verification of the credential this
  // node stored, so they are worked out once per certificate and trust list. Validity (time) and
  // status (revocation) are checked afresh on every verification.
  const settled = new LRUCache<string, { checks: Check[]; credential?: CertificateCredential }>({ max: 50_000 });
  let trustInForce: IssuerTrust | undefined;
  let trustEpoch = 0;
  const epoch = () => {
    const current = trust.current();
    if (current !== trustInForce) {
      trustInForce = current;
      trustEpoch += 1;
    }
    return trustEpoch;
  };

  async function contentChecks(credential: unknown, row: CertificateRow | undefined, stored: boolean) {
    const matchesRecord = row !== undefined && (stored || credentialHash(credential) === row.credential_sha256);
    const key = matchesRecord ? `${row.id}:${epoch()}` : undefined;
    const known = key ? settled.get(key) : undefined;
    if (known) return known;
    const offline = verifyCredentialOffline(credential, { trust: trust.current(), now: clock.now() });
    const checks = offline.checks.filter((c) => c.check !== "ledger" && c.check !== "status" && c.check !== "validity");
    const result = { checks, credential: offline.credential };
    if (!offline.credential || checks.some((c) => c.outcome === "fail")) return result;
    if (!row) {
      checks.push({ check: "status", outcome: "fail", detail: "this node has no record of issuing this certificate" });
      return result;
    }
    if (!matchesRecord) {
      checks.push({
        check: "ledger",
        outcome: "fail",
        detail: "the credential differs from the one this node issued under that id",
      });
      return result;
    }
    const receipt = await receiptOf(row);
    if (!receipt) {
      checks.push({
        check: "ledger",
        outcome: "not_checked",
        detail: "the issuance is being sealed into the ledger; check again in a moment",
      });
      return result;
    }
    checks.push(checkReceipt(offline.credential, receipt, [ledger.verifierKey]));
    if (key) settled.set(key, result);
    return result;
  }

  async function statusCheck(row: CertificateRow): Promise<Check> {
    if (row.status === "valid")
      return { check: "status", outcome: "pass", detail: "the issuer has neither revoked nor replaced it" };
    const on = row.status_changed_at?.toISOString().slice(0, 10);
    if (row.status === "revoked")
      return { check: "status", outcome: "fail", detail: `revoked by the issuer on ${on}: ${row.status_reason}` };
    const newer = row.superseded_by ? await repo.find(db, row.superseded_by) : undefined;
    return {
      check: "status",
      outcome: "fail",
      detail: `superseded on ${on} by certificate ${newer?.number ?? "a newer one"}`,
    };
  }

  const CHECK_ORDER: Check["check"][] = ["format", "signature", "issuer", "validity", "ledger", "status", "document"];

  /** Every check of a verification, in one order: the settled ones, validity now, status now. */
  async function allChecks(credential: unknown, row: CertificateRow | undefined, stored: boolean, extra: Check[]) {
    const content = credential === undefined ? { checks: [] as Check[] } : await contentChecks(credential, row, stored);
    const checks = [...content.checks, ...extra];
    const cleared = content.credential && content.checks.every((c) => c.outcome !== "fail");
    if (content.credential && cleared) checks.push(validityCheck(content.credential, clock.now()));
    if (row && cleared) checks.push(await statusCheck(row));
    checks.sort((a, b) => CHECK_ORDER.indexOf(a.check) - CHECK_ORDER.indexOf(b.check));
    return { checks, credential: content.credential };
  }

  function outcomeOf(report: { valid: boolean; checks: Check[] }, row: CertificateRow | undefined): string {
    if (report.valid) return "valid";
    const failed = report.checks.find((c) => c.outcome === "fail");
    if (failed?.check === "status" && row && row.status !== "valid") return row.status;
    if (failed?.check === "status") return "not_found";
    return failed ? OUTCOME_OF_FAILED[failed.check] : "invalid";
  }

  /** What the verifier is shown of the certificate: the holder's identifier masked. */
  function shown(row: CertificateRow | undefined, credential: CertificateCredential | undefined) {
    if (!credential) return null;
    return {
      id: certificateIdOf(credential) ?? "",
      number: credential.credentialSubject.certificateNumber,
      name: credential.name,
      issuerName: credential.issuer.name,
      holderName: credential.credentialSubject.holder.name,
      holderIdNumber: maskIdentifier(credential.credentialSubject.holder.idNumber),
      details: credential.credentialSubject.details.map((d) => ({ label: d.label, value: maskedDetail(d.value) })),
      issuedAt: credential.validFrom,
      validUntil: credential.validUntil ?? null,
      status: row?.status ?? "valid",
      statusReason: row?.status_reason ?? null,
      ledgerIndex: row?.ledger_idx === null || row?.ledger_idx === undefined ? null : Number(row.ledger_idx),
    } satisfies CertificateVerification["certificate"];
  }

  return {
    /** The node's issuer key as the federation's trust list should carry it (use "certificate"). */
    trust,

    /** This node's issuer key, and a one-member trust list holding it (and its ledger key) for offline verifiers. */
    issuer() {
      return {
        did: key.did,
        verifierKey: key.verifierKey,
        trustList: ownList,
      };
    },

    /**
     * Issues the certificate of an approved case, in the approval's transaction: signs the credential,
     * stores it, supersedes the holder's earlier one of a replacing type, and records the issuance on
     * the ledger. Answers undefined when the service issues no certificate.
     */
    async issueForApproval(trx: Db, approved: ApprovedCase): Promise<{ id: string; number: string } | undefined> {
      const type = issuedType(approved.item);
      if (!type) return undefined;
      const holder = await repo.holder(trx, approved.applicantId);
      if (!holder) throw new Error(`no account ${approved.applicantId} to hold the certificate`);
      const id = ids.uuid();
      const at = approved.at;
      const sequence = await repo.nextNumber(trx);
      const number = `${approved.regionCode}-${at.getUTCFullYear()}-${String(sequence).padStart(7, "0")}`;
      const validUntil = type.validDays ? new Date(at.getTime() + type.validDays * 86_400_000) : undefined;
      const unsigned = {
        "@context": [VC_CONTEXT_V2],
        id: `urn:uuid:${id}`,
        type: ["VerifiableCredential", "TongbanCertificate"],
        name: type.name,
        issuer: { id: key.did, name: approved.departmentName, regionCode: approved.regionCode },
        validFrom: at.toISOString(),
        ...(validUntil ? { validUntil: validUntil.toISOString() } : {}),
        credentialSubject: {
          certificateType: type.code,
          certificateNumber: number,
          holder: {
            name: holder.name,
            idNumber: holder.kind === "enterprise" ? holder.credit_code : holder.id_number,
            kind: holder.kind === "enterprise" ? ("enterprise" as const) : ("resident" as const),
          },
          details: detailsFrom(type, approved.item, approved.form),
        },
        credentialStatus: { id: `${base}api/v1/certificates/${id}/status`, type: "TongbanCertificateStatus" as const },
      };
      const credential = addProof(unsigned, {
        privateKey: key.privateKey,
        verificationMethod: key.verificationMethod,
        created: at,
      });
      const text = canonicalJson(credential);
      const outboxId = await recordChange(trx, {
        type: ISSUED_ENTRY_TYPE,
        subject: id,
        actor: approved.approvedBy,
        at,
        facts: issuanceFacts(credential),
      });
      const replaced = type.supersedes ? await repo.validOfType(trx, approved.applicantId, type.code) : [];
      await repo.insert(trx, {
        id,
        number,
        type: type.code,
        name: type.name,
        holder_id: approved.applicantId,
        application_id: approved.applicationId,
        service_code: approved.serviceCode,
        region_code: approved.regionCode,
        department_id: approved.departmentId,
        credential: text,
        credential_sha256: sha256Hex(text),
        status: "valid",
        status_reason: null,
        status_changed_at: null,
        status_changed_by: null,
        superseded_by: null,
        issued_at: at,
        valid_until: validUntil ?? null,
        outbox_id: outboxId,
      });
      for (const old of replaced) {
        const statusOutbox = await recordChange(trx, {
          type: "certificate.superseded",
          subject: old.id,
          actor: approved.approvedBy,
          at,
          facts: { supersededBy: id },
        });
        await repo.setStatus(trx, old.id, {
          status: "superseded",
          status_reason: `由 ${number} 取代`,
          status_changed_at: at,
          status_changed_by: approved.approvedBy,
          superseded_by: id,
          status_outbox_id: statusOutbox,
        });
      }
      return { id, number };
    },

    async listMine(actor: Actor): Promise<Certificate[]> {
      if (actor.kind === "staff")
        throw new AppError("FORBIDDEN", { reason: "certificates are held by residents and enterprises" });
      const rows = await repo.listForHolder(db, actor.accountId);
      const verifications = await repo.verificationsOf(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((row) =>
        view(
          row,
          verifications
            .filter((v) => v.certificate_id === row.id)
            .map((v) => ({ at: v.at.toISOString(), method: v.method, valid: v.valid, outcome: v.outcome })),
        ),
      );
    },

    async getMine(actor: Actor, id: string): Promise<Certificate> {
      const row = await loadOwn(actor, id);
      const verifications = await repo.verificationsOf(db, [row.id], 100);
      return view(
        row,
        verifications.map((v) => ({ at: v.at.toISOString(), method: v.method, valid: v.valid, outcome: v.outcome })),
      );
    },

    /** The credential exactly as issued (the holder's download). */
    async credentialText(actor: Actor, id: string): Promise<{ text: string; number: string }> {
      const row = await loadOwn(actor, id);
      return { text: row.credential, number: row.number };
    },

    /**
     * The printable PDF. Rendered at the first download (the issuance is usually sealed by then, so
     * the PDF carries its ledger receipt), kept in the file store, its SHA-256 recorded on the ledger:
     * an online verification of a PDF compares its bytes with that hash.
     */
    async pdf(actor: Actor, id: string): Promise<{ content: Uint8Array; number: string }> {
      const row = await loadOwn(actor, id);
      if (row.pdf_sha256) {
        const content = await files.get(row.pdf_sha256);
        if (content) return { content, number: row.number };
      }
      const credential = JSON.parse(row.credential) as CertificateCredential;
      const receipt = await receiptOf(row);
      const content = await renderCertificatePdf({
        credential,
        credentialText: row.credential,
        verifyUrl: verifyUrlOf(row.id, row.credential_sha256),
        ...(receipt ? { receipt } : {}),
        renderedAt: clock.now(),
      });
      const sha256 = await files.put(content);
      const kept = await db.transaction().execute(async (trx) => {
        const locked = await repo.lock(trx, row.id);
        // Two first downloads at once: the first to commit wins, the other answers its PDF.
        if (locked?.pdf_sha256) return locked.pdf_sha256;
        const outboxId = await recordChange(trx, {
          type: "certificate.pdf_issued",
          subject: row.id,
          actor: actor.accountId,
          at: clock.now(),
          facts: { pdf: sha256 },
        });
        await repo.setPdf(trx, row.id, { pdf_sha256: sha256, pdf_outbox_id: outboxId });
        return sha256;
      });
      if (kept !== sha256) {
        const earlier = await files.get(kept);
        if (earlier) return { content: earlier, number: row.number };
      }
      return { content, number: row.number };
    },

    /** Staff of the issuing department revoke a certificate, with the reason; the ledger records it. */
    async revoke(actor: Actor, id: string, reason: string): Promise<Certificate> {
      const row = UUID.test(id) ? await repo.find(db, id) : undefined;
      if (!row) throw new AppError("CERTIFICATE_NOT_FOUND", { id });
      const decision = decide(actor, "case.act", { departmentId: row.department_id }, "handling");
      if (!decision.allowed) throw new AppError("FORBIDDEN", { action: "certificate.revoke", reason: decision.reason });
      await db.transaction().execute(async (trx) => {
        const locked = await repo.lock(trx, id);
        if (locked?.status !== "valid") throw new AppError("CERTIFICATE_NOT_VALID", { id, status: locked?.status });
        const now = clock.now();
        const outboxId = await recordChange(trx, {
          type: "certificate.revoked",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { reasonHash: sha256Hex(reason) },
        });
        await repo.setStatus(trx, id, {
          status: "revoked",
          status_reason: reason,
          status_changed_at: now,
          status_changed_by: actor.accountId,
          superseded_by: null,
          status_outbox_id: outboxId,
        });
      });
      receipts.delete(id);
      const fresh = (await repo.find(db, id)) as CertificateRow;
      return view(fresh, []);
    },

    /** Public status of a certificate (its credentialStatus id). */
    async status(id: string) {
      const row = UUID.test(id) ? await repo.find(db, id) : undefined;
      if (!row) throw new AppError("CERTIFICATE_NOT_FOUND", { id });
      return {
        id: row.id,
        number: row.number,
        status: row.status,
        statusChangedAt: row.status_changed_at ? row.status_changed_at.toISOString() : null,
      };
    },

    /**
     * Verification by anyone, from the QR code's text, the number, the credential or the PDF: the
     * offline checks (form, signature, trusted issuer, validity) plus what only the node knows — that
     * it issued exactly this credential, the ledger holds the issuance, and its status. Recorded and
     * shown to the holder.
     */
    async verify(input: VerifyCertificateRequest, verifierId: string | null): Promise<CertificateVerification> {
      const given = (["qr", "number", "credential", "pdf"] as const).filter((k) => input[k] !== undefined);
      if (given.length !== 1)
        throw fieldError([
          {
            field: given.length === 0 ? "qr" : (given[1] as string),
            reason: given.length === 0 ? "REQUIRED" : "ONE_ONLY",
            message: "Give exactly one of: the QR code's text, the certificate number, the credential JSON or the PDF",
          },
        ]);
      let method: VerificationMethod;
      let row: CertificateRow | undefined;
      let credential: unknown;
      const extra: Check[] = [];
      if (input.qr !== undefined) {
        method = "qr";
        let url: URL | undefined;
        try {
          url = new URL(input.qr);
        } catch {
          url = undefined;
        }
        const id = url?.searchParams.get("c") ?? "";
        const hash = url?.searchParams.get("h") ?? "";
        if (!UUID.test(id) || !/^[0-9a-f]{16}$/.test(hash))
          throw fieldError([
            { field: "qr", reason: "NOT_A_CERTIFICATE_QR", message: "This QR code is not a Tongban certificate's" },
          ]);
        row = await repo.find(db, id);
        if (row && !row.credential_sha256.startsWith(hash)) {
          extra.push({
            check: "document",
            outcome: "fail",
            detail: "the QR code names another version of this certificate",
          });
        }
        credential = row ? JSON.parse(row.credential) : undefined;
      } else if (input.number !== undefined) {
        method = "number";
        row = await repo.findByNumber(db, input.number.trim());
        credential = row ? JSON.parse(row.credential) : undefined;
      } else if (input.credential !== undefined) {
        method = "json";
        credential = input.credential;
        const id = certificateIdOf(input.credential);
        row = id ? await repo.find(db, id) : undefined;
      } else {
        method = "pdf";
        const bytes = new Uint8Array(Buffer.from(input.pdf as string, "base64"));
        const opened = await openCertificateFile(bytes);
        if (opened.kind !== "pdf")
          throw fieldError([{ field: "pdf", reason: "NOT_A_PDF", message: "The file is not a PDF" }]);
        credential = opened.credential;
        const id = credential ? certificateIdOf(credential as { id?: unknown }) : undefined;
        row = id ? await repo.find(db, id) : undefined;
        if (opened.problem) extra.push({ check: "format", outcome: "fail", detail: opened.problem });
        else if (row?.pdf_sha256 === sha256Hex(bytes))
          extra.push({
            check: "document",
            outcome: "pass",
            detail: "the PDF is byte for byte the one the issuer issued",
          });
        else
          extra.push({
            check: "document",
            outcome: "fail",
            detail: "the PDF is not the one the issuer issued: its content was altered after issuance",
          });
      }
      if (credential === undefined && extra.length === 0) {
        return {
          valid: false,
          outcome: "not_found",
          checks: [{ check: "format", outcome: "fail", detail: "no certificate has this number or code" }],
          certificate: null,
        };
      }
      const assessed = await allChecks(credential, row, method === "qr" || method === "number", extra);
      const checks = assessed.checks;
      const valid = checks.length > 0 && checks.every((c) => c.outcome !== "fail");
      const outcome = outcomeOf({ valid, checks }, row);
      if (row)
        await records.submit({
          id: ids.uuid(),
          certificate_id: row.id,
          at: clock.now(),
          method,
          valid,
          outcome,
          verifier_id: verifierId,
        });
      // A number alone proves nothing about who asks: numbers count up, so anyone could walk them. It
      // answers whether the certificate holds and whose it is in masked form, never its details; the QR
      // code (which carries the credential's hash), the file or the credential show them.
      const certificate = shown(row, assessed.credential);
      return {
        valid,
        outcome,
        checks,
        certificate:
          certificate && method === "number"
            ? { ...certificate, holderName: maskValue(certificate.holderName, "name") as string, details: [] }
            : certificate,
      };
    },

    /** Every check of a certificate this node stored, now (no verification record: the case's reader is not a verifier). */
    async checkStored(id: string) {
      const row = await repo.find(db, id);
      if (!row) throw new AppError("CERTIFICATE_NOT_FOUND", { id });
      const { checks, credential } = await allChecks(JSON.parse(row.credential), row, true, []);
      const valid = checks.every((c) => c.outcome !== "fail");
      return { row, credential, valid, outcome: outcomeOf({ valid, checks }, row) };
    },

    /** A holder's valid certificate of `type`, for a material that accepts it (证照免提交). */
    async forMaterial(trx: Db, holderId: string, certificateId: string, type: string) {
      const row = UUID.test(certificateId) ? await repo.find(trx, certificateId) : undefined;
      if (!row || row.holder_id !== holderId) throw new AppError("CERTIFICATE_NOT_FOUND", { id: certificateId });
      if (row.type !== type)
        throw new AppError("CERTIFICATE_NOT_APPLICABLE", {
          expected: type,
          given: row.type,
          name: certificateTypes[type]?.name,
        });
      if (row.status !== "valid")
        throw new AppError("CERTIFICATE_NOT_VALID", { id: certificateId, status: row.status });
      return row;
    },
  };
}
export type CertificatesService = ReturnType<typeof createCertificatesService>;

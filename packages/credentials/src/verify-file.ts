// A certificate as a verifier receives it: the credential's JSON or the PDF that embeds it.
import { CREDENTIAL_ATTACHMENT, looksLikePdf, pdfAttachments, RECEIPT_ATTACHMENT } from "./pdf.ts";
import { type LedgerReceipt, type VerificationReport, type VerifyOptions, verifyCredentialOffline } from "./verify.ts";

export interface OpenedFile {
  kind: "json" | "pdf";
  credential?: unknown;
  receipt?: LedgerReceipt;
  /** Why no credential could be read from the file. */
  problem?: string;
}

/** Reads the credential (and, from a PDF, its ledger receipt) out of a file's bytes. */
export async function openCertificateFile(bytes: Uint8Array): Promise<OpenedFile> {
  const decode = (b: Uint8Array) => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b)) as unknown;
  if (looksLikePdf(bytes)) {
    let attachments: Map<string, Uint8Array>;
    try {
      attachments = await pdfAttachments(bytes);
    } catch {
      return { kind: "pdf", problem: "the PDF is damaged and cannot be read" };
    }
    const embedded = attachments.get(CREDENTIAL_ATTACHMENT);
    if (!embedded) return { kind: "pdf", problem: "the PDF carries no e-certificate credential" };
    try {
      const receipt = attachments.get(RECEIPT_ATTACHMENT);
      return {
        kind: "pdf",
        credential: decode(embedded),
        ...(receipt ? { receipt: decode(receipt) as LedgerReceipt } : {}),
      };
    } catch {
      return { kind: "pdf", problem: "the credential embedded in the PDF is not JSON" };
    }
  }
  try {
    return { kind: "json", credential: decode(bytes) };
  } catch {
    return { kind: "json", problem: "the file is neither a PDF nor a JSON credential" };
  }
}

/** Offline verification of a file; a receipt given in the options wins over one the PDF carries. */
export async function verifyFileOffline(bytes: Uint8Array, options: VerifyOptions): Promise<VerificationReport> {
  const opened = await openCertificateFile(bytes);
  if (opened.problem) return { valid: false, checks: [{ check: "format", outcome: "fail", detail: opened.problem }] };
  const receipt = options.receipt ?? opened.receipt;
  const report = verifyCredentialOffline(opened.credential, { ...options, ...(receipt ? { receipt } : {}) });
  if (opened.kind === "pdf")
    report.checks.push({
      check: "document",
      outcome: "not_checked",
      detail:
        "the credential inside the PDF was checked; compare the printed text with it, or verify online, which also checks the PDF's own bytes",
    });
  return report;
}

// Reading the credential (and its ledger receipt) that an e-certificate PDF carries as embedded
// files (ISO 32000-1 §7.11.4, the EmbeddedFiles name tree), so a PDF can be verified like the JSON.
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFRawStream,
  PDFString,
} from "pdf-lib";

export const CREDENTIAL_ATTACHMENT = "credential.json";
export const RECEIPT_ATTACHMENT = "ledger-receipt.json";

const text = (value: unknown) =>
  value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;

/** The embedded files of a PDF by name. Throws when the bytes are not a PDF pdf-lib can read. */
export async function pdfAttachments(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const found = new Map<string, Uint8Array>();
  const names = doc.catalog.lookupMaybe(PDFName.of("Names"), PDFDict);
  const tree = names?.lookupMaybe(PDFName.of("EmbeddedFiles"), PDFDict);
  // A flat name tree (what pdf-lib writes); kids of a deeper tree are walked too.
  const walk = (node: PDFDict | undefined, depth: number) => {
    if (!node || depth > 8) return;
    const pairs = node.lookupMaybe(PDFName.of("Names"), PDFArray);
    for (let i = 0; pairs && i + 1 < pairs.size(); i += 2) {
      const name = text(pairs.lookup(i));
      const spec = pairs.lookup(i + 1);
      if (!name || !(spec instanceof PDFDict)) continue;
      const stream = spec.lookupMaybe(PDFName.of("EF"), PDFDict)?.lookup(PDFName.of("F"));
      if (stream instanceof PDFRawStream) found.set(name, decodePDFRawStream(stream).decode());
    }
    const kids = node.lookupMaybe(PDFName.of("Kids"), PDFArray);
    for (let i = 0; kids && i < kids.size(); i++) walk(kids.lookup(i) as PDFDict, depth + 1);
  };
  walk(tree, 0);
  return found;
}

/** Whether the bytes begin like a PDF file (ISO 32000 §7.5.2 header). */
export const looksLikePdf = (bytes: Uint8Array) =>
  bytes.length > 5 && String.fromCharCode(...bytes.subarray(0, 5)) === "%PDF-";

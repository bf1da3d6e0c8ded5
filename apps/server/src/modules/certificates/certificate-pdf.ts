// The printable e-certificate: one A4 page in Chinese (Noto Sans SC, embedded as a subset), a QR
// code leading to the verification page, and the credential itself (plus its ledger receipt when
// the issuance is already sealed) as embedded files, so the PDF verifies like the JSON.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import fontkit from "@pdf-lib/fontkit";
import {
  type CertificateCredential,
  CREDENTIAL_ATTACHMENT,
  type LedgerReceipt,
  RECEIPT_ATTACHMENT,
} from "@tongban/credentials";
import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import QRCode from "qrcode";

const require = createRequire(import.meta.url);
let fontBytes: Uint8Array | undefined;
/** The full Noto Sans SC TTF (about 10 MB), read once; pdf-lib embeds only the glyphs used. */
function font(): Uint8Array {
  fontBytes ??= readFileSync(require.resolve("@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf"));
  return fontBytes;
}

/**
 * @pdf-lib/fontkit 1.1.1 writes a subset's `loca` in the short format (offsets halved) without
 * padding glyph records to an even length, so after the first odd-length glyph every later one is
 * read from the wrong place and most CJK characters come out blank (pdf-lib issue #1232; fixed in
 * upstream fontkit 1.8 by foliojs/fontkit#191). We pad each glyph record to even length, which is
 * what the short format assumes, on the subsets of fonts this module creates.
 */
interface TtfSubset {
  glyf: Uint8Array[];
  offset: number;
  _addGlyph(gid: number): number;
}
const evenGlyphFontkit = {
  create(bytes: Uint8Array) {
    const created = fontkit.create(bytes) as unknown as { createSubset(): TtfSubset };
    const createSubset = created.createSubset.bind(created);
    created.createSubset = () => {
      const subset = createSubset();
      const addGlyph = subset._addGlyph;
      if (typeof addGlyph !== "function" || !Array.isArray(subset.glyf ?? [])) return subset;
      subset._addGlyph = function (this: TtfSubset, gid: number) {
        const index = addGlyph.call(this, gid);
        const record = this.glyf[index];
        if (record && record.length % 2 === 1) {
          // The bundle carries its own Buffer class, and its streams accept only that one.
          const Bundled = record.constructor as typeof Buffer;
          this.glyf[index] = Bundled.concat([record, Bundled.alloc(1)]);
          this.offset += 1;
        }
        return index;
      };
      return subset;
    };
    return created;
  },
};

const RED = rgb(0.66, 0.08, 0.1);
const INK = rgb(0.13, 0.13, 0.13);
const GREY = rgb(0.4, 0.4, 0.4);

/** Masks the middle of an ID number or credit code, as printed certificates do for strangers' eyes. */
export function maskIdentifier(value: string | null): string | null {
  if (!value) return value;
  return value.length <= 8 ? value : `${value.slice(0, 4)}${"*".repeat(value.length - 8)}${value.slice(-4)}`;
}

/** A detail's value as printed and shown to verifiers: ID numbers and credit codes masked. */
export function maskedDetail(value: string): string {
  return /^(\d{17}[\dX]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})$/.test(value)
    ? (maskIdentifier(value) as string)
    : value;
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const char of text) {
    if (font.widthOfTextAtSize(line + char, size) > width && line) {
      lines.push(line);
      line = "";
    }
    line += char;
  }
  if (line) lines.push(line);
  return lines;
}

function centred(page: PDFPage, text: string, y: number, size: number, f: PDFFont, color = INK) {
  const width = f.widthOfTextAtSize(text, size);
  page.drawText(text, { x: (page.getWidth() - width) / 2, y, size, font: f, color });
}

export interface PdfInput {
  credential: CertificateCredential;
  /** The credential's exact text as issued (embedded byte for byte). */
  credentialText: string;
  verifyUrl: string;
  receipt?: LedgerReceipt;
  renderedAt: Date;
}

export async function renderCertificatePdf(input: PdfInput): Promise<Uint8Array> {
  const { credential } = input;
  const subject = credential.credentialSubject;
  const doc = await PDFDocument.create();
  doc.registerFontkit(evenGlyphFontkit as unknown as typeof fontkit);
  const f = await doc.embedFont(font(), { subset: true });
  doc.setTitle(`${credential.name} ${subject.certificateNumber}`);
  doc.setAuthor(credential.issuer.name);
  doc.setSubject("电子证照 · W3C Verifiable Credential (eddsa-jcs-2022)");
  doc.setProducer("Tongban 通办");
  doc.setCreator("Tongban 通办");
  doc.setLanguage("zh-CN");
  doc.setCreationDate(input.renderedAt);
  doc.setModificationDate(input.renderedAt);

  const page = doc.addPage([595.28, 841.89]);
  const { width, height } = page.getSize();
  page.drawRectangle({ x: 28, y: 28, width: width - 56, height: height - 56, borderColor: RED, borderWidth: 3 });
  page.drawRectangle({ x: 36, y: 36, width: width - 72, height: height - 72, borderColor: RED, borderWidth: 0.8 });
  centred(page, "中华人民共和国", height - 100, 16, f, RED);
  centred(page, credential.name, height - 150, 40, f, RED);
  centred(page, "电子证照", height - 178, 13, f, GREY);

  const rows: [string, string][] = [
    ["证照编号", subject.certificateNumber],
    [subject.holder.kind === "enterprise" ? "持证主体" : "持证人", subject.holder.name],
    [
      subject.holder.kind === "enterprise" ? "统一社会信用代码" : "公民身份号码",
      maskIdentifier(subject.holder.idNumber) ?? "—",
    ],
    ...subject.details.map((d): [string, string] => [d.label, maskedDetail(d.value)]),
    ["发证机关", credential.issuer.name],
    ["发证日期", credential.validFrom.slice(0, 10)],
    ["有效期至", credential.validUntil ? credential.validUntil.slice(0, 10) : "长期"],
  ];
  let y = height - 240;
  const labelX = 80;
  const valueX = 210;
  for (const [label, value] of rows) {
    const lines = wrap(value, f, 13, width - valueX - 80);
    page.drawText(label, { x: labelX, y, size: 12, font: f, color: GREY });
    for (const [i, line] of lines.entries())
      page.drawText(line, { x: valueX, y: y - i * 18, size: 13, font: f, color: INK });
    y -= Math.max(1, lines.length) * 18 + 12;
    if (y < 260) break;
  }

  const qr = await QRCode.toBuffer(input.verifyUrl, { type: "png", errorCorrectionLevel: "M", margin: 1, width: 300 });
  const image = await doc.embedPng(qr);
  const qrSize = 120;
  page.drawImage(image, { x: width - 80 - qrSize, y: 110, width: qrSize, height: qrSize });
  page.drawText("扫码验证真伪", { x: width - 80 - qrSize + 18, y: 94, size: 11, font: f, color: GREY });

  const notes = [
    "本证照为可验证电子凭证（W3C Verifiable Credential 2.0），",
    "由签发节点以 Ed25519 密钥签名（eddsa-jcs-2022），",
    "凭证原文作为附件 credential.json 嵌入本文件。",
    input.receipt ? `签发记录：账本第 ${input.receipt.index} 条。` : "签发记录已写入账本。",
    "扫描二维码或访问验证页面，可核验签名、签发机关、账本记录及是否已注销。",
  ];
  const noteLines = notes.flatMap((note) => wrap(note, f, 9.5, width - 80 - qrSize - 100));
  for (const [i, line] of noteLines.entries())
    page.drawText(line, { x: 80, y: 226 - i * 15, size: 9.5, font: f, color: GREY });

  await doc.attach(new TextEncoder().encode(input.credentialText), CREDENTIAL_ATTACHMENT, {
    mimeType: "application/vc+json",
    description: "The e-certificate as a W3C Verifiable Credential",
    creationDate: input.renderedAt,
    modificationDate: input.renderedAt,
  });
  if (input.receipt)
    await doc.attach(new TextEncoder().encode(JSON.stringify(input.receipt)), RECEIPT_ATTACHMENT, {
      mimeType: "application/json",
      description: "The issuance's ledger entry with its inclusion proof and signed checkpoint",
      creationDate: input.renderedAt,
      modificationDate: input.renderedAt,
    });
  // Plain objects rather than object streams: older readers and simple tools see the structure.
  return doc.save({ useObjectStreams: false });
}

// The WeChat Pay API v3 protocol (微信支付 APIv3), as both sides speak it: the merchant (this node) and
// the gateway (WeChat Pay, or the local sandbox in ./sandbox.ts). Only node:crypto.
//
// - Requests: `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,timestamp=…,serial_no=…,signature=…`,
//   the signature SHA256withRSA by the merchant's key over "METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n".
// - Answers and notifications: headers Wechatpay-Timestamp, -Nonce, -Serial, -Signature, the signature by
//   the platform's key over "TIMESTAMP\nNONCE\nBODY\n" (the raw body bytes).
// - Notification resources: AEAD_AES_256_GCM with the 32-byte APIv3 key, ciphertext base64 with the tag.
// - Amounts in fen (分), integers; times RFC 3339 with the +08:00 offset.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";

export const AUTH_SCHEMA = "WECHATPAY2-SHA256-RSA2048";
/** Answers and notifications older or newer than this are refused (the gateway's own rule: five minutes). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export const privateKeyOf = (pem: string): KeyObject => createPrivateKey(pem);
export const publicKeyOf = (pem: string): KeyObject => createPublicKey(pem);

export const nonce = () => randomBytes(16).toString("hex").toUpperCase();

function rsaSign(message: string, key: KeyObject): string {
  return createSign("RSA-SHA256").update(message, "utf8").sign(key, "base64");
}

function rsaVerify(message: string, signature: string, key: KeyObject): boolean {
  try {
    return createVerify("RSA-SHA256").update(message, "utf8").verify(key, signature, "base64");
  } catch {
    return false;
  }
}

export const requestMessage = (method: string, url: string, timestamp: string, nonceStr: string, body: string) =>
  `${method}\n${url}\n${timestamp}\n${nonceStr}\n${body}\n`;

export const answerMessage = (timestamp: string, nonceStr: string, body: string) =>
  `${timestamp}\n${nonceStr}\n${body}\n`;

/** The Authorization header of a merchant's request. `url` is the path with its query. */
export function authorization(input: {
  mchid: string;
  serialNo: string;
  key: KeyObject;
  method: string;
  url: string;
  body: string;
  timestamp?: number;
  nonceStr?: string;
}): string {
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000));
  const nonceStr = input.nonceStr ?? nonce();
  const signature = rsaSign(requestMessage(input.method, input.url, timestamp, nonceStr, input.body), input.key);
  return `${AUTH_SCHEMA} mchid="${input.mchid}",nonce_str="${nonceStr}",signature="${signature}",timestamp="${timestamp}",serial_no="${input.serialNo}"`;
}

export interface ParsedAuthorization {
  mchid: string;
  nonceStr: string;
  signature: string;
  timestamp: string;
  serialNo: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header?.startsWith(`${AUTH_SCHEMA} `)) return undefined;
  const fields = new Map<string, string>();
  for (const match of header.slice(AUTH_SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g))
    fields.set(match[1] as string, match[2] as string);
  const mchid = fields.get("mchid");
  const nonceStr = fields.get("nonce_str");
  const signature = fields.get("signature");
  const timestamp = fields.get("timestamp");
  const serialNo = fields.get("serial_no");
  if (!mchid || !nonceStr || !signature || !timestamp || !serialNo) return undefined;
  return { mchid, nonceStr, signature, timestamp, serialNo };
}

/** The gateway's check of a request: the merchant's signature, and a timestamp within five minutes. */
export function verifyRequest(
  auth: ParsedAuthorization,
  request: { method: string; url: string; body: string },
  key: KeyObject,
  now: Date,
): boolean {
  if (Math.abs(now.getTime() / 1000 - Number(auth.timestamp)) > MAX_CLOCK_SKEW_SECONDS) return false;
  return rsaVerify(
    requestMessage(request.method, request.url, auth.timestamp, auth.nonceStr, request.body),
    auth.signature,
    key,
  );
}

export interface SignedHeaders {
  "wechatpay-timestamp": string;
  "wechatpay-nonce": string;
  "wechatpay-serial": string;
  "wechatpay-signature": string;
}

/** The gateway signs an answer or a notification body. */
export function signAnswer(body: string, key: KeyObject, serial: string, now: Date): SignedHeaders {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonceStr = nonce();
  return {
    "wechatpay-timestamp": timestamp,
    "wechatpay-nonce": nonceStr,
    "wechatpay-serial": serial,
    "wechatpay-signature": rsaSign(answerMessage(timestamp, nonceStr, body), key),
  };
}

export type AnswerCheck =
  | { ok: true }
  | { ok: false; reason: "unsigned" | "unknown_serial" | "stale" | "bad_signature" };

/** The merchant's check of an answer or a notification: platform key by serial, time, signature over the raw body. */
export function verifyAnswer(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  platform: { serial: string; key: KeyObject },
  now: Date,
): AnswerCheck {
  const one = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const timestamp = one("wechatpay-timestamp");
  const nonceStr = one("wechatpay-nonce");
  const serial = one("wechatpay-serial");
  const signature = one("wechatpay-signature");
  if (!timestamp || !nonceStr || !serial || !signature) return { ok: false, reason: "unsigned" };
  if (serial !== platform.serial) return { ok: false, reason: "unknown_serial" };
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS)
    return { ok: false, reason: "stale" };
  if (!rsaVerify(answerMessage(timestamp, nonceStr, body), signature, platform.key))
    return { ok: false, reason: "bad_signature" };
  return { ok: true };
}

export interface EncryptedResource {
  original_type: string;
  algorithm: "AEAD_AES_256_GCM";
  ciphertext: string;
  associated_data: string;
  nonce: string;
}

export function encryptResource(plain: unknown, apiV3Key: string, originalType: string): EncryptedResource {
  const nonceStr = randomBytes(6).toString("hex");
  const associated = originalType;
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(apiV3Key, "utf8"), Buffer.from(nonceStr, "utf8"));
  cipher.setAAD(Buffer.from(associated, "utf8"));
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(plain), "utf8"), cipher.final(), cipher.getAuthTag()]);
  return {
    original_type: originalType,
    algorithm: "AEAD_AES_256_GCM",
    ciphertext: encrypted.toString("base64"),
    associated_data: associated,
    nonce: nonceStr,
  };
}

/** Decrypts a notification's resource; undefined when it does not authenticate (forged or altered). */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): unknown {
  try {
    if (resource.algorithm !== "AEAD_AES_256_GCM") return undefined;
    const data = Buffer.from(resource.ciphertext, "base64");
    if (data.length < 17) return undefined;
    const decipher = createDecipheriv(
      "aes-256-gcm",
      Buffer.from(apiV3Key, "utf8"),
      Buffer.from(resource.nonce, "utf8"),
    );
    decipher.setAAD(Buffer.from(resource.associated_data ?? "", "utf8"));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
    return JSON.parse(plain.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** RFC 3339 in China time, as the gateway writes times: 2026-11-30T09:00:00+08:00. */
export function chinaTime(at: Date): string {
  const shifted = new Date(at.getTime() + 8 * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}

/** The China day (YYYY-MM-DD) of an instant. */
export const chinaDay = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The instant a China day starts. */
export const chinaDayStart = (day: string) => new Date(`${day}T00:00:00+08:00`);

// --- The trade bill (交易账单): CSV, every field prefixed with a backquote, amounts in yuan. ---

export interface BillLine {
  time: string;
  transactionId: string;
  outTradeNo: string;
  tradeState: "SUCCESS" | "REFUND";
  totalFen: number;
  refundId: string;
  outRefundNo: string;
  refundFen: number;
  refundStatus: string;
  description: string;
}

export const BILL_HEADER =
  "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率";

const yuan = (fen: number) => (fen / 100).toFixed(2);
const fenOf = (text: string) => Math.round(Number.parseFloat(text) * 100);

export function formatBill(lines: BillLine[], meta: { appid: string; mchid: string }): string {
  const rows = lines.map((l) =>
    [
      l.time,
      meta.appid,
      meta.mchid,
      "0",
      "",
      l.transactionId,
      l.outTradeNo,
      "sandbox-user",
      "MWEB",
      l.tradeState,
      "OTHERS",
      "CNY",
      yuan(l.tradeState === "SUCCESS" ? l.totalFen : 0),
      "0.00",
      l.refundId,
      l.outRefundNo,
      yuan(l.refundFen),
      "0.00",
      l.refundId ? "ORIGINAL" : "",
      l.refundStatus,
      l.description.replaceAll(",", "，"),
      "",
      "0.00000",
      "0.60%",
    ]
      .map((field) => `\`${field}`)
      .join(","),
  );
  const paid = lines.filter((l) => l.tradeState === "SUCCESS");
  const refunds = lines.filter((l) => l.tradeState === "REFUND");
  const summary = [
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
    [
      paid.length,
      yuan(paid.reduce((s, l) => s + l.totalFen, 0)),
      yuan(refunds.reduce((s, l) => s + l.refundFen, 0)),
      "0.00",
      "0.00000",
      yuan(paid.reduce((s, l) => s + l.totalFen, 0)),
      yuan(refunds.reduce((s, l) => s + l.refundFen, 0)),
    ]
      .map((field) => `\`${field}`)
      .join(","),
  ];
  return `${[BILL_HEADER, ...rows, ...summary].join("\r\n")}\r\n`;
}

/** Parses a trade bill; throws on a file that is not one (a wrong header, a short row). */
export function parseBill(text: string): BillLine[] {
  const rows = text.split(/\r?\n/).filter((row) => row.length > 0);
  const header = rows[0]?.split(",") ?? [];
  const at = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`the bill has no column ${name}`);
    return index;
  };
  const col = {
    time: at("交易时间"),
    transactionId: at("微信订单号"),
    outTradeNo: at("商户订单号"),
    tradeState: at("交易状态"),
    total: at("应结订单金额"),
    refundId: at("微信退款单号"),
    outRefundNo: at("商户退款单号"),
    refund: at("退款金额"),
    refundStatus: at("退款状态"),
    description: at("商品名称"),
  };
  const lines: BillLine[] = [];
  for (const row of rows.slice(1)) {
    if (row.startsWith("总交易单数")) break;
    const fields = row.split(",").map((f) => f.replace(/^`/, ""));
    if (fields.length < header.length) throw new Error(`a bill row has ${fields.length} fields, not ${header.length}`);
    const field = (i: number) => fields[i] as string;
    const state = field(col.tradeState);
    if (state !== "SUCCESS" && state !== "REFUND") continue;
    lines.push({
      time: field(col.time),
      transactionId: field(col.transactionId),
      outTradeNo: field(col.outTradeNo),
      tradeState: state,
      totalFen: fenOf(field(col.total)),
      refundId: field(col.refundId),
      outRefundNo: field(col.outRefundNo),
      refundFen: fenOf(field(col.refund)),
      refundStatus: field(col.refundStatus),
      description: field(col.description),
    });
  }
  return lines;
}

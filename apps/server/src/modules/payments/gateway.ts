// The payment-provider port and its adapter for a gateway speaking WeChat Pay API v3 over HTTP — WeChat
// Pay itself (https://api.mch.weixin.qq.com) or the local sandbox gateway (./sandbox.ts), which speaks
// the same protocol. Every answer's signature is checked before anything in it is believed.
import { createHash, type KeyObject } from "node:crypto";
import {
  authorization,
  type BillLine,
  decryptResource,
  type EncryptedResource,
  parseBill,
  privateKeyOf,
  publicKeyOf,
  verifyAnswer,
} from "./wechatpay-v3.ts";

export type TradeState = "SUCCESS" | "NOTPAY" | "CLOSED" | "REFUND" | "USERPAYING" | "PAYERROR" | "NOT_FOUND";

export interface OrderState {
  state: TradeState;
  transactionId?: string;
  amountFen?: number;
  successTime?: string;
}

export type RefundStatus = "SUCCESS" | "PROCESSING" | "ABNORMAL" | "CLOSED" | "NOT_FOUND";

export interface RefundState {
  status: RefundStatus;
  refundId?: string;
  outRefundNo?: string;
  outTradeNo?: string;
  refundFen?: number;
  successTime?: string;
}

export type GatewayNotification =
  | { ok: true; id: string; eventType: string; transaction?: OrderState & { outTradeNo: string }; refund?: RefundState }
  | { ok: false; reason: string };

export interface PaymentGateway {
  /** The name recorded on each payment (e.g. `sandbox`, `wechatpay`). */
  readonly name: string;
  /** Places an order for the phone browser (H5); answers where to send the payer. */
  createOrder(order: {
    outTradeNo: string;
    description: string;
    amountFen: number;
    notifyUrl: string;
    returnUrl: string;
    expiresAt: Date;
    payerIp?: string;
  }): Promise<{ payUrl: string }>;
  queryOrder(outTradeNo: string): Promise<OrderState>;
  closeOrder(outTradeNo: string): Promise<void>;
  refund(refund: {
    outTradeNo: string;
    outRefundNo: string;
    refundFen: number;
    totalFen: number;
    reason: string;
    notifyUrl: string;
  }): Promise<RefundState>;
  queryRefund(outRefundNo: string): Promise<RefundState>;
  /** The gateway's trade bill of a China day: every payment and refund it settled. */
  tradeBill(day: string): Promise<BillLine[]>;
  /** Checks and opens an asynchronous notification from its headers and raw body. */
  openNotification(headers: Record<string, string | string[] | undefined>, body: string): GatewayNotification;
}

/** A refusal the gateway answered (4xx with its code): definite, unlike a network failure. */
export class GatewayRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The gateway could not be reached, or answered something that did not verify: the outcome is unknown. */
export class GatewayUnavailable extends Error {}

export interface WechatPayOptions {
  name?: string;
  baseUrl: string;
  mchid: string;
  appid: string;
  /** The merchant's API certificate serial number and its private key (PEM). */
  merchantSerial: string;
  merchantPrivateKeyPem: string;
  /** The platform's public key (WeChat Pay 公钥, PEM) and its id (serial). */
  platformSerial: string;
  platformPublicKeyPem: string;
  /** The 32-character APIv3 key that encrypts notification resources. */
  apiV3Key: string;
  now?: () => Date;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

interface RawTransaction {
  out_trade_no: string;
  transaction_id?: string;
  trade_state: TradeState;
  success_time?: string;
  amount?: { total: number; payer_total?: number };
}

interface RawRefund {
  refund_id?: string;
  out_refund_no?: string;
  out_trade_no?: string;
  status?: RefundStatus;
  refund_status?: RefundStatus;
  success_time?: string;
  amount?: { refund: number; total?: number };
}

const orderOf = (t: RawTransaction): OrderState & { outTradeNo: string } => ({
  outTradeNo: t.out_trade_no,
  state: t.trade_state,
  ...(t.transaction_id ? { transactionId: t.transaction_id } : {}),
  ...(t.amount ? { amountFen: t.amount.total } : {}),
  ...(t.success_time ? { successTime: t.success_time } : {}),
});

const refundOf = (r: RawRefund): RefundState => ({
  status: (r.status ?? r.refund_status ?? "PROCESSING") as RefundStatus,
  ...(r.refund_id ? { refundId: r.refund_id } : {}),
  ...(r.out_refund_no ? { outRefundNo: r.out_refund_no } : {}),
  ...(r.out_trade_no ? { outTradeNo: r.out_trade_no } : {}),
  ...(r.amount ? { refundFen: r.amount.refund } : {}),
  ...(r.success_time ? { successTime: r.success_time } : {}),
});

/** The adapter for a gateway speaking WeChat Pay API v3. */
export function wechatPayGateway(options: WechatPayOptions): PaymentGateway {
  const merchantKey: KeyObject = privateKeyOf(options.merchantPrivateKeyPem);
  const platform = { serial: options.platformSerial, key: publicKeyOf(options.platformPublicKeyPem) };
  const now = options.now ?? (() => new Date());
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/$/, "");

  async function call<T>(
    method: "GET" | "POST",
    path: string,
    payload?: unknown,
  ): Promise<{ status: number; body: T }> {
    const body = payload === undefined ? "" : JSON.stringify(payload);
    const auth = authorization({
      mchid: options.mchid,
      serialNo: options.merchantSerial,
      key: merchantKey,
      method,
      url: path,
      body,
      timestamp: Math.floor(now().getTime() / 1000),
    });
    let response: Response;
    let text: string;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: auth,
          accept: "application/json",
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
          "user-agent": "tongban-payments/1",
        },
        ...(payload === undefined ? {} : { body }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      text = await response.text();
    } catch (error) {
      throw new GatewayUnavailable(`the payment gateway cannot be reached: ${(error as Error).message}`);
    }
    const headers = Object.fromEntries(response.headers.entries());
    if (response.status >= 500) throw new GatewayUnavailable(`the gateway answered ${response.status}`);
    // An answer without a valid signature is treated as forged (the protocol's rule for 2xx; a refusal
    // is believed only when signed too, since "no such order" closes an order here).
    const check = verifyAnswer(headers, text, platform, now());
    if (!check.ok) throw new GatewayUnavailable(`the gateway's answer did not verify (${check.reason})`);
    if (response.status < 300) return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
    let error: { code?: string; message?: string } = {};
    try {
      error = JSON.parse(text);
    } catch {
      // not JSON
    }
    throw new GatewayRefusal(response.status, error.code ?? "UNKNOWN", error.message ?? text.slice(0, 200));
  }

  return {
    name: options.name ?? "wechatpay",

    async createOrder(order) {
      const { body } = await call<{ h5_url: string }>("POST", "/v3/pay/transactions/h5", {
        appid: options.appid,
        mchid: options.mchid,
        description: order.description.slice(0, 127),
        out_trade_no: order.outTradeNo,
        time_expire: order.expiresAt.toISOString().replace(/\.\d{3}Z$/, "+00:00"),
        notify_url: order.notifyUrl,
        amount: { total: order.amountFen, currency: "CNY" },
        scene_info: { payer_client_ip: order.payerIp ?? "127.0.0.1", h5_info: { type: "Wap" } },
      });
      const url = new URL(body.h5_url);
      url.searchParams.set("redirect_url", order.returnUrl);
      return { payUrl: url.toString() };
    },

    async queryOrder(outTradeNo) {
      try {
        const { body } = await call<RawTransaction>(
          "GET",
          `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${options.mchid}`,
        );
        return orderOf(body);
      } catch (error) {
        if (error instanceof GatewayRefusal && error.code === "ORDER_NOT_EXIST") return { state: "NOT_FOUND" };
        throw error;
      }
    },

    async closeOrder(outTradeNo) {
      await call("POST", `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, {
        mchid: options.mchid,
      });
    },

    async refund(refund) {
      const { body } = await call<RawRefund>("POST", "/v3/refund/domestic/refunds", {
        out_trade_no: refund.outTradeNo,
        out_refund_no: refund.outRefundNo,
        reason: refund.reason.slice(0, 80),
        notify_url: refund.notifyUrl,
        amount: { refund: refund.refundFen, total: refund.totalFen, currency: "CNY" },
      });
      return refundOf(body);
    },

    async queryRefund(outRefundNo) {
      try {
        const { body } = await call<RawRefund>("GET", `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);
        return refundOf(body);
      } catch (error) {
        if (error instanceof GatewayRefusal && error.code === "RESOURCE_NOT_EXISTS") return { status: "NOT_FOUND" };
        throw error;
      }
    },

    async tradeBill(day) {
      const { body } = await call<{ hash_type: string; hash_value: string; download_url: string }>(
        "GET",
        `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL`,
      );
      const url = new URL(body.download_url);
      const path = `${url.pathname}${url.search}`;
      let text: string;
      try {
        const response = await doFetch(`${base}${path}`, {
          headers: {
            authorization: authorization({
              mchid: options.mchid,
              serialNo: options.merchantSerial,
              key: merchantKey,
              method: "GET",
              url: path,
              body: "",
              timestamp: Math.floor(now().getTime() / 1000),
            }),
          },
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
        if (!response.ok) throw new Error(`status ${response.status}`);
        text = await response.text();
      } catch (error) {
        throw new GatewayUnavailable(`the bill could not be downloaded: ${(error as Error).message}`);
      }
      // The file itself is unsigned; its hash came in the signed answer.
      const hash = createHash(body.hash_type === "SHA1" ? "sha1" : "sha256")
        .update(text, "utf8")
        .digest("hex");
      if (hash !== body.hash_value.toLowerCase()) throw new GatewayUnavailable("the bill's hash does not match");
      return parseBill(text);
    },

    openNotification(headers, body) {
      const check = verifyAnswer(headers, body, platform, now());
      if (!check.ok) return { ok: false, reason: check.reason };
      let envelope: { id?: string; event_type?: string; resource?: EncryptedResource };
      try {
        envelope = JSON.parse(body);
      } catch {
        return { ok: false, reason: "not_json" };
      }
      if (!envelope.id || !envelope.event_type || !envelope.resource) return { ok: false, reason: "malformed" };
      const plain = decryptResource(envelope.resource, options.apiV3Key);
      if (!plain || typeof plain !== "object") return { ok: false, reason: "undecryptable" };
      if (envelope.event_type.startsWith("TRANSACTION."))
        return {
          ok: true,
          id: envelope.id,
          eventType: envelope.event_type,
          transaction: orderOf(plain as RawTransaction),
        };
      if (envelope.event_type.startsWith("REFUND."))
        return { ok: true, id: envelope.id, eventType: envelope.event_type, refund: refundOf(plain as RawRefund) };
      return { ok: true, id: envelope.id, eventType: envelope.event_type };
    },
  };
}

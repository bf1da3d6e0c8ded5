// The local sandbox payment gateway: speaks WeChat Pay API v3 exactly as ./gateway.ts expects — signed
// requests checked, answers and notifications signed with its platform key, notification resources
// encrypted with the APIv3 key — and behaves as a real gateway does on the wire: notifications arrive
// late (a delay), more than once (duplicates), are retried while the merchant does not answer 2xx, and
// can be dropped altogether (so the merchant must settle by order query). It has a cashier page for the
// payer, order query and close, refunds (answered PROCESSING, settled later with a notification), and
// the daily trade bill. State is in memory, optionally kept in a JSON file.
import { createHash, type KeyObject, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type BillLine,
  chinaDay,
  chinaTime,
  encryptResource,
  formatBill,
  parseAuthorization,
  privateKeyOf,
  publicKeyOf,
  signAnswer,
  verifyRequest,
} from "./wechatpay-v3.ts";

export interface SandboxOptions {
  mchid: string;
  appid: string;
  merchantSerial: string;
  merchantPublicKeyPem: string;
  platformSerial: string;
  platformPrivateKeyPem: string;
  apiV3Key: string;
  /** How long before a notification is sent (ms). */
  notifyDelayMs?: number;
  /** How many times each notification is sent (2: every one is duplicated). */
  duplicates?: number;
  /** Never send notifications (the merchant must query the order). */
  dropNotifications?: boolean;
  /** How long a refund stays PROCESSING (ms). */
  refundDelayMs?: number;
  /** Waits between attempts while the merchant answers other than 2xx. */
  retryDelaysMs?: number[];
  now?: () => Date;
  /** Sends a notification; answers the HTTP status. fetch by default. */
  deliver?: (url: string, headers: Record<string, string>, body: string) => Promise<number>;
  stateFile?: string;
  log?: (message: string) => void;
}

interface Order {
  prepayId: string;
  outTradeNo: string;
  transactionId: string;
  description: string;
  totalFen: number;
  notifyUrl: string;
  state: "NOTPAY" | "SUCCESS" | "CLOSED" | "REFUND";
  createdAt: string;
  expiresAt: string;
  successTime?: string;
  refundedFen: number;
}

interface Refund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  refundFen: number;
  totalFen: number;
  reason: string;
  notifyUrl: string;
  status: "PROCESSING" | "SUCCESS";
  createdAt: string;
  successTime?: string;
}

interface State {
  orders: Record<string, Order>;
  refunds: Record<string, Refund>;
  sequence: number;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

const yuan = (fen: number) => (fen / 100).toFixed(2);

export function createSandboxGateway(options: SandboxOptions) {
  const now = options.now ?? (() => new Date());
  const merchantKey: KeyObject = publicKeyOf(options.merchantPublicKeyPem);
  const platformKey: KeyObject = privateKeyOf(options.platformPrivateKeyPem);
  const log = options.log ?? (() => {});
  const retryDelays = options.retryDelaysMs ?? [2_000, 5_000, 15_000, 30_000, 60_000, 180_000];
  const deliver =
    options.deliver ??
    (async (url: string, headers: Record<string, string>, body: string) => {
      const response = await fetch(url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      return response.status;
    });
  let state: State = { orders: {}, refunds: {}, sequence: 0 };
  if (options.stateFile && existsSync(options.stateFile))
    state = JSON.parse(readFileSync(options.stateFile, "utf8")) as State;
  const save = () => {
    if (options.stateFile) writeFileSync(options.stateFile, JSON.stringify(state));
  };
  let publicBase = "http://127.0.0.1";
  const pending = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  /** Runs `task` after `ms`; `idle()` waits for it unless it is untracked (a refund's own settling). */
  const later = (ms: number, task: () => Promise<void> | void, tracked = true) => {
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(async () => {
        timers.delete(timer);
        try {
          if (!closed) await task();
        } catch (error) {
          log(`sandbox task failed: ${(error as Error).message}`);
        } finally {
          resolve();
        }
      }, ms);
      timers.add(timer);
    });
    if (!tracked) return;
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  const nextId = (prefix: string) => {
    state.sequence += 1;
    const day = chinaDay(now()).replaceAll("-", "");
    return `${prefix}${day}${String(state.sequence).padStart(10, "0")}`;
  };

  const transactionOf = (order: Order) => ({
    appid: options.appid,
    mchid: options.mchid,
    out_trade_no: order.outTradeNo,
    transaction_id: order.state === "NOTPAY" || order.state === "CLOSED" ? undefined : order.transactionId,
    trade_type: "MWEB",
    trade_state: order.state,
    trade_state_desc: { NOTPAY: "未支付", SUCCESS: "支付成功", CLOSED: "已关闭", REFUND: "转入退款" }[order.state],
    bank_type: "OTHERS",
    success_time: order.successTime,
    payer: { openid: "sandbox-payer" },
    amount: { total: order.totalFen, payer_total: order.totalFen, currency: "CNY", payer_currency: "CNY" },
  });

  const refundOf = (refund: Refund) => ({
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: "ORIGINAL",
    user_received_account: "支付用户零钱",
    success_time: refund.successTime,
    create_time: refund.createdAt,
    status: refund.status,
    refund_status: refund.status,
    amount: {
      total: refund.totalFen,
      refund: refund.refundFen,
      payer_total: refund.totalFen,
      payer_refund: refund.refundFen,
      currency: "CNY",
    },
  });

  /** Sends one notification `duplicates` times, each retried on the schedule until answered 2xx. */
  function notify(url: string, eventType: string, originalType: string, resource: object, summary: string) {
    if (options.dropNotifications) {
      log(`notification ${eventType} dropped (sandbox setting)`);
      return;
    }
    const id = randomUUID();
    const envelope = {
      id,
      create_time: chinaTime(now()),
      resource_type: "encrypt-resource",
      event_type: eventType,
      summary,
      resource: encryptResource(resource, options.apiV3Key, originalType),
    };
    const body = JSON.stringify(envelope);
    const attempt = (tries: number) => async () => {
      const headers = { ...signAnswer(body, platformKey, options.platformSerial, now()) };
      let status = 0;
      try {
        status = await deliver(url, headers as unknown as Record<string, string>, body);
      } catch (error) {
        log(`notification ${id} to ${url} failed: ${(error as Error).message}`);
      }
      if (status >= 200 && status < 300) return;
      const wait = retryDelays[tries];
      if (wait !== undefined) later(wait, attempt(tries + 1));
    };
    const copies = Math.max(1, options.duplicates ?? 2);
    for (let copy = 0; copy < copies; copy += 1) later((options.notifyDelayMs ?? 1_500) + copy * 300, attempt(0));
  }

  function pay(outTradeNo: string): Order | undefined {
    const order = state.orders[outTradeNo];
    if (order?.state !== "NOTPAY") return order;
    if (new Date(order.expiresAt).getTime() < now().getTime()) {
      order.state = "CLOSED";
      save();
      return order;
    }
    order.state = "SUCCESS";
    order.successTime = chinaTime(now());
    save();
    notify(order.notifyUrl, "TRANSACTION.SUCCESS", "transaction", transactionOf(order), "支付成功");
    return order;
  }

  function settleRefund(refund: Refund) {
    if (refund.status !== "PROCESSING") return;
    refund.status = "SUCCESS";
    refund.successTime = chinaTime(now());
    save();
    notify(refund.notifyUrl, "REFUND.SUCCESS", "refund", refundOf(refund), "退款成功");
  }

  // --- HTTP ---

  const send = (res: ServerResponse, status: number, payload?: unknown) => {
    const body = payload === undefined ? "" : JSON.stringify(payload);
    const headers: Record<string, string> = { ...signAnswer(body, platformKey, options.platformSerial, now()) };
    if (body) headers["content-type"] = "application/json";
    res.writeHead(status, headers);
    res.end(body);
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { code, message });

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > 65_536) reject(new Error("too large"));
        else chunks.push(chunk);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    const body = await readBody(req);

    // The payer's side: the cashier page (no merchant signature; the prepay id is the secret).
    const cashier = /^\/pay\/([\w-]+)(\/confirm)?$/.exec(path);
    if (cashier) return cashierPage(req, res, cashier[1] as string, Boolean(cashier[2]), url, body);
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }

    const auth = parseAuthorization(req.headers.authorization);
    if (!auth || auth.mchid !== options.mchid || auth.serialNo !== options.merchantSerial)
      return fail(res, 401, "SIGN_ERROR", "缺少或无法识别的 Authorization 签名信息");
    if (!verifyRequest(auth, { method: req.method ?? "GET", url: `${path}${url.search}`, body }, merchantKey, now()))
      return fail(res, 401, "SIGN_ERROR", "签名错误");

    let json: Record<string, unknown> = {};
    if (body) {
      try {
        json = JSON.parse(body);
      } catch {
        return fail(res, 400, "PARAM_ERROR", "请求体不是 JSON");
      }
    }

    if (req.method === "POST" && path === "/v3/pay/transactions/h5") return createOrder(res, json);
    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(path);
    if (query) {
      const order = state.orders[decodeURIComponent(query[1] as string)];
      if (!order) return fail(res, 404, "ORDER_NOT_EXIST", "订单不存在");
      if (query[2] && req.method === "POST") {
        if (order.state === "SUCCESS" || order.state === "REFUND") return fail(res, 400, "ORDERPAID", "订单已支付");
        order.state = "CLOSED";
        save();
        return send(res, 204);
      }
      if (req.method === "GET") {
        if (order.state === "NOTPAY" && new Date(order.expiresAt).getTime() < now().getTime()) {
          order.state = "CLOSED";
          save();
        }
        return send(res, 200, transactionOf(order));
      }
    }
    if (req.method === "POST" && path === "/v3/refund/domestic/refunds") return createRefund(res, json);
    const refundQuery = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
    if (refundQuery && req.method === "GET") {
      const refund = state.refunds[decodeURIComponent(refundQuery[1] as string)];
      if (!refund) return fail(res, 404, "RESOURCE_NOT_EXISTS", "退款单不存在");
      return send(res, 200, refundOf(refund));
    }
    if (req.method === "GET" && path === "/v3/bill/tradebill") {
      const day = url.searchParams.get("bill_date") ?? "";
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return fail(res, 400, "PARAM_ERROR", "bill_date 格式应为 yyyy-MM-DD");
      const text = billOf(day);
      return send(res, 200, {
        hash_type: "SHA1",
        hash_value: createHash("sha1").update(text, "utf8").digest("hex"),
        download_url: `${publicBase}/v3/billdownload/file?bill_date=${day}`,
      });
    }
    if (req.method === "GET" && path === "/v3/billdownload/file") {
      const text = billOf(url.searchParams.get("bill_date") ?? "");
      res.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
      res.end(text);
      return;
    }
    return fail(res, 404, "NOT_FOUND", "无此接口");
  }

  function createOrder(res: ServerResponse, json: Record<string, unknown>) {
    const amount = json.amount as { total?: unknown; currency?: unknown } | undefined;
    const outTradeNo = json.out_trade_no;
    if (json.mchid !== options.mchid || json.appid !== options.appid)
      return fail(res, 400, "PARAM_ERROR", "mchid 或 appid 与商户号不匹配");
    if (typeof outTradeNo !== "string" || !/^[\w*|-]{6,32}$/.test(outTradeNo))
      return fail(res, 400, "PARAM_ERROR", "out_trade_no 应为 6 至 32 位字母、数字或 _-|*");
    if (!amount || !Number.isInteger(amount.total) || (amount.total as number) <= 0)
      return fail(res, 400, "PARAM_ERROR", "amount.total 应为正整数（分）");
    if (typeof json.notify_url !== "string" || !/^https?:\/\//.test(json.notify_url))
      return fail(res, 400, "PARAM_ERROR", "notify_url 应为 http(s) 地址");
    if (typeof json.description !== "string" || json.description.length === 0)
      return fail(res, 400, "PARAM_ERROR", "description 不能为空");
    const existing = state.orders[outTradeNo];
    if (existing) {
      if (existing.state === "SUCCESS" || existing.state === "REFUND") return fail(res, 400, "ORDERPAID", "订单已支付");
      if (existing.totalFen !== amount.total) return fail(res, 400, "INVALID_REQUEST", "商户订单号重复，且参数不一致");
      return send(res, 200, { h5_url: `${publicBase}/pay/${existing.prepayId}?prepay_id=${existing.prepayId}` });
    }
    const expires = typeof json.time_expire === "string" ? new Date(json.time_expire) : undefined;
    const order: Order = {
      prepayId: `wx${randomUUID().replaceAll("-", "")}`,
      outTradeNo,
      transactionId: nextId("4200"),
      description: json.description,
      totalFen: amount.total as number,
      notifyUrl: json.notify_url,
      state: "NOTPAY",
      createdAt: chinaTime(now()),
      expiresAt: (expires && !Number.isNaN(expires.getTime())
        ? expires
        : new Date(now().getTime() + 2 * 3_600_000)
      ).toISOString(),
      refundedFen: 0,
    };
    state.orders[outTradeNo] = order;
    save();
    return send(res, 200, { h5_url: `${publicBase}/pay/${order.prepayId}?prepay_id=${order.prepayId}` });
  }

  function createRefund(res: ServerResponse, json: Record<string, unknown>) {
    const amount = json.amount as { refund?: unknown; total?: unknown } | undefined;
    const outRefundNo = json.out_refund_no;
    const order = typeof json.out_trade_no === "string" ? state.orders[json.out_trade_no] : undefined;
    if (typeof outRefundNo !== "string" || !/^[\w*|@-]{1,64}$/.test(outRefundNo))
      return fail(res, 400, "PARAM_ERROR", "out_refund_no 格式错误");
    const existing = state.refunds[outRefundNo];
    if (existing) return send(res, 200, refundOf(existing));
    if (!order) return fail(res, 404, "RESOURCE_NOT_EXISTS", "订单不存在");
    if (order.state !== "SUCCESS" && order.state !== "REFUND") return fail(res, 400, "INVALID_REQUEST", "订单未支付");
    if (
      !amount ||
      !Number.isInteger(amount.refund) ||
      (amount.refund as number) <= 0 ||
      amount.total !== order.totalFen
    )
      return fail(res, 400, "PARAM_ERROR", "amount.refund 应为正整数，amount.total 应为原订单金额");
    if (order.refundedFen + (amount.refund as number) > order.totalFen)
      return fail(res, 400, "INVALID_REQUEST", "申请退款金额超过订单可退金额");
    const refund: Refund = {
      refundId: nextId("5030"),
      outRefundNo,
      outTradeNo: order.outTradeNo,
      transactionId: order.transactionId,
      refundFen: amount.refund as number,
      totalFen: order.totalFen,
      reason: typeof json.reason === "string" ? json.reason : "",
      notifyUrl: typeof json.notify_url === "string" ? json.notify_url : order.notifyUrl,
      status: "PROCESSING",
      createdAt: chinaTime(now()),
    };
    order.refundedFen += refund.refundFen;
    order.state = "REFUND";
    state.refunds[outRefundNo] = refund;
    save();
    later(options.refundDelayMs ?? 1_000, () => settleRefund(refund), false);
    return send(res, 200, refundOf(refund));
  }

  function billOf(day: string): string {
    const lines: BillLine[] = [];
    const dayOf = (time: string | undefined) => (time ? chinaDay(new Date(time)) : undefined);
    for (const order of Object.values(state.orders)) {
      if ((order.state === "SUCCESS" || order.state === "REFUND") && dayOf(order.successTime) === day)
        lines.push({
          time: (order.successTime as string).slice(0, 19).replace("T", " "),
          transactionId: order.transactionId,
          outTradeNo: order.outTradeNo,
          tradeState: "SUCCESS",
          totalFen: order.totalFen,
          refundId: "",
          outRefundNo: "",
          refundFen: 0,
          refundStatus: "",
          description: order.description,
        });
    }
    for (const refund of Object.values(state.refunds)) {
      if (refund.status === "SUCCESS" && dayOf(refund.successTime) === day)
        lines.push({
          time: (refund.successTime as string).slice(0, 19).replace("T", " "),
          transactionId: refund.transactionId,
          outTradeNo: refund.outTradeNo,
          tradeState: "REFUND",
          totalFen: refund.totalFen,
          refundId: refund.refundId,
          outRefundNo: refund.outRefundNo,
          refundFen: refund.refundFen,
          refundStatus: "SUCCESS",
          description: state.orders[refund.outTradeNo]?.description ?? "",
        });
    }
    lines.sort((a, b) => a.time.localeCompare(b.time));
    return formatBill(lines, { appid: options.appid, mchid: options.mchid });
  }

  function cashierPage(
    req: IncomingMessage,
    res: ServerResponse,
    prepayId: string,
    confirm: boolean,
    url: URL,
    body: string,
  ) {
    const order = Object.values(state.orders).find((o) => o.prepayId === prepayId);
    const html = (status: number, title: string, content: string) => {
      res.writeHead(status, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action *",
      });
      res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f5f5f5;color:#1f1f1f}main{max-width:420px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:8px;padding:20px;margin-bottom:16px}.amount{font-size:2rem;font-weight:600;margin:8px 0}
.note{color:#595959;font-size:.875rem}button,a.button{display:block;width:100%;box-sizing:border-box;padding:12px;font-size:1rem;border-radius:6px;border:1px solid #08722f;text-align:center;text-decoration:none;margin-top:12px;cursor:pointer}
button{background:#08722f;color:#fff}a.button{background:#fff;color:#08722f}button:focus,a:focus{outline:3px solid #0958d9;outline-offset:2px}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>${content}</main></body></html>`);
    };
    if (!order) return html(404, "订单不存在", '<p class="card">此支付链接无效或已过期。</p>');
    const returnTo = new URLSearchParams(body).get("redirect_url") ?? url.searchParams.get("redirect_url") ?? "";
    const safeReturn = /^https?:\/\//.test(returnTo) ? returnTo : "";
    if (confirm && req.method === "POST") {
      pay(order.outTradeNo);
      if (safeReturn) {
        res.writeHead(303, { location: safeReturn });
        res.end();
        return;
      }
    }
    const paid = order.state === "SUCCESS" || order.state === "REFUND";
    const back = safeReturn ? `<a class="button" href="${escapeHtml(safeReturn)}">返回商户页面</a>` : "";
    const content = `<div class="card"><p class="note">收款方：通办政务服务缴费（沙箱商户 ${escapeHtml(options.mchid)}）</p>
<p>${escapeHtml(order.description)}</p><p class="amount">¥${yuan(order.totalFen)}</p>
<p class="note">商户订单号 ${escapeHtml(order.outTradeNo)}</p></div>
${
  paid
    ? `<p class="card" role="status">已支付（${escapeHtml(order.successTime ?? "")}）。</p>${back}`
    : order.state === "CLOSED"
      ? `<p class="card" role="status">订单已关闭，不能支付。</p>${back}`
      : `<form method="post" action="/pay/${escapeHtml(order.prepayId)}/confirm"><input type="hidden" name="redirect_url" value="${escapeHtml(safeReturn)}"><button type="submit">确认支付 ¥${yuan(order.totalFen)}</button></form>${back.replace("返回商户页面", "取消并返回")}`
}
<p class="note">这是本地沙箱支付网关：不会发生真实扣款。支付结果会延迟、并重复地通知商户。</p>`;
    return html(200, "沙箱收银台", content);
  }

  let server: Server | undefined;
  return {
    handle,
    /** Pays an order as its payer would (tests; the cashier page does the same). */
    pay,
    /** Settles every refund still processing now, instead of after the delay. */
    settleRefunds() {
      for (const refund of Object.values(state.refunds)) settleRefund(refund);
    },
    order: (outTradeNo: string) => state.orders[outTradeNo],
    /** Waits until every scheduled notification and refund settlement has run. */
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    setBase(url: string) {
      publicBase = url.replace(/\/$/, "");
    },
    async listen(port: number, host = "127.0.0.1"): Promise<string> {
      server = createServer((req, res) => {
        handle(req, res).catch((error) => {
          log(`sandbox error: ${(error as Error).message}`);
          if (!res.headersSent) fail(res, 500, "SYSTEM_ERROR", "系统错误");
        });
      });
      await new Promise<void>((resolve, reject) => {
        server?.once("error", reject);
        server?.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      publicBase = `http://${host}:${address.port}`;
      return publicBase;
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
export type SandboxGateway = ReturnType<typeof createSandboxGateway>;

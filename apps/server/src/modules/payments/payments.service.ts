// Fees (缴费), online payments, refunds (退费), e-invoices (交易即开票) with red-letter invoices (红字),
// public invoice verification, reimbursement once only (一票一报), and the daily reconciliation.
//
// A fee is assessed from the service item's fee lines when the case is accepted; the applicant pays
// through the payment gateway (port `PaymentGateway`); the case can be approved only once it is paid.
// A payment settles — by the gateway's signed notification, or by order query when none came — in one
// transaction with its blue e-invoice and their ledger entries. A refund reserves its amount under the
// payment's row lock before the gateway is asked, so refunds together never exceed what was paid; it
// settles with its red-letter invoice.
import { createHash, randomInt } from "node:crypto";
import type {
  CaseFee,
  CreateRefundRequest,
  FeeLine,
  FeeLineChoice,
  Invoice,
  InvoiceCheck,
  InvoiceVerification,
  Payment,
  ReconciliationDifferenceKind,
  ReconciliationItem,
  ReconciliationListItem,
  ReconciliationReport,
  ReconciliationSummary,
  Reimbursement,
  ServiceItem,
  VerifyInvoiceRequest,
} from "@tongban/contracts";
import {
  addProof,
  canonicalize,
  certificateSigningKey,
  ed25519FromVerificationMethod,
  type IssuerTrust,
  verifyProof,
} from "@tongban/credentials";
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
import type { Db } from "../../db/database.ts";
import { AppError, fieldError } from "../../http/errors.ts";
import { canonicalJson } from "../../lib/canonical-json.ts";
import { type Actor, authorize, decide } from "../../policy/policy.ts";
import type { Clock, Ids, KeyStore } from "../../ports/index.ts";
import type { OutgoingMessage } from "../../ports/messaging.ts";
import { issuerSignerKey } from "../certificates/certificates.service.ts";
import { maskValue } from "../exchange/masking.ts";
import type { LedgerService } from "../ledger/ledger.service.ts";
import { recordChange } from "../ledger/outbox.ts";
import type { NotificationsService } from "../notifications/notifications.service.ts";
import { recordSecurityEvent } from "../security/security-events.ts";
import {
  GatewayRefusal,
  GatewayUnavailable,
  type OrderState,
  type PaymentGateway,
  type RefundState,
} from "./gateway.ts";
import {
  type CaseFacts,
  type InvoiceRow,
  type PaymentRow,
  type RefundRow,
  paymentsRepository as repo,
} from "./payments.repository.ts";
import { chinaDay, chinaDayStart } from "./wechatpay-v3.ts";

/** A case may be paid for between acceptance and the decision (docs/payments.md). */
const PAYABLE_STATUSES = ["under_review", "awaiting_supplement", "suspended"];
/** How long a payment order stays open at the gateway. */
const ORDER_TTL_MS = 30 * 60_000;
export const INVOICE_TYPE = "TongbanInvoice";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
/** A `date` column: a YYYY-MM-DD string, or a Date at UTC midnight from a driver that parses it. */
const dayText = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value));
const ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const randomCode = (length: number) => Array.from({ length }, () => ALNUM[randomInt(ALNUM.length)]).join("");

/** The ledger facts of an invoice: a verifier recomputes them from the document it holds. */
export function invoiceFacts(document: Record<string, unknown>) {
  return {
    kind: document.kind,
    totalFen: document.totalFen,
    document: sha256Hex(canonicalize(document)),
  };
}

export interface AcceptedCase {
  applicationId: string;
  item: ServiceItem;
  actorId: string;
  at: Date;
  choices?: FeeLineChoice[];
}

export function createPaymentsService(deps: {
  db: Db;
  clock: Clock;
  ids: Ids;
  keys: KeyStore;
  ledger: Pick<LedgerService, "entryWithProof" | "verifierKey" | "origin">;
  notifications: Pick<NotificationsService, "record" | "dispatch">;
  /** The payment gateway; without one, fees are assessed but cannot be paid online. */
  gateway?: PaymentGateway;
  /** Where people reach this node (return links, verification links). */
  publicUrl: string;
  /** Where the gateway sends its notifications (default: the node's own callback route). */
  notifyUrl?: string;
  /** Send the payer back to the origin of their request rather than to `publicUrl` (not configured). */
  returnToRequestOrigin?: boolean;
  /** Issuers trusted to sign invoices (this node's key, and the federation's members). */
  trust: () => IssuerTrust;
}) {
  const { db, clock, ids } = deps;
  const base = deps.publicUrl.replace(/\/?$/, "/");
  const notifyUrl = deps.notifyUrl ?? `${base}api/v1/payments/notify`;
  const key = certificateSigningKey(issuerSignerKey(deps.keys, deps.ledger.origin));

  function gateway(): PaymentGateway {
    if (!deps.gateway) throw new AppError("PAYMENTS_DISABLED");
    return deps.gateway;
  }

  async function askGateway<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof GatewayRefusal)
        throw new AppError("PAYMENT_GATEWAY_REFUSED", { code: error.code, message: error.message });
      if (error instanceof GatewayUnavailable)
        throw new AppError("PAYMENT_GATEWAY_UNAVAILABLE", { reason: error.message });
      throw error;
    }
  }

  const caseResource = (facts: CaseFacts) => ({
    ownerId: facts.applicant_id,
    departmentId: facts.department_id,
    regionCode: facts.region_code,
    classification: facts.classification as "public",
  });

  /** The case, if the actor may read it (its applicant, or staff who may); otherwise "not found". */
  async function readableCase(actor: Actor, applicationId: string): Promise<CaseFacts> {
    const facts = UUID.test(applicationId) ? await repo.caseFacts(db, applicationId) : undefined;
    const allowed =
      facts &&
      (actor.kind === "staff"
        ? decide(actor, "case.read", caseResource(facts)).allowed
        : facts.applicant_id === actor.accountId);
    if (!facts || !allowed) throw new AppError("APPLICATION_NOT_FOUND", { id: applicationId });
    return facts;
  }

  async function paymentViews(rows: PaymentRow[], actor: Actor | null): Promise<Payment[]> {
    const ids = rows.map((r) => r.id);
    const [refunds, invoices] = await Promise.all([repo.refundsOf(db, ids), repo.invoicesOfPayments(db, ids)]);
    const facts = new Map<string, CaseFacts | undefined>();
    for (const row of rows)
      if (!facts.has(row.application_id)) facts.set(row.application_id, await repo.caseFacts(db, row.application_id));
    return rows.map((row) => {
      const f = facts.get(row.application_id);
      return {
        id: row.id,
        number: row.number,
        applicationId: row.application_id,
        applicationNumber: f?.number ?? "",
        serviceName: f?.service_name ?? "",
        description: row.description,
        departmentName: f?.department_name ?? "",
        amountFen: row.amount_fen,
        refundedFen: row.refunded_fen,
        refundableFen: row.status === "paid" ? row.amount_fen - row.reserved_fen : 0,
        status: row.status,
        gateway: row.gateway,
        gatewayTransactionId: row.gateway_txn_id,
        payUrl: row.status === "pending" && actor?.accountId === row.payer_id ? row.pay_url : null,
        createdAt: row.created_at.toISOString(),
        expiresAt: row.expires_at.toISOString(),
        paidAt: iso(row.paid_at),
        refunds: refunds
          .filter((r) => r.payment_id === row.id)
          .map((r) => ({
            id: r.id,
            number: r.number,
            amountFen: r.amount_fen,
            reason: r.reason,
            status: r.status,
            failure: r.failure,
            requestedAt: r.requested_at.toISOString(),
            settledAt: iso(r.settled_at),
            redInvoiceId: invoices.find((i) => i.refund_id === r.id)?.id ?? null,
          })),
        invoices: invoices
          .filter((i) => i.payment_id === row.id)
          .map((i) => ({
            id: i.id,
            number: i.number,
            kind: i.kind,
            amountFen: i.amount_fen,
            issuedAt: i.issued_at.toISOString(),
          })),
      };
    });
  }

  async function paymentView(id: string, actor: Actor | null): Promise<Payment> {
    const row = await repo.payment(db, id);
    if (!row) throw new AppError("PAYMENT_NOT_FOUND", { id });
    return (await paymentViews([row], actor))[0] as Payment;
  }

  /** The payment, if the actor may read it: its payer, or staff who may read its case. */
  async function readablePayment(actor: Actor, id: string): Promise<PaymentRow> {
    const row = UUID.test(id) ? await repo.payment(db, id) : undefined;
    if (!row) throw new AppError("PAYMENT_NOT_FOUND", { id });
    if (row.payer_id === actor.accountId && actor.kind !== "staff") return row;
    const facts = await repo.caseFacts(db, row.application_id);
    if (actor.kind === "staff" && facts && decide(actor, "case.read", caseResource(facts)).allowed) return row;
    throw new AppError("PAYMENT_NOT_FOUND", { id });
  }

  // --- Invoices ---

  async function issueInvoice(
    trx: Db,
    input: { kind: "blue" | "red"; payment: PaymentRow; refund?: RefundRow; lines: FeeLine[]; at: Date },
  ): Promise<string> {
    const { payment, at } = input;
    const id = ids.uuid();
    const sequence = await repo.nextInvoiceNumber(trx);
    const number = `${payment.region_code}-${chinaDay(at).slice(0, 4)}-${String(sequence).padStart(8, "0")}`;
    const checkCode = randomCode(6);
    const payer = await repo.account(trx, payment.payer_id);
    const department = await repo.departmentName(trx, payment.department_id);
    const facts = await repo.caseFacts(trx, payment.application_id);
    const original = input.kind === "red" ? await repo.blueInvoiceOf(trx, payment.id) : undefined;
    if (input.kind === "red" && !original) throw new Error(`payment ${payment.id} has no invoice to reverse`);
    const totalFen = input.lines.reduce((sum, line) => sum + line.amountFen, 0);
    const unsigned = {
      type: INVOICE_TYPE,
      id: `urn:uuid:${id}`,
      kind: input.kind,
      title: input.kind === "blue" ? "电子缴费票据" : "电子缴费票据（红字）",
      number,
      checkCode,
      issuedAt: at.toISOString(),
      issuer: { id: key.did, name: department?.name ?? "", regionCode: payment.region_code },
      payer: {
        name: payer?.name ?? "",
        identifier: (payer?.kind === "enterprise" ? payer.credit_code : payer?.id_number) ?? "",
      },
      items: input.lines,
      totalFen,
      currency: "CNY",
      payment: {
        number: payment.number,
        gateway: payment.gateway,
        transactionId: payment.gateway_txn_id,
        paidAt: iso(payment.paid_at),
      },
      application: { number: facts?.number ?? "" },
      ...(original ? { original: { id: original.id, number: original.number } } : {}),
      ...(input.refund ? { refund: { number: input.refund.number, reason: input.refund.reason } } : {}),
    };
    const document = addProof(unsigned, {
      privateKey: key.privateKey,
      verificationMethod: key.verificationMethod,
      created: at,
    });
    const text = canonicalJson(document);
    const outboxId = await recordChange(trx, {
      type: input.kind === "blue" ? "invoice.issued" : "invoice.red_issued",
      subject: id,
      actor: null,
      at,
      facts: invoiceFacts(document),
    });
    await repo.insertInvoice(trx, {
      id,
      number,
      kind: input.kind,
      payment_id: payment.id,
      refund_id: input.refund?.id ?? null,
      original_id: original?.id ?? null,
      payer_id: payment.payer_id,
      region_code: payment.region_code,
      department_id: payment.department_id,
      amount_fen: totalFen,
      check_code: checkCode,
      document: text,
      document_sha256: sha256Hex(text),
      issued_at: at,
      outbox_id: outboxId,
    });
    return id;
  }

  async function noticeToPayer(trx: Db, payment: PaymentRow, kind: string, title: string, body: string) {
    const payer = await repo.account(trx, payment.payer_id);
    return deps.notifications.record(trx, {
      accountId: payment.payer_id,
      regionCode: payment.region_code,
      applicationId: payment.application_id,
      kind,
      title,
      body,
      phone: payer?.phone ?? null,
      email: payer?.email ?? null,
    });
  }

  const yuan = (fen: number) => (fen / 100).toFixed(2);

  /**
   * Settles a payment (locked by the caller) from what the gateway says of it: paid — with its
   * e-invoice, in this transaction — or closed. Changes nothing when it is already settled.
   */
  async function settlePayment(trx: Db, row: PaymentRow, order: OrderState): Promise<OutgoingMessage[]> {
    if (row.status === "paid") return [];
    const now = clock.now();
    if (order.state === "SUCCESS" || order.state === "REFUND") {
      if (order.amountFen !== undefined && order.amountFen !== row.amount_fen)
        throw new AppError("PAYMENT_NOTIFICATION_MISMATCH", {
          number: row.number,
          expectedFen: row.amount_fen,
          gatewayFen: order.amountFen,
        });
      const paidAt = order.successTime ? new Date(order.successTime) : now;
      const settled = { ...row, status: "paid" as const, paid_at: paidAt, gateway_txn_id: order.transactionId ?? null };
      await repo.updatePayment(trx, row.id, {
        status: "paid",
        paid_at: paidAt,
        gateway_txn_id: order.transactionId ?? null,
        closed_at: null,
      });
      const fee = await repo.fee(trx, row.application_id, true);
      if (fee && !fee.paid_payment_id) await repo.setFeePaid(trx, row.application_id, row.id);
      await recordChange(trx, {
        type: "payment.settled",
        subject: row.id,
        actor: null,
        at: now,
        facts: {
          amountFen: row.amount_fen,
          applicationId: row.application_id,
          duplicate: Boolean(fee?.paid_payment_id),
        },
      });
      const lines: FeeLine[] = fee?.lines ?? [
        { name: row.description, basis: "", unitFen: row.amount_fen, quantity: 1, amountFen: row.amount_fen },
      ];
      await issueInvoice(trx, { kind: "blue", payment: settled, lines, at: now });
      return noticeToPayer(
        trx,
        row,
        "payment.settled",
        "缴费成功",
        `您已缴纳「${row.description}」¥${yuan(row.amount_fen)}，电子缴费票据已开具，可在“我的缴费”中查看和下载。`,
      );
    }
    const expired = row.expires_at.getTime() < now.getTime();
    if (
      row.status === "pending" &&
      (order.state === "CLOSED" || order.state === "PAYERROR" || (order.state === "NOT_FOUND" && expired))
    ) {
      await repo.updatePayment(trx, row.id, { status: "closed", closed_at: now });
      await recordChange(trx, {
        type: "payment.closed",
        subject: row.id,
        actor: null,
        at: now,
        facts: { state: order.state },
      });
    }
    return [];
  }

  /** Settles a refund from the gateway's word, with its red-letter invoice. Idempotent. */
  async function settleRefund(trx: Db, refundNumber: string, state: RefundState): Promise<OutgoingMessage[]> {
    const unlocked = await repo.refundByNumber(trx, refundNumber);
    if (!unlocked) throw new AppError("PAYMENT_NOTIFICATION_MISMATCH", { refund: refundNumber });
    // Lock order everywhere: the payment, then its refund.
    const payment = (await repo.payment(trx, unlocked.payment_id, true)) as PaymentRow;
    const refund = (await repo.refundByNumber(trx, refundNumber, true)) as RefundRow;
    if (refund.status !== "processing") return [];
    const now = clock.now();
    if (state.status === "SUCCESS") {
      if (state.refundFen !== undefined && state.refundFen !== refund.amount_fen)
        throw new AppError("PAYMENT_NOTIFICATION_MISMATCH", {
          refund: refundNumber,
          expectedFen: refund.amount_fen,
          gatewayFen: state.refundFen,
        });
      const settledAt = state.successTime ? new Date(state.successTime) : now;
      await repo.updateRefund(trx, refund.id, {
        status: "succeeded",
        settled_at: settledAt,
        gateway_refund_id: state.refundId ?? refund.gateway_refund_id,
      });
      await repo.updatePayment(trx, payment.id, { refunded_fen: payment.refunded_fen + refund.amount_fen });
      await recordChange(trx, {
        type: "refund.settled",
        subject: refund.id,
        actor: null,
        at: now,
        facts: { paymentId: payment.id, amountFen: refund.amount_fen },
      });
      const original = await repo.blueInvoiceOf(trx, payment.id);
      await issueInvoice(trx, {
        kind: "red",
        payment,
        refund,
        lines: [
          {
            name: `退费（冲销票据 ${original?.number ?? ""}）`,
            basis: refund.reason,
            unitFen: -refund.amount_fen,
            quantity: 1,
            amountFen: -refund.amount_fen,
          },
        ],
        at: now,
      });
      return noticeToPayer(
        trx,
        payment,
        "refund.settled",
        "退费已到账",
        `「${payment.description}」退费 ¥${yuan(refund.amount_fen)} 已原路退回，红字电子票据已开具。退费原因：${refund.reason}`,
      );
    }
    if (state.status === "ABNORMAL" || state.status === "CLOSED") {
      await failRefund(trx, payment, refund, `the gateway reports the refund ${state.status}`);
    }
    return [];
  }

  async function failRefund(trx: Db, payment: PaymentRow, refund: RefundRow, failure: string) {
    await repo.updateRefund(trx, refund.id, { status: "failed", failure, settled_at: clock.now() });
    await repo.updatePayment(trx, payment.id, { reserved_fen: payment.reserved_fen - refund.amount_fen });
    await recordChange(trx, {
      type: "refund.failed",
      subject: refund.id,
      actor: null,
      at: clock.now(),
      facts: { paymentId: payment.id, amountFen: refund.amount_fen },
    });
  }

  /** Asks the gateway about a payment and settles it from the answer (a notification that never came). */
  async function querySettle(row: PaymentRow): Promise<void> {
    const order = await askGateway(() => gateway().queryOrder(row.number));
    const messages = await db.transaction().execute(async (trx) => {
      const locked = (await repo.payment(trx, row.id, true)) as PaymentRow;
      return settlePayment(trx, locked, order);
    });
    await deps.notifications.dispatch(messages);
  }

  async function requestRefundAtGateway(payment: PaymentRow, refund: RefundRow): Promise<void> {
    let state: RefundState;
    try {
      state = await gateway().refund({
        outTradeNo: payment.number,
        outRefundNo: refund.number,
        refundFen: refund.amount_fen,
        totalFen: payment.amount_fen,
        reason: refund.reason,
        notifyUrl,
      });
    } catch (error) {
      if (error instanceof GatewayRefusal) {
        await db.transaction().execute(async (trx) => {
          const lockedPayment = (await repo.payment(trx, payment.id, true)) as PaymentRow;
          const locked = (await repo.refundByNumber(trx, refund.number, true)) as RefundRow;
          if (locked.status === "processing") await failRefund(trx, lockedPayment, locked, error.message);
        });
        throw new AppError("PAYMENT_GATEWAY_REFUSED", { code: error.code, message: error.message });
      }
      // Unknown outcome: the refund stays processing; the sweep asks again with the same refund number.
      if (error instanceof GatewayUnavailable) return;
      throw error;
    }
    if (state.status === "SUCCESS" || state.status === "ABNORMAL" || state.status === "CLOSED") {
      const messages = await db.transaction().execute((trx) => settleRefund(trx, refund.number, state));
      await deps.notifications.dispatch(messages);
    } else if (state.refundId) {
      await repo.updateRefund(db, refund.id, { gateway_refund_id: state.refundId });
    }
  }

  // --- Reconciliation ---

  async function buildReport(day: string, actorId: string | null): Promise<void> {
    const from = chinaDayStart(day);
    const to = new Date(from.getTime() + 86_400_000);
    const bill = await askGateway(() => gateway().tradeBill(day));
    const [paid, refunds, ordersCreated] = await Promise.all([
      repo.paymentsPaidBetween(db, from, to),
      repo.refundsSettledBetween(db, from, to),
      repo.ordersCreatedBetween(db, from, to),
    ]);
    const items: (ReconciliationItem & { region: string | null })[] = [];
    const flag = (
      kind: ReconciliationDifferenceKind,
      reference: string,
      region: string | null,
      localFen: number | null,
      gatewayFen: number | null,
      detail: string,
    ) => items.push({ kind, reference, region, localFen, gatewayFen, detail });

    const billPayments = new Map(bill.filter((l) => l.tradeState === "SUCCESS").map((l) => [l.outTradeNo, l]));
    const billRefunds = new Map(bill.filter((l) => l.tradeState === "REFUND").map((l) => [l.outRefundNo, l]));
    let matchedPayments = 0;
    for (const p of paid) {
      const line = billPayments.get(p.number);
      if (!line)
        flag("payment_missing_at_gateway", p.number, p.region_code, p.amount_fen, null, "本地已缴费，网关账单无此笔");
      else if (line.totalFen !== p.amount_fen)
        flag("payment_amount_mismatch", p.number, p.region_code, p.amount_fen, line.totalFen, "金额不一致");
      else matchedPayments += 1;
    }
    const localPaid = new Set(paid.map((p) => p.number));
    const unmatched = [...billPayments.values()].filter((l) => !localPaid.has(l.outTradeNo));
    const known = new Map(
      (
        await repo.paymentsByNumbers(
          db,
          unmatched.map((l) => l.outTradeNo),
        )
      ).map((p) => [p.number, p]),
    );
    for (const line of unmatched) {
      const p = known.get(line.outTradeNo);
      if (!p) flag("payment_unknown", line.outTradeNo, null, null, line.totalFen, "网关有此笔收款，本地无此订单");
      else if (p.status !== "paid")
        flag(
          "payment_not_settled_locally",
          p.number,
          p.region_code,
          p.amount_fen,
          line.totalFen,
          "网关已收款，本地订单未入账",
        );
      else
        flag(
          "payment_day_differs",
          p.number,
          p.region_code,
          p.amount_fen,
          line.totalFen,
          `本地入账日为 ${p.paid_at ? chinaDay(p.paid_at) : "—"}`,
        );
    }
    const byCase = new Map<string, PaymentRow[]>();
    for (const p of paid) byCase.set(p.application_id, [...(byCase.get(p.application_id) ?? []), p]);
    for (const group of byCase.values())
      if (group.length > 1)
        for (const p of group.slice(1))
          flag("duplicate_payment", p.number, p.region_code, p.amount_fen, null, "同一办件重复缴费，应予退费");

    let matchedRefunds = 0;
    for (const r of refunds) {
      const line = billRefunds.get(r.number);
      if (!line)
        flag("refund_missing_at_gateway", r.number, r.region_code, r.amount_fen, null, "本地已退费，网关账单无此笔");
      else if (line.refundFen !== r.amount_fen)
        flag("refund_amount_mismatch", r.number, r.region_code, r.amount_fen, line.refundFen, "退费金额不一致");
      else matchedRefunds += 1;
    }
    const localRefunds = new Set(refunds.map((r) => r.number));
    const strayRefunds = [...billRefunds.values()].filter((l) => !localRefunds.has(l.outRefundNo));
    const knownRefunds = new Map(
      (
        await repo.refundsByNumbers(
          db,
          strayRefunds.map((l) => l.outRefundNo),
        )
      ).map((r) => [r.number, r]),
    );
    for (const line of strayRefunds) {
      const r = knownRefunds.get(line.outRefundNo);
      if (!r) flag("refund_unknown", line.outRefundNo, null, null, line.refundFen, "网关有此笔退款，本地无此退费单");
      else
        flag("refund_not_settled_locally", r.number, null, r.amount_fen, line.refundFen, "网关已退款，本地退费未入账");
    }

    const summary: ReconciliationSummary = {
      ordersCreated,
      paymentsSettled: paid.length,
      paymentsFen: paid.reduce((s, p) => s + p.amount_fen, 0),
      refundsSettled: refunds.length,
      refundsFen: refunds.reduce((s, r) => s + r.amount_fen, 0),
      gatewayPayments: billPayments.size,
      gatewayPaymentsFen: [...billPayments.values()].reduce((s, l) => s + l.totalFen, 0),
      gatewayRefunds: billRefunds.size,
      gatewayRefundsFen: [...billRefunds.values()].reduce((s, l) => s + l.refundFen, 0),
      matchedPayments,
      matchedRefunds,
      differences: items.length,
    };
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      await repo.saveReport(
        trx,
        { day, generated_at: now, generated_by: actorId, summary: JSON.stringify(summary) },
        items.map((item, seq) => ({
          day,
          seq,
          region_code: item.region,
          kind: item.kind,
          reference: item.reference,
          local_fen: item.localFen,
          gateway_fen: item.gatewayFen,
          detail: item.detail,
        })),
      );
      await recordChange(trx, {
        type: "reconciliation.generated",
        subject: day,
        actor: actorId,
        at: now,
        facts: { ...summary },
      });
    });
  }

  async function reportView(day: string, actor: Actor | null): Promise<ReconciliationReport | undefined> {
    const row = await repo.report(db, day);
    if (!row) return undefined;
    const items = (await repo.reportItems(db, day)).filter(
      (item) => !actor || item.region_code === null || item.region_code === actor.regionCode,
    );
    const summary = row.summary as ReconciliationSummary;
    return {
      day,
      generatedAt: row.generated_at.toISOString(),
      balanced: summary.differences === 0,
      summary,
      items: items.map((item) => ({
        kind: item.kind as ReconciliationDifferenceKind,
        reference: item.reference,
        localFen: item.local_fen,
        gatewayFen: item.gateway_fen,
        detail: item.detail,
      })),
    };
  }

  // --- Invoice verification ---

  function ledgerCheck(
    document: Record<string, unknown>,
    id: string,
    receipt: Awaited<ReturnType<LedgerService["entryWithProof"]>>,
  ): InvoiceCheck {
    const fail = (detail: string): InvoiceCheck => ({ check: "ledger", outcome: "fail", detail });
    const opened = verifyCheckpoint(receipt.checkpoint, [parseVerifierKey(deps.ledger.verifierKey)]);
    if (!opened.ok) return fail("the ledger checkpoint is not signed by this node's ledger key");
    const proof = receipt.proof.map((p) => fromBase64(p));
    if (proof.some((p) => p === undefined)) return fail("the inclusion proof is not base64");
    const { treeSize, rootHash } = opened.checkpoint;
    if (!verifyInclusion(leafHash(utf8Encode(receipt.entry)), receipt.index, treeSize, proof as Uint8Array[], rootHash))
      return fail(`entry ${receipt.index} is not in the signed ledger`);
    const entry = JSON.parse(receipt.entry) as Record<string, unknown>;
    const expected = toHex(sha256(utf8Encode(canonicalize(invoiceFacts(document)))));
    if (entry.subject !== id || entry.contentHash !== expected)
      return fail(`ledger entry ${receipt.index} records a different invoice: this one was altered after issue`);
    return {
      check: "ledger",
      outcome: "pass",
      detail: `issued as entry ${receipt.index} of the ledger, within its signed state of ${treeSize} entries`,
    };
  }

  async function invoiceRowOrThrow(id: string) {
    const row = UUID.test(id) ? await repo.invoice(db, id) : undefined;
    if (!row) throw new AppError("INVOICE_NOT_FOUND", { id });
    return row;
  }

  const invoiceVerifyUrl = (row: Pick<InvoiceRow, "number" | "check_code">) =>
    `${base}verify-invoice?n=${encodeURIComponent(row.number)}&c=${row.check_code}`;

  return {
    /** Assesses the case's fee in the acceptance's transaction (受理时核定); nothing for a free service. */
    async assessOnAcceptance(trx: Db, accepted: AcceptedCase): Promise<void> {
      const fees = accepted.item.fees;
      if (fees.length === 0) {
        if (accepted.choices)
          throw fieldError([{ field: "fees", reason: "NO_FEES", message: "This service charges no fee" }]);
        return;
      }
      const choices = accepted.choices ?? [{ line: 0, quantity: 1 }];
      const issues = choices.flatMap((choice, i) => {
        if (!fees[choice.line])
          return [
            {
              field: `fees.${i}.line`,
              reason: "NO_SUCH_FEE_LINE",
              message: `The service has ${fees.length} fee lines (0 to ${fees.length - 1})`,
            },
          ];
        if (choices.findIndex((c) => c.line === choice.line) !== i)
          return [{ field: `fees.${i}.line`, reason: "DUPLICATE", message: "Each fee line once, with its quantity" }];
        return [];
      });
      if (issues.length > 0) throw fieldError(issues);
      const lines: FeeLine[] = choices.map((choice) => {
        const fee = fees[choice.line] as ServiceItem["fees"][number];
        const unitFen = Math.round(fee.amountYuan * 100);
        return {
          name: fee.name,
          basis: fee.basis,
          unitFen,
          quantity: choice.quantity,
          amountFen: unitFen * choice.quantity,
        };
      });
      const amountFen = lines.reduce((sum, line) => sum + line.amountFen, 0);
      if (amountFen === 0) return;
      await repo.insertFee(trx, {
        application_id: accepted.applicationId,
        lines: JSON.stringify(lines),
        amount_fen: amountFen,
        assessed_at: accepted.at,
        assessed_by: accepted.actorId,
        paid_payment_id: null,
      });
      await recordChange(trx, {
        type: "fee.assessed",
        subject: accepted.applicationId,
        actor: accepted.actorId,
        at: accepted.at,
        facts: { amountFen, lines: lines.length },
      });
    },

    /** Refuses the approval of a case whose fee is unpaid (in the approval's transaction). */
    async assertPaid(trx: Db, applicationId: string): Promise<void> {
      const fee = await repo.fee(trx, applicationId);
      if (fee && !fee.paid_payment_id) throw new AppError("FEE_UNPAID", { applicationId, amountFen: fee.amount_fen });
    },

    /** What a case owes and its payments (its applicant, or staff who may read it). */
    async caseFee(actor: Actor, applicationId: string): Promise<CaseFee> {
      const facts = await readableCase(actor, applicationId);
      const fee = await repo.fee(db, applicationId);
      if (!fee) throw new AppError("FEE_NOT_DUE", { applicationId, reason: "no fee is assessed for this case" });
      const rows = await repo.paymentsOfCase(db, applicationId);
      return {
        applicationId,
        amountFen: fee.amount_fen,
        lines: fee.lines,
        assessedAt: fee.assessed_at.toISOString(),
        status: fee.paid_payment_id ? "paid" : "due",
        payable: !fee.paid_payment_id && PAYABLE_STATUSES.includes(facts.status),
        payments: await paymentViews(
          rows.filter((r) => r.status !== "closed"),
          actor,
        ),
      };
    },

    /**
     * The applicant pays: places an order with the gateway (or answers the open one) and answers the
     * payment with the cashier's address. The order is placed while the case's fee row is locked, so
     * two clicks make one order; nothing is written if the gateway refuses.
     */
    async pay(actor: Actor, applicationId: string, context: { ip?: string; origin?: string }): Promise<Payment> {
      const returnBase =
        deps.returnToRequestOrigin && context.origin && /^https?:\/\/[\w.:[\]-]+$/.test(context.origin)
          ? `${context.origin}/`
          : base;
      const g = gateway();
      const facts = UUID.test(applicationId) ? await repo.caseFacts(db, applicationId) : undefined;
      if (!facts || actor.kind === "staff" || facts.applicant_id !== actor.accountId)
        throw new AppError("APPLICATION_NOT_FOUND", { id: applicationId });
      const id = await db.transaction().execute(async (trx) => {
        const fee = await repo.fee(trx, applicationId, true);
        if (!fee) throw new AppError("FEE_NOT_DUE", { applicationId, reason: "no fee is assessed for this case" });
        if (fee.paid_payment_id) throw new AppError("FEE_ALREADY_PAID", { applicationId });
        if (!PAYABLE_STATUSES.includes(facts.status))
          throw new AppError("FEE_NOT_DUE", { applicationId, status: facts.status });
        const now = clock.now();
        const open = (await repo.paymentsOfCase(trx, applicationId)).find(
          (p) =>
            p.status === "pending" &&
            p.expires_at.getTime() > now.getTime() + 60_000 &&
            p.amount_fen === fee.amount_fen,
        );
        if (open) return open.id;
        const paymentId = ids.uuid();
        const number = `TB${chinaDay(now).replaceAll("-", "")}${randomCode(12)}`;
        const expiresAt = new Date(now.getTime() + ORDER_TTL_MS);
        const description = `${facts.service_name}（${facts.number}）`.slice(0, 120);
        const { payUrl } = await askGateway(() =>
          g.createOrder({
            outTradeNo: number,
            description,
            amountFen: fee.amount_fen,
            notifyUrl,
            returnUrl: `${returnBase}applications/${applicationId}?payment=${paymentId}`,
            expiresAt,
            ...(context.ip ? { payerIp: context.ip } : {}),
          }),
        );
        const outboxId = await recordChange(trx, {
          type: "payment.created",
          subject: paymentId,
          actor: actor.accountId,
          at: now,
          facts: { applicationId, amountFen: fee.amount_fen, gateway: g.name },
        });
        await repo.insertPayment(trx, {
          id: paymentId,
          number,
          application_id: applicationId,
          payer_id: actor.accountId,
          region_code: facts.region_code,
          department_id: facts.department_id,
          description,
          amount_fen: fee.amount_fen,
          status: "pending",
          gateway: g.name,
          gateway_txn_id: null,
          pay_url: payUrl,
          created_at: now,
          expires_at: expiresAt,
          paid_at: null,
          closed_at: null,
          outbox_id: outboxId,
        });
        return paymentId;
      });
      return paymentView(id, actor);
    },

    async payment(actor: Actor, id: string): Promise<Payment> {
      const row = await readablePayment(actor, id);
      return (await paymentViews([row], actor))[0] as Payment;
    },

    /** Asks the gateway now (the payer back from the cashier before the notification came). */
    async refresh(actor: Actor, id: string): Promise<Payment> {
      const row = await readablePayment(actor, id);
      if (row.status === "pending") await querySettle(row);
      const processing = (await repo.refundsOf(db, [row.id])).filter((r) => r.status === "processing");
      for (const refund of processing) {
        const state = await askGateway(() => gateway().queryRefund(refund.number));
        if (state.status !== "NOT_FOUND" && state.status !== "PROCESSING") {
          const messages = await db.transaction().execute((trx) => settleRefund(trx, refund.number, state));
          await deps.notifications.dispatch(messages);
        }
      }
      return paymentView(row.id, actor);
    },

    async myPayments(actor: Actor): Promise<Payment[]> {
      if (actor.kind === "staff")
        throw new AppError("FORBIDDEN", { reason: "payments are made by residents and enterprises" });
      return paymentViews(await repo.paymentsOfPayer(db, actor.accountId), actor);
    },

    /**
     * The gateway's asynchronous notification (the callback route). A forged, altered or stale one is
     * refused and recorded as a security event; a duplicate (same notification id) changes nothing; a
     * genuine one settles the payment or refund it is about.
     */
    async notification(headers: Record<string, string | string[] | undefined>, body: string, source: string) {
      const opened = gateway().openNotification(headers, body);
      const now = clock.now();
      if (!opened.ok) {
        await db.transaction().execute((trx) =>
          recordSecurityEvent(trx, {
            id: ids.uuid(),
            at: now,
            type: "payments.forged_notification",
            severity: "high",
            source,
            accountId: null,
            regionCode: null,
            departmentId: null,
            subject: null,
            details: { reason: opened.reason },
          }),
        );
        throw new AppError("PAYMENT_NOTIFICATION_REJECTED", { reason: opened.reason });
      }
      const messages = await db.transaction().execute(async (trx) => {
        if (opened.transaction) {
          const row = await repo.paymentByNumber(trx, opened.transaction.outTradeNo, true);
          if (!row) throw new AppError("PAYMENT_NOTIFICATION_MISMATCH", { order: opened.transaction.outTradeNo });
          const first = await repo.firstNotification(trx, {
            id: opened.id,
            event_type: opened.eventType,
            subject: row.number,
            received_at: now,
          });
          return first ? settlePayment(trx, row, opened.transaction) : [];
        }
        const subject = opened.refund?.outRefundNo ?? "";
        const first = await repo.firstNotification(trx, {
          id: opened.id,
          event_type: opened.eventType,
          subject,
          received_at: now,
        });
        if (first && opened.refund?.outRefundNo) return settleRefund(trx, opened.refund.outRefundNo, opened.refund);
        return [];
      });
      await deps.notifications.dispatch(messages);
    },

    /**
     * Staff of the charging department refund a paid fee, in full or in part, with a reason. The
     * amount is reserved under the payment's row lock before the gateway is asked: refunds together
     * never exceed what was paid. A repeated Idempotency-Key answers the first refund.
     */
    async refund(
      actor: Actor,
      paymentId: string,
      request: CreateRefundRequest,
      idempotencyKey: string,
    ): Promise<Payment> {
      const row = UUID.test(paymentId) ? await repo.payment(db, paymentId) : undefined;
      if (!row) throw new AppError("PAYMENT_NOT_FOUND", { id: paymentId });
      authorize(actor, "payment.refund", { departmentId: row.department_id, regionCode: row.region_code });
      gateway();
      const earlier = await repo.refundByKey(db, actor.accountId, idempotencyKey);
      if (earlier) {
        if (
          earlier.payment_id !== paymentId ||
          earlier.amount_fen !== request.amountFen ||
          earlier.reason !== request.reason
        )
          throw new AppError("IDEMPOTENCY_KEY_REUSED", { key: idempotencyKey });
        return paymentView(paymentId, actor);
      }
      const refund = await db.transaction().execute(async (trx) => {
        const locked = (await repo.payment(trx, paymentId, true)) as PaymentRow;
        if (locked.status !== "paid") throw new AppError("PAYMENT_NOT_PAID", { status: locked.status });
        const refundable = locked.amount_fen - locked.reserved_fen;
        if (request.amountFen > refundable)
          throw new AppError("REFUND_EXCEEDS_PAID", {
            amountFen: request.amountFen,
            paidFen: locked.amount_fen,
            refundableFen: refundable,
          });
        const now = clock.now();
        const id = ids.uuid();
        const outboxId = await recordChange(trx, {
          type: "refund.requested",
          subject: id,
          actor: actor.accountId,
          at: now,
          facts: { paymentId, amountFen: request.amountFen, reasonHash: sha256Hex(request.reason) },
        });
        const row: RefundRow = {
          id,
          number: `RF${chinaDay(now).replaceAll("-", "")}${randomCode(12)}`,
          payment_id: paymentId,
          amount_fen: request.amountFen,
          reason: request.reason,
          status: "processing",
          failure: null,
          gateway_refund_id: null,
          requested_by: actor.accountId,
          requested_at: now,
          settled_at: null,
          idempotency_key: idempotencyKey,
          outbox_id: outboxId,
        };
        await repo.insertRefund(trx, row);
        await repo.updatePayment(trx, paymentId, { reserved_fen: locked.reserved_fen + request.amountFen });
        return row;
      });
      await requestRefundAtGateway(row, refund);
      return paymentView(paymentId, actor);
    },

    async invoice(actor: Actor, id: string): Promise<Invoice> {
      const row = await invoiceRowOrThrow(id);
      const mine = actor.kind !== "staff" && row.payer_id === actor.accountId;
      const staff =
        actor.kind === "staff" &&
        decide(actor, "record.read", { departmentId: row.department_id, regionCode: row.region_code }).allowed;
      if (!mine && !staff) throw new AppError("INVOICE_NOT_FOUND", { id });
      const document = JSON.parse(row.document) as {
        issuer: { name: string };
        payer: { name: string };
        items: FeeLine[];
        payment: { number: string };
        application: { number: string };
        original?: { id: string; number: string };
      };
      return {
        id: row.id,
        number: row.number,
        kind: row.kind,
        checkCode: row.check_code,
        amountFen: row.amount_fen,
        issuedAt: row.issued_at.toISOString(),
        issuerName: document.issuer.name,
        regionCode: row.region_code,
        payerName: document.payer.name,
        lines: document.items,
        paymentNumber: document.payment.number,
        applicationNumber: document.application.number,
        originalNumber: document.original?.number ?? null,
        originalId: document.original?.id ?? null,
        reversedFen: row.kind === "blue" ? await repo.reversedFen(db, row.id) : 0,
        ledgerIndex: row.ledger_idx === null || row.ledger_idx === undefined ? null : Number(row.ledger_idx),
        reimbursement: row.reimbursed_by
          ? { organisationName: row.reimbursed_by, claimedAt: (row.reimbursed_at as Date).toISOString() }
          : null,
        verifyUrl: invoiceVerifyUrl(row),
      };
    },

    /** The signed invoice document as issued (the payer's download). */
    async invoiceDocument(actor: Actor, id: string): Promise<{ text: string; number: string }> {
      const view = await this.invoice(actor, id);
      const row = await invoiceRowOrThrow(view.id);
      return { text: row.document, number: row.number };
    },

    /**
     * Verification by anyone, from the number and check code printed on the invoice or from its
     * document: the node's signature, a trusted issuer, the record, the ledger entry, and whether
     * refunds reversed it and whether it was reimbursed.
     */
    async verifyInvoice(input: VerifyInvoiceRequest): Promise<InvoiceVerification> {
      const notFound: InvoiceVerification = {
        valid: false,
        outcome: "not_found",
        checks: [{ check: "record", outcome: "fail", detail: "no invoice has this number and check code" }],
        invoice: null,
        reimbursed: false,
        reimbursedAt: null,
      };
      let document: Record<string, unknown>;
      let row: Awaited<ReturnType<typeof repo.invoice>>;
      const checks: InvoiceCheck[] = [];
      if (input.document) {
        if (input.number !== undefined || input.checkCode !== undefined)
          throw fieldError([
            { field: "document", reason: "ONE_ONLY", message: "Give the document, or the number and check code" },
          ]);
        document = input.document;
        const id = typeof document.id === "string" ? document.id.replace(/^urn:uuid:/, "") : "";
        if (document.type !== INVOICE_TYPE || !UUID.test(id))
          return {
            ...notFound,
            outcome: "unreadable",
            checks: [{ check: "format", outcome: "fail", detail: "this is not a Tongban e-invoice document" }],
          };
        checks.push({ check: "format", outcome: "pass", detail: "a Tongban e-invoice document" });
        row = await repo.invoice(db, id);
      } else {
        const issues = [];
        if (!input.number) issues.push({ field: "number", reason: "REQUIRED", message: "Give the invoice number" });
        if (!input.checkCode)
          issues.push({ field: "checkCode", reason: "REQUIRED", message: "Give the six-character check code" });
        if (issues.length > 0) throw fieldError(issues);
        row = await repo.invoiceByNumber(db, input.number as string);
        if (!row || row.check_code !== (input.checkCode as string).toUpperCase()) return notFound;
        document = JSON.parse(row.document);
        checks.push({ check: "format", outcome: "pass", detail: "the invoice as the issuer stored it" });
      }
      // Signature and issuer.
      const proof = verifyProof(document, ed25519FromVerificationMethod);
      if (!proof.ok) checks.push({ check: "signature", outcome: "fail", detail: proof.reason });
      else {
        checks.push({ check: "signature", outcome: "pass", detail: "signed by the key it names (eddsa-jcs-2022)" });
        const publicKey = ed25519FromVerificationMethod(proof.verificationMethod) as Uint8Array;
        const issuer = deps.trust().issuerFor(publicKey);
        checks.push(
          issuer
            ? { check: "issuer", outcome: "pass", detail: `the key belongs to ${issuer.name} (${issuer.source})` }
            : { check: "issuer", outcome: "fail", detail: "the signing key is not in the trust list" },
        );
      }
      const signed = checks.every((c) => c.outcome !== "fail");
      if (!row) {
        checks.push({ check: "record", outcome: "fail", detail: "this node has no record of issuing this invoice" });
      } else if (sha256Hex(canonicalJson(document)) !== row.document_sha256) {
        checks.push({
          check: "record",
          outcome: "fail",
          detail: "the document differs from the one issued under this number: it was altered",
        });
      } else {
        checks.push({ check: "record", outcome: "pass", detail: "the document is exactly the one the issuer issued" });
      }
      if (row && signed && checks.every((c) => c.outcome !== "fail")) {
        if (row.ledger_idx === null || row.ledger_idx === undefined)
          checks.push({ check: "ledger", outcome: "not_checked", detail: "being sealed into the ledger; check again" });
        else {
          try {
            checks.push(ledgerCheck(document, row.id, await deps.ledger.entryWithProof(Number(row.ledger_idx))));
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            checks.push({
              check: "ledger",
              outcome: "not_checked",
              detail: "being sealed into the ledger; check again",
            });
          }
        }
      }
      const reversedFen = row && row.kind === "blue" ? await repo.reversedFen(db, row.id) : 0;
      if (row && checks.every((c) => c.outcome !== "fail")) {
        const fully = row.kind === "blue" && reversedFen + row.amount_fen <= 0;
        checks.push({
          check: "status",
          outcome: fully ? "fail" : "pass",
          detail: fully
            ? "fully reversed by red-letter invoices (refunded)"
            : reversedFen < 0
              ? `partly reversed: ¥${yuan(-reversedFen)} refunded`
              : row.kind === "red"
                ? "a red-letter invoice reversing an earlier one"
                : "not reversed",
        });
      }
      const valid = checks.every((c) => c.outcome !== "fail");
      const failed = checks.find((c) => c.outcome === "fail");
      const outcome = valid
        ? "valid"
        : failed?.check === "status"
          ? "reversed"
          : failed?.check === "signature" || failed?.check === "record"
            ? row
              ? "altered"
              : "not_found"
            : failed?.check === "issuer"
              ? "untrusted"
              : failed?.check === "ledger"
                ? "not_in_ledger"
                : "invalid";
      const doc = document as {
        number?: string;
        kind?: "blue" | "red";
        totalFen?: number;
        issuedAt?: string;
        issuer?: { name?: string };
        payer?: { name?: string };
        items?: FeeLine[];
        original?: { number?: string };
      };
      return {
        valid,
        outcome,
        checks,
        invoice: row
          ? {
              id: row.id,
              number: row.number,
              kind: row.kind,
              amountFen: row.amount_fen,
              reversedFen,
              issuedAt: row.issued_at.toISOString(),
              issuerName: doc.issuer?.name ?? "",
              payerName: maskValue(doc.payer?.name ?? "", "name") as string,
              lines: doc.items ?? [],
              originalNumber: doc.original?.number ?? null,
              ledgerIndex: row.ledger_idx === null || row.ledger_idx === undefined ? null : Number(row.ledger_idx),
            }
          : null,
        reimbursed: Boolean(row?.reimbursed_by),
        reimbursedAt: row?.reimbursed_at ? row.reimbursed_at.toISOString() : null,
      };
    },

    /**
     * 一票一报: an organisation marks an invoice reimbursed, once. The claimant shows the check code
     * (they hold the invoice); the primary key on the claim refuses any second claim, from anyone.
     */
    async reimburse(actor: Actor, invoiceId: string, request: { checkCode: string; reference?: string | undefined }) {
      authorize(actor, "invoice.reimburse");
      const row = await invoiceRowOrThrow(invoiceId);
      if (row.check_code !== request.checkCode.toUpperCase())
        throw new AppError("INVOICE_CHECK_CODE_MISMATCH", { invoice: row.number });
      const organisation = await repo.account(db, actor.accountId);
      if (!organisation?.credit_code) throw new AppError("FORBIDDEN", { reason: "the account has no credit code" });
      const now = clock.now();
      return db.transaction().execute(async (trx): Promise<Reimbursement> => {
        const reversed = await repo.reversedFen(trx, row.id);
        if (row.kind === "red" || row.amount_fen + reversed <= 0)
          throw new AppError("INVOICE_NOT_REIMBURSABLE", { invoice: row.number, kind: row.kind });
        const outboxId = await recordChange(trx, {
          type: "invoice.reimbursed",
          subject: row.id,
          actor: actor.accountId,
          at: now,
          facts: { organisation: sha256Hex(organisation.credit_code as string) },
        });
        const claimed = await repo.claimReimbursement(trx, {
          invoice_id: row.id,
          organisation_code: organisation.credit_code as string,
          organisation_name: organisation.name,
          claimed_by: actor.accountId,
          reference: request.reference ?? null,
          claimed_at: now,
          outbox_id: outboxId,
        });
        if (!claimed) {
          const earlier = await repo.reimbursement(trx, row.id);
          const same = earlier?.organisation_code === organisation.credit_code;
          throw new AppError("INVOICE_ALREADY_REIMBURSED", {
            invoice: row.number,
            claimedAt: earlier?.claimed_at.toISOString(),
            byYou: same,
            organisation: same ? earlier?.organisation_name : maskValue(earlier?.organisation_name ?? "", "name"),
          });
        }
        return {
          invoiceId: row.id,
          invoiceNumber: row.number,
          amountFen: row.amount_fen + reversed,
          organisationCode: organisation.credit_code as string,
          organisationName: organisation.name,
          reference: request.reference ?? null,
          claimedAt: now.toISOString(),
        };
      });
    },

    /**
     * Settles what the gateway did not tell: pending orders older than `graceMs` are queried (and
     * closed once expired), refunds still processing are queried — or asked again with the same refund
     * number when the gateway never received them. Answers how many changed hands.
     */
    async sweep(graceMs = 30_000): Promise<number> {
      if (!deps.gateway) return 0;
      const before = new Date(clock.now().getTime() - graceMs);
      let settled = 0;
      for (const row of await repo.pendingPayments(db, before)) {
        try {
          const order = await deps.gateway.queryOrder(row.number);
          if (order.state === "NOTPAY" && row.expires_at.getTime() < clock.now().getTime()) {
            await deps.gateway.closeOrder(row.number).catch(() => undefined);
            const messages = await db.transaction().execute(async (trx) => {
              const locked = (await repo.payment(trx, row.id, true)) as PaymentRow;
              return settlePayment(trx, locked, { state: "CLOSED" });
            });
            await deps.notifications.dispatch(messages);
          } else if (order.state !== "NOTPAY" && order.state !== "USERPAYING") {
            const messages = await db.transaction().execute(async (trx) => {
              const locked = (await repo.payment(trx, row.id, true)) as PaymentRow;
              return settlePayment(trx, locked, order);
            });
            await deps.notifications.dispatch(messages);
            settled += 1;
          }
        } catch {
          // The gateway is away or the answer does not match: the next sweep tries again.
        }
      }
      for (const refund of await repo.processingRefunds(db, before)) {
        try {
          const state = await deps.gateway.queryRefund(refund.number);
          if (state.status === "NOT_FOUND") {
            const payment = (await repo.payment(db, refund.payment_id)) as PaymentRow;
            await requestRefundAtGateway(payment, refund);
          } else if (state.status !== "PROCESSING") {
            const messages = await db.transaction().execute((trx) => settleRefund(trx, refund.number, state));
            await deps.notifications.dispatch(messages);
            settled += 1;
          }
        } catch {
          // As above.
        }
      }
      return settled;
    },

    /** Builds (or rebuilds) the reconciliation of a China day against the gateway's bill. */
    async reconcile(actor: Actor | null, day: string): Promise<ReconciliationReport> {
      if (actor) authorize(actor, "reconciliation.read", { regionCode: actor.regionCode });
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(chinaDayStart(day).getTime()))
        throw fieldError([{ field: "day", reason: "INVALID_FORMAT", message: "A day is written YYYY-MM-DD" }]);
      if (day > chinaDay(clock.now()))
        throw fieldError([
          { field: "day", reason: "FUTURE_DAY", message: "A day that has not begun cannot be reconciled" },
        ]);
      await buildReport(day, actor?.accountId ?? null);
      return (await reportView(day, actor)) as ReconciliationReport;
    },

    async report(actor: Actor, day: string): Promise<ReconciliationReport> {
      authorize(actor, "reconciliation.read", { regionCode: actor.regionCode });
      const view = await reportView(day, actor);
      if (!view) throw new AppError("NOT_FOUND", { day, reason: "no reconciliation for this day yet; run it" });
      return view;
    },

    async reports(actor: Actor): Promise<ReconciliationListItem[]> {
      authorize(actor, "reconciliation.read", { regionCode: actor.regionCode });
      return (await repo.reports(db)).map((row) => {
        const summary = row.summary as ReconciliationSummary;
        return {
          day: dayText(row.day),
          generatedAt: row.generated_at.toISOString(),
          balanced: summary.differences === 0,
          differences: summary.differences,
          paymentsFen: summary.paymentsFen,
          refundsFen: summary.refundsFen,
        };
      });
    },

    /** Yesterday's report (China time), made once: the daily run. */
    async reconcileYesterdayIfMissing(): Promise<string | undefined> {
      if (!deps.gateway) return undefined;
      const yesterday = chinaDay(new Date(clock.now().getTime() - 86_400_000));
      if (await repo.report(db, yesterday)) return undefined;
      await buildReport(yesterday, null);
      return yesterday;
    },

    /** The node's invoice signing key (the e-certificate issuer key). */
    issuer: () => ({ did: key.did, verifierKey: key.verifierKey }),
  };
}
export type PaymentsService = ReturnType<typeof createPaymentsService>;

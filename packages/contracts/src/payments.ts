import { z } from "zod";

// Fees (缴费), payments, refunds (退费), e-invoices (电子票据) and reconciliation. Amounts are integer
// fen (分): 100 fen = 1 yuan.

export const Fen = z.number().int();

/** One line of a case's fee, from its service item's fees (catalogue `fees`). */
export const FeeLine = z.object({
  name: z.string(),
  basis: z.string(),
  unitFen: Fen,
  quantity: z.number().int(),
  amountFen: Fen,
});
export type FeeLine = z.infer<typeof FeeLine>;

/** Which of the item's fee lines the accepting official charges, and how many of each (受理时核定). */
export const FeeLineChoice = z.object({
  line: z.number().int().min(0).max(19),
  quantity: z.number().int().min(1).max(99),
});
export type FeeLineChoice = z.infer<typeof FeeLineChoice>;

export const PaymentStatus = z.enum(["pending", "paid", "closed"]);
export type PaymentStatus = z.infer<typeof PaymentStatus>;
export const RefundStatus = z.enum(["processing", "succeeded", "failed"]);
export type RefundStatus = z.infer<typeof RefundStatus>;
export const InvoiceKind = z.enum(["blue", "red"]);
export type InvoiceKind = z.infer<typeof InvoiceKind>;

export const InvoiceSummary = z.object({
  id: z.uuid(),
  number: z.string(),
  kind: InvoiceKind,
  amountFen: Fen,
  issuedAt: z.string(),
});
export type InvoiceSummary = z.infer<typeof InvoiceSummary>;

export const Refund = z.object({
  id: z.uuid(),
  number: z.string(),
  amountFen: Fen,
  reason: z.string(),
  status: RefundStatus,
  failure: z.string().nullable(),
  requestedAt: z.string(),
  settledAt: z.string().nullable(),
  redInvoiceId: z.uuid().nullable(),
});
export type Refund = z.infer<typeof Refund>;

export const Payment = z.object({
  id: z.uuid(),
  /** The merchant order number sent to the gateway (商户订单号). */
  number: z.string(),
  applicationId: z.uuid(),
  applicationNumber: z.string(),
  serviceName: z.string(),
  description: z.string(),
  departmentName: z.string(),
  amountFen: Fen,
  refundedFen: Fen,
  /** What staff may still refund: paid, minus refunds done or under way. */
  refundableFen: Fen,
  status: PaymentStatus,
  gateway: z.string(),
  gatewayTransactionId: z.string().nullable(),
  /** Where the payer pays (the gateway's cashier), while the order is pending. */
  payUrl: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  paidAt: z.string().nullable(),
  refunds: z.array(Refund),
  invoices: z.array(InvoiceSummary),
});
export type Payment = z.infer<typeof Payment>;

/** What a case owes and where its payment stands. */
export const CaseFee = z.object({
  applicationId: z.uuid(),
  amountFen: Fen,
  lines: z.array(FeeLine),
  assessedAt: z.string(),
  status: z.enum(["due", "paid"]),
  /** The applicant may pay now (the case is accepted and not finished). */
  payable: z.boolean(),
  payments: z.array(Payment),
});
export type CaseFee = z.infer<typeof CaseFee>;

export const CreatePaymentRequest = z.object({ applicationId: z.uuid({ error: "Not a valid case id" }) });
export type CreatePaymentRequest = z.infer<typeof CreatePaymentRequest>;

export const CreateRefundRequest = z.object({
  amountFen: z
    .number({ error: "The amount is a whole number of fen" })
    .int({ error: "The amount is a whole number of fen" })
    .min(1, { error: "The amount must be at least 1 fen" })
    .max(100_000_000, { error: "The amount is too large" }),
  reason: z
    .string()
    .trim()
    .min(2, { error: "Give the reason for the refund" })
    .max(200, { error: "The reason is at most 200 characters" }),
});
export type CreateRefundRequest = z.infer<typeof CreateRefundRequest>;

export const InvoiceLine = z.object({
  name: z.string(),
  basis: z.string(),
  unitFen: Fen,
  quantity: z.number().int(),
  amountFen: Fen,
});

/** An e-invoice as its payer (or the department's staff) sees it. */
export const Invoice = z.object({
  id: z.uuid(),
  number: z.string(),
  kind: InvoiceKind,
  /** The six-character check code (校验码) printed on the invoice; verification and reimbursement ask for it. */
  checkCode: z.string(),
  amountFen: Fen,
  issuedAt: z.string(),
  issuerName: z.string(),
  regionCode: z.string(),
  payerName: z.string(),
  lines: z.array(InvoiceLine),
  paymentNumber: z.string(),
  applicationNumber: z.string(),
  /** For a red-letter invoice: the invoice it reverses. */
  originalNumber: z.string().nullable(),
  originalId: z.uuid().nullable(),
  /** Red-letter invoices issued against this one (refunds), as a negative sum. */
  reversedFen: Fen,
  ledgerIndex: z.number().int().nullable(),
  reimbursement: z.object({ organisationName: z.string(), claimedAt: z.string() }).nullable(),
  verifyUrl: z.string(),
});
export type Invoice = z.infer<typeof Invoice>;

export const VerifyInvoiceRequest = z.object({
  number: z.string().trim().min(1).max(40).optional(),
  checkCode: z.string().trim().min(1).max(12).optional(),
  /** The invoice document (JSON) as downloaded. */
  document: z.record(z.string(), z.unknown()).optional(),
});
export type VerifyInvoiceRequest = z.infer<typeof VerifyInvoiceRequest>;

export const InvoiceCheck = z.object({
  check: z.enum(["format", "signature", "issuer", "record", "ledger", "status"]),
  outcome: z.enum(["pass", "fail", "not_checked"]),
  detail: z.string(),
});
export type InvoiceCheck = z.infer<typeof InvoiceCheck>;

export const InvoiceVerification = z.object({
  valid: z.boolean(),
  /** valid, reversed (fully red-lettered), not_found, altered, untrusted, not_in_ledger. */
  outcome: z.string(),
  checks: z.array(InvoiceCheck),
  invoice: z
    .object({
      id: z.uuid(),
      number: z.string(),
      kind: InvoiceKind,
      amountFen: Fen,
      reversedFen: Fen,
      issuedAt: z.string(),
      issuerName: z.string(),
      /** Masked: 林*燕. */
      payerName: z.string(),
      lines: z.array(InvoiceLine),
      originalNumber: z.string().nullable(),
      ledgerIndex: z.number().int().nullable(),
    })
    .nullable(),
  reimbursed: z.boolean(),
  reimbursedAt: z.string().nullable(),
});
export type InvoiceVerification = z.infer<typeof InvoiceVerification>;

export const ReimburseInvoiceRequest = z.object({
  checkCode: z.string().trim().min(1, { error: "Give the invoice's check code" }).max(12),
  /** The organisation's own voucher number (记账凭证号), for its books. */
  reference: z.string().trim().max(60).optional(),
});
export type ReimburseInvoiceRequest = z.infer<typeof ReimburseInvoiceRequest>;

export const Reimbursement = z.object({
  invoiceId: z.uuid(),
  invoiceNumber: z.string(),
  amountFen: Fen,
  organisationCode: z.string(),
  organisationName: z.string(),
  reference: z.string().nullable(),
  claimedAt: z.string(),
});
export type Reimbursement = z.infer<typeof Reimbursement>;

export const ReconciliationDifferenceKind = z.enum([
  "payment_missing_at_gateway",
  "payment_amount_mismatch",
  "payment_not_settled_locally",
  "payment_unknown",
  "payment_day_differs",
  "duplicate_payment",
  "refund_missing_at_gateway",
  "refund_amount_mismatch",
  "refund_not_settled_locally",
  "refund_unknown",
]);
export type ReconciliationDifferenceKind = z.infer<typeof ReconciliationDifferenceKind>;

export const ReconciliationItem = z.object({
  kind: ReconciliationDifferenceKind,
  reference: z.string(),
  localFen: Fen.nullable(),
  gatewayFen: Fen.nullable(),
  detail: z.string(),
});
export type ReconciliationItem = z.infer<typeof ReconciliationItem>;

export const ReconciliationSummary = z.object({
  ordersCreated: z.number().int(),
  paymentsSettled: z.number().int(),
  paymentsFen: Fen,
  refundsSettled: z.number().int(),
  refundsFen: Fen,
  gatewayPayments: z.number().int(),
  gatewayPaymentsFen: Fen,
  gatewayRefunds: z.number().int(),
  gatewayRefundsFen: Fen,
  matchedPayments: z.number().int(),
  matchedRefunds: z.number().int(),
  differences: z.number().int(),
});
export type ReconciliationSummary = z.infer<typeof ReconciliationSummary>;

export const ReconciliationReport = z.object({
  /** The China day (Asia/Shanghai) reconciled. */
  day: z.string(),
  generatedAt: z.string(),
  balanced: z.boolean(),
  summary: ReconciliationSummary,
  items: z.array(ReconciliationItem),
});
export type ReconciliationReport = z.infer<typeof ReconciliationReport>;

export const ReconciliationDay = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "A day is written YYYY-MM-DD" }),
});

export const ReconciliationListItem = z.object({
  day: z.string(),
  generatedAt: z.string(),
  balanced: z.boolean(),
  differences: z.number().int(),
  paymentsFen: Fen,
  refundsFen: Fen,
});
export type ReconciliationListItem = z.infer<typeof ReconciliationListItem>;

import { queryOptions } from "@tanstack/react-query";
import type {
  CaseFee,
  Invoice,
  InvoiceVerification,
  Payment,
  ReconciliationListItem,
  ReconciliationReport,
  Reimbursement,
  VerifyInvoiceRequest,
} from "@tongban/contracts";
import { api } from "../api/client.ts";

/** Fen as yuan with the currency sign: 30000 → ¥300.00. */
export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

export const caseFeeQuery = (applicationId: string) =>
  queryOptions({
    queryKey: ["case", applicationId, "fee"] as const,
    queryFn: () => api<CaseFee>("GET", `/applications/${applicationId}/fee`),
    retry: false,
  });

// Private data: keyed under "me", so logging out drops it.
export const myPaymentsQuery = () =>
  queryOptions({ queryKey: ["me", "payments"] as const, queryFn: () => api<Payment[]>("GET", "/me/payments") });

export const invoiceQuery = (id: string) =>
  queryOptions({ queryKey: ["me", "invoice", id] as const, queryFn: () => api<Invoice>("GET", `/invoices/${id}`) });

export const startPayment = (applicationId: string) => api<Payment>("POST", "/payments", { applicationId });
export const queryPayment = (id: string) => api<Payment>("POST", `/payments/${id}/query`);
export const refundPayment = (id: string, body: { amountFen: number; reason: string }, key: string) =>
  api<Payment>("POST", `/payments/${id}/refunds`, body, { "idempotency-key": key });
export const verifyInvoice = (body: VerifyInvoiceRequest) => api<InvoiceVerification>("POST", "/invoices/verify", body);
export const reimburseInvoice = (id: string, body: { checkCode: string; reference?: string }) =>
  api<Reimbursement>("POST", `/invoices/${id}/reimburse`, body);
export const invoiceDocumentUrl = (id: string) => `/api/v1/invoices/${id}/document`;

export const reconciliationListQuery = () =>
  queryOptions({
    queryKey: ["admin", "reconciliation"] as const,
    queryFn: () => api<ReconciliationListItem[]>("GET", "/admin/reconciliation"),
  });
export const runReconciliation = (day: string) => api<ReconciliationReport>("POST", `/admin/reconciliation/${day}`);
export const reconciliationReport = (day: string) => api<ReconciliationReport>("GET", `/admin/reconciliation/${day}`);

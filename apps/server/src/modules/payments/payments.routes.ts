import {
  CaseFee,
  CreatePaymentRequest,
  CreateRefundRequest,
  ErrorBody,
  IdParam,
  Invoice,
  InvoiceVerification,
  Payment,
  ReconciliationDay,
  ReconciliationListItem,
  ReconciliationReport,
  ReimburseInvoiceRequest,
  Reimbursement,
  VerifyInvoiceRequest,
} from "@tongban/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { PaymentsService } from "./payments.service.ts";

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  502: ErrorBody,
  503: ErrorBody,
};

/** Routes of payers, staff and administrators (logged in). */
export const paymentsRoutes: FastifyPluginAsyncZod<{ payments: PaymentsService }> = async (app, { payments }) => {
  app.addHook("preHandler", app.authenticate);

  app.get(
    "/applications/:id/fee",
    {
      schema: {
        tags: ["payments"],
        summary:
          "The fee a case owes (assessed at acceptance) and its payments (the applicant, or staff who may read it)",
        params: IdParam,
        response: { 200: CaseFee, ...errors },
      },
    },
    async (request) => payments.caseFee(app.actorOf(request), request.params.id),
  );

  app.post(
    "/payments",
    {
      schema: {
        tags: ["payments"],
        summary:
          "Pay a case's fee (the applicant): places an order with the payment gateway and answers the payment with `payUrl`, the gateway's cashier; an open order is answered again",
        body: CreatePaymentRequest,
        response: { 201: Payment, ...errors },
      },
    },
    async (request, reply) => {
      const payment = await payments.pay(app.actorOf(request), request.body.applicationId, {
        ip: request.ip,
        origin: `${request.protocol}://${request.host}`,
      });
      reply.code(201);
      return payment;
    },
  );

  app.get(
    "/me/payments",
    {
      schema: {
        tags: ["payments"],
        summary: "The caller's payments with their refunds and e-invoices",
        response: { 200: z.array(Payment), ...errors },
      },
    },
    async (request) => payments.myPayments(app.actorOf(request)),
  );

  app.get(
    "/payments/:id",
    {
      schema: {
        tags: ["payments"],
        summary: "One payment (its payer, or staff who may read its case)",
        params: IdParam,
        response: { 200: Payment, ...errors },
      },
    },
    async (request) => payments.payment(app.actorOf(request), request.params.id),
  );

  app.post(
    "/payments/:id/query",
    {
      schema: {
        tags: ["payments"],
        summary:
          "Ask the gateway now (order query) and settle the payment and its refunds from the answer — for a notification that has not come",
        params: IdParam,
        response: { 200: Payment, ...errors },
      },
    },
    async (request) => payments.refresh(app.actorOf(request), request.params.id),
  );

  app.post(
    "/payments/:id/refunds",
    {
      schema: {
        tags: ["payments"],
        summary:
          "Refund a paid fee in full or in part, with a reason (退费; window or handling staff of the charging department); needs an Idempotency-Key header",
        params: IdParam,
        headers: z.object({
          "idempotency-key": z
            .string({ error: "Send an Idempotency-Key header" })
            .min(8, { error: "An Idempotency-Key has 8 to 128 characters" })
            .max(128),
        }),
        body: CreateRefundRequest,
        response: { 200: Payment, ...errors, 422: ErrorBody },
      },
    },
    async (request) =>
      payments.refund(app.actorOf(request), request.params.id, request.body, request.headers["idempotency-key"]),
  );

  app.get(
    "/invoices/:id",
    {
      schema: {
        tags: ["invoices"],
        summary: "An e-invoice (its payer, or staff of the issuing department)",
        params: IdParam,
        response: { 200: Invoice, ...errors },
      },
    },
    async (request) => payments.invoice(app.actorOf(request), request.params.id),
  );

  app.get(
    "/invoices/:id/document",
    {
      schema: {
        tags: ["invoices"],
        summary: "Download the signed e-invoice document (JSON with its eddsa-jcs-2022 proof)",
        params: IdParam,
        response: { 200: z.string(), ...errors },
      },
    },
    async (request, reply) => {
      const { text, number } = await payments.invoiceDocument(app.actorOf(request), request.params.id);
      reply.type("application/json; charset=utf-8");
      reply.header("content-disposition", `attachment; filename="invoice-${number}.json"`);
      return text;
    },
  );

  app.post(
    "/invoices/:id/reimburse",
    {
      schema: {
        tags: ["invoices"],
        summary:
          "Mark an invoice reimbursed by the caller's organisation (一票一报: once only; a second claim answers 409 INVOICE_ALREADY_REIMBURSED)",
        params: IdParam,
        body: ReimburseInvoiceRequest,
        response: { 200: Reimbursement, ...errors, 422: ErrorBody },
      },
    },
    async (request) => payments.reimburse(app.actorOf(request), request.params.id, request.body),
  );

  app.get(
    "/admin/reconciliation",
    {
      schema: {
        tags: ["payments"],
        summary: "The daily reconciliation reports, newest first (administrators)",
        response: { 200: z.array(ReconciliationListItem), ...errors },
      },
    },
    async (request) => payments.reports(app.actorOf(request)),
  );

  app.get(
    "/admin/reconciliation/:day",
    {
      schema: {
        tags: ["payments"],
        summary:
          "A day's reconciliation of orders, gateway payments and refunds, with its differences (administrators)",
        params: ReconciliationDay,
        response: { 200: ReconciliationReport, ...errors },
      },
    },
    async (request) => payments.report(app.actorOf(request), request.params.day),
  );

  app.post(
    "/admin/reconciliation/:day",
    {
      schema: {
        tags: ["payments"],
        summary: "Run (or run again) a China day's reconciliation against the gateway's trade bill (administrators)",
        params: ReconciliationDay,
        response: { 200: ReconciliationReport, ...errors },
      },
    },
    async (request) => payments.reconcile(app.actorOf(request), request.params.day),
  );
};

/** The gateway's notifications (public; their signature is the authentication). */
export const paymentsNotifyRoutes: FastifyPluginAsyncZod<{ payments: PaymentsService }> = async (app, { payments }) => {
  // The notification's signature covers the raw body bytes: keep them as they came (this plugin only).
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.post(
    "/payments/notify",
    {
      // Each refused notification is a security event: one address cannot write them without bound.
      config: { csrf: false, rateLimit: { max: 6000, timeWindow: "1 minute" } },
      schema: {
        tags: ["payments"],
        summary:
          "The payment gateway's asynchronous notification (WeChat Pay API v3: signed headers, AEAD_AES_256_GCM resource). 204 once processed; a duplicate changes nothing; a forged one answers 401",
        body: z.string(),
        response: { 204: z.null(), 401: ErrorBody, 422: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      await payments.notification(request.headers, request.body, request.ip);
      reply.code(204);
      return null;
    },
  );
};

/** Invoice verification by anyone. */
export const invoicesPublicRoutes: FastifyPluginAsyncZod<{ payments: PaymentsService }> = async (app, { payments }) => {
  app.post(
    "/invoices/verify",
    {
      config: { csrf: false },
      schema: {
        tags: ["invoices"],
        summary:
          "Verify an e-invoice (public): by its number and check code, or by its document — signature, issuer, record, ledger entry, red-letter reversals, reimbursement",
        body: VerifyInvoiceRequest,
        response: { 200: InvoiceVerification, 400: ErrorBody },
      },
    },
    async (request) => payments.verifyInvoice(request.body),
  );
};

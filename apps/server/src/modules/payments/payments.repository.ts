import { type Insertable, type Selectable, sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type {
  CaseFeesTable,
  InvoicesTable,
  PaymentsTable,
  ReconciliationItemsTable,
  RefundsTable,
} from "../../db/schema.ts";

export type PaymentRow = Selectable<PaymentsTable>;
export type RefundRow = Selectable<RefundsTable>;
export type InvoiceRow = Selectable<InvoicesTable>;
export type CaseFeeRow = Selectable<CaseFeesTable>;

/** What the payments module reads of a case (the applications module owns the table). */
export interface CaseFacts {
  id: string;
  number: string;
  status: string;
  applicant_id: string;
  region_code: string;
  department_id: string;
  department_name: string;
  service_name: string;
  classification: string;
}

export const paymentsRepository = {
  caseFacts(db: Db, applicationId: string): Promise<CaseFacts | undefined> {
    return db
      .selectFrom("applications as a")
      .innerJoin("departments as d", "d.id", "a.department_id")
      .innerJoin("services as v", "v.code", "a.service_code")
      .select([
        "a.id",
        "a.number",
        "a.status",
        "a.applicant_id",
        "a.region_code",
        "a.department_id",
        "d.name as department_name",
        "v.name as service_name",
        "a.classification",
      ])
      .where("a.id", "=", applicationId)
      .executeTakeFirst();
  },

  account(db: Db, id: string) {
    return db
      .selectFrom("accounts")
      .select(["id", "kind", "name", "id_number", "credit_code", "phone", "email"])
      .where("id", "=", id)
      .executeTakeFirst();
  },

  departmentName(db: Db, id: string) {
    return db.selectFrom("departments").select(["name"]).where("id", "=", id).executeTakeFirst();
  },

  insertFee(db: Db, row: Insertable<CaseFeesTable>) {
    return db.insertInto("case_fees").values(row).execute();
  },

  fee(db: Db, applicationId: string, lock = false) {
    let query = db.selectFrom("case_fees").selectAll().where("application_id", "=", applicationId);
    if (lock) query = query.forUpdate();
    return query.executeTakeFirst();
  },

  setFeePaid(db: Db, applicationId: string, paymentId: string) {
    return db
      .updateTable("case_fees")
      .set({ paid_payment_id: paymentId })
      .where("application_id", "=", applicationId)
      .where("paid_payment_id", "is", null)
      .execute();
  },

  insertPayment(db: Db, row: Insertable<PaymentsTable>) {
    return db.insertInto("payments").values(row).execute();
  },

  payment(db: Db, id: string, lock = false) {
    let query = db.selectFrom("payments").selectAll().where("id", "=", id);
    if (lock) query = query.forUpdate();
    return query.executeTakeFirst();
  },

  paymentByNumber(db: Db, number: string, lock = false) {
    let query = db.selectFrom("payments").selectAll().where("number", "=", number);
    if (lock) query = query.forUpdate();
    return query.executeTakeFirst();
  },

  paymentsOfCase(db: Db, applicationId: string) {
    return db
      .selectFrom("payments")
      .selectAll()
      .where("application_id", "=", applicationId)
      .orderBy("created_at", "desc")
      .execute();
  },

  paymentsOfPayer(db: Db, payerId: string) {
    return db
      .selectFrom("payments")
      .selectAll()
      .where("payer_id", "=", payerId)
      .where((eb) => eb.or([eb("status", "=", "paid"), eb("status", "=", "pending")]))
      .orderBy("created_at", "desc")
      .limit(200)
      .execute();
  },

  updatePayment(db: Db, id: string, values: Partial<Insertable<PaymentsTable>>) {
    return db.updateTable("payments").set(values).where("id", "=", id).execute();
  },

  pendingPayments(db: Db, createdBefore: Date, limit = 50) {
    return db
      .selectFrom("payments")
      .selectAll()
      .where("status", "=", "pending")
      .where("created_at", "<", createdBefore)
      .orderBy("created_at")
      .limit(limit)
      .execute();
  },

  refundsOf(db: Db, paymentIds: string[]) {
    if (paymentIds.length === 0) return Promise.resolve([] as RefundRow[]);
    return db.selectFrom("refunds").selectAll().where("payment_id", "in", paymentIds).orderBy("requested_at").execute();
  },

  refundByKey(db: Db, requestedBy: string, key: string) {
    return db
      .selectFrom("refunds")
      .selectAll()
      .where("requested_by", "=", requestedBy)
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
  },

  refundByNumber(db: Db, number: string, lock = false) {
    let query = db.selectFrom("refunds").selectAll().where("number", "=", number);
    if (lock) query = query.forUpdate();
    return query.executeTakeFirst();
  },

  insertRefund(db: Db, row: Insertable<RefundsTable>) {
    return db.insertInto("refunds").values(row).execute();
  },

  updateRefund(db: Db, id: string, values: Partial<Insertable<RefundsTable>>) {
    return db.updateTable("refunds").set(values).where("id", "=", id).execute();
  },

  processingRefunds(db: Db, requestedBefore: Date, limit = 50) {
    return db
      .selectFrom("refunds")
      .selectAll()
      .where("status", "=", "processing")
      .where("requested_at", "<", requestedBefore)
      .orderBy("requested_at")
      .limit(limit)
      .execute();
  },

  /** Records a notification id; false when it was seen before (a duplicate). */
  async firstNotification(db: Db, row: { id: string; event_type: string; subject: string; received_at: Date }) {
    const inserted = await db
      .insertInto("payment_notifications")
      .values(row)
      .onConflict((oc) => oc.column("id").doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted !== undefined;
  },

  async nextInvoiceNumber(db: Db): Promise<number> {
    const row = await sql<{ n: string | number }>`select nextval('invoice_number_seq') as n`.execute(db);
    return Number(row.rows[0]?.n);
  },

  insertInvoice(db: Db, row: Insertable<InvoicesTable>) {
    return db.insertInto("invoices").values(row).execute();
  },

  /** Invoices with their ledger index (once the sequencer has integrated them). */
  invoiceQuery(db: Db) {
    return db
      .selectFrom("invoices as i")
      .innerJoin("outbox as o", "o.id", "i.outbox_id")
      .leftJoin("invoice_reimbursements as r", "r.invoice_id", "i.id")
      .selectAll("i")
      .select([
        "o.ledger_idx as ledger_idx",
        "r.organisation_name as reimbursed_by",
        "r.claimed_at as reimbursed_at",
        "r.organisation_code as reimbursed_code",
      ]);
  },

  invoice(db: Db, id: string) {
    return paymentsRepository.invoiceQuery(db).where("i.id", "=", id).executeTakeFirst();
  },

  invoiceByNumber(db: Db, number: string) {
    return paymentsRepository.invoiceQuery(db).where("i.number", "=", number).executeTakeFirst();
  },

  invoicesOfPayments(db: Db, paymentIds: string[]) {
    if (paymentIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom("invoices")
      .select(["id", "number", "kind", "amount_fen", "issued_at", "payment_id", "refund_id"])
      .where("payment_id", "in", paymentIds)
      .orderBy("issued_at")
      .execute();
  },

  blueInvoiceOf(db: Db, paymentId: string) {
    return db
      .selectFrom("invoices")
      .selectAll()
      .where("payment_id", "=", paymentId)
      .where("kind", "=", "blue")
      .executeTakeFirst();
  },

  async reversedFen(db: Db, invoiceId: string): Promise<number> {
    const row = await db
      .selectFrom("invoices")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount_fen"), eb.val(0)).as("total"))
      .where("original_id", "=", invoiceId)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  },

  async claimReimbursement(
    db: Db,
    row: {
      invoice_id: string;
      organisation_code: string;
      organisation_name: string;
      claimed_by: string;
      reference: string | null;
      claimed_at: Date;
      outbox_id: number;
    },
  ): Promise<boolean> {
    const inserted = await db
      .insertInto("invoice_reimbursements")
      .values(row)
      .onConflict((oc) => oc.column("invoice_id").doNothing())
      .returning("invoice_id")
      .executeTakeFirst();
    return inserted !== undefined;
  },

  reimbursement(db: Db, invoiceId: string) {
    return db.selectFrom("invoice_reimbursements").selectAll().where("invoice_id", "=", invoiceId).executeTakeFirst();
  },

  paymentsPaidBetween(db: Db, from: Date, to: Date) {
    return db
      .selectFrom("payments")
      .selectAll()
      .where("status", "=", "paid")
      .where("paid_at", ">=", from)
      .where("paid_at", "<", to)
      .execute();
  },

  async ordersCreatedBetween(db: Db, from: Date, to: Date): Promise<number> {
    const row = await db
      .selectFrom("payments")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("created_at", ">=", from)
      .where("created_at", "<", to)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  },

  refundsSettledBetween(db: Db, from: Date, to: Date) {
    return db
      .selectFrom("refunds as r")
      .innerJoin("payments as p", "p.id", "r.payment_id")
      .selectAll("r")
      .select(["p.region_code", "p.number as payment_number"])
      .where("r.status", "=", "succeeded")
      .where("r.settled_at", ">=", from)
      .where("r.settled_at", "<", to)
      .execute();
  },

  paymentsByNumbers(db: Db, numbers: string[]) {
    if (numbers.length === 0) return Promise.resolve([] as PaymentRow[]);
    return db.selectFrom("payments").selectAll().where("number", "in", numbers).execute();
  },

  refundsByNumbers(db: Db, numbers: string[]) {
    if (numbers.length === 0) return Promise.resolve([] as RefundRow[]);
    return db.selectFrom("refunds").selectAll().where("number", "in", numbers).execute();
  },

  async saveReport(
    db: Db,
    report: { day: string; generated_at: Date; generated_by: string | null; summary: string },
    items: Insertable<ReconciliationItemsTable>[],
  ) {
    await db.deleteFrom("reconciliation_reports").where("day", "=", report.day).execute();
    await db.insertInto("reconciliation_reports").values(report).execute();
    if (items.length > 0) await db.insertInto("reconciliation_items").values(items).execute();
  },

  report(db: Db, day: string) {
    return db.selectFrom("reconciliation_reports").selectAll().where("day", "=", day).executeTakeFirst();
  },

  reportItems(db: Db, day: string) {
    return db.selectFrom("reconciliation_items").selectAll().where("day", "=", day).orderBy("seq").execute();
  },

  reports(db: Db, limit = 60) {
    return db.selectFrom("reconciliation_reports").selectAll().orderBy("day", "desc").limit(limit).execute();
  },
};

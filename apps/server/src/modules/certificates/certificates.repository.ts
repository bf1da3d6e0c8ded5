import type { Insertable } from "kysely";
import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type {
  ApplicationCertificateMaterialsTable,
  CertificatesTable,
  CertificateVerificationsTable,
} from "../../db/schema.ts";

function certificateView(db: Db) {
  return db
    .selectFrom("certificates as c")
    .innerJoin("outbox as o", "o.id", "c.outbox_id")
    .selectAll("c")
    .select("o.ledger_idx as ledger_idx");
}
export type CertificateRow = Awaited<ReturnType<ReturnType<typeof certificateView>["executeTakeFirstOrThrow"]>>;

export const certificatesRepository = {
  async nextNumber(db: Db): Promise<number> {
    const { rows } = await sql<{ n: number }>`select nextval('certificate_number_seq')::int as n`.execute(db);
    return Number(rows[0]?.n);
  },

  /** The holder's name, kind and identifier (ID number or credit code), as the certificate states them. */
  holder(db: Db, accountId: string) {
    return db
      .selectFrom("accounts")
      .select(["id", "name", "kind", "id_number", "credit_code"])
      .where("id", "=", accountId)
      .executeTakeFirst();
  },

  async insert(db: Db, row: Insertable<CertificatesTable>) {
    await db.insertInto("certificates").values(row).execute();
  },

  find(db: Db, id: string) {
    return certificateView(db).where("c.id", "=", id).executeTakeFirst();
  },

  findByNumber(db: Db, number: string) {
    return certificateView(db).where("c.number", "=", number).executeTakeFirst();
  },

  /** The row locked for a status change. */
  lock(db: Db, id: string) {
    return db.selectFrom("certificates").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
  },

  listForHolder(db: Db, holderId: string) {
    return certificateView(db).where("c.holder_id", "=", holderId).orderBy("c.issued_at", "desc").execute();
  },

  /** The holder's valid certificates of a type (the ones a new one of a superseding type replaces). */
  validOfType(db: Db, holderId: string, type: string) {
    return db
      .selectFrom("certificates")
      .select(["id", "number"])
      .where("holder_id", "=", holderId)
      .where("type", "=", type)
      .where("status", "=", "valid")
      .forUpdate()
      .execute();
  },

  async setStatus(
    db: Db,
    id: string,
    change: {
      status: CertificatesTable["status"];
      status_reason: string | null;
      status_changed_at: Date;
      status_changed_by: string;
      superseded_by: string | null;
      status_outbox_id: number;
    },
  ) {
    await db.updateTable("certificates").set(change).where("id", "=", id).execute();
  },

  async setPdf(db: Db, id: string, pdf: { pdf_sha256: string; pdf_outbox_id: number }) {
    await db.updateTable("certificates").set(pdf).where("id", "=", id).where("pdf_sha256", "is", null).execute();
  },

  async insertVerifications(db: Db, rows: Insertable<CertificateVerificationsTable>[]) {
    if (rows.length > 0) await db.insertInto("certificate_verifications").values(rows).execute();
  },

  verificationsOf(db: Db, certificateIds: string[], perCertificate = 20) {
    if (certificateIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom("certificate_verifications")
      .select(["certificate_id", "at", "method", "valid", "outcome"])
      .where("certificate_id", "in", certificateIds)
      .orderBy("at", "desc")
      .limit(perCertificate * certificateIds.length)
      .execute();
  },

  async attachToApplication(db: Db, row: Insertable<ApplicationCertificateMaterialsTable>) {
    await db
      .updateTable("application_certificate_materials")
      .set({ replaced_at: row.attached_at })
      .where("application_id", "=", row.application_id)
      .where("material_code", "=", row.material_code)
      .where("replaced_at", "is", null)
      .execute();
    await db.insertInto("application_certificate_materials").values(row).execute();
  },

  materialsOf(db: Db, applicationId: string) {
    return db
      .selectFrom("application_certificate_materials as m")
      .innerJoin("certificates as c", "c.id", "m.certificate_id")
      .select([
        "m.id",
        "m.material_code",
        "m.certificate_id",
        "m.attached_at",
        "c.number",
        "c.name",
        "c.status",
        "c.credential",
      ])
      .where("m.application_id", "=", applicationId)
      .where("m.replaced_at", "is", null)
      .execute();
  },
};

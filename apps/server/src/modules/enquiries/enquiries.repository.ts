import type { Insertable, Updateable } from "kysely";
import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { EnquiriesTable, EnquiryMessagesTable } from "../../db/schema.ts";

function enquiryView(db: Db) {
  return db
    .selectFrom("enquiries as e")
    .innerJoin("departments as d", "d.id", "e.department_id")
    .innerJoin("accounts as asker", "asker.id", "e.asker_id")
    .leftJoin("accounts as first", "first.id", "e.first_contact_id")
    .leftJoin("services as s", "s.code", "e.service_code")
    .selectAll("e")
    .select([
      "d.name as department_name",
      "asker.name as asker_name",
      "asker.phone as asker_phone",
      "asker.email as asker_email",
      "first.name as first_contact_name",
      "first.disabled as first_contact_disabled",
      "s.name as service_name",
    ]);
}
export type EnquiryRow = Awaited<ReturnType<ReturnType<typeof enquiryView>["executeTakeFirstOrThrow"]>>;

export interface EnquiryFilter {
  askerId?: string;
  departmentId?: string;
  regionCode?: string;
  firstContactId?: string;
  status?: string;
  limit: number;
  offset: number;
}

export const enquiriesRepository = {
  async nextNumber(db: Db): Promise<number> {
    const row = await sql<{ n: number }>`select nextval('enquiry_number_seq')::int as n`.execute(db);
    return Number(row.rows[0]?.n);
  },

  async insert(db: Db, row: Insertable<EnquiriesTable>) {
    await db.insertInto("enquiries").values(row).execute();
  },

  async insertMessage(db: Db, row: Insertable<EnquiryMessagesTable>) {
    await db.insertInto("enquiry_messages").values(row).execute();
  },

  async update(db: Db, id: string, changes: Updateable<EnquiriesTable>) {
    await db.updateTable("enquiries").set(changes).where("id", "=", id).execute();
  },

  find(db: Db, id: string) {
    return enquiryView(db).where("e.id", "=", id).executeTakeFirst();
  },

  /** Locks the enquiry for the rest of the transaction: two officials taking it take turns. */
  lock(db: Db, id: string) {
    return db.selectFrom("enquiries").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
  },

  messages(db: Db, enquiryId: string) {
    return db
      .selectFrom("enquiry_messages as m")
      .innerJoin("accounts as a", "a.id", "m.author_id")
      .selectAll("m")
      .select("a.name as author_name")
      .where("m.enquiry_id", "=", enquiryId)
      .orderBy("m.seq")
      .execute();
  },

  list(db: Db, filter: EnquiryFilter) {
    let query = enquiryView(db);
    if (filter.askerId) query = query.where("e.asker_id", "=", filter.askerId);
    if (filter.departmentId) query = query.where("e.department_id", "=", filter.departmentId);
    if (filter.regionCode) query = query.where("e.region_code", "=", filter.regionCode);
    if (filter.firstContactId) query = query.where("e.first_contact_id", "=", filter.firstContactId);
    if (filter.status) query = query.where("e.status", "=", filter.status as EnquiriesTable["status"]);
    return query.orderBy("e.updated_at", "desc").limit(filter.limit).offset(filter.offset).execute();
  },
};

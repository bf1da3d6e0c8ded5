import type { Db } from "../../db/database.ts";
import type { DepartmentRow } from "../../db/schema.ts";

export interface DepartmentWithCount extends DepartmentRow {
  staff_count: number;
}

function withCount(db: Db) {
  return db
    .selectFrom("departments")
    .selectAll("departments")
    .select((eb) =>
      eb
        .selectFrom("accounts")
        .select((inner) => inner.fn.countAll<number>().as("n"))
        .whereRef("accounts.department_id", "=", "departments.id")
        .as("staff_count"),
    );
}

export const departmentsRepository = {
  async listByRegion(db: Db, regionCode: string): Promise<DepartmentWithCount[]> {
    const rows = await withCount(db).where("region_code", "=", regionCode).orderBy("code").execute();
    return rows.map((row) => ({ ...row, staff_count: Number(row.staff_count ?? 0) }));
  },

  async findById(db: Db, id: string): Promise<DepartmentWithCount | undefined> {
    const row = await withCount(db).where("id", "=", id).executeTakeFirst();
    return row && { ...row, staff_count: Number(row.staff_count ?? 0) };
  },

  async findByCode(db: Db, regionCode: string, code: string): Promise<DepartmentWithCount | undefined> {
    const row = await withCount(db).where("region_code", "=", regionCode).where("code", "=", code).executeTakeFirst();
    return row && { ...row, staff_count: Number(row.staff_count ?? 0) };
  },

  async codeTaken(db: Db, regionCode: string, code: string): Promise<boolean> {
    const row = await db
      .selectFrom("departments")
      .select("id")
      .where("region_code", "=", regionCode)
      .where("code", "=", code)
      .executeTakeFirst();
    return row !== undefined;
  },

  async insert(
    db: Db,
    row: {
      id: string;
      region_code: string;
      code: string;
      name: string;
      name_en: string | null;
      created_at: Date;
      updated_at: Date;
    },
  ) {
    await db.insertInto("departments").values(row).execute();
  },

  async update(db: Db, id: string, changes: { name?: string; name_en?: string | null; updated_at: Date }) {
    await db.updateTable("departments").set(changes).where("id", "=", id).execute();
  },

  async delete(db: Db, id: string) {
    await db.deleteFrom("departments").where("id", "=", id).execute();
  },
};

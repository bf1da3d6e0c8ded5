import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { AccountRow, AccountUpdate, NewAccount } from "../../db/schema.ts";

export interface AccountWithPlace extends AccountRow {
  department_name: string | null;
  region_name: string | null;
}

function withPlace(db: Db) {
  return db
    .selectFrom("accounts")
    .leftJoin("departments", "departments.id", "accounts.department_id")
    .leftJoin("regions", "regions.code", "accounts.region_code")
    .selectAll("accounts")
    .select(["departments.name as department_name", "regions.name as region_name"]);
}

export const accountsRepository = {
  findByUsername(db: Db, username: string): Promise<AccountWithPlace | undefined> {
    return withPlace(db).where("accounts.username", "=", username).executeTakeFirst();
  },

  findById(db: Db, id: string): Promise<AccountWithPlace | undefined> {
    return withPlace(db).where("accounts.id", "=", id).executeTakeFirst();
  },

  /** Locks the row for the rest of the transaction, so concurrent logins count failures exactly. */
  lockById(db: Db, id: string): Promise<AccountRow | undefined> {
    return db.selectFrom("accounts").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
  },

  async usernameTaken(db: Db, username: string): Promise<boolean> {
    const row = await db.selectFrom("accounts").select("id").where("username", "=", username).executeTakeFirst();
    return row !== undefined;
  },

  /** The id and kind of each account with one of `usernames`. */
  findKindsByUsernames(db: Db, usernames: string[]) {
    return db.selectFrom("accounts").select(["id", "kind", "username"]).where("username", "in", usernames).execute();
  },

  async insertMany(db: Db, accounts: NewAccount[]): Promise<void> {
    if (accounts.length > 0) await db.insertInto("accounts").values(accounts).execute();
  },

  async insert(db: Db, account: NewAccount): Promise<void> {
    await db.insertInto("accounts").values(account).execute();
  },

  async update(db: Db, id: string, changes: AccountUpdate): Promise<void> {
    await db.updateTable("accounts").set(changes).where("id", "=", id).execute();
  },

  listStaff(db: Db, filter: { regionCode: string; departmentId?: string; q?: string }): Promise<AccountWithPlace[]> {
    let query = withPlace(db)
      .where("accounts.kind", "=", "staff")
      .where("accounts.region_code", "=", filter.regionCode);
    if (filter.departmentId) query = query.where("accounts.department_id", "=", filter.departmentId);
    if (filter.q) {
      const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb("accounts.username", "ilike", like), eb("accounts.name", "ilike", like)]));
    }
    return query.orderBy("departments.name").orderBy("accounts.username").execute();
  },

  /** Sessions hang off their account: disabling it or changing its secrets ends them all. */
  async endSessions(db: Db, accountId: string): Promise<void> {
    await db.deleteFrom("sessions").where("account_id", "=", accountId).execute();
  },

  async countActiveAdmins(db: Db, regionCode: string, exceptId: string): Promise<number> {
    const row = await db
      .selectFrom("accounts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("kind", "=", "staff")
      .where("region_code", "=", regionCode)
      .where("disabled", "=", false)
      .where("id", "!=", exceptId)
      .where(sql<boolean>`'admin' = any(roles)`)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
};

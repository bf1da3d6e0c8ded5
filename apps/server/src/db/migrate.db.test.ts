import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/database.ts";
import { migrate, pendingMigrations } from "./migrate.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(() => t.drop());

describe("migrations", () => {
  it("are all applied and applying again does nothing", async () => {
    expect(await pendingMigrations(t.database)).toEqual([]);
    expect(await migrate(t.database)).toEqual([]);
  });

  it("roll back a failing migration whole, leaving nothing half-done", async () => {
    const broken = [
      { version: "999_broken", script: "create table half_done (id int);\ninsert into no_such_table values (1);" },
    ];
    await expect(migrate(t.database, broken)).rejects.toThrow();
    const exists = await t.database.db
      .selectFrom("schema_migrations")
      .select("version")
      .where("version", "=", "999_broken")
      .executeTakeFirst();
    expect(exists).toBeUndefined();
    await expect(
      migrate(t.database, [{ version: "999_probe", script: "select count(*) from half_done" }]),
    ).rejects.toThrow(/half_done/);
  });

  it("keep the database's constraints: a staff account needs a department", async () => {
    await expect(
      t.database.db
        .insertInto("accounts")
        .values({
          id: "00000000-0000-4000-8000-000000000001",
          kind: "staff",
          username: "nobody",
          name: "无部门",
          phone: null,
          id_number: null,
          credit_code: null,
          region_code: null,
          department_id: null,
          password_hash: "x",
          totp_secret: null,
          totp_enrolled_at: null,
          totp_last_step: null,
          locked_until: null,
          last_login_at: null,
        })
        .execute(),
    ).rejects.toThrow(/check/i);
  });
});

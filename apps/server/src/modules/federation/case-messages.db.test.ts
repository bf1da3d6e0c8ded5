// The origin's rows of cases handed over, written with their ledger entries in one statement,
// against PGlite (or PostgreSQL with DATABASE_URL).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { insertOriginCases, type OriginCase } from "./case-messages.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(async () => {
  await t?.drop();
});

const at = new Date("2026-11-29T08:00:00.000Z");
const originCase = (n: number, extra: Partial<OriginCase> = {}): OriginCase => ({
  id: randomUUID(),
  mode: "online",
  number: `350100-X20261129-${String(n).padStart(8, "0")}`,
  origin_region: "350100",
  competent_region: "610500",
  service_code: "610500-GA-0001",
  service_name: "户籍类证明开具",
  applicant_id: null,
  applicant_identifier: `61050219920806033${n}`,
  received_by: null,
  receiving_department_id: null,
  reception: null,
  at: new Date(at.getTime() + n),
  ...extra,
});
const changeOf = (row: OriginCase) => ({
  type: "federation.case_handed_over",
  subject: row.id,
  actor: null,
  at: row.at,
  facts: { to: row.competent_region, service: row.service_code },
});

describe("the origin's rows of cases handed over", () => {
  it("are written with their ledger entries in order, and answered as a read would show them", async () => {
    const { db } = t.database;
    for (const count of [1, 3]) {
      const cases = Array.from({ length: count }, (_, n) =>
        originCase(n, n === 1 ? { mode: "remote_acceptance", reception: { note: "前台" } as never } : {}),
      );
      const written = await db.transaction().execute((trx) =>
        insertOriginCases(
          trx,
          cases.map((row) => ({ row, change: changeOf(row) })),
        ),
      );
      const read = await db
        .selectFrom("federated_cases")
        .selectAll()
        .where(
          "id",
          "in",
          cases.map((c) => c.id),
        )
        .execute();
      expect(written).toEqual(cases.map((c) => read.find((r) => r.id === c.id)));
      for (const [n, row] of written.entries()) {
        expect(row).toMatchObject({
          id: cases[n]?.id,
          role: "origin",
          mode: n === 1 ? "remote_acceptance" : "online",
          status: "handed_over",
          timeline: [],
          last_seq: 0,
          reception: n === 1 ? { note: "前台" } : null,
          created_at: cases[n]?.at,
          updated_at: cases[n]?.at,
        });
      }
      // One ledger entry per case, in the cases' order.
      const entries = await db
        .selectFrom("outbox")
        .select(["subject", "content", "at"])
        .where("type", "=", "federation.case_handed_over")
        .where(
          "subject",
          "in",
          cases.map((c) => c.id),
        )
        .orderBy("id")
        .execute();
      expect(entries).toEqual(
        cases.map((c) => ({ subject: c.id, at: c.at, content: { to: "610500", service: "610500-GA-0001" } })),
      );
    }
  });
});

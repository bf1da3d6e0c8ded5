import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { demoProviders, poolRecords } from "../../demo-providers/records.ts";
import { exchangeRepository as repo } from "./exchange.repository.ts";
import { checkDefinition, type ResourceModel, toModel } from "./model.ts";
import { checkRecords } from "./records.ts";

let testDb: TestDatabase;
let models: ResourceModel[];

beforeAll(async () => {
  testDb = await createTestDatabase();
  const rows = await repo.listResources(testDb.database.db, { limit: 200, offset: 0 });
  models = rows.map(toModel);
});
afterAll(() => testDb.drop());

describe("the demo world's data-resource catalogue", () => {
  it("has the same resources in every region", () => {
    for (const region of ["350100", "610500", "500000"]) {
      const local = models.filter((m) => m.regionCode === region).map((m) => m.code.slice(7));
      expect(local.sort()).toEqual(
        [
          "gongan.criminal_investigation",
          "gongan.household_registration",
          "gongan.residence_registration",
          "gongan.resident_identity",
          "jiaoyu.degree_record",
          "jiaoyu.student_status",
          "minzheng.marriage_record",
          "renshe.insurance_record",
          "shichang.enterprise_registration",
          "shuiwu.tax_credit_rating",
          "zhengwu.business_environment",
        ].sort(),
      );
    }
  });

  it("passes the catalogue's own rules, thematic databases included", () => {
    const byCode = new Map(models.map((m) => [m.code, m]));
    for (const model of models) {
      const { issues, fields } = checkDefinition(model, byCode, model.code);
      expect(issues, model.code).toEqual([]);
      expect(fields, model.code).toEqual(model.fields);
    }
  });

  it("points each department-system resource at a dataset the demo systems hold, with records of the right types", () => {
    const held = Object.values(demoProviders).map((p) => p.records());
    for (const model of models.filter((m) => m.connector.kind === "http")) {
      const dataset = model.code.split(".")[2] as string;
      const records = held.flatMap((data) => data[model.regionCode]?.[dataset] ?? []);
      const exists = held.some((data) => data[model.regionCode]?.[dataset] !== undefined);
      expect(exists, model.code).toBe(true);
      expect(() => checkRecords(model.fields, records, { limit: 1000 }), model.code).not.toThrow();
    }
  });

  it("fills the data pools with records that fit their resources", async () => {
    const pools = poolRecords();
    for (const model of models.filter((m) => m.connector.kind === "table")) {
      const dataset = model.code.split(".")[2] as string;
      const expected = (pools[model.regionCode] as Record<string, unknown[]> | undefined)?.[dataset] ?? [];
      const stored = await repo.poolPage(testDb.database.db, model.id, 0, 1000);
      expect(stored.length, model.code).toBe(expected.length);
      expect(() => checkRecords(model.fields, stored, { limit: 1000 }), model.code).not.toThrow();
    }
  });
});

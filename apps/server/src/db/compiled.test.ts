import { Kysely, PostgresDialect } from "kysely";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { compiledOnce } from "./compiled.ts";
import type { Db } from "./database.ts";

// A dialect is enough to compile; nothing here connects.
const db = new Kysely<never>({ dialect: new PostgresDialect({ pool: {} as pg.Pool }) }) as unknown as Db;

describe("compiledOnce", () => {
  it("builds once and puts each call's values where the markers were, beside the constants", () => {
    let builds = 0;
    const query = compiledOnce((d: Db, id: string, region: string) => {
      builds++;
      return d
        .selectFrom("applications")
        .select("id")
        .where("id", "=", id)
        .where("status", "=", "submitted")
        .where("region_code", "=", region);
    });
    const first = query(db, "a-1", "350100");
    const second = query(db, "b-2", "610500");
    expect(builds).toBe(1);
    expect(first.sql).toBe(second.sql);
    expect(first.parameters).toEqual(["a-1", "submitted", "350100"]);
    expect(second.parameters).toEqual(["b-2", "submitted", "610500"]);
    expect(
      db
        .selectFrom("applications")
        .select("id")
        .where("id", "=", "b-2")
        .where("status", "=", "submitted")
        .where("region_code", "=", "610500")
        .compile().sql,
    ).toBe(second.sql);
  });

  it("refuses a builder that does not use an argument as a parameter", () => {
    const query = compiledOnce((d: Db, _unused: string) => d.selectFrom("applications").select("id"));
    expect(() => query(db, "x")).toThrow(/every argument/);
  });
});

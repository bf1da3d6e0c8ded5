import { describe, expect, it } from "vitest";
import { type Actor, decide } from "../../policy/policy.ts";

const staff = (overrides: Partial<Actor>): Actor => ({
  accountId: "s1",
  kind: "staff",
  roles: ["handling"],
  regionCode: "350100",
  departmentId: "minzheng-fz",
  clearance: "internal",
  ...overrides,
});
const resident: Actor = {
  accountId: "r1",
  kind: "resident",
  roles: [],
  regionCode: null,
  departmentId: null,
  clearance: "public",
};
const steward = staff({ roles: ["data_steward"], departmentId: "gongan-fz" });

describe("policy: data sharing", () => {
  it("lets staff browse, ask and query, but not residents", () => {
    for (const action of ["exchange.browse", "exchange.request", "exchange.query"] as const) {
      expect(decide(staff({}), action).allowed).toBe(true);
      expect(decide(resident, action)).toEqual({ allowed: false, reason: "staff only" });
    }
  });

  it("lets a data steward manage their own department's resources only", () => {
    expect(decide(steward, "exchange.manage", { departmentId: "gongan-fz" }).allowed).toBe(true);
    expect(decide(steward, "exchange.manage", { departmentId: "minzheng-fz" })).toEqual({
      allowed: false,
      reason: "outside the steward's department",
    });
    expect(decide(staff({ departmentId: "gongan-fz" }), "exchange.manage", { departmentId: "gongan-fz" })).toEqual({
      allowed: false,
      reason: "data stewards only",
    });
  });

  it("lets security officers read their own region's events", () => {
    const officer = staff({ roles: ["security_officer"] });
    expect(decide(officer, "security.read", { regionCode: "350100" }).allowed).toBe(true);
    expect(decide(officer, "security.read", { regionCode: "610500" }).allowed).toBe(false);
    expect(decide(staff({}), "security.read", { regionCode: "350100" }).allowed).toBe(false);
  });

  it("lets a data subject read the accesses to their own data", () => {
    expect(decide(resident, "data_access.read", { ownerId: "r1" }).allowed).toBe(true);
    expect(decide(resident, "data_access.read", { ownerId: "r2" }).allowed).toBe(false);
    expect(decide(staff({}), "data_access.read", { ownerId: "s1" }).allowed).toBe(false);
  });
});

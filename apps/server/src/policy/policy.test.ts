import { describe, expect, it } from "vitest";
import { type Actor, authorize, decide } from "./policy.ts";

const resident: Actor = {
  accountId: "r1",
  kind: "resident",
  roles: [],
  regionCode: null,
  departmentId: null,
  clearance: "public",
};
const otherResident: Actor = { ...resident, accountId: "r2" };
const staff = (overrides: Partial<Actor>): Actor => ({
  accountId: "s1",
  kind: "staff",
  roles: ["handling"],
  regionCode: "350100",
  departmentId: "gongan-fz",
  clearance: "internal",
  ...overrides,
});
const admin = staff({ accountId: "a1", roles: ["admin"], departmentId: "zhengwu-fz", clearance: "confidential" });

const allowed = (actor: Actor, ...args: Parameters<typeof decide> extends [Actor, ...infer R] ? R : never) =>
  decide(actor, ...args).allowed;

describe("policy: administration", () => {
  it("lets an administrator manage departments and staff of their own region", () => {
    expect(allowed(admin, "department.manage", { regionCode: "350100" })).toBe(true);
    expect(allowed(admin, "staff.manage", { regionCode: "350100" })).toBe(true);
    expect(allowed(admin, "staff.list", { regionCode: "350100" })).toBe(true);
  });
  it("denies an administrator another region", () => {
    expect(decide(admin, "staff.manage", { regionCode: "610500" })).toEqual({
      allowed: false,
      reason: "outside the administrator's region",
    });
    expect(allowed(admin, "department.manage", { regionCode: "500000" })).toBe(false);
  });
  it("denies staff without the admin role, and residents", () => {
    expect(
      allowed(staff({ roles: ["window", "handling", "supervisor"] }), "staff.manage", { regionCode: "350100" }),
    ).toBe(false);
    expect(allowed(resident, "department.manage", { regionCode: "350100" })).toBe(false);
  });
  it("lets any staff member list departments, but not residents", () => {
    expect(allowed(staff({}), "department.list")).toBe(true);
    expect(allowed(resident, "department.list")).toBe(false);
  });
});

describe("policy: cases", () => {
  const theCase = {
    ownerId: "r1",
    departmentId: "gongan-fz",
    regionCode: "350100",
    classification: "internal" as const,
  };

  it("lets the applicant read their own case and nobody else's", () => {
    expect(allowed(resident, "case.read", theCase)).toBe(true);
    expect(decide(otherResident, "case.read", theCase)).toEqual({ allowed: false, reason: "not the applicant" });
  });
  it("lets handling staff of the department read and act", () => {
    expect(allowed(staff({}), "case.read", theCase)).toBe(true);
    expect(allowed(staff({}), "case.act", theCase, "handling")).toBe(true);
  });
  it("denies staff of another department", () => {
    expect(decide(staff({ departmentId: "minzheng-fz" }), "case.act", theCase, "handling")).toEqual({
      allowed: false,
      reason: "outside the staff member's department",
    });
    expect(allowed(staff({ departmentId: "minzheng-fz" }), "case.read", theCase)).toBe(false);
  });
  it("denies an action that needs a role the staff member lacks", () => {
    expect(decide(staff({ roles: ["window"] }), "case.act", theCase, "handling")).toEqual({
      allowed: false,
      reason: "needs the handling role",
    });
  });
  it("denies staff whose clearance is below the case's classification", () => {
    const secret = { ...theCase, classification: "secret" as const };
    expect(allowed(staff({ clearance: "internal" }), "case.read", secret)).toBe(false);
    expect(allowed(staff({ clearance: "secret" }), "case.read", secret)).toBe(true);
    expect(allowed(staff({ clearance: "confidential" }), "case.act", secret, "handling")).toBe(true);
  });
  it("lets a supervisor read any case of their region, but not of another", () => {
    const supervisor = staff({ roles: ["supervisor"], departmentId: "zhengwu-fz" });
    expect(allowed(supervisor, "case.read", theCase)).toBe(true);
    expect(allowed(supervisor, "case.read", { ...theCase, regionCode: "610500" })).toBe(false);
    expect(allowed(supervisor, "case.act", theCase, "handling")).toBe(false);
  });
  it("denies staff of the department without a case role (e.g. a data steward)", () => {
    expect(decide(staff({ roles: ["data_steward"] }), "case.read", theCase)).toEqual({
      allowed: false,
      reason: "no case-handling role",
    });
  });
  it("never lets a resident act on a case", () => {
    expect(allowed(resident, "case.act", theCase)).toBe(false);
  });
});

describe("policy: classified records", () => {
  it("lets the owner read their own record up to their clearance", () => {
    expect(allowed(resident, "record.read", { ownerId: "r1" })).toBe(true);
    expect(allowed(otherResident, "record.read", { ownerId: "r1" })).toBe(false);
  });
  it("orders clearances 公开 < 内部 < 秘密 < 机密", () => {
    const levels = ["public", "internal", "secret", "confidential"] as const;
    levels.forEach((clearance, i) => {
      levels.forEach((classification, j) => {
        expect(allowed(staff({ clearance }), "record.read", { classification })).toBe(i >= j);
      });
    });
  });
  it("keeps staff to their department and region", () => {
    expect(allowed(staff({}), "record.read", { departmentId: "minzheng-fz" })).toBe(false);
    expect(allowed(staff({}), "record.read", { regionCode: "610500" })).toBe(false);
    expect(allowed(staff({}), "record.read", { departmentId: "gongan-fz", regionCode: "350100" })).toBe(true);
  });
});

describe("authorize", () => {
  it("throws FORBIDDEN with the reason", () => {
    expect(() => authorize(resident, "staff.manage", { regionCode: "350100" })).toThrowError(
      expect.objectContaining({
        code: "FORBIDDEN",
        status: 403,
        details: { action: "staff.manage", reason: "administrators only" },
      }),
    );
  });
});

describe("policy: 异地代收代办", () => {
  const window = staff({ accountId: "w1", roles: ["window"], departmentId: "zhengwu-fz" });
  it("lets the node's window staff receive cases for other regions, and nobody else", () => {
    expect(allowed(window, "federation.receive", { regionCode: "350100" })).toBe(true);
    expect(allowed(window, "federation.receive", { regionCode: "610500" })).toBe(false);
    expect(allowed(staff({}), "federation.receive", { regionCode: "350100" })).toBe(false);
    expect(allowed(resident, "federation.receive", { regionCode: "350100" })).toBe(false);
  });
  it("lets only the receiving department's window deliver the result", () => {
    expect(allowed(window, "federation.deliver", { regionCode: "350100", departmentId: "zhengwu-fz" })).toBe(true);
    expect(decide(window, "federation.deliver", { regionCode: "350100", departmentId: "gongan-fz" })).toEqual({
      allowed: false,
      reason: "outside the receiving window's department",
    });
    expect(allowed(window, "federation.deliver", { regionCode: "610500", departmentId: "zhengwu-fz" })).toBe(false);
    expect(
      allowed(staff({ departmentId: "zhengwu-fz" }), "federation.deliver", {
        regionCode: "350100",
        departmentId: "zhengwu-fz",
      }),
    ).toBe(false);
  });
});

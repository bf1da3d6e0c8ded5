import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
let admin: Client;
let departments: { id: string; code: string; staffCount: number }[];
const dept = (code: string) => departments.find((d) => d.code === code)?.id as string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login("fz.admin");
  departments = (await admin.request("GET", "/api/v1/regions/350100/departments")).json();
});
afterAll(() => t.close());

describe("departments", () => {
  it("lists a region's departments publicly, with the required ones", async () => {
    const response = await t.anonymous().request("GET", "/api/v1/regions/610500/departments");
    expect(response.statusCode).toBe(200);
    const codes = response.json().map((d: { code: string }) => d.code);
    const regions = (await t.anonymous().request("GET", "/api/v1/regions")).json();
    expect(regions).toContainEqual({ code: "610500", name: "渭南市", nameEn: "Weinan", path: ["陕西省", "渭南市"] });
    expect(codes).toEqual(
      expect.arrayContaining(["gongan", "minzheng", "renshe", "jiaoyu", "shuiwu", "shichang", "fayuan"]),
    );
    expect((await t.anonymous().request("GET", "/api/v1/regions/999999/departments")).json().code).toBe(
      "REGION_NOT_FOUND",
    );
    expect((await t.anonymous().request("GET", "/api/v1/regions/abc/departments")).json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "regionCode" }],
    });
  });

  it("lets an administrator create, rename and delete a department of their region", async () => {
    const created = await admin.request("POST", "/api/v1/admin/departments", {
      regionCode: "350100",
      code: "yibao",
      name: "福州市医疗保障局",
      nameEn: "Healthcare Security Administration",
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const duplicate = await admin.request("POST", "/api/v1/admin/departments", {
      regionCode: "350100",
      code: "yibao",
      name: "重复",
    });
    expect(duplicate.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "code", reason: "DEPARTMENT_EXISTS" }],
    });
    const renamed = await admin.request("PATCH", `/api/v1/admin/departments/${id}`, { name: "福州市医疗保障局（新）" });
    expect(renamed.json().name).toBe("福州市医疗保障局（新）");
    expect((await admin.request("DELETE", `/api/v1/admin/departments/${id}`)).statusCode).toBe(204);
    expect((await admin.request("PATCH", `/api/v1/admin/departments/${id}`, { name: "gone" })).json().code).toBe(
      "DEPARTMENT_NOT_FOUND",
    );
  });

  it("refuses to delete a department that still has staff", async () => {
    const response = await admin.request("DELETE", `/api/v1/admin/departments/${dept("gongan")}`);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: "DEPARTMENT_NOT_EMPTY" });
  });

  it("keeps an administrator out of other regions", async () => {
    const response = await admin.request("POST", "/api/v1/admin/departments", {
      regionCode: "610500",
      code: "yibao",
      name: "渭南市医疗保障局",
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      code: "FORBIDDEN",
      details: { reason: "outside the administrator's region" },
    });
  });

  it("answers a bad department code on its field", async () => {
    const response = await admin.request("POST", "/api/v1/admin/departments", {
      regionCode: "350100",
      code: "Bad Code!",
      name: "x",
    });
    const fields = response.json().details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(["code", "name"]);
  });
});

describe("staff accounts", () => {
  it("lets an administrator create staff and answers field errors in place", async () => {
    const bad = await admin.request("POST", "/api/v1/admin/staff", {
      username: "X",
      name: "林",
      departmentId: "not-a-uuid",
      roles: [],
      clearance: "top-secret",
      password: "short",
    });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json().details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(["username", "name", "departmentId", "roles", "clearance", "password"]),
    );

    const good = await admin.request("POST", "/api/v1/admin/staff", {
      username: "fz.js.handler",
      name: "林教审",
      phone: "13905919999",
      departmentId: dept("jiaoyu"),
      roles: ["handling", "window"],
      clearance: "internal",
      password: "jiaoshen2026",
    });
    expect(good.statusCode).toBe(201);
    expect(good.json()).toMatchObject({
      username: "fz.js.handler",
      departmentName: "福州市教育局",
      regionCode: "350100",
      totpEnrolled: false,
      disabled: false,
    });

    const taken = await admin.request("POST", "/api/v1/admin/staff", {
      username: "fz.js.handler",
      name: "林重名",
      departmentId: dept("jiaoyu"),
      roles: ["window"],
      clearance: "public",
      password: "chongming2026",
    });
    expect(taken.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "username", reason: "ACCOUNT_EXISTS" }],
    });
  });

  it("refuses a department that does not exist, on the field", async () => {
    const response = await admin.request("POST", "/api/v1/admin/staff", {
      username: "fz.ghost",
      name: "林幽灵",
      departmentId: "00000000-0000-4000-8000-000000000000",
      roles: ["window"],
      clearance: "public",
      password: "ghost2026x",
    });
    expect(response.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "departmentId", reason: "NOT_FOUND" }],
    });
  });

  it("lists and filters the region's staff", async () => {
    const all = (await admin.request("GET", "/api/v1/admin/staff")).json();
    expect(all.every((s: { regionCode: string }) => s.regionCode === "350100")).toBe(true);
    const gongan = (await admin.request("GET", `/api/v1/admin/staff?departmentId=${dept("gongan")}`)).json();
    expect(gongan.map((s: { username: string }) => s.username).sort()).toEqual([
      "fz.ga.handler",
      "fz.ga.steward",
      "fz.ga.window",
    ]);
    const search = (await admin.request("GET", "/api/v1/admin/staff?q=ga.steward")).json();
    expect(search.map((s: { username: string }) => s.username)).toEqual(["fz.ga.steward"]);
  });

  it("disabling a staff account ends their sessions at once", async () => {
    const window = await t.login("fz.ga.window");
    expect((await window.request("GET", "/api/v1/auth/me")).statusCode).toBe(200);
    const id = (await window.request("GET", "/api/v1/auth/me")).json().user.id;
    const disabled = await admin.request("PATCH", `/api/v1/admin/staff/${id}`, { disabled: true });
    expect(disabled.json().disabled).toBe(true);
    expect((await window.request("GET", "/api/v1/auth/me")).statusCode).toBe(401);
    await admin.request("PATCH", `/api/v1/admin/staff/${id}`, { disabled: false });
  });

  it("unlocks a locked account", async () => {
    const staff = t.account("fz.jy.handler");
    for (let i = 0; i < 5; i++) {
      await t
        .anonymous()
        .request("POST", "/api/v1/auth/login", { username: staff.username, password: "wrong-password-9" });
    }
    const list = (await admin.request("GET", "/api/v1/admin/staff?q=fz.jy.handler")).json();
    expect(list[0].lockedUntil).toEqual(expect.any(String));
    const unlocked = await admin.request("PATCH", `/api/v1/admin/staff/${list[0].id}`, { unlock: true });
    expect(unlocked.json().lockedUntil).toBeNull();
    await t.login("fz.jy.handler");
  });

  it("never leaves a region without an administrator", async () => {
    const me = (await admin.request("GET", "/api/v1/auth/me")).json().user;
    const response = await admin.request("PATCH", `/api/v1/admin/staff/${me.id}`, { roles: ["supervisor"] });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe("LAST_ADMINISTRATOR");
  });

  it("keeps administrators to their own region and other staff out altogether", async () => {
    const weinanAdmin = await t.login("wn.admin");
    const fuzhouStaff = (await admin.request("GET", "/api/v1/admin/staff?q=fz.ga.handler")).json()[0];
    const patch = await weinanAdmin.request("PATCH", `/api/v1/admin/staff/${fuzhouStaff.id}`, {
      clearance: "confidential",
    });
    expect(patch.statusCode).toBe(403);
    expect((await weinanAdmin.request("GET", "/api/v1/admin/staff?regionCode=350100")).statusCode).toBe(403);

    const handler = await t.login("fz.ga.handler");
    expect((await handler.request("GET", "/api/v1/admin/staff")).json().code).toBe("FORBIDDEN");
    const resident = t.find((a) => a.roles.length === 0 && a.region === "350100");
    const residentClient = t.anonymous();
    await residentClient.request("POST", "/api/v1/auth/login", {
      username: resident.username,
      password: resident.password,
    });
    expect((await residentClient.request("GET", "/api/v1/admin/staff")).statusCode).toBe(403);
    expect((await t.anonymous().request("GET", "/api/v1/admin/staff")).statusCode).toBe(401);
  });

  it("answers an unknown staff id and a malformed one", async () => {
    expect((await admin.request("GET", "/api/v1/admin/staff/00000000-0000-4000-8000-000000000000")).json().code).toBe(
      "USER_NOT_FOUND",
    );
    expect((await admin.request("GET", "/api/v1/admin/staff/42")).json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "id" }],
    });
  });

  it("records every administrative change in the outbox for the ledger", async () => {
    const rows = await t.database.db.selectFrom("outbox").select(["type"]).execute();
    const types = new Set(rows.map((r) => r.type));
    for (const type of [
      "department.created",
      "department.deleted",
      "staff.created",
      "staff.updated",
      "staff.login",
      "account.locked",
    ]) {
      expect(types).toContain(type);
    }
  });
});

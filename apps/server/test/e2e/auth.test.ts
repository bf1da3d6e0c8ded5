import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeIdNumber } from "../../src/seed/demo-world.ts";
import { createTestApp, type TestApp, totpAt } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const newResident = (seq: number) => ({
  kind: "resident",
  name: "郑海峰",
  idNumber: makeIdNumber("350102", "1987-04-12", seq),
  phone: "13906001234",
  password: "haifeng2026",
});

describe("registration", () => {
  it("registers a resident, logs them in and shows them their masked ID number", async () => {
    const client = t.anonymous();
    const body = newResident(101);
    const response = await client.request("POST", "/api/v1/auth/register", body);
    expect(response.statusCode).toBe(201);
    const { user, csrfToken } = response.json();
    expect(user).toMatchObject({
      kind: "resident",
      name: "郑海峰",
      username: body.idNumber,
      roles: [],
      clearance: "public",
    });
    expect(user.maskedIdentifier).toBe(`3501**********${body.idNumber.slice(-4)}`);
    expect(csrfToken).toEqual(expect.any(String));
    const me = await client.request("GET", "/api/v1/auth/me");
    expect(me.statusCode).toBe(200);
    expect(me.json().user.id).toBe(user.id);
  });

  it("takes an optional email for notifications, and checks it", async () => {
    const bad = await t
      .anonymous()
      .request("POST", "/api/v1/auth/register", { ...newResident(109), email: "not-an-email" });
    expect(bad.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "email", reason: "INVALID_FORMAT" }],
    });
    const good = await t
      .anonymous()
      .request("POST", "/api/v1/auth/register", { ...newResident(109), email: "haifeng@example.cn" });
    expect(good.json().user.email).toBe("haifeng@example.cn");
  });

  it("sets the session cookie httpOnly and SameSite", async () => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/auth/register", payload: newResident(103) });
    const cookie = response.cookies.find((c) => c.name === "tongban.sid");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    // The session ends 8 hours (SESSION_TTL_MINUTES) after login.
    const ttl = new Date(cookie?.expires ?? 0).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(479 * 60_000);
    expect(ttl).toBeLessThanOrEqual(480 * 60_000);
  });

  it("refuses a second account for the same ID number, on the field", async () => {
    const body = newResident(105);
    expect((await t.anonymous().request("POST", "/api/v1/auth/register", body)).statusCode).toBe(201);
    const again = await t
      .anonymous()
      .request("POST", "/api/v1/auth/register", { ...body, idNumber: body.idNumber.toLowerCase() });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "idNumber", reason: "ACCOUNT_EXISTS" }],
    });
  });

  it("answers every wrong field with its own reason", async () => {
    const response = await t.anonymous().request("POST", "/api/v1/auth/register", {
      kind: "resident",
      name: "李",
      idNumber: "350102198704120010",
      phone: "12345",
      password: "password",
    });
    expect(response.statusCode).toBe(400);
    const details = response.json().details as { field: string; reason: string }[];
    expect(details.map((d) => `${d.field}:${d.reason}`).sort()).toEqual(
      ["idNumber:ID_CHECK_DIGIT", "name:TOO_SHORT", "password:PASSWORD_WEAK", "phone:INVALID_FORMAT"].sort(),
    );
  });

  it("says which part of an ID number is wrong", async () => {
    const reasons = async (idNumber: string) =>
      (await t.anonymous().request("POST", "/api/v1/auth/register", { ...newResident(1), idNumber })).json().details[0];
    expect(await reasons("35010219870412")).toMatchObject({ field: "idNumber", reason: "ID_FORMAT" });
    expect(await reasons("990102198704120011")).toMatchObject({ reason: "ID_REGION" });
    expect(await reasons("350102198702300011")).toMatchObject({ reason: "ID_BIRTH_DATE" });
  });

  it("names missing fields as required", async () => {
    const response = await t.anonymous().request("POST", "/api/v1/auth/register", { kind: "resident" });
    const fields = (response.json().details as { field: string; reason: string }[]).map(
      (d) => `${d.field}:${d.reason}`,
    );
    expect(fields).toEqual(
      expect.arrayContaining(["name:REQUIRED", "idNumber:REQUIRED", "phone:REQUIRED", "password:REQUIRED"]),
    );
  });

  it("registers an enterprise by its credit code and checks the check character", async () => {
    const bad = await t.anonymous().request("POST", "/api/v1/auth/register", {
      kind: "enterprise",
      name: "福州榕树网络有限公司",
      creditCode: "91350100M000100Y44",
      phone: "13705910000",
      password: "rongshu2026",
    });
    expect(bad.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "creditCode", reason: "CREDIT_CODE_CHECK" }],
    });
    const good = await t.anonymous().request("POST", "/api/v1/auth/register", {
      kind: "enterprise",
      name: "福州榕树网络有限公司",
      creditCode: "91350100M000100Y43",
      phone: "13705910000",
      password: "rongshu2026",
    });
    expect(good.statusCode).toBe(201);
    expect(good.json().user).toMatchObject({ kind: "enterprise", username: "91350100M000100Y43" });
  });

  it("answers a body that is not JSON clearly", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/register",
      headers: { "content-type": "application/json" },
      payload: "{ nope",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("login, logout and sessions", () => {
  it("logs a resident in by ID number and out again", async () => {
    const resident = t.find((a) => a.roles.length === 0 && /^\d{17}/.test(a.username));
    const client = t.anonymous();
    const login = await client.request("POST", "/api/v1/auth/login", {
      username: resident.username,
      password: resident.password,
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.kind).toBe("resident");
    expect((await client.request("GET", "/api/v1/auth/me")).statusCode).toBe(200);
    const logout = await client.request("POST", "/api/v1/auth/logout");
    expect(logout.statusCode).toBe(204);
    const me = await client.request("GET", "/api/v1/auth/me");
    expect(me.statusCode).toBe(401);
    expect(me.json()).toEqual({ code: "UNAUTHENTICATED", message: "Please log in first" });
  });

  it("gives a new session id at login, so a planted one is useless", async () => {
    const resident = t.find((a) => a.region === "610500" && a.roles.length === 0);
    const client = t.anonymous();
    await client.request("POST", "/api/v1/auth/login", { username: resident.username, password: resident.password });
    const first = client.cookie;
    await client.request("POST", "/api/v1/auth/login", { username: resident.username, password: resident.password });
    expect(client.cookie).not.toBe(first);
  });

  it("needs the CSRF token for unsafe requests of a session", async () => {
    const resident = t.find((a) => a.region === "500000" && a.roles.length === 0);
    const client = t.anonymous();
    await client.request("POST", "/api/v1/auth/login", { username: resident.username, password: resident.password });
    const token = client.csrfToken;
    client.csrfToken = undefined;
    const without = await client.request("POST", "/api/v1/auth/logout");
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe("CSRF_INVALID");
    const wrong = await client.request("POST", "/api/v1/auth/logout", undefined, { "x-csrf-token": "forged" });
    expect(wrong.json().code).toBe("CSRF_INVALID");
    client.csrfToken = token;
    expect((await client.request("POST", "/api/v1/auth/logout")).statusCode).toBe(204);
  });

  it("answers a wrong password and an unknown account alike", async () => {
    const unknown = await t
      .anonymous()
      .request("POST", "/api/v1/auth/login", { username: "350102199001010000", password: "whatever1" });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().code).toBe("INVALID_CREDENTIALS");
  });

  it("locks an account after five wrong passwords, even against the right one, until the lock ends", async () => {
    const client = t.anonymous();
    const body = newResident(107);
    await client.request("POST", "/api/v1/auth/register", body);
    const attempt = (password: string) =>
      t.anonymous().request("POST", "/api/v1/auth/login", { username: body.idNumber, password });
    for (let left = 4; left >= 1; left--) {
      const response = await attempt("wrong-password-1");
      expect(response.json()).toMatchObject({ code: "INVALID_CREDENTIALS", details: { attemptsLeft: left } });
    }
    const fifth = await attempt("wrong-password-1");
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json()).toMatchObject({ code: "ACCOUNT_LOCKED", details: { lockedUntil: expect.any(String) } });
    expect((await attempt(body.password)).json().code).toBe("ACCOUNT_LOCKED");
    t.clock.advance(15 * 60_000 + 1000);
    expect((await attempt(body.password)).statusCode).toBe(200);
  });
});

describe("staff login with TOTP", () => {
  it("asks staff for the code, refuses a wrong one and a replayed one", async () => {
    const staff = t.account("fz.ga.handler");
    const secret = staff.totpSecret as string;
    const post = (body: object) =>
      t
        .anonymous()
        .request("POST", "/api/v1/auth/login", { username: staff.username, password: staff.password, ...body });
    expect((await post({})).json().code).toBe("TOTP_REQUIRED");
    t.clock.advance(30_000);
    const wrongCode = (Number(await totpAt(secret, t.clock.now())) + 1) % 1_000_000;
    const wrong = await post({ totp: String(wrongCode).padStart(6, "0") });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: "TOTP_INVALID", details: { attemptsLeft: 4 } });
    const code = await totpAt(secret, t.clock.now());
    const ok = await post({ totp: code });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user).toMatchObject({
      kind: "staff",
      roles: ["handling"],
      departmentName: "福州市公安局",
      regionCode: "350100",
    });
    expect((await post({ totp: code })).json().code).toBe("TOTP_INVALID");
  });

  it("takes staff usernames in any case", async () => {
    const staff = t.account("wn.mz.window");
    t.clock.advance(30_000);
    const response = await t.anonymous().request("POST", "/api/v1/auth/login", {
      username: "WN.MZ.Window",
      password: staff.password,
      totp: await totpAt(staff.totpSecret as string, t.clock.now()),
    });
    expect(response.statusCode).toBe(200);
  });

  it("makes new staff enrol an authenticator, then logs them in", async () => {
    const admin = await t.login("fz.admin");
    const departments = (await admin.request("GET", "/api/v1/regions/350100/departments")).json();
    const minzheng = departments.find((d: { code: string }) => d.code === "minzheng");
    const created = await admin.request("POST", "/api/v1/admin/staff", {
      username: "fz.mz.newcomer",
      name: "林新来",
      departmentId: minzheng.id,
      roles: ["window"],
      clearance: "internal",
      password: "welcome2026",
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().totpEnrolled).toBe(false);

    const first = await t
      .anonymous()
      .request("POST", "/api/v1/auth/login", { username: "fz.mz.newcomer", password: "welcome2026" });
    expect(first.statusCode).toBe(403);
    const enrolment = first.json();
    expect(enrolment.code).toBe("TOTP_ENROLMENT_REQUIRED");
    expect(enrolment.details.otpauthUri).toMatch(/^otpauth:\/\/totp\/Tongban:fz\.mz\.newcomer\?/);
    expect(enrolment.details.qrSvg).toContain("<svg");

    const wrongEnrol = await t
      .anonymous()
      .request("POST", "/api/v1/auth/totp/enrol", { enrolmentToken: enrolment.details.enrolmentToken, totp: "000000" });
    expect(wrongEnrol.json().code).toBe("TOTP_INVALID");
    const client = t.anonymous();
    const enrolled = await client.request("POST", "/api/v1/auth/totp/enrol", {
      enrolmentToken: enrolment.details.enrolmentToken,
      totp: await totpAt(enrolment.details.secret, t.clock.now()),
    });
    expect(enrolled.statusCode).toBe(200);
    expect(enrolled.json().user.username).toBe("fz.mz.newcomer");
    const bogus = await t
      .anonymous()
      .request("POST", "/api/v1/auth/totp/enrol", { enrolmentToken: "made-up", totp: "123456" });
    expect(bogus.json().code).toBe("ENROLMENT_EXPIRED");
  });
});

describe("rate limit on login", () => {
  it("answers RATE_LIMITED past the limit per minute", async () => {
    const limited = await createTestApp({ loginRateLimitPerMinute: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await limited
          .anonymous()
          .request("POST", "/api/v1/auth/login", { username: "nobody.here", password: "x" });
        codes.push(response.statusCode);
        if (i === 3) expect(response.json()).toMatchObject({ code: "RATE_LIMITED" });
      }
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

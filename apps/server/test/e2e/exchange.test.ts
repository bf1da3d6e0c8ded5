import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import {
  grantThrough,
  idNumberOf,
  loginResidentNamed,
  pointAt,
  servicesOf,
  startInProcessProvider,
} from "../support/exchange.ts";

const HOUSEHOLD = "350100.gongan.household_registration";
const IDENTITY = "350100.gongan.resident_identity";
const MARRIAGE = "350100.minzheng.marriage_record";
const INSURANCE = "350100.renshe.insurance_record";
const NOT_SHARED = "350100.gongan.criminal_investigation";
const ENTERPRISE = "350100.shichang.enterprise_registration";
const TAX = "350100.shuiwu.tax_credit_rating";
const THEMATIC = "350100.zhengwu.business_environment";

let t: TestApp;
let providers: { close(): Promise<void> }[] = [];
let gaSteward: Client;
let mzSteward: Client;
let rsSteward: Client;
let swSteward: Client;
let mzHandler: Client;
let rsHandler: Client;
let jyHandler: Client;
let security: Client;
const lin = idNumberOf("林晓燕");
const chen = idNumberOf("陈志强");

const query = (client: Client, body: Record<string, unknown>) =>
  client.request("POST", "/api/v1/exchange/query", { purpose: "婚姻登记核验户籍", ...body });

async function mzGrantId(): Promise<string> {
  const grants = (await mzHandler.request("GET", `/api/v1/exchange/grants?resource=${HOUSEHOLD}&status=active`)).json();
  expect(grants).toHaveLength(1);
  return grants[0].id;
}

async function outboxTypesFor(accessId: string) {
  return t.database.db.selectFrom("outbox").select(["type", "content"]).where("subject", "=", accessId).execute();
}

beforeAll(async () => {
  t = await createTestApp();
  // One at a time: each staff login takes the next TOTP step of the test clock.
  gaSteward = await t.login("fz.ga.steward");
  mzSteward = await t.login("fz.mz.steward");
  rsSteward = await t.login("fz.rs.steward");
  swSteward = await t.login("fz.sw.steward");
  mzHandler = await t.login("fz.mz.handler");
  rsHandler = await t.login("fz.rs.handler");
  jyHandler = await t.login("fz.jy.handler");
  security = await t.login("fz.security");
  const gongan = await startInProcessProvider(t, "gongan");
  const minzheng = await startInProcessProvider(t, "minzheng");
  const renshe = await startInProcessProvider(t, "renshe");
  providers = [gongan, minzheng, renshe];
  await pointAt(gaSteward, HOUSEHOLD, gongan.url);
  await pointAt(gaSteward, IDENTITY, gongan.url);
  await pointAt(mzSteward, MARRIAGE, minzheng.url);
  await pointAt(rsSteward, INSURANCE, renshe.url);
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await t.close();
});

describe("the data-resource catalogue", () => {
  it("is browsable and searchable by staff, field by field", async () => {
    const all = (await jyHandler.request("GET", "/api/v1/exchange/resources?regionCode=350100&limit=200")).json();
    const codes = all.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining([HOUSEHOLD, MARRIAGE, INSURANCE, NOT_SHARED, ENTERPRISE, THEMATIC]));
    expect(codes).toContain("350100.jiaoyu.degree_record");
    const found = (await jyHandler.request("GET", `/api/v1/exchange/resources?q=${encodeURIComponent("户籍")}`)).json();
    expect(found.map((r: { code: string }) => r.code)).toContain(HOUSEHOLD);
    const none = (
      await jyHandler.request("GET", "/api/v1/exchange/resources?sharingClass=none&regionCode=350100")
    ).json();
    expect(none.map((r: { code: string }) => r.code)).toEqual([NOT_SHARED]);

    const detail = (await jyHandler.request("GET", `/api/v1/exchange/resources/${HOUSEHOLD}`)).json();
    expect(detail).toMatchObject({ departmentName: "福州市公安局", sharingClass: "conditional", keyField: "idNumber" });
    expect(detail.fields.find((f: { name: string }) => f.name === "idNumber")).toMatchObject({
      type: "id_number",
      personal: true,
      masking: "id_number",
      classification: "internal",
    });
    const notShared = (await jyHandler.request("GET", `/api/v1/exchange/resources/${NOT_SHARED}`)).json();
    expect(notShared.legalBasis.length).toBeGreaterThan(0);
  });

  it("answers a clear error for an unknown or malformed code, and is closed to residents", async () => {
    expect((await jyHandler.request("GET", "/api/v1/exchange/resources/350100.gongan.nothing")).json().code).toBe(
      "DATA_RESOURCE_NOT_FOUND",
    );
    const bad = await jyHandler.request("GET", "/api/v1/exchange/resources/household");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe("code");
    const resident = await loginResidentNamed(t, "林晓燕");
    expect((await resident.request("GET", "/api/v1/exchange/resources")).statusCode).toBe(403);
  });

  it("is managed by the department's data steward, and only theirs", async () => {
    const definition = {
      localCode: "lost_documents",
      name: "证件挂失信息",
      description: "居民身份证挂失申报记录",
      fields: [
        {
          name: "idNumber",
          label: "公民身份号码",
          type: "id_number",
          classification: "internal",
          personal: true,
          masking: "id_number",
        },
        { name: "reportedOn", label: "挂失日期", type: "date", classification: "internal", personal: true },
      ],
      sharingClass: "conditional",
      updateFrequency: "daily",
      accessMethod: "api",
      keyField: "idNumber",
      connector: { kind: "table" },
    };
    const created = await gaSteward.request("POST", "/api/v1/exchange/resources", definition);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: "350100.gongan.lost_documents", departmentName: "福州市公安局" });
    expect((await gaSteward.request("POST", "/api/v1/exchange/resources", definition)).json().code).toBe(
      "DATA_RESOURCE_EXISTS",
    );

    // Another department's steward, and staff who are not stewards, are refused.
    const foreign = await mzSteward.request("PATCH", "/api/v1/exchange/resources/350100.gongan.lost_documents", {
      name: "改名",
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({
      code: "FORBIDDEN",
      details: { reason: "outside the steward's department" },
    });
    expect(
      (await mzSteward.request("POST", `/api/v1/exchange/resources/${ENTERPRISE}/pool`, { records: [{}] })).statusCode,
    ).toBe(403);
    expect(
      (await mzHandler.request("POST", "/api/v1/exchange/resources", { ...definition, localCode: "x_y" })).json(),
    ).toMatchObject({ code: "FORBIDDEN", details: { reason: "data stewards only" } });

    // Rules a schema cannot state come back field by field.
    const bad = await gaSteward.request("POST", "/api/v1/exchange/resources", {
      ...definition,
      localCode: "bad_one",
      sharingClass: "none",
      keyField: "missing",
      fields: [
        ...definition.fields,
        {
          name: "reportedOn",
          label: "重复",
          type: "integer",
          classification: "public",
          personal: true,
          masking: "name",
        },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .details.map((d: { field: string; reason: string }) => `${d.field}:${d.reason}`)
        .sort(),
    ).toEqual([
      "fields.2.classification:PERSONAL_PUBLIC",
      "fields.2.masking:INVALID_VALUE",
      "fields.2.name:DUPLICATE",
      "keyField:NOT_FOUND",
      "legalBasis:REQUIRED",
    ]);
  });

  it("keeps department data pools, loaded by the steward with every bad value named", async () => {
    const bad = await swSteward.request("POST", `/api/v1/exchange/resources/${TAX}/pool`, {
      records: [{ creditCode: "91350100MA2YQ8K3XX", year: "2025", colour: "red" }, { rating: "A" }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.map((d: { field: string }) => d.field)).toEqual([
      "records.0.colour",
      "records.0.year",
      "records.1.creditCode",
    ]);
    const notPool = await gaSteward.request("POST", `/api/v1/exchange/resources/${HOUSEHOLD}/pool`, {
      records: [{ idNumber: lin }],
    });
    expect(notPool.json().code).toBe("DATA_POOL_NOT_USED");
  });
});

describe("sharing requests and grants", () => {
  it("lets a consumer ask and the provider's steward approve fewer fields", async () => {
    const asked = await rsHandler.request("POST", "/api/v1/exchange/requests", {
      resource: MARRIAGE,
      purpose: "社会保险待遇领取时核验婚姻状况",
      legalBasis: "《中华人民共和国社会保险法》",
      fields: ["idNumber", "name", "maritalStatus", "spouseName", "registeredOn"],
      expiresOn: "2027-06-30",
    });
    expect(asked.statusCode).toBe(201);
    expect(asked.json()).toMatchObject({ status: "pending", consumerDepartmentName: "福州市人力资源和社会保障局" });
    const id = asked.json().id;

    // The steward sees it among incoming requests; a steward of another department cannot decide it.
    const incoming = (await mzSteward.request("GET", "/api/v1/exchange/requests?side=incoming&status=pending")).json();
    expect(incoming.map((r: { id: string }) => r.id)).toContain(id);
    expect(
      (await gaSteward.request("POST", `/api/v1/exchange/requests/${id}/decision`, { decision: "approve" })).statusCode,
    ).toBe(403);
    expect((await rsHandler.request("GET", "/api/v1/exchange/requests?side=incoming")).statusCode).toBe(403);

    const more = await mzSteward.request("POST", `/api/v1/exchange/requests/${id}/decision`, {
      decision: "approve",
      fields: ["idNumber", "certificateNumber"],
      expiresOn: "2028-01-01",
    });
    expect(more.statusCode).toBe(400);
    expect(more.json().details.map((d: { field: string; reason: string }) => `${d.field}:${d.reason}`)).toEqual([
      "fields.1:NOT_REQUESTED",
      "expiresOn:TOO_LATE",
    ]);

    const approved = await mzSteward.request("POST", `/api/v1/exchange/requests/${id}/decision`, {
      decision: "approve",
      fields: ["idNumber", "name", "maritalStatus"],
      note: "配偶信息非必要",
    });
    expect(approved.json()).toMatchObject({ status: "approved", decidedByName: expect.any(String) });
    const grants = (await rsHandler.request("GET", `/api/v1/exchange/grants?resource=${MARRIAGE}`)).json();
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      fields: ["idNumber", "name", "maritalStatus"],
      status: "active",
      expiresAt: "2027-06-30T16:00:00.000Z",
    });
    expect(
      (await mzSteward.request("POST", `/api/v1/exchange/requests/${id}/decision`, { decision: "approve" })).json()
        .code,
    ).toBe("SHARING_REQUEST_DECIDED");
  });

  it("lets the steward refuse with reasons", async () => {
    const id = (
      await jyHandler.request("POST", "/api/v1/exchange/requests", {
        resource: INSURANCE,
        purpose: "了解教师社保缴纳情况",
        legalBasis: "无明确依据",
        fields: ["contributionBase"],
        expiresOn: "2027-01-31",
      })
    ).json().id;
    expect(
      (await rsSteward.request("POST", `/api/v1/exchange/requests/${id}/decision`, { decision: "refuse" })).json(),
    ).toMatchObject({ code: "VALIDATION_FAILED", details: [{ field: "reason", reason: "REQUIRED" }] });
    const refused = await rsSteward.request("POST", `/api/v1/exchange/requests/${id}/decision`, {
      decision: "refuse",
      reason: "用途不明确，且缴费基数属秘密级信息",
    });
    expect(refused.json()).toMatchObject({ status: "refused", decisionNote: "用途不明确，且缴费基数属秘密级信息" });
  });

  it("checks the request itself: fields, last day, and what needs no request", async () => {
    const bad = await rsHandler.request("POST", "/api/v1/exchange/requests", {
      resource: HOUSEHOLD,
      purpose: "核验户籍信息",
      legalBasis: "依据",
      fields: ["idNumber", "shoeSize"],
      expiresOn: "2020-01-01",
    });
    expect(bad.json().details.map((d: { field: string; reason: string }) => `${d.field}:${d.reason}`)).toEqual([
      "fields.1:NOT_FOUND",
      "expiresOn:IN_PAST",
    ]);
    const long = await rsHandler.request("POST", "/api/v1/exchange/requests", {
      resource: HOUSEHOLD,
      purpose: "核验户籍",
      legalBasis: "依据",
      fields: ["idNumber"],
      expiresOn: "2035-01-01",
    });
    expect(long.json().details).toEqual([expect.objectContaining({ field: "expiresOn", reason: "TOO_LATE" })]);
    const unconditional = await rsHandler.request("POST", "/api/v1/exchange/requests", {
      resource: ENTERPRISE,
      purpose: "核验企业信息",
      legalBasis: "依据",
      fields: ["name"],
      expiresOn: "2027-01-01",
    });
    expect(unconditional.json()).toMatchObject({
      code: "EXCHANGE_NO_REQUEST_NEEDED",
      details: { reason: "unconditional" },
    });
  });

  it("never grants a resource that is not shared (不予共享)", async () => {
    const asked = await rsHandler.request("POST", "/api/v1/exchange/requests", {
      resource: NOT_SHARED,
      purpose: "核验户籍信息",
      legalBasis: "依据",
      fields: ["idNumber"],
      expiresOn: "2027-01-01",
    });
    expect(asked.statusCode).toBe(409);
    expect(asked.json().code).toBe("EXCHANGE_NOT_SHAREABLE");
    expect(asked.json().details.legalBasis.length).toBeGreaterThan(0);

    // A pending request cannot be approved once its resource is declared not shared.
    const pending = await rsHandler.request("POST", "/api/v1/exchange/requests", {
      resource: "350100.gongan.residence_registration",
      purpose: "核验居住登记",
      legalBasis: "《居住证暂行条例》",
      fields: ["idNumber", "residenceAddress"],
      expiresOn: "2027-01-01",
    });
    const closed = await gaSteward.request("PATCH", "/api/v1/exchange/resources/350100.gongan.residence_registration", {
      sharingClass: "none",
      legalBasis: [{ title: "《中华人民共和国个人信息保护法》" }],
    });
    expect(closed.statusCode).toBe(200);
    const decided = await gaSteward.request("POST", `/api/v1/exchange/requests/${pending.json().id}/decision`, {
      decision: "approve",
    });
    expect(decided.json().code).toBe("EXCHANGE_NOT_SHAREABLE");
    expect((await rsHandler.request("GET", `/api/v1/exchange/requests/${pending.json().id}`)).json().status).toBe(
      "pending",
    );
  });
});

describe("the exchange gateway", () => {
  it("refuses a query without a grant, records it and raises a security event", async () => {
    const refused = await query(jyHandler, { resource: HOUSEHOLD, key: lin, purpose: "入学资格审核" });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "EXCHANGE_NO_GRANT" });
    expect(refused.body).not.toContain("林");
    const access = await t.database.db
      .selectFrom("data_accesses")
      .selectAll()
      .where("error_code", "=", "EXCHANGE_NO_GRANT")
      .executeTakeFirstOrThrow();
    expect(access).toMatchObject({ outcome: "refused", purpose: "入学资格审核", resource_code: HOUSEHOLD });
    expect(access.outbox_id).not.toBeNull();
    expect((await outboxTypesFor(access.id)).map((o) => o.type)).toEqual(["data.access_refused"]);
    const events = (await security.request("GET", "/api/v1/security/events?type=exchange.no_grant")).json();
    expect(events[0]).toMatchObject({
      severity: "medium",
      source: "exchange",
      subject: access.id,
      departmentName: "福州市教育局",
    });
  });

  it("answers only the granted fields, masked as the resource says, and records the query", async () => {
    const answer = await query(mzHandler, { resource: HOUSEHOLD, key: lin });
    expect(answer.statusCode).toBe(200);
    const body = answer.json();
    expect(body).toMatchObject({ basis: "grant", providerDepartmentName: "福州市公安局" });
    expect(body.fields).toEqual([
      "idNumber",
      "name",
      "householdHead",
      "relationToHead",
      "householdType",
      "registeredAddress",
    ]);
    expect(body.masked).toEqual(["idNumber", "name", "householdHead", "registeredAddress"]);
    expect(body.records).toEqual([
      {
        idNumber: `${lin.slice(0, 4)}**********${lin.slice(-4)}`,
        name: "林**",
        householdHead: "林**",
        relationToHead: "户主",
        householdType: "家庭户",
        registeredAddress: "福建省福州市鼓楼区****",
      },
    ]);
    // Nothing beyond the grant left the gateway, though the department system holds it.
    expect(answer.body).not.toContain("policeStation");
    expect(answer.body).not.toContain("派出所");
    expect(answer.body).not.toContain(lin);
    const [entry] = await outboxTypesFor(body.accessId);
    expect(entry?.type).toBe("data.accessed");
    const facts = JSON.stringify(entry?.content);
    expect(facts).not.toContain(lin);
    expect(facts).not.toContain("林晓燕");
  });

  it("refuses fields beyond the grant as a security event, and lets none of them out", async () => {
    const beyond = await query(mzHandler, {
      resource: HOUSEHOLD,
      key: lin,
      fields: ["name", "policeStation", "registeredOn"],
    });
    expect(beyond.statusCode).toBe(403);
    expect(beyond.json()).toMatchObject({
      code: "EXCHANGE_BEYOND_GRANT",
      details: { notGranted: ["policeStation", "registeredOn"] },
    });
    expect(beyond.body).not.toContain("林");
    const events = (await security.request("GET", "/api/v1/security/events?type=exchange.beyond_grant")).json();
    expect(events[0]).toMatchObject({ severity: "high", details: { notGranted: ["policeStation", "registeredOn"] } });
    const unknown = await query(mzHandler, { resource: HOUSEHOLD, key: lin, fields: ["shoeSize"] });
    expect(unknown.json().details).toEqual([expect.objectContaining({ field: "fields.0", reason: "NOT_FOUND" })]);
    const badKey = await query(mzHandler, { resource: HOUSEHOLD, key: "350102199003150220" });
    expect(badKey.json().details).toEqual([expect.objectContaining({ field: "key", reason: "ID_CHECK_DIGIT" })]);
    expect((await query(mzHandler, { resource: HOUSEHOLD })).json().details).toEqual([
      expect.objectContaining({ field: "key", reason: "REQUIRED" }),
    ]);
  });

  it("refuses staff of one department who query with another department's grant", async () => {
    const grant = await mzGrantId();
    const borrowed = await query(rsHandler, { resource: HOUSEHOLD, key: lin, grant });
    expect(borrowed.statusCode).toBe(403);
    expect(borrowed.json().code).toBe("EXCHANGE_GRANT_NOT_YOURS");
    const events = (await security.request("GET", "/api/v1/security/events?type=exchange.grant_not_yours")).json();
    expect(events[0]).toMatchObject({ severity: "high", departmentName: "福州市人力资源和社会保障局" });
    // The grant still serves its own department.
    expect((await query(mzHandler, { resource: HOUSEHOLD, key: lin, grant })).statusCode).toBe(200);
  });

  it("refuses fields above the asker's clearance", async () => {
    await grantThrough(mzHandler, rsSteward, {
      resource: INSURANCE,
      fields: ["idNumber", "name", "pensionStatus", "contributionBase"],
    });
    const secret = await query(mzHandler, {
      resource: INSURANCE,
      key: lin,
      fields: ["pensionStatus", "contributionBase"],
    });
    expect(secret.json()).toMatchObject({
      code: "EXCHANGE_CLEARANCE_INSUFFICIENT",
      details: { fields: [{ field: "contributionBase", classification: "secret" }], clearance: "internal" },
    });
    // Without naming fields, the answer holds what the grant and the clearance both allow.
    const allowed = await query(mzHandler, { resource: INSURANCE, key: lin });
    expect(allowed.json().fields).toEqual(["idNumber", "name", "pensionStatus"]);
    expect(allowed.json().records[0].pensionStatus).toBe("参保缴费");
  });

  it("limits the rate of queries per grant", async () => {
    const grant = await grantThrough(
      jyHandler,
      mzSteward,
      { resource: MARRIAGE, fields: ["idNumber", "maritalStatus"] },
      { rateLimitPerMinute: 2 },
    );
    expect((await query(jyHandler, { resource: MARRIAGE, key: chen, grant })).statusCode).toBe(200);
    expect((await query(jyHandler, { resource: MARRIAGE, key: chen, grant })).statusCode).toBe(200);
    const third = await query(jyHandler, { resource: MARRIAGE, key: chen, grant });
    expect(third.statusCode).toBe(429);
    expect(third.json()).toMatchObject({ code: "EXCHANGE_RATE_LIMITED", details: { grant, perMinute: 2 } });
  });

  it("refuses queries under a revoked grant", async () => {
    const grant = await grantThrough(rsHandler, gaSteward, {
      resource: IDENTITY,
      fields: ["idNumber", "name", "birthDate"],
    });
    const before = await query(rsHandler, { resource: IDENTITY, key: chen, purpose: "社保卡申领核验" });
    expect(before.json().records[0]).toMatchObject({ name: "陈**", birthDate: "1985-**-**" });

    expect(
      (await mzSteward.request("POST", `/api/v1/exchange/grants/${grant}/revoke`, { reason: "越权" })).statusCode,
    ).toBe(403);
    const revoked = await gaSteward.request("POST", `/api/v1/exchange/grants/${grant}/revoke`, { reason: "协议终止" });
    expect(revoked.json()).toMatchObject({ status: "revoked", revokeReason: "协议终止" });
    expect(
      (await gaSteward.request("POST", `/api/v1/exchange/grants/${grant}/revoke`, { reason: "再次" })).json().code,
    ).toBe("GRANT_ALREADY_REVOKED");
    const after = await query(rsHandler, { resource: IDENTITY, key: chen, purpose: "社保卡申领核验" });
    expect(after.statusCode).toBe(403);
    expect(after.json().code).toBe("EXCHANGE_GRANT_REVOKED");
    expect(
      (await query(rsHandler, { resource: IDENTITY, key: chen, grant, purpose: "社保卡申领核验" })).json().code,
    ).toBe("EXCHANGE_GRANT_REVOKED");
  });

  it("refuses a resource that is not shared, whoever asks, as a security event", async () => {
    const refused = await query(rsHandler, { resource: NOT_SHARED, key: lin, purpose: "背景调查" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe("EXCHANGE_NOT_SHAREABLE");
    const events = (
      await security.request("GET", "/api/v1/security/events?severity=high&type=exchange.not_shareable")
    ).json();
    expect(events).toHaveLength(1);
  });

  it("answers unconditionally shared resources without a grant, still recording and masking", async () => {
    const enterprise = (
      await t.database.db
        .selectFrom("accounts")
        .select("credit_code")
        .where("name", "=", "福州闽江数字科技有限公司")
        .executeTakeFirstOrThrow()
    ).credit_code as string;
    const answer = await query(rsHandler, { resource: ENTERPRISE, key: enterprise, purpose: "参保单位核验" });
    expect(answer.json()).toMatchObject({ basis: "unconditional", grantId: null });
    expect(answer.json().records[0]).toMatchObject({
      name: "福州闽江数字科技有限公司",
      legalRepresentative: "陈**",
      legalRepresentativeIdNumber: `${chen.slice(0, 4)}**********${chen.slice(-4)}`,
    });
    // The thematic database joins the sources under the same grants: the tax rating needs one.
    const view = await query(rsHandler, { resource: THEMATIC, key: enterprise, purpose: "营商环境画像" });
    expect(view.json().fields).toEqual([
      "creditCode",
      "enterpriseName",
      "legalRepresentative",
      "registeredCapital",
      "establishedOn",
      "status",
    ]);
    expect(
      (
        await query(rsHandler, {
          resource: THEMATIC,
          key: enterprise,
          fields: ["taxCreditRating"],
          purpose: "营商环境画像",
        })
      ).json().code,
    ).toBe("EXCHANGE_NO_GRANT");
    await grantThrough(rsHandler, swSteward, { resource: TAX, fields: ["creditCode", "rating", "year"] });
    const joined = await query(rsHandler, { resource: THEMATIC, key: enterprise, purpose: "营商环境画像" });
    expect(joined.json().records).toEqual([
      expect.objectContaining({
        enterpriseName: "福州闽江数字科技有限公司",
        legalRepresentative: "陈**",
        taxCreditRating: "A",
        ratingYear: 2025,
      }),
    ]);
  });

  it("refuses expired grants", async () => {
    const grant = await grantThrough(
      jyHandler,
      gaSteward,
      { resource: HOUSEHOLD, fields: ["idNumber", "householdNumber"] },
      { expiresOn: "2026-12-01" },
    );
    expect((await query(jyHandler, { resource: HOUSEHOLD, key: lin, grant, purpose: "入学资格审核" })).statusCode).toBe(
      200,
    );
    t.clock.set("2026-12-01T16:00:01Z"); // 2 December, 00:00:01 in China
    try {
      const expired = await query(jyHandler, { resource: HOUSEHOLD, key: lin, grant, purpose: "入学资格审核" });
      expect(expired.json()).toMatchObject({ code: "EXCHANGE_GRANT_EXPIRED" });
      expect((await query(jyHandler, { resource: HOUSEHOLD, key: lin, purpose: "入学资格审核" })).json().code).toBe(
        "EXCHANGE_GRANT_EXPIRED",
      );
      const listed = (await jyHandler.request("GET", `/api/v1/exchange/grants?resource=${HOUSEHOLD}`)).json();
      expect(listed.find((g: { id: string }) => g.id === grant).status).toBe("expired");
    } finally {
      t.clock.set("2026-11-30T01:00:00Z");
    }
  });

  it("is for staff only", async () => {
    const resident = await loginResidentNamed(t, "林晓燕");
    const refused = await query(resident, { resource: HOUSEHOLD, key: lin });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("FORBIDDEN");
    expect((await resident.request("GET", "/api/v1/security/events")).statusCode).toBe(403);
    expect((await mzHandler.request("GET", "/api/v1/security/events")).statusCode).toBe(403);
    // Security officers see their own region only.
    const weinan = await t.login("wn.security");
    expect((await weinan.request("GET", "/api/v1/security/events")).json()).toEqual([]);
  });

  it("serves the applications module with the applicant's consent, for the applicant's own data only", async () => {
    const resident = await loginResidentNamed(t, "林晓燕");
    const draft = await resident.request("POST", "/api/v1/applications", { serviceCode: "350100-MZ-0001" });
    expect(draft.statusCode).toBe(201);
    const applicant = await t.database.db
      .selectFrom("accounts")
      .select(["id", "id_number"])
      .where("id_number", "=", lin)
      .executeTakeFirstOrThrow();
    const mz = await t.database.db
      .selectFrom("departments")
      .select("id")
      .where("region_code", "=", "350100")
      .where("code", "=", "minzheng")
      .executeTakeFirstOrThrow();
    const actor = {
      accountId: applicant.id,
      kind: "resident" as const,
      roles: [],
      regionCode: null,
      departmentId: null,
      clearance: "public" as const,
    };
    const request = {
      actor,
      application: { id: draft.json().id as string, departmentId: mz.id, classification: "internal" as const },
      applicant: { idNumber: lin, creditCode: null },
      consentAt: t.clock.now(),
      purpose: "办件：结婚登记——户口簿免提交",
    };
    const { exchange } = servicesOf(t);
    const answer = await exchange.queryForApplication({
      ...request,
      resource: HOUSEHOLD,
      fields: ["name", "registeredOn"],
    });
    expect(answer).toMatchObject({ basis: "consent", records: [{ name: "林**", registeredOn: "2008-09-01" }] });
    await expect(exchange.queryForApplication({ ...request, resource: NOT_SHARED })).rejects.toMatchObject({
      code: "EXCHANGE_NOT_SHAREABLE",
    });
    await expect(
      exchange.queryForApplication({ ...request, consentAt: null, resource: HOUSEHOLD }),
    ).rejects.toMatchObject({
      code: "EXCHANGE_CONSENT_MISMATCH",
    });
    await expect(exchange.queryForApplication({ ...request, resource: ENTERPRISE })).rejects.toMatchObject({
      code: "EXCHANGE_CONSENT_MISMATCH",
    });
  });
});

describe("who read my data", () => {
  it("shows the data subject each access, with its ledger index once integrated", async () => {
    const resident = await loginResidentNamed(t, "林晓燕");
    const before = (await resident.request("GET", "/api/v1/me/data-access")).json();
    const allowed = before.filter((a: { outcome: string }) => a.outcome === "allowed");
    expect(allowed.length).toBeGreaterThan(0);
    const household = allowed.find(
      (a: { purpose: string; resource: string }) => a.purpose === "婚姻登记核验户籍" && a.resource === HOUSEHOLD,
    );
    expect(household).toMatchObject({
      resourceName: "户籍信息",
      providerDepartmentName: "福州市公安局",
      consumerDepartmentName: "福州市民政局",
      purpose: "婚姻登记核验户籍",
      basis: "grant",
    });
    // Refused attempts on their data are shown too.
    expect(
      before.some((a: { outcome: string; purpose: string }) => a.outcome === "refused" && a.purpose === "背景调查"),
    ).toBe(true);
    expect(allowed.find((a: { basis: string }) => a.basis === "consent")).toMatchObject({
      purpose: "办件：结婚登记——户口簿免提交",
      consumerDepartmentName: "福州市民政局",
    });

    await servicesOf(t).ledger.integrate(10_000);
    const after = (await resident.request("GET", "/api/v1/me/data-access?outcome=allowed")).json();
    const first = after[0];
    expect(first.ledgerIndex).toEqual(expect.any(Number));
    const entry = (await resident.request("GET", `/api/v1/ledger/entries/${first.ledgerIndex}`)).json();
    expect(JSON.parse(entry.entry)).toMatchObject({ type: "data.accessed", subject: first.id });
    expect(entry.entry).not.toContain(lin);

    // Another resident sees none of it; staff have no such page.
    const other = await loginResidentNamed(t, "陈志强");
    const theirs = (await other.request("GET", "/api/v1/me/data-access")).json();
    expect(theirs.map((a: { id: string }) => a.id)).not.toContain(first.id);
    expect(theirs.some((a: { resource: string }) => a.resource === ENTERPRISE)).toBe(true);
    expect((await mzHandler.request("GET", "/api/v1/me/data-access")).statusCode).toBe(403);
  });

  it("shows a spouse the read of a marriage record about them", async () => {
    const minzheng = await startInProcessProvider(t, "minzheng");
    providers.push(minzheng);
    const wnSteward = await t.login("wn.mz.steward");
    const wnHandler = await t.login("wn.rs.handler");
    await pointAt(wnSteward, "610500.minzheng.marriage_record", minzheng.url);
    await grantThrough(wnHandler, wnSteward, {
      resource: "610500.minzheng.marriage_record",
      fields: ["idNumber", "maritalStatus", "spouseName"],
    });
    const wang = idNumberOf("王建军");
    const answer = await query(wnHandler, {
      resource: "610500.minzheng.marriage_record",
      key: wang,
      purpose: "遗属待遇核验",
    });
    expect(answer.json().records).toEqual([expect.objectContaining({ maritalStatus: "已婚", spouseName: "李*" })]);
    const spouse = await loginResidentNamed(t, "李娜");
    const seen = (await spouse.request("GET", "/api/v1/me/data-access")).json();
    expect(seen[0]).toMatchObject({
      id: answer.json().accessId,
      purpose: "遗属待遇核验",
      consumerRegionCode: "610500",
    });
  });

  it("records every query, allowed or refused, with a ledger entry", async () => {
    const rows = await t.database.db
      .selectFrom("data_accesses as a")
      .leftJoin("outbox as o", "o.id", "a.outbox_id")
      .select(["a.id", "a.outcome", "o.type", "o.subject"])
      .execute();
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      expect(row.subject).toBe(row.id);
      expect(row.type).toBe(
        row.outcome === "allowed"
          ? "data.accessed"
          : row.outcome === "refused"
            ? "data.access_refused"
            : "data.access_failed",
      );
    }
  });
});

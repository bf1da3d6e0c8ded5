import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import { act, loginResident, MARRIAGE, submittedMarriage } from "../support/cases.ts";

// What the admin console reads: the region's catalogue with its drafts, and the message outbox.
let t: TestApp;
let admin: Client;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login("fz.admin");
});
afterAll(() => t.close());

type Summary = { code: string; status: string; draftVersions: number[]; version: number; latestVersion: number };

describe("the administrators' catalogue list", () => {
  it("lists the region's items with their drafts, filtered by department, status and text", async () => {
    const all = await admin.request("GET", "/api/v1/admin/services");
    expect(all.statusCode, all.body).toBe(200);
    const items = all.json() as (Summary & { regionCode: string; publishedAt: string | null })[];
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((s) => s.regionCode === "350100")).toBe(true);
    expect(items.find((s) => s.code === MARRIAGE)).toMatchObject({
      status: "published",
      draftVersions: [],
      version: 1,
      latestVersion: 1,
      publishedAt: expect.any(String),
    });

    // A saved edit is a draft: the item now shows it, and the status filter finds it.
    const current = (await t.anonymous().request("GET", `/api/v1/services/${MARRIAGE}`)).json();
    const draft = await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions`, {
      item: { ...current.item, handlingPlace: "福州市鼓楼区东街33号 婚姻登记中心一楼" },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const pending = (await admin.request("GET", "/api/v1/admin/services?status=draft_pending")).json() as Summary[];
    expect(pending.map((s) => s.code)).toEqual([MARRIAGE]);
    expect(pending[0]).toMatchObject({ status: "draft_pending", draftVersions: [2], version: 1, latestVersion: 2 });
    const published = (await admin.request("GET", "/api/v1/admin/services?status=published")).json() as Summary[];
    expect(published.map((s) => s.code)).not.toContain(MARRIAGE);
    expect(published.length).toBe(items.length - 1);

    const departments = (await admin.request("GET", "/api/v1/regions/350100/departments")).json() as {
      id: string;
      code: string;
    }[];
    const minzheng = departments.find((d) => d.code === "minzheng")?.id;
    const ofMinzheng = (await admin.request("GET", `/api/v1/admin/services?departmentId=${minzheng}`)).json();
    expect(ofMinzheng.map((s: Summary) => s.code)).toEqual([MARRIAGE]);
    const search = (await admin.request("GET", `/api/v1/admin/services?q=${encodeURIComponent("结婚")}`)).json();
    expect(search.map((s: Summary) => s.code)).toContain(MARRIAGE);
    expect(search.length).toBeLessThan(items.length);
    expect((await admin.request("GET", "/api/v1/admin/services?status=archived")).json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "status" }],
    });

    // Other regions' administrators see their own region only.
    const weinan = (await (await t.login("wn.admin")).request("GET", "/api/v1/admin/services")).json();
    expect(weinan.length).toBeGreaterThan(0);
    expect(weinan.every((s: { regionCode: string }) => s.regionCode === "610500")).toBe(true);
  });

  it("is for administrators only", async () => {
    const supervisor = await t.login("fz.supervisor");
    const refused = await supervisor.request("GET", "/api/v1/admin/services");
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "FORBIDDEN", details: { reason: "administrators only" } });
    expect((await t.anonymous().request("GET", "/api/v1/admin/services")).statusCode).toBe(401);
  });

  it("names each problem of an edited item with a reason the console can translate", async () => {
    const current = (await t.anonymous().request("GET", `/api/v1/services/${MARRIAGE}`)).json();
    const { summary: _dropped, ...withoutSummary } = current.item;
    const bad = await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions`, {
      item: {
        ...withoutSummary,
        name: "",
        statutoryLimitDays: 1,
        committedLimitDays: 3,
        visitsRequired: -1,
        conditions: [],
        materials: [...current.item.materials, current.item.materials[0]],
      },
    });
    expect(bad.statusCode).toBe(400);
    const byField = Object.fromEntries(
      (bad.json().details as { field: string; reason: string }[]).map((d) => [d.field, d.reason]),
    );
    expect(byField).toMatchObject({
      summary: "REQUIRED",
      name: "REQUIRED",
      visitsRequired: "TOO_SMALL",
      conditions: "TOO_FEW",
    });

    // Rules across fields answer once the fields themselves are right.
    const crossField = await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions`, {
      item: {
        ...current.item,
        committedLimitDays: 3,
        materials: [...current.item.materials, current.item.materials[0]],
      },
    });
    expect(crossField.json().details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "committedLimitDays", reason: "ABOVE_STATUTORY_LIMIT" }),
        expect.objectContaining({ field: "materials", reason: "DUPLICATE" }),
      ]),
    );

    const renamed = await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions`, {
      item: { ...current.item, code: "350100-MZ-0099" },
    });
    expect(renamed.json().details).toEqual([expect.objectContaining({ field: "code", reason: "UNCHANGEABLE" })]);

    const brokenSchema = await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions`, {
      item: {
        ...current.item,
        form: {
          ...current.item.form,
          schema: {
            ...current.item.form.schema,
            properties: { ...current.item.form.schema.properties, partnerName: { type: "strin" } },
          },
        },
      },
    });
    expect(brokenSchema.json().details).toEqual([
      expect.objectContaining({ field: "form.schema", reason: "INVALID_SCHEMA" }),
    ]);
  });
});

describe("the message outbox", () => {
  it("lets administrators read what was sent, by channel and text, page by page", async () => {
    const resident = await loginResident(t);
    // The applicant is told of each change: two submissions, one acceptance.
    const first = await submittedMarriage(t, resident);
    await submittedMarriage(t, resident);
    const window = await t.login("fz.mz.window");
    expect((await act(window, first, { type: "accept" })).json().status).toBe("under_review");

    const all = await admin.request("GET", "/api/v1/admin/messages");
    expect(all.statusCode, all.body).toBe(200);
    const messages = all.json() as { id: number; channel: string; body: string; accountName: string | null }[];
    expect(messages.length).toBe(3);
    expect(messages[0]).toMatchObject({ channel: "sms", accountName: expect.any(String) });
    expect(messages[0]?.body).toContain("已受理");
    expect(messages.map((m) => m.id)).toEqual([...messages.map((m) => m.id)].sort((a, b) => b - a));

    const firstPage = (await admin.request("GET", "/api/v1/admin/messages?limit=2")).json() as { id: number }[];
    expect(firstPage.length).toBe(2);
    const next = (await admin.request("GET", `/api/v1/admin/messages?limit=2&before=${firstPage[1]?.id}`)).json() as {
      id: number;
    }[];
    expect(next.length).toBeGreaterThan(0);
    expect(next.every((m) => m.id < (firstPage[1]?.id ?? 0))).toBe(true);

    expect((await admin.request("GET", "/api/v1/admin/messages?channel=email")).json()).toEqual([]);
    const bySms = (await admin.request("GET", "/api/v1/admin/messages?channel=sms")).json();
    expect(bySms.length).toBe(messages.length);
    const byText = (await admin.request("GET", `/api/v1/admin/messages?q=${encodeURIComponent("已提交")}`)).json();
    expect(byText.length).toBe(2);
    expect((await admin.request("GET", `/api/v1/admin/messages?q=${encodeURIComponent("没有这条")}`)).json()).toEqual(
      [],
    );
    expect((await admin.request("GET", "/api/v1/admin/messages?channel=fax")).json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "channel" }],
    });
    expect((await admin.request("GET", "/api/v1/admin/messages?limit=500")).json()).toMatchObject({
      code: "VALIDATION_FAILED",
      details: [{ field: "limit" }],
    });

    // Only administrators read it.
    const supervisor = await t.login("fz.supervisor");
    expect((await supervisor.request("GET", "/api/v1/admin/messages")).json()).toMatchObject({
      code: "FORBIDDEN",
      details: { reason: "administrators only" },
    });
    expect((await resident.request("GET", "/api/v1/admin/messages")).statusCode).toBe(403);
    // Another region's administrator does not read this region's residents' messages.
    const weinan = await t.login("wn.admin");
    const theirs = (await weinan.request("GET", "/api/v1/admin/messages")).json() as { id: number }[];
    const ours = new Set((all.json() as { id: number }[]).map((m) => m.id));
    expect(theirs.filter((m) => ours.has(m.id))).toEqual([]);
  });
});

// 材料免提交 (issue 5, item 6): a newborn's household registration whose parent's household register is
// fetched from public security with the applicant's consent instead of uploaded, through the API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createTestApp, type TestApp } from "../support/app.ts";
import { act } from "../support/cases.ts";
import { idNumberOf, loginResidentNamed, pointAt, startInProcessProvider } from "../support/exchange.ts";

const NEWBORN = "350100-GA-0001";
const HOUSEHOLD = "350100.gongan.household_registration";
const IDENTITY = "350100.gongan.resident_identity";
const lin = idNumberOf("林晓燕");

let t: TestApp;
let provider: { url: string; close(): Promise<void> };
let gaSteward: Client;
let gaHandler: Client;
let resident: Client;
let other: Client;

const newbornForm = {
  childName: "林小满",
  childSex: "female",
  childBirthDate: "2026-11-20",
  childBirthPlace: "350102",
  birthCertificateNumber: "Q350012345",
  childEthnicity: "汉族",
  registerWith: "mother",
  relationToHouseholder: "daughter",
  deliveryMethod: "window",
  contactPhone: "13859012345",
};

async function draft(client: Client): Promise<string> {
  const created = await client.request("POST", "/api/v1/applications", { serviceCode: NEWBORN });
  expect(created.statusCode).toBe(201);
  return created.json().id;
}

const fetchMaterial = (client: Client, id: string, body: Record<string, unknown>) =>
  client.request("POST", `/api/v1/applications/${id}/data-materials`, body);

beforeAll(async () => {
  t = await createTestApp();
  gaSteward = await t.login("fz.ga.steward");
  gaHandler = await t.login("fz.ga.handler");
  resident = await loginResidentNamed(t, "林晓燕");
  other = await loginResidentNamed(t, "陈志强");
  provider = await startInProcessProvider(t, "gongan");
  await pointAt(gaSteward, HOUSEHOLD, provider.url);
  await pointAt(gaSteward, IDENTITY, provider.url);
});
afterAll(async () => {
  await provider.close();
  await t.close();
});

describe("a material fetched from shared data instead of uploaded", () => {
  it("names its source before the applicant consents", async () => {
    const id = await draft(resident);
    const sources = await resident.request("GET", `/api/v1/applications/${id}/data-sources`);
    expect(sources.statusCode).toBe(200);
    const household = sources
      .json()
      .find((s: { materialCode: string }) => s.materialCode === "parents_household_register");
    expect(household).toMatchObject({
      resource: HOUSEHOLD,
      resourceName: "户籍信息",
      providerDepartmentName: expect.stringContaining("公安"),
    });
    expect(household.fieldLabels).toEqual(expect.arrayContaining(["户号", "户籍地址"]));
    // Another resident's case tells nothing.
    expect((await other.request("GET", `/api/v1/applications/${id}/data-sources`)).statusCode).toBe(404);
  });

  it("fetches nothing without consent, and only materials that come from data", async () => {
    const id = await draft(resident);
    const noConsent = await fetchMaterial(resident, id, { materialCode: "parents_household_register" });
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.json().details.map((i: { field: string }) => i.field)).toContain("consent");
    const upload = await fetchMaterial(resident, id, { materialCode: "householder_consent", consent: true });
    expect(upload.statusCode).toBe(400);
    expect(upload.json().details[0]).toMatchObject({ field: "materialCode", reason: "NOT_FROM_DATA" });
    const unknown = await fetchMaterial(resident, id, { materialCode: "nothing_like_it", consent: true });
    expect(unknown.json().details[0]).toMatchObject({ field: "materialCode", reason: "NOT_FOUND" });
    // Not the applicant: the case does not exist for them; staff do not consent for the applicant.
    expect(
      (await fetchMaterial(other, id, { materialCode: "parents_household_register", consent: true })).statusCode,
    ).toBe(404);
    expect(
      (await fetchMaterial(gaHandler, id, { materialCode: "parents_household_register", consent: true })).json().code,
    ).toBe("FORBIDDEN");
    const accesses = await t.database.db
      .selectFrom("data_accesses")
      .select("id")
      .where("application_id", "=", id)
      .execute();
    expect(accesses).toHaveLength(0);
  });

  it("is pulled with consent, spares the upload, shows staff verified data and the applicant who read it", async () => {
    const id = await draft(resident);
    await resident.request("PATCH", `/api/v1/applications/${id}`, { form: newbornForm });
    const fetched = await fetchMaterial(resident, id, { materialCode: "parents_household_register", consent: true });
    expect(fetched.statusCode).toBe(201);
    const application = fetched.json();
    expect(application.materialsSpared).toBe(1);
    expect(application.materials).toHaveLength(0);
    const [household] = application.dataMaterials;
    expect(household).toMatchObject({
      materialCode: "parents_household_register",
      resource: HOUSEHOLD,
      resourceName: "户籍信息",
      providerDepartmentName: expect.stringContaining("公安"),
    });
    expect(household.fields.map((f: { label: string }) => f.label)).toContain("户籍地址");
    // Masked as the resource says: the ID number keeps its first four and last four characters.
    expect(household.records[0].idNumber).toBe(`${lin.slice(0, 4)}${"*".repeat(10)}${lin.slice(14)}`);
    expect(household.consentAt).toBeTruthy();

    // Submit asks for no upload of it (nor of anything else this case provides otherwise).
    const submitted = await act(resident, id, { type: "submit" });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json().status).toBe("submitted");

    // Staff of the competent department see it as verified data with its source and time.
    const seen = await gaHandler.request("GET", `/api/v1/applications/${id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().dataMaterials[0]).toMatchObject({
      resource: HOUSEHOLD,
      accessId: household.accessId,
      fetchedAt: household.fetchedAt,
    });

    // The gateway recorded it, on the consent of this case, with a ledger entry …
    const access = await t.database.db
      .selectFrom("data_accesses")
      .selectAll()
      .where("id", "=", household.accessId)
      .executeTakeFirstOrThrow();
    expect(access).toMatchObject({ basis: "consent", outcome: "allowed", application_id: id });
    const changes = await t.database.db
      .selectFrom("outbox")
      .select(["type", "subject"])
      .where("subject", "in", [household.accessId, id])
      .execute();
    expect(changes.map((c) => c.type)).toEqual(expect.arrayContaining(["data.accessed", "application.data_fetched"]));

    // … and the applicant sees who read her data, for which case.
    const mine = (await resident.request("GET", "/api/v1/me/data-access")).json();
    const entry = mine.find((a: { id: string }) => a.id === household.accessId);
    expect(entry).toMatchObject({ resource: HOUSEHOLD, basis: "consent", outcome: "allowed" });
    expect(entry.purpose).toContain(application.number);
    expect(entry.consumerDepartmentName).toContain("公安");
    // The other resident's list does not hold it.
    const theirs = (await other.request("GET", "/api/v1/me/data-access")).json();
    expect(theirs.map((a: { id: string }) => a.id)).not.toContain(household.accessId);

    // Once submitted, nothing more is fetched for it.
    const late = await fetchMaterial(resident, id, { materialCode: "parents_id_card", consent: true });
    expect(late.json().code).toBe("ACTION_NOT_ALLOWED");
  });

  it("says clearly when the department's system is down, keeps the case as it was, and records the failure", async () => {
    const id = await draft(resident);
    await pointAt(gaSteward, IDENTITY, "http://127.0.0.1:9");
    try {
      const failed = await fetchMaterial(resident, id, { materialCode: "parents_id_card", consent: true });
      expect(failed.statusCode).toBe(503);
      expect(failed.json().code).toBe("PROVIDER_UNAVAILABLE");
    } finally {
      await pointAt(gaSteward, IDENTITY, provider.url);
    }
    const application = (await resident.request("GET", `/api/v1/applications/${id}`)).json();
    expect(application.dataMaterials).toHaveLength(0);
    expect(application.materialsSpared).toBe(0);
    const accesses = await t.database.db
      .selectFrom("data_accesses")
      .select(["outcome", "error_code"])
      .where("application_id", "=", id)
      .execute();
    expect(accesses).toEqual([{ outcome: "failed", error_code: "PROVIDER_UNAVAILABLE" }]);
    // Once the system is back, the same consent step fetches it; fetching again replaces the first.
    const first = await fetchMaterial(resident, id, { materialCode: "parents_id_card", consent: true });
    expect(first.statusCode).toBe(201);
    const again = await fetchMaterial(resident, id, { materialCode: "parents_id_card", consent: true });
    expect(again.json().dataMaterials).toHaveLength(1);
    expect(again.json().dataMaterials[0].accessId).not.toBe(first.json().dataMaterials[0].accessId);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogError, loadCatalog } from "../../src/modules/catalog/catalog.loader.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

const MARRIAGE = "350100-MZ-0001";
const catalogDir = fileURLToPath(new URL("../../../../catalog/services", import.meta.url));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe("catalogue files", () => {
  it("has at least the one item every other test relies on, and every file is valid", () => {
    const items = loadCatalog(catalogDir);
    expect(items.map((i) => i.item.code)).toContain(MARRIAGE);
  });

  it("stops with the file's name, the field and why when a file is wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), "tb-catalog-"));
    const good = readFileSync(join(catalogDir, "350100-MZ-0001-marriage-registration.yaml"), "utf8");
    writeFileSync(join(dir, "bad-limits.yaml"), good.replace("committedLimitDays: 1", "committedLimitDays: 3"));
    writeFileSync(join(dir, "bad-yaml.yaml"), "name: [unclosed");
    writeFileSync(
      join(dir, "bad-form.yaml"),
      good
        .replace("code: 350100-MZ-0001", "code: 350100-MZ-0002")
        .replace("format: id-number", "format: no-such-format"),
    );
    writeFileSync(
      join(dir, "bad-certificate.yaml"),
      good
        .replace("code: 350100-MZ-0001", "code: 350100-MZ-0003")
        .replace("certificateType: marriage_certificate", "certificateType: wedding_licence"),
    );
    try {
      loadCatalog(dir);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CatalogError);
      const problems = (error as CatalogError).problems.join("\n");
      expect(problems).toContain(
        "bad-limits.yaml: committedLimitDays: the committed limit cannot exceed the statutory limit",
      );
      expect(problems).toContain("bad-yaml.yaml: not valid YAML");
      expect(problems).toMatch(/bad-form\.yaml: form\.schema: .*no-such-format/);
      expect(problems).toContain(
        "bad-certificate.yaml: result.certificateType: unknown certificate type wedding_licence",
      );
    }
  });
});

describe("versions", () => {
  it("lets an administrator save an edit as a draft and publish it; earlier cases keep their version", async () => {
    const resident = t.find((a) => a.roles.length === 0 && a.region === "350100");
    const client = t.anonymous();
    await client.request("POST", "/api/v1/auth/login", { username: resident.username, password: resident.password });
    const before = (await client.request("POST", "/api/v1/applications", { serviceCode: MARRIAGE })).json();
    expect(before.serviceVersion).toBe(1);

    const admin = await t.login("fz.admin");
    const current = (await t.anonymous().request("GET", `/api/v1/services/${MARRIAGE}`)).json();
    const edited = {
      ...current.item,
      handlingPlace: "福州市鼓楼区东街33号 福州市婚姻登记中心二楼",
      committedLimitDays: 1,
    };
    const draft = await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions`, { item: edited });
    expect(draft.statusCode).toBe(201);
    expect(draft.json()).toMatchObject({ version: 2, status: "draft" });
    // Nothing changes for residents until it is published.
    expect((await t.anonymous().request("GET", `/api/v1/services/${MARRIAGE}`)).json().version).toBe(1);

    const published = await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions/2/publish`);
    expect(published.json()).toMatchObject({ version: 2, item: { handlingPlace: edited.handlingPlace } });
    expect((await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions/2/publish`)).json().code).toBe(
      "ACTION_NOT_ALLOWED",
    );
    const versions = (await admin.request("GET", `/api/v1/admin/services/${MARRIAGE}/versions`)).json();
    expect(versions.map((v: { version: number; status: string }) => `${v.version}:${v.status}`)).toEqual([
      "2:published",
      "1:superseded",
    ]);

    const after = (await client.request("POST", "/api/v1/applications", { serviceCode: MARRIAGE })).json();
    expect(after.serviceVersion).toBe(2);
    expect((await client.request("GET", `/api/v1/applications/${before.id}`)).json().serviceVersion).toBe(1);
    // The earlier case's form and materials stay readable as filed.
    const filedUnder = (await t.anonymous().request("GET", `/api/v1/services/${MARRIAGE}?version=1`)).json();
    expect(filedUnder.version).toBe(1);
    expect(filedUnder.item.handlingPlace).not.toBe(edited.handlingPlace);
    expect((await t.anonymous().request("GET", `/api/v1/services/${MARRIAGE}?version=9`)).json().code).toBe(
      "SERVICE_NOT_FOUND",
    );
  });

  it("answers an invalid edit field by field, and keeps other regions' administrators out", async () => {
    const admin = await t.login("fz.admin");
    const current = (await t.anonymous().request("GET", `/api/v1/services/${MARRIAGE}`)).json();
    const bad = await admin.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions`, {
      item: { ...current.item, statutoryLimitDays: -1 },
    });
    expect(bad.json().code).toBe("VALIDATION_FAILED");
    expect(bad.json().details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "statutoryLimitDays" })]),
    );
    const weinan = await t.login("wn.admin");
    expect(
      (await weinan.request("POST", `/api/v1/admin/services/${MARRIAGE}/versions`, { item: current.item })).statusCode,
    ).toBe(403);
    expect((await weinan.request("GET", `/api/v1/admin/services/${MARRIAGE}/versions`)).statusCode).toBe(403);
  });
});

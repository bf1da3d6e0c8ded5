import type { ResourceField } from "@tongban/contracts";
import { describe, expect, it } from "vitest";
import { checkDefinition, type ResourceDefinition, type ResourceModel } from "./model.ts";

const field = (f: Partial<ResourceField> & { name: string }): ResourceField => ({
  label: f.name,
  type: "string",
  classification: "internal",
  personal: false,
  masking: "none",
  ...f,
});

function source(code: string, fields: ResourceField[], overrides: Partial<ResourceModel> = {}): ResourceModel {
  return {
    id: code,
    code,
    regionCode: "350100",
    departmentId: "d",
    departmentName: "d",
    name: code,
    nameEn: null,
    description: "source",
    fields,
    sharingClass: "conditional",
    legalBasis: [],
    updateFrequency: "daily",
    accessMethod: "api",
    keyField: "creditCode",
    connector: { kind: "table" },
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

const registration = source("350100.shichang.enterprise_registration", [
  field({ name: "creditCode", type: "credit_code", classification: "public" }),
  field({ name: "legalRepresentative", personal: true, masking: "name" }),
]);
const byId = source("350100.gongan.resident_identity", [field({ name: "idNumber", type: "id_number" })], {
  keyField: "idNumber",
});
const sources = new Map([registration, byId].map((s) => [s.code, s]));

const thematic = (fields: ResourceField[], keyField = "creditCode"): ResourceDefinition => ({
  name: "营商环境",
  description: "view",
  fields,
  sharingClass: "conditional",
  legalBasis: [],
  updateFrequency: "daily",
  accessMethod: "api",
  keyField,
  connector: { kind: "thematic" },
});

describe("thematic database definitions", () => {
  it("take each field's type, classification and masking from its source", () => {
    const { issues, fields } = checkDefinition(
      thematic([
        field({ name: "creditCode", from: { resource: registration.code, field: "creditCode" } }),
        field({
          name: "boss",
          classification: "public",
          from: { resource: registration.code, field: "legalRepresentative" },
        }),
      ]),
      sources,
    );
    expect(issues).toEqual([]);
    expect(fields[0]).toMatchObject({ type: "credit_code", classification: "public" });
    expect(fields[1]).toMatchObject({ name: "boss", classification: "internal", personal: true, masking: "name" });
  });

  it("name every field's source, which must exist and be keyed like the view", () => {
    const { issues } = checkDefinition(
      thematic([
        field({ name: "creditCode", from: { resource: registration.code, field: "creditCode" } }),
        field({ name: "nothing" }),
        field({ name: "gone", from: { resource: "350100.shichang.gone", field: "x" } }),
        field({ name: "missing", from: { resource: registration.code, field: "shoeSize" } }),
      ]),
      sources,
    );
    expect(issues.map((i) => `${i.field}:${i.reason}`)).toEqual([
      "fields.1.from:REQUIRED",
      "fields.2.from.resource:NOT_FOUND",
      "fields.3.from.field:NOT_FOUND",
    ]);
    const mixed = checkDefinition(
      thematic([
        field({ name: "creditCode", from: { resource: registration.code, field: "creditCode" } }),
        field({ name: "idNumber", from: { resource: byId.code, field: "idNumber" } }),
      ]),
      sources,
    );
    expect(mixed.issues).toEqual([expect.objectContaining({ field: "keyField", reason: "INVALID_VALUE" })]);
  });

  it("refuse a source field on a resource that is not a view", () => {
    const plain: ResourceDefinition = {
      ...thematic([
        field({ name: "creditCode", type: "credit_code", from: { resource: registration.code, field: "creditCode" } }),
      ]),
      connector: { kind: "table" },
    };
    expect(checkDefinition(plain, sources).issues).toEqual([
      expect.objectContaining({ field: "fields.0.from", reason: "UNKNOWN_FIELD" }),
    ]);
  });
});

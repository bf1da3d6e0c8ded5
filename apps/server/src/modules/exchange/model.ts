import type {
  AccessMethod,
  Connector,
  DataResource,
  FieldIssue,
  ResourceField,
  SharingClass,
  UpdateFrequency,
} from "@tongban/contracts";
import type { ResourceRow } from "./exchange.repository.ts";

/** A catalogue entry as the service works with it. */
export interface ResourceModel {
  id: string;
  code: string;
  regionCode: string;
  departmentId: string;
  departmentName: string;
  name: string;
  nameEn: string | null;
  description: string;
  fields: ResourceField[];
  sharingClass: SharingClass;
  legalBasis: { title: string; article?: string }[];
  updateFrequency: UpdateFrequency;
  accessMethod: AccessMethod;
  keyField: string | null;
  connector: Connector;
  createdAt: Date;
  updatedAt: Date;
}

export function toModel(row: ResourceRow): ResourceModel {
  return {
    id: row.id,
    code: row.code,
    regionCode: row.region_code,
    departmentId: row.department_id,
    departmentName: row.department_name,
    name: row.name,
    nameEn: row.name_en,
    description: row.description,
    fields: row.fields as ResourceField[],
    sharingClass: row.sharing_class,
    legalBasis: row.legal_basis as ResourceModel["legalBasis"],
    updateFrequency: row.update_frequency as UpdateFrequency,
    accessMethod: row.access_method,
    keyField: row.key_field,
    connector: row.connector as Connector,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toDataResource(model: ResourceModel): DataResource {
  return {
    code: model.code,
    regionCode: model.regionCode,
    departmentId: model.departmentId,
    departmentName: model.departmentName,
    name: model.name,
    nameEn: model.nameEn,
    description: model.description,
    sharingClass: model.sharingClass,
    accessMethod: model.accessMethod,
    updateFrequency: model.updateFrequency,
    connectorKind: model.connector.kind,
    fieldCount: model.fields.length,
    updatedAt: model.updatedAt.toISOString(),
    fields: model.fields,
    legalBasis: model.legalBasis,
    keyField: model.keyField,
    connector: model.connector,
    createdAt: model.createdAt.toISOString(),
  };
}

/** The text a catalogue search matches: names, description, codes and field labels. */
export function searchTextOf(definition: ResourceDefinition & { code: string }): string {
  return [
    definition.code,
    definition.name,
    definition.nameEn ?? "",
    definition.description,
    ...definition.fields.flatMap((f) => [f.name, f.label, f.labelEn ?? ""]),
  ]
    .join(" ")
    .toLowerCase();
}

export interface ResourceDefinition {
  name: string;
  nameEn?: string | null;
  description: string;
  fields: ResourceField[];
  sharingClass: SharingClass;
  legalBasis: { title: string; article?: string }[];
  updateFrequency: UpdateFrequency;
  accessMethod: AccessMethod;
  keyField?: string | null;
  connector: Connector;
}

const KEY_TYPES = new Set(["string", "id_number", "credit_code"]);
const TEXT_TYPES = new Set(["string", "id_number", "credit_code", "phone", "date"]);

/**
 * The rules of a catalogue entry a schema cannot state. For a thematic database, `sources` holds the
 * resources its fields come from; each field then takes its type, classification, personal flag and
 * masking from its source (answered in `fields`).
 */
export function checkDefinition(
  definition: ResourceDefinition,
  sources: Map<string, ResourceModel>,
  self?: string,
): { issues: FieldIssue[]; fields: ResourceField[] } {
  const issues: FieldIssue[] = [];
  const thematic = definition.connector.kind === "thematic";
  const seen = new Set<string>();
  const fields = definition.fields.map((field, i) => {
    const at = `fields.${i}`;
    if (seen.has(field.name))
      issues.push({ field: `${at}.name`, reason: "DUPLICATE", message: "Field names are unique" });
    seen.add(field.name);
    if (!thematic) {
      if (field.from) {
        issues.push({
          field: `${at}.from`,
          reason: "UNKNOWN_FIELD",
          message: "Only a thematic database's fields name a source",
        });
      }
      if (field.masking !== "none" && field.masking !== "hidden" && !TEXT_TYPES.has(field.type)) {
        issues.push({
          field: `${at}.masking`,
          reason: "INVALID_VALUE",
          message: `A ${field.type} field can only be shown whole or hidden`,
        });
      }
      if (field.personal && field.classification === "public") {
        issues.push({
          field: `${at}.classification`,
          reason: "PERSONAL_PUBLIC",
          message: "Personal information cannot be classified public",
        });
      }
      return field;
    }
    if (!field.from) {
      issues.push({ field: `${at}.from`, reason: "REQUIRED", message: "Name the resource and field this comes from" });
      return field;
    }
    const source = sources.get(field.from.resource);
    if (!source || field.from.resource === self) {
      issues.push({ field: `${at}.from.resource`, reason: "NOT_FOUND", message: "No such data resource" });
      return field;
    }
    if (source.connector.kind === "thematic" || source.accessMethod !== "api") {
      issues.push({
        field: `${at}.from.resource`,
        reason: "INVALID_VALUE",
        message: "A thematic database combines resources queried by key, not other thematic databases or datasets",
      });
      return field;
    }
    const sourceField = source.fields.find((f) => f.name === field.from?.field);
    if (!sourceField) {
      issues.push({ field: `${at}.from.field`, reason: "NOT_FOUND", message: `${source.code} has no such field` });
      return field;
    }
    return {
      ...field,
      type: sourceField.type,
      classification: sourceField.classification,
      personal: sourceField.personal,
      masking: sourceField.masking,
    };
  });

  if (definition.sharingClass === "none" && definition.legalBasis.length === 0) {
    issues.push({
      field: "legalBasis",
      reason: "REQUIRED",
      message: "A resource that is not shared names the legal basis for not sharing it",
    });
  }
  if (thematic && definition.accessMethod !== "api") {
    issues.push({ field: "accessMethod", reason: "INVALID_VALUE", message: "A thematic database is queried by key" });
  }
  if (definition.accessMethod === "api") {
    const key = fields.find((f) => f.name === definition.keyField);
    if (!definition.keyField) {
      issues.push({ field: "keyField", reason: "REQUIRED", message: "A resource queried by key names its key field" });
    } else if (!key) {
      issues.push({ field: "keyField", reason: "NOT_FOUND", message: "The key field is not one of the fields" });
    } else if (!KEY_TYPES.has(key.type)) {
      issues.push({
        field: "keyField",
        reason: "INVALID_VALUE",
        message: "A key is an ID number, a credit code or a text",
      });
    } else if (thematic && issues.length === 0) {
      for (const code of new Set(fields.map((f) => f.from?.resource as string))) {
        const source = sources.get(code) as ResourceModel;
        const sourceKey = source.fields.find((f) => f.name === source.keyField);
        if (sourceKey?.type !== key.type) {
          issues.push({
            field: "keyField",
            reason: "INVALID_VALUE",
            message: `${code} is not queried by a key of the same type (${key.type})`,
          });
        }
      }
    }
  } else if (definition.keyField && !fields.some((f) => f.name === definition.keyField)) {
    issues.push({ field: "keyField", reason: "NOT_FOUND", message: "The key field is not one of the fields" });
  }
  return { issues, fields };
}

// Catalogue forms are data, so they are JSON Schema 2020-12, checked with Ajv. Failures become the
// same `{ field, reason, message }` issues as every other validation error.
import { checkCreditCode, checkIdNumber, type FieldIssue } from "@tongban/contracts";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS; its function sits on `default` when imported from ESM.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, coerceTypes: false });
addFormats(ajv, ["date", "email", "uri"]);
ajv.addFormat("id-number", { type: "string", validate: (value: string) => checkIdNumber(value).ok });
ajv.addFormat("credit-code", { type: "string", validate: (value: string) => checkCreditCode(value).ok });
ajv.addFormat("cn-mobile", { type: "string", validate: /^1[3-9]\d{9}$/ });
ajv.addFormat("region-code", { type: "string", validate: /^\d{6}$/ });
ajv.addKeyword({ keyword: "x-label" });

export type FormCheck = (data: unknown) => FieldIssue[];

function describe(error: ErrorObject, data: unknown): FieldIssue {
  const path = error.instancePath.split("/").filter(Boolean);
  const params = error.params as Record<string, unknown>;
  const field = (extra?: string) => [...path, ...(extra ? [extra] : [])].join(".");
  switch (error.keyword) {
    case "required":
      return { field: field(String(params.missingProperty)), reason: "REQUIRED", message: "This field is required" };
    case "minLength":
      return { field: field(), reason: "TOO_SHORT", message: `At least ${params.limit} characters` };
    case "maxLength":
      return { field: field(), reason: "TOO_LONG", message: `At most ${params.limit} characters` };
    case "minimum":
    case "exclusiveMinimum":
      return { field: field(), reason: "TOO_SMALL", message: `At least ${params.limit}` };
    case "maximum":
    case "exclusiveMaximum":
      return { field: field(), reason: "TOO_BIG", message: `At most ${params.limit}` };
    case "enum":
    case "const":
      return { field: field(), reason: "INVALID_VALUE", message: "Choose one of the offered values" };
    case "additionalProperties":
      return {
        field: field(String(params.additionalProperty)),
        reason: "UNKNOWN_FIELD",
        message: "This field is not part of the form",
      };
    case "format": {
      const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], data);
      if (params.format === "id-number" && typeof value === "string") {
        const result = checkIdNumber(value);
        if (!result.ok) return { field: field(), reason: result.problem.reason, message: result.problem.message };
      }
      if (params.format === "credit-code" && typeof value === "string") {
        const result = checkCreditCode(value);
        if (!result.ok) return { field: field(), reason: result.problem.reason, message: result.problem.message };
      }
      return { field: field(), reason: "INVALID_FORMAT", message: `Not a valid ${String(params.format)}` };
    }
    case "pattern":
      return { field: field(), reason: "INVALID_FORMAT", message: "The value does not have the expected form" };
    case "type":
      return { field: field(), reason: "INVALID_TYPE", message: `Must be ${String(params.type)}` };
    default:
      return { field: field(), reason: "INVALID_VALUE", message: error.message ?? "Not valid" };
  }
}

/** Compiles a form schema once; throws with Ajv's reason when the schema itself is wrong. */
export function compileForm(schema: object): FormCheck {
  const validate: ValidateFunction = ajv.compile({ ...schema, $schema: undefined });
  return (data) => {
    if (validate(data)) return [];
    const issues = (validate.errors ?? []).filter((e) => e.keyword !== "if").map((e) => describe(e, data));
    // One issue per field is enough for a person to act on; keep the first.
    const seen = new Set<string>();
    return issues.filter((issue) => {
      if (seen.has(issue.field)) return false;
      seen.add(issue.field);
      return true;
    });
  };
}

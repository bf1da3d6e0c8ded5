import type { FieldType, FieldValue } from "@tongban/contracts";
import { ProviderError } from "./connectors.ts";

const checks: Record<FieldType, (value: unknown) => boolean> = {
  string: (v) => typeof v === "string" && v.length <= 10_000,
  phone: (v) => typeof v === "string" && /^\+?[\d-]{5,20}$/.test(v),
  date: (v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v),
  id_number: (v) => typeof v === "string" && /^\d{17}[\dX]$/.test(v),
  credit_code: (v) => typeof v === "string" && /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(v),
  integer: (v) => typeof v === "number" && Number.isSafeInteger(v),
  number: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
};

/**
 * Checks what a source answered against the catalogue and keeps only `fields`: more records than
 * asked for, a record that is not an object, a value of the wrong type, or a record about another
 * key than the one asked for make the whole answer a bad answer. Missing values become null.
 */
export function checkRecords(
  fields: readonly { name: string; type: FieldType }[],
  raw: unknown[],
  options: { limit: number; keyField?: string | null; key?: string },
): Record<string, FieldValue>[] {
  if (raw.length > options.limit) {
    throw new ProviderError("bad_answer", {
      problem: `${raw.length} records where at most ${options.limit} were asked for`,
    });
  }
  return raw.map((record, index) => {
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new ProviderError("bad_answer", { problem: `record ${index} is not an object` });
    }
    const source = record as Record<string, unknown>;
    if (options.keyField && options.key !== undefined) {
      const keyValue = source[options.keyField];
      if (keyValue !== undefined && keyValue !== null && keyValue !== options.key) {
        throw new ProviderError("bad_answer", {
          problem: `record ${index} is about another key than the one asked for`,
        });
      }
    }
    const kept: Record<string, FieldValue> = {};
    for (const field of fields) {
      const value = source[field.name];
      if (value === undefined || value === null) {
        kept[field.name] = null;
        continue;
      }
      if (!checks[field.type](value)) {
        throw new ProviderError("bad_answer", {
          problem: `record ${index}: ${field.name} is not a valid ${field.type}`,
        });
      }
      kept[field.name] = value as FieldValue;
    }
    return kept;
  });
}

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ServiceItem } from "@tongban/contracts";
import { parse } from "yaml";
import { certificateTypes } from "../certificates/certificate-types.ts";
import { compileForm } from "./form-validator.ts";

export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`The service catalogue has errors:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "CatalogError";
  }
}

export interface LoadedItem {
  file: string;
  item: ServiceItem;
}

/**
 * Reads every `*.yaml` under the catalogue folder and checks it: the standard elements (zod), the
 * form's JSON Schema (Ajv compiles it), unique codes. A bad file stops the start with its name,
 * the field and why.
 */
export function loadCatalog(dir: string): LoadedItem[] {
  const problems: string[] = [];
  const loaded: LoadedItem[] = [];
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
    .sort();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(join(dir, file), "utf8"));
    } catch (error) {
      problems.push(`${file}: not valid YAML (${(error as Error).message.split("\n")[0]})`);
      continue;
    }
    const result = ServiceItem.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push(`${file}: ${issue.path.join(".") || "(top)"}: ${issue.message}`);
      }
      continue;
    }
    try {
      compileForm(result.data.form.schema);
    } catch (error) {
      problems.push(`${file}: form.schema: ${(error as Error).message}`);
      continue;
    }
    // A certificate type the e-certificate module does not know would issue nothing, silently.
    const unknownTypes = [
      ["result.certificateType", result.data.result.certificateType] as const,
      ...result.data.materials.map((m, i) => [`materials.${i}.certificateType`, m.certificateType] as const),
    ].filter(([, type]) => type !== undefined && !(type in certificateTypes));
    if (unknownTypes.length > 0) {
      for (const [path, type] of unknownTypes)
        problems.push(
          `${file}: ${path}: unknown certificate type ${type} (known: ${Object.keys(certificateTypes).join(", ")})`,
        );
      continue;
    }
    loaded.push({ file, item: result.data });
  }
  const byCode = new Map<string, string>();
  for (const { file, item } of loaded) {
    const other = byCode.get(item.code);
    if (other) problems.push(`${file}: code: ${item.code} is also used by ${other}`);
    byCode.set(item.code, file);
  }
  if (problems.length > 0) throw new CatalogError(problems);
  return loaded;
}

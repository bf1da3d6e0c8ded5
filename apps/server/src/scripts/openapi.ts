// Writes the OpenAPI document generated from the route schemas to docs/openapi.json;
// with --check, fails when the checked-in document differs from what the routes say.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { openPGlite } from "../db/database.ts";
import { memoryFileStore } from "../ports/files.ts";
import { memoryKeyStore, randomIds, systemClock } from "../ports/index.ts";

const target = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../docs/openapi.json");
const database = await openPGlite(undefined);
const app = await buildApp({
  config: { ...loadConfig({}, "/nonexistent"), logLevel: "silent" },
  database,
  clock: systemClock,
  ids: randomIds,
  keys: memoryKeyStore(),
  files: memoryFileStore(),
});
await app.ready();
const document = `${JSON.stringify(app.swagger(), null, 2)}\n`;
await app.close();
await database.close();

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {}
  if (current !== document) {
    process.stderr.write("docs/openapi.json is out of date with the routes: run `npm run openapi` and commit it.\n");
    process.exit(1);
  }
  process.stdout.write("docs/openapi.json matches the routes.\n");
} else {
  writeFileSync(target, document);
  process.stdout.write(`wrote ${target}\n`);
}

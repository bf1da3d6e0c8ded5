// Checks every catalogue file as the server does at start: `npm run catalog:check`.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CatalogError, loadCatalog } from "../modules/catalog/catalog.loader.ts";

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../catalog/services");
try {
  const items = loadCatalog(dir);
  for (const { file, item } of items) process.stdout.write(`ok  ${item.code}  ${item.name}  (${file})\n`);
  process.stdout.write(`${items.length} service items are valid.\n`);
} catch (error) {
  if (error instanceof CatalogError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

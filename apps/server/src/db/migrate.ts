import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Database } from "./database.ts";

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");
const MIGRATION_LOCK = 7_402_001;

export interface Migration {
  version: string;
  script: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((name) => /^\d{3}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => ({ version: name.replace(/\.sql$/, ""), script: readFileSync(join(dir, name), "utf8") }));
}

async function appliedVersions(database: Database): Promise<Set<string>> {
  const rows = await database.db.selectFrom("schema_migrations").select("version").execute();
  return new Set(rows.map((row) => row.version));
}

/**
 * Applies every migration not yet applied, each in its own transaction, in file-name order.
 * The same plain SQL runs on PGlite and PostgreSQL. Answers the versions it applied.
 */
export async function migrate(database: Database, migrations = loadMigrations()): Promise<string[]> {
  return database.withLock(MIGRATION_LOCK, async () => {
    await database.execScript(
      "create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())",
    );
    const applied = await appliedVersions(database);
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      const record = `insert into schema_migrations (version) values ('${migration.version}')`;
      await database.execScript(`begin;\n${migration.script}\n;${record};\ncommit;`);
      done.push(migration.version);
    }
    return done;
  });
}

/** Versions present on disk but not applied in the database (used by /readyz). */
export async function pendingMigrations(database: Database, migrations = loadMigrations()) {
  const exists = await sql<{ exists: boolean }>`select to_regclass('schema_migrations') is not null as exists`.execute(
    database.db,
  );
  if (!exists.rows[0]?.exists) return migrations.map((m) => m.version);
  const applied = await appliedVersions(database);
  return migrations.filter((m) => !applied.has(m.version)).map((m) => m.version);
}

import { randomBytes } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { createPGlite, type Database, openPostgres, wrapPGlite } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { randomIds, systemClock } from "../../src/ports/index.ts";
import { type DemoAccount, seedDemoWorld } from "../../src/seed/demo-world.ts";

export interface TestDatabase {
  database: Database;
  accounts: DemoAccount[];
  /** On PostgreSQL, a URL of the same schema, to open a second pool as another process would. */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A migrated database with the demo world seeded, one per call. On PGlite, each process seeds
 * one template and every call clones it (about a second instead of four). With DATABASE_URL,
 * each call gets its own schema in that PostgreSQL database, dropped afterwards.
 */
export async function createTestDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const seed = options.seed ?? true;
  const url = process.env.DATABASE_URL;
  if (url) return createPostgresSchema(url, seed);
  const template = await pgliteTemplate(seed);
  const clone = (await template.pglite.clone()) as PGlite;
  const database = wrapPGlite(clone);
  return { database, accounts: template.accounts, drop: () => database.close() };
}

const templates = new Map<boolean, Promise<{ pglite: PGlite; accounts: DemoAccount[] }>>();
function pgliteTemplate(seed: boolean) {
  let template = templates.get(seed);
  if (!template) {
    template = (async () => {
      const pglite = await createPGlite();
      const database = wrapPGlite(pglite);
      await migrate(database);
      const accounts = seed ? await seedDemoWorld(database.db, systemClock, randomIds) : [];
      return { pglite, accounts };
    })();
    templates.set(seed, template);
  }
  return template;
}

async function createPostgresSchema(url: string, seed: boolean): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set("options", `-c search_path=${schema}`);
  const database = openPostgres(scoped.toString(), 10);
  await migrate(database);
  const accounts = seed ? await seedDemoWorld(database.db, systemClock, randomIds) : [];
  return {
    database,
    accounts,
    url: scoped.toString(),
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

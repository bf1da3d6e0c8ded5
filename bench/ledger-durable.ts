// Durable ledger appends per second: outbox rows integrated by the sequencer into the stored tree,
// with a signed checkpoint per batch, on PGlite and PostgreSQL, beside the raw SHA-256 rate.
//   npx tsx bench/ledger-durable.ts [--entries 20000] [--batch 1000]
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { type Database, openPGlite, openPostgres } from "../apps/server/src/db/database.ts";
import { migrate } from "../apps/server/src/db/migrate.ts";
import { createLedgerService } from "../apps/server/src/modules/ledger/ledger.service.ts";
import { memoryKeyStore, systemClock } from "../apps/server/src/ports/index.ts";

const { values } = parseArgs({
  options: { entries: { type: "string", default: "20000" }, batch: { type: "string", default: "1000" } },
});
const ENTRIES = Number(values.entries);
const BATCH = Number(values.batch);

function sha256Rate(): number {
  const data = Buffer.alloc(200, 7);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 1000) {
    for (let i = 0; i < 1000; i++) createHash("sha256").update(data).digest();
    n += 1000;
  }
  return n / ((performance.now() - start) / 1000);
}

async function fill(database: Database) {
  const at = new Date();
  for (let i = 0; i < ENTRIES; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, ENTRIES - i) }, (_, k) => ({
      type: "bench.change",
      subject: `subject-${i + k}`,
      actor: null,
      at,
      content: JSON.stringify({ n: i + k }),
    }));
    await database.db.insertInto("outbox").values(rows).execute();
  }
}

async function measure(kind: string, database: Database) {
  await migrate(database);
  await fill(database);
  const ledger = createLedgerService({
    db: database.db,
    clock: systemClock,
    keys: memoryKeyStore(),
    origin: "bench.local/ledger",
  });
  const latencies: number[] = [];
  const start = performance.now();
  for (;;) {
    const t0 = performance.now();
    const size = await ledger.integrate(BATCH);
    if (size === undefined) break;
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
  process.stdout.write(
    `${kind.padEnd(10)} ${(ENTRIES / seconds).toFixed(0).padStart(8)} appends/s   batch of ${BATCH}: p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (incl. signed checkpoint)\n`,
  );
}

process.stdout.write(`Durable ledger appends: ${ENTRIES} entries, batches of ${BATCH}\n`);
process.stdout.write(`raw SHA-256 (200-byte inputs): ${sha256Rate().toFixed(0)} hashes/s\n`);
const pglite = await openPGlite(undefined);
await measure("PGlite", pglite);
await pglite.close();

const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `tongban_ledger_${Date.now()}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const postgres = openPostgres(url.toString(), 4);
try {
  await measure("PostgreSQL", postgres);
} finally {
  await postgres.close();
  // Let the pool's sockets finish closing: a forced drop would otherwise kill one mid-close, and the
  // pool would report that as an unhandled error after the figures are printed.
  await new Promise((r) => setTimeout(r, 500));
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
}

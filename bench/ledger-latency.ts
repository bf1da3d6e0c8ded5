// Per-change ledger latency under load: a steady stream of state changes (each its own transaction
// writing an outbox row through recordChange), the server's sequencer running as in `npm start`
// (woken by each commit, Ed25519 + SM2 checkpoint per batch), and for every change:
//   commit → durable index   (the sequencer's transaction giving it its index has committed)
//   commit → checkpoint      (a reader polling the latest signed checkpoint, as /ledger/checkpoint
//                              does, first sees one covering it)
// at a few offered rates and at the maximum, on PGlite (on disk) and PostgreSQL, beside the raw
// SHA-256 rate of the same run.
//   npx tsx bench/ledger-latency.ts [--seconds 10] [--rates 500,2000,max] [--only pglite|postgres]
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); the bench works
// in a fresh schema of that database and drops it at the end.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { type Database, openPGlite, openPostgres } from "../apps/server/src/db/database.ts";
import { migrate } from "../apps/server/src/db/migrate.ts";
import { createLedgerService } from "../apps/server/src/modules/ledger/ledger.service.ts";
import { recordChange } from "../apps/server/src/modules/ledger/outbox.ts";
import { startSequencer } from "../apps/server/src/modules/ledger/sequencer.ts";
import { memoryKeyStore, systemClock } from "../apps/server/src/ports/index.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    rates: { type: "string", default: "500,2000,max" },
    only: { type: "string" },
    "poll-ms": { type: "string", default: "5" },
  },
});
const SECONDS = Number(values.seconds);
const RATES = (values.rates ?? "").split(",").map((r) => (r === "max" ? "max" : Number(r)));
const POLL_MS = Number(values["poll-ms"]);

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number);

interface Run {
  offered: string;
  achieved: number;
  changes: number;
  batches: number;
  toIndex: number[];
  toCheckpoint: number[];
}

async function runRate(
  database: Database,
  rate: number | "max",
  workers: number,
  onBatch: Set<(ids: number[], treeSize: number, first: number) => void>,
  checkpointSize: () => Promise<number>,
): Promise<Run> {
  const committedAt = new Map<number, number>();
  const indexAt = new Map<number, number>();
  const indexOf = new Map<number, number>();
  let batches = 0;
  const listener = (ids: number[], _treeSize: number, first: number) => {
    const now = performance.now();
    batches++;
    ids.forEach((id, i) => {
      indexAt.set(id, now);
      indexOf.set(id, first + i);
    });
  };
  onBatch.add(listener);

  // Each change's index is known once its batch commits; the checkpoint poller reports when the
  // published checkpoint first covers an index.
  const checkpointAt = new Map<number, number>(); // index → time first covered
  let covered = await checkpointSize();
  const pollStart = covered;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const size = await checkpointSize();
      if (size > covered) {
        const now = performance.now();
        for (let i = covered; i < size; i++) checkpointAt.set(i, now);
        covered = size;
      }
      await sleep(POLL_MS);
    }
  })();

  const change = async (n: number) => {
    const id = await database.db.transaction().execute((trx) =>
      recordChange(trx, {
        type: "bench.change",
        subject: `subject-${n}`,
        actor: "bench",
        at: new Date(),
        facts: { n, status: "submitted" },
      }),
    );
    committedAt.set(id, performance.now());
  };

  const start = performance.now();
  const end = start + SECONDS * 1000;
  let issued = 0;
  if (rate === "max") {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (performance.now() < end) await change(issued++);
      }),
    );
  } else {
    // Open loop: change i starts at start + i / rate whatever the others are doing (up to `workers`
    // in flight; beyond that the backlog waits, and its wait is not counted: latency starts at commit).
    const inFlight = new Set<Promise<void>>();
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (issued < due && inFlight.size < workers) {
        const p: Promise<void> = change(issued++).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await sleep(1);
    }
    await Promise.all(inFlight);
  }
  const elapsed = (performance.now() - start) / 1000;

  // Drain: every committed change indexed and covered by a checkpoint.
  const deadline = performance.now() + 60_000;
  while (
    performance.now() < deadline &&
    ([...committedAt.keys()].some((id) => !indexAt.has(id)) ||
      [...committedAt.keys()].some((id) => !checkpointAt.has(indexOf.get(id) ?? -1)))
  )
    await sleep(20);
  polling = false;
  await poller;
  onBatch.delete(listener);

  const toIndex: number[] = [];
  const toCheckpoint: number[] = [];
  for (const [id, committed] of committedAt) {
    const indexed = indexAt.get(id);
    const index = indexOf.get(id);
    if (indexed === undefined || index === undefined) throw new Error(`change ${id} was never integrated`);
    toIndex.push(Math.max(0, indexed - committed));
    const published = checkpointAt.get(index);
    if (published === undefined || index < pollStart) throw new Error(`index ${index} never covered by a checkpoint`);
    toCheckpoint.push(Math.max(0, published - committed));
  }
  toIndex.sort((a, b) => a - b);
  toCheckpoint.sort((a, b) => a - b);
  return {
    offered: rate === "max" ? `max (${workers} in flight)` : `${rate}/s`,
    achieved: committedAt.size / elapsed,
    changes: committedAt.size,
    batches,
    toIndex,
    toCheckpoint,
  };
}

async function measure(kind: string, database: Database, workers: number) {
  await migrate(database);
  const ledger = createLedgerService({
    db: database.db,
    clock: systemClock,
    keys: memoryKeyStore(),
    origin: "bench.local/ledger",
    sm2: true,
  });
  const onBatch = new Set<(ids: number[], treeSize: number, first: number) => void>();
  const sequencer = await startSequencer({
    ledger,
    database,
    intervalMs: 500,
    onIndexed: (batch) => {
      for (const listener of onBatch) listener(batch.outboxIds, batch.treeSize, batch.first);
    },
    onError: (error) => process.stderr.write(`sequencer: ${(error as Error).message}\n`),
  });
  // The checkpoint reader: the size of what GET /ledger/checkpoint would serve, read on its own.
  const checkpointSize = async () => {
    const row = await database.db
      .selectFrom("ledger_checkpoints")
      .select((eb) => eb.fn.max("tree_size").as("size"))
      .executeTakeFirst();
    return Number(row?.size ?? 0);
  };
  try {
    for (const rate of RATES) {
      const run = await runRate(database, rate, workers, onBatch, checkpointSize);
      const ms = (v: number) => v.toFixed(0).padStart(5);
      process.stdout.write(
        `${kind.padEnd(10)} offered ${run.offered.padEnd(18)} achieved ${run.achieved.toFixed(0).padStart(5)}/s  ` +
          `${String(run.changes).padStart(6)} changes in ${String(run.batches).padStart(4)} batches (mean ${(run.changes / Math.max(1, run.batches)).toFixed(0)})  ` +
          `commit→index p50 ${ms(percentile(run.toIndex, 0.5))} ms p99 ${ms(percentile(run.toIndex, 0.99))} ms  ` +
          `commit→checkpoint p50 ${ms(percentile(run.toCheckpoint, 0.5))} ms p99 ${ms(percentile(run.toCheckpoint, 0.99))} ms\n`,
      );
    }
  } finally {
    await sequencer.stop();
  }
}

process.stdout.write(
  `Per-change ledger latency: ${SECONDS} s per rate, checkpoint reader polling every ${POLL_MS} ms, Ed25519 + SM2 checkpoints\n`,
);
process.stdout.write(`raw SHA-256 (200-byte inputs): ${sha256Rate().toFixed(0)} hashes/s\n`);

if (values.only !== "postgres") {
  const dir = mkdtempSync(join(tmpdir(), "tongban-latency-"));
  const pglite = await openPGlite(dir);
  try {
    await measure("PGlite", pglite, 8);
  } finally {
    await pglite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.only !== "pglite") {
  const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const schema = `bench_latency_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set("options", `-c search_path=${schema}`);
  const postgres = openPostgres(scoped.toString(), 20);
  try {
    await measure("PostgreSQL", postgres, 16);
  } finally {
    await postgres.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

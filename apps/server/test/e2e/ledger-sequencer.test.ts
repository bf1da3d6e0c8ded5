import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../src/db/database.ts";
import { createLedgerService } from "../../src/modules/ledger/ledger.service.ts";
import { recordChange } from "../../src/modules/ledger/outbox.ts";
import { startSequencer } from "../../src/modules/ledger/sequencer.ts";
import { memoryKeyStore, systemClock } from "../../src/ports/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: false });
});
afterAll(() => t.drop());

/** A ledger over the test database with keys of its own (and an SM2 line when asked). */
const newLedger = (sm2 = false) =>
  createLedgerService({
    db: t.database.db,
    clock: systemClock,
    keys: memoryKeyStore(),
    origin: "test.local/ledger",
    sm2,
  });

const change = (subject: string) => ({ type: "test.change", subject, actor: null, at: new Date(), facts: {} });

async function indexOf(outboxId: number, db = t.database.db): Promise<number | null> {
  const row = await db.selectFrom("outbox").select("ledger_idx").where("id", "=", String(outboxId)).executeTakeFirst();
  return row?.ledger_idx === null || row?.ledger_idx === undefined ? null : Number(row.ledger_idx);
}

async function waitForIndex(outboxId: number, timeoutMs: number, db = t.database.db): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = await indexOf(outboxId, db);
    if (index !== null) return index;
    if (Date.now() > deadline) throw new Error(`outbox row ${outboxId} not integrated in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("the commit signal", () => {
  it("fires after a transaction that wrote outbox rows commits, never for a rollback or other writes", async () => {
    const fired: string[] = [];
    let phase = "";
    const off = t.database.outboxCommits.on(() => fired.push(phase));
    try {
      await t.database.db.transaction().execute(async (trx) => {
        phase = "inside";
        await recordChange(trx, change("a"));
        await recordChange(trx, change("b"));
        phase = "committing";
      });
      expect(fired).toEqual(["committing"]); // once, after both rows, at the commit

      await expect(
        t.database.db.transaction().execute(async (trx) => {
          phase = "rolled back";
          await recordChange(trx, change("c"));
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      await t.database.db.transaction().execute(async (trx) => {
        phase = "no outbox";
        await trx.selectFrom("outbox").select("id").limit(1).execute();
      });
      phase = "autocommit";
      await recordChange(t.database.db, change("d"));
      expect(fired).toEqual(["committing", "autocommit"]);
    } finally {
      off();
    }
  });
});

describe("the sequencer", () => {
  it("integrates a committed change within milliseconds, without waiting for its timer", async () => {
    const ledger = newLedger(true);
    const batches: number[] = [];
    const errors: unknown[] = [];
    const sequencer = await startSequencer({
      ledger,
      database: t.database,
      intervalMs: 60_000,
      onBatch: (batch) => batches.push(batch.treeSize),
      onError: (error) => errors.push(error),
    });
    try {
      await sequencer.idle(); // the start-up run takes what the previous test left
      const started = Date.now();
      const id = await t.database.db.transaction().execute((trx) => recordChange(trx, change("prompt")));
      const index = await waitForIndex(id, 5_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      await sequencer.idle();
      const checkpoint = await t.database.db
        .selectFrom("ledger_checkpoints")
        .select("tree_size")
        .orderBy("tree_size", "desc")
        .executeTakeFirstOrThrow();
      expect(Number(checkpoint.tree_size)).toBeGreaterThan(index);

      // A burst of concurrent changes is integrated in a few batches, not one batch per change.
      const before = batches.length;
      const ids = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          t.database.db.transaction().execute((trx) => recordChange(trx, change(`burst-${i}`))),
        ),
      );
      for (const burstId of ids) await waitForIndex(burstId, 5_000);
      await sequencer.idle();
      expect(batches.length - before).toBeLessThan(100);
      expect(errors).toEqual([]);
    } finally {
      await sequencer.stop();
    }
  });

  it("indexes every change at once but signs a checkpoint at most every checkpointEveryMs, and the last on stop", async () => {
    const ledger = newLedger();
    const latestCheckpoint = async () =>
      Number(
        (
          await t.database.db
            .selectFrom("ledger_checkpoints")
            .select((eb) => eb.fn.max("tree_size").as("size"))
            .executeTakeFirst()
        )?.size ?? 0,
      );
    const covered: number[] = [];
    const sequencer = await startSequencer({
      ledger,
      database: t.database,
      intervalMs: 60_000,
      checkpointEveryMs: 600_000,
      onBatch: (batch) => covered.push(...batch.outboxIds),
    });
    let stopped = false;
    try {
      // The first batch after a quiet spell is signed at once.
      const first = await t.database.db.transaction().execute((trx) => recordChange(trx, change("first")));
      const firstIndex = await waitForIndex(first, 5_000);
      for (let i = 0; i < 200 && !covered.includes(first); i++) await new Promise((r) => setTimeout(r, 10));
      expect(covered).toContain(first);
      expect(await latestCheckpoint()).toBeGreaterThan(firstIndex);

      // The next one gets its index as promptly, but no checkpoint before the interval has passed …
      const second = await t.database.db.transaction().execute((trx) => recordChange(trx, change("second")));
      const secondIndex = await waitForIndex(second, 5_000);
      expect(await latestCheckpoint()).toBeLessThanOrEqual(secondIndex);
      expect(covered).not.toContain(second);

      // … and a process that stops signs what it integrated rather than leave it to the next start.
      await sequencer.stop();
      stopped = true;
      expect(await latestCheckpoint()).toBeGreaterThan(secondIndex);
      expect(covered).toContain(second);
    } finally {
      if (!stopped) await sequencer.stop();
    }
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "on PostgreSQL, another process's commit wakes this one through LISTEN/NOTIFY",
    async () => {
      // Process A integrates; process B commits a change but finds the ledger lock taken (as when A is
      // mid-batch), so only B's notification can bring A to it before A's own timer.
      const ledgerA = newLedger();
      const a = await startSequencer({ ledger: ledgerA, database: t.database, intervalMs: 60_000 });
      const databaseB = openPostgres(t.url as string, 2);
      const b = await startSequencer({
        ledger: { integrateBatch: async () => ({ status: "busy" }), publishCheckpoint: async () => {} },
        database: databaseB,
        intervalMs: 60_000,
      });
      try {
        await a.idle();
        const started = Date.now();
        const id = await databaseB.db.transaction().execute((trx) => recordChange(trx, change("from B")));
        await waitForIndex(id, 5_000);
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await b.stop();
        await a.stop();
        await databaseB.close();
      }
    },
  );
});

// The ledger sequencer's schedule. It wakes when a transaction that wrote outbox rows commits in this
// process (the database's commit signal) and, on PostgreSQL, when another server process announces
// one (LISTEN/NOTIFY); a timer remains as the fallback. A short coalescing delay after each wake lets
// the changes of the next few milliseconds join the batch, so batches stay large under load. Only one
// process integrates at a time (the ledger's advisory lock); one that finds the lock held leaves the
// work to the holder, which was told by the same notification and will run again.
//
// Integrating and signing are paced apart: a batch gets its index at once, but a checkpoint is signed
// at most every `checkpointEveryMs` (100 ms), over the tree as it is then. Signing (Ed25519 and SM2,
// on this thread) cost each batch more CPU than integrating it when changes arrive one by one, and a
// reader gains little from a checkpoint per batch when the next follows within 100 ms.
import type { Database, NotifyChannel } from "../../db/database.ts";
import type { IntegratedBatch, LedgerService } from "./ledger.service.ts";

export const LEDGER_CHANNEL = "tongban_ledger";
const MAX_COALESCE_MS = 100;

export interface SequencerOptions {
  ledger: Pick<LedgerService, "integrateBatch" | "publishCheckpoint">;
  database: Pick<Database, "outboxCommits" | "listen">;
  /** Fallback tick when no signal arrives (a lost notification, a change written by another tool). */
  intervalMs?: number;
  /**
   * Wait at least this long after a wake before integrating, to gather more changes into one batch
   * (and half as long as the last batch took, up to 100 ms).
   */
  coalesceMs?: number;
  batchSize?: number;
  onError?: (error: unknown, during: string) => void;
  /**
   * Sign a checkpoint at most this often (the first batch after a quiet spell is signed at once; the
   * ones that follow within this time are covered by one checkpoint when it has passed).
   */
  checkpointEveryMs?: number;
  /** Called when a batch's indexes have committed (tests and benchmarks measure latency with it). */
  onIndexed?: (batch: IntegratedBatch) => void;
  /** Called once this process has published a checkpoint covering the batch. */
  onBatch?: (batch: IntegratedBatch) => void;
}

export interface Sequencer {
  /** Asks for a run soon (after the coalescing delay); runs requested during a run follow it. */
  wake(): void;
  /** Resolves when nothing is running or scheduled (for tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSequencer({
  ledger,
  database,
  intervalMs = 1000,
  coalesceMs = 25,
  batchSize = 1000,
  checkpointEveryMs = 100,
  onError = () => {},
  onIndexed,
  onBatch,
}: SequencerOptions): Promise<Sequencer> {
  let stopped = false;
  let running: Promise<void> | undefined;
  let scheduled: NodeJS.Timeout | undefined;
  let scheduledFor = Number.POSITIVE_INFINITY;
  let again = false;
  let idleWaiters: (() => void)[] = [];
  let lastSignedAt = Number.NEGATIVE_INFINITY;
  /** Batches this process integrated that no checkpoint it signed covers yet, the last one last. */
  let unsigned: IntegratedBatch[] = [];
  /** A change was announced since the last run began (else a due checkpoint needs no transaction). */
  let woken = false;

  const settle = () => {
    if (running || scheduled) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  // A run asked for sooner than the one scheduled (a change, while a checkpoint waits) replaces it.
  const schedule = (delay: number) => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    const at = performance.now() + delay;
    if (scheduled && scheduledFor <= at) return;
    clearTimeout(scheduled);
    scheduledFor = at;
    scheduled = setTimeout(run, delay);
  };

  // The next delay is at least half as long as the last batch took, so the sequencer (its transaction
  // and its signatures, SM2 being the slowest) takes at most about two thirds of the database and the
  // CPU: under load batches grow instead of multiplying.
  let lastRunMs = 0;
  const signed = (at: number) => {
    lastSignedAt = at;
    const covered = unsigned;
    unsigned = [];
    for (const done of covered) onBatch?.(done);
  };

  const run = () => {
    scheduled = undefined;
    scheduledFor = Number.POSITIVE_INFINITY;
    again = false;
    const changed = woken;
    woken = false;
    running = (async () => {
      let more = false;
      // After a failure (the database unreachable) or a busy lock, the owed checkpoint is tried again
      // later, not at every coalescing delay.
      let pause = 0;
      const started = performance.now();
      const sign = started - lastSignedAt >= checkpointEveryMs;
      const last = unsigned.at(-1);
      try {
        if (sign && last && !changed) {
          // Only the checkpoint is due: sign the tree this process left, without a transaction.
          await ledger.publishCheckpoint(last);
          signed(started);
        } else {
          const batch = await ledger.integrateBatch(batchSize, {
            wait: false,
            sign,
            ...(onIndexed ? { onIndexed } : {}),
          });
          if (batch.status === "integrated") {
            more = batch.full;
            unsigned.push(batch);
          }
          if (batch.status === "busy") pause = checkpointEveryMs;
          else if (sign) signed(started);
        }
      } catch (error) {
        pause = 1000;
        onError(error, "integrating the outbox");
      }
      lastRunMs = performance.now() - started;
      running = undefined;
      if (more) schedule(0);
      else if (again) schedule(nextDelay());
      // The checkpoint these batches wait for, once its time has come.
      if (unsigned.length > 0 && !stopped) {
        schedule(Math.max(coalesceMs, pause, lastSignedAt + checkpointEveryMs - performance.now()));
      }
      settle();
    })();
  };

  const nextDelay = () => Math.max(coalesceMs, Math.min(lastRunMs / 2, MAX_COALESCE_MS));
  const wake = () => {
    woken = true;
    schedule(nextDelay());
  };

  // NOTIFY at most once per coalescing window: every process hears it and wakes its own sequencer.
  let channel: NotifyChannel | undefined;
  let notifying = false;
  let notifyAgain = false;
  const announce = () => {
    if (!channel) return;
    if (notifying) {
      notifyAgain = true;
      return;
    }
    notifying = true;
    const current = channel;
    void current.notify().finally(() => {
      setTimeout(() => {
        notifying = false;
        if (notifyAgain) {
          notifyAgain = false;
          announce();
        }
      }, coalesceMs).unref();
    });
  };

  const unsubscribe = database.outboxCommits.on(() => {
    wake();
    announce();
  });
  if (database.listen) {
    try {
      channel = await database.listen(LEDGER_CHANNEL, wake, (error) => onError(error, "listening for ledger changes"));
    } catch (error) {
      onError(error, "listening for ledger changes");
    }
  }
  const timer = setInterval(wake, intervalMs);
  timer.unref();
  wake(); // whatever was written before this process started

  return {
    wake,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settle();
      }),
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
      clearTimeout(scheduled);
      scheduled = undefined;
      await running;
      // What this process integrated leaves with its checkpoint (else the next start would sign it).
      const last = unsigned.at(-1);
      if (last) {
        try {
          await ledger.publishCheckpoint(last);
          signed(performance.now());
        } catch (error) {
          onError(error, "signing the last checkpoint");
        }
      }
      await channel?.close();
      settle();
    },
  };
}

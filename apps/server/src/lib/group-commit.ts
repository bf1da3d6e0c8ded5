// Group commit: many callers' records written in one transaction, each caller answered once the
// transaction holding its record has committed. A record is never acknowledged before it is durable,
// yet a thousand records cost a few commits instead of a thousand.
//
// The batching is the database's own group-commit shape (leader and followers), without a timer: a
// record that arrives while nothing is being written is written at once, alone (no added latency
// when idle); records that arrive while a batch is being written wait for it to finish and then go
// together in the next one. So batches grow with the load by themselves.

export interface GroupCommitOptions {
  /** The most records in one transaction. */
  maxBatch?: number;
  /** How many batches may be written at the same time (each takes a database connection). */
  concurrency?: number;
}

export interface GroupCommit<T> {
  /** Answers once the record is committed; rejects with the write's error if it could not be. */
  submit(record: T): Promise<void>;
  /** Answers when every record submitted so far is written (or has failed). */
  drain(): Promise<void>;
}

interface Waiting<T> {
  record: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * `write` writes a batch in one transaction. When a batch fails, each of its records is written again
 * alone, so one bad record fails only its own caller and the others still commit.
 */
export function groupCommit<T>(
  write: (records: T[]) => Promise<void>,
  options: GroupCommitOptions = {},
): GroupCommit<T> {
  const maxBatch = options.maxBatch ?? 256;
  const concurrency = options.concurrency ?? 2;
  const queue: Waiting<T>[] = [];
  let running = 0;
  let idle: (() => void)[] = [];

  async function writeBatch(batch: Waiting<T>[]) {
    try {
      await write(batch.map((w) => w.record));
      for (const w of batch) w.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const w of batch) {
        try {
          await write([w.record]);
          w.resolve();
        } catch (alone) {
          w.reject(alone);
        }
      }
    }
  }

  function pump() {
    while (running < concurrency && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      running++;
      void writeBatch(batch).finally(() => {
        running--;
        pump();
      });
    }
    if (running === 0 && queue.length === 0) {
      const waiting = idle;
      idle = [];
      for (const done of waiting) done();
    }
  }

  return {
    submit(record) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        pump();
      });
    },
    drain() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

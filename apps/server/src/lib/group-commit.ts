// Group commit: many callers' records written in one transaction, each caller answered once the
// transaction holding its record has committed. A record is never acknowledged before it is durable,
// yet a thousand records cost a few commits instead of a thousand.
//
// The batching is the database's own group-commit shape (leader and followers), without a timer: a
// record that arrives while nothing is being written is written at once, alone (no added latency
// when idle); records that arrive while a batch is being written wait for it to finish and then go
// together in the next one. So batches grow with the load by themselves.

export interface GroupCommitOptions<T = unknown> {
  /** The most records in one transaction. */
  maxBatch?: number;
  /** How many batches may be written at the same time (each takes a database connection). */
  concurrency?: number;
  /**
   * Records with the same key never share a batch: the later one waits for the next (e.g. two actions
   * on one case, where the second must see what the first wrote).
   */
  key?: (record: T) => string;
}

/** What a batch answers for one of its records: its value, or the error that is that record's alone. */
export type Settled<R> = { value: R } | { error: unknown };

export interface GroupCommit<T, R = void> {
  /** Answers once the record is committed; rejects with the write's error if it could not be. */
  submit(record: T): Promise<R>;
  /** Answers when every record submitted so far is written (or has failed). */
  drain(): Promise<void>;
}

interface Waiting<T, R> {
  record: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * `write` writes a batch in one transaction and answers each record's outcome, in order: a record may
 * fail alone (an error that left nothing of it in the batch) while the others commit. When `write`
 * throws, the batch wrote nothing; each of its records is then written again alone, so one bad
 * record fails only its own caller and the others still commit.
 */
export function groupCommitEach<T, R>(
  write: (records: T[]) => Promise<Settled<R>[]>,
  options: GroupCommitOptions<T> = {},
): GroupCommit<T, R> {
  const maxBatch = options.maxBatch ?? 256;
  const concurrency = options.concurrency ?? 2;
  const keyOf = options.key;
  const queue: Waiting<T, R>[] = [];
  let running = 0;
  let idle: (() => void)[] = [];

  const settle = (w: Waiting<T, R>, outcome: Settled<R> | undefined) => {
    if (!outcome) w.reject(new Error("group commit: the write answered no outcome for a record"));
    else if ("error" in outcome) w.reject(outcome.error);
    else w.resolve(outcome.value);
  };

  async function writeBatch(batch: Waiting<T, R>[]) {
    try {
      const outcomes = await write(batch.map((w) => w.record));
      for (const [i, w] of batch.entries()) settle(w, outcomes[i]);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const w of batch) {
        try {
          settle(w, (await write([w.record]))[0]);
        } catch (alone) {
          w.reject(alone);
        }
      }
    }
  }

  /** The next batch: up to `maxBatch` records in arrival order, no two with the same key. */
  function take(): Waiting<T, R>[] {
    if (!keyOf) return queue.splice(0, maxBatch);
    const batch: Waiting<T, R>[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < queue.length && batch.length < maxBatch; ) {
      const w = queue[i] as Waiting<T, R>;
      const key = keyOf(w.record);
      if (keys.has(key)) {
        i++;
        continue;
      }
      keys.add(key);
      batch.push(w);
      queue.splice(i, 1);
    }
    return batch;
  }

  function pump() {
    while (running < concurrency && queue.length > 0) {
      const batch = take();
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
      return new Promise<R>((resolve, reject) => {
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

/** Group commit of records that answer nothing but their commit: `write` succeeds or throws as a whole. */
export function groupCommit<T>(
  write: (records: T[]) => Promise<void>,
  options: GroupCommitOptions<T> = {},
): GroupCommit<T> {
  return groupCommitEach<T, void>(async (records) => {
    await write(records);
    return records.map(() => ({ value: undefined }));
  }, options);
}

import { LRUCache } from "lru-cache";

/**
 * Cases as they were last read from the database, so that reading a case again needs no query: a
 * case read is the platform's most frequent request, and its query was most of its cost
 * (docs/performance.md). What a reader gets is what the database held when the case last changed:
 *
 * - In this process a change forgets the case at once. A write announces itself with `begin` before
 *   its transaction and `end` after it (committed or rolled back); no read fills the cache for that
 *   case meanwhile, nor a read that began before the `end` (it may have seen the old rows), so a
 *   stale copy is never kept.
 * - Another process's change arrives as `changed` (PostgreSQL NOTIFY, sent in the writing
 *   transaction and delivered at its commit); `clear` when the channel was lost, and the owner turns
 *   the cache off while it cannot hear the others.
 * - What changes outside the case's own rows and can be brought up to date without a read (a ledger
 *   index assigned) arrives as `revise`; whatever else changes elsewhere (a renamed official or
 *   department) shows within `ttlMs`, and `keep` refuses a copy that cannot be kept right.
 */
export function createCaseCache<T extends object>(options: {
  ttlMs: number;
  max?: number;
  keep: (value: T) => boolean;
}) {
  const max = options.max ?? 10_000;
  let on = options.ttlMs > 0;
  const entries = new LRUCache<string, T>({ max, ttl: Math.max(options.ttlMs, 1) });
  /** Writes in flight per case (an entry only while one runs). */
  const writing = new Map<string, number>();
  /** Per case, the tick at which it last changed; a read that began before it must not fill. */
  let tick = 0;
  /** Ticks of changes forgotten by `changedAt`'s bound: reads older than this fill nothing. */
  let forgottenUpTo = 0;
  const changedAt = new LRUCache<string, number>({
    max: max * 2,
    dispose: (at, _id, reason) => {
      if (reason === "evict" && at > forgottenUpTo) forgottenUpTo = at;
    },
  });
  const mark = (id: string) => {
    changedAt.set(id, ++tick);
    entries.delete(id);
  };

  return {
    get(id: string): T | undefined {
      return on ? entries.get(id) : undefined;
    },
    /** Taken before reading a case from the database; `fill` needs it. */
    ticket(): number {
      return tick;
    },
    /** Keeps what a read that began at `ticket` found, unless the case changed (or is changing) since. */
    fill(id: string, ticket: number, value: T): void {
      if (!on || writing.has(id) || ticket < forgottenUpTo) return;
      if ((changedAt.get(id) ?? -1) > ticket) return;
      if (!options.keep(value)) return;
      entries.set(id, value);
    },
    /** A write to the case starts in this process. */
    begin(id: string): void {
      writing.set(id, (writing.get(id) ?? 0) + 1);
      mark(id);
    },
    /** That write is over (committed or not). */
    end(id: string): void {
      const left = (writing.get(id) ?? 1) - 1;
      if (left > 0) writing.set(id, left);
      else writing.delete(id);
      mark(id);
    },
    /** Another process changed the case. */
    changed(id: string): void {
      mark(id);
    },
    /**
     * Something outside the case row changed, and what is kept can be brought up to date without a
     * read (a ledger index assigned): `update` makes the new copy from the kept one, or answers
     * undefined to forget it. Reads that began before are refused, as for any change.
     */
    revise(id: string, update: (value: T) => T | undefined): void {
      const kept = on ? entries.get(id) : undefined;
      mark(id);
      const next = kept && update(kept);
      // (A write under way has already forgotten the case: `kept` is undefined then.)
      if (next && options.keep(next)) entries.set(id, next);
    },
    /** Anything may have changed. */
    clear(): void {
      forgottenUpTo = ++tick;
      entries.clear();
    },
    /** Off: nothing is kept or answered (e.g. while another process's changes cannot be heard). */
    enable(value: boolean): void {
      if (!value) this.clear();
      on = value && options.ttlMs > 0;
    },
    get size(): number {
      return entries.size;
    },
  };
}
export type CaseCache<T extends object> = ReturnType<typeof createCaseCache<T>>;

import { sql } from "kysely";
import type { Db } from "../../db/database.ts";

const LEDGER_LOCK = 7_402_004;

export const ledgerRepository = {
  /** Held to the end of the transaction: one sequencer integrates at a time, across processes. */
  async lock(db: Db) {
    await sql`select pg_advisory_xact_lock(${LEDGER_LOCK})`.execute(db);
  },

  /** The same lock without waiting: false when another sequencer holds it. */
  async tryLock(db: Db): Promise<boolean> {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${LEDGER_LOCK}) as locked`.execute(
      db,
    );
    return rows[0]?.locked === true;
  },

  async treeSize(db: Db): Promise<number> {
    const row = await db
      .selectFrom("ledger_entries")
      .select((eb) => eb.fn.max("idx").as("m"))
      .executeTakeFirst();
    return row?.m === null || row?.m === undefined ? 0 : Number(row.m) + 1;
  },

  pending(db: Db, limit: number) {
    return db.selectFrom("outbox").selectAll().where("ledger_idx", "is", null).orderBy("id").limit(limit).execute();
  },

  async readHashes(db: Db, indexes: readonly number[]): Promise<Uint8Array[]> {
    if (indexes.length === 0) return [];
    // One statement text whatever the number of indexes (an IN list was a new prepared statement,
    // parsed and planned again, for every length).
    const { rows } = await sql<{ idx: string | number; hash: Uint8Array }>`
      select idx, hash from ledger_hashes where idx = any(${[...indexes]}::bigint[])`.execute(db);
    const byIndex = new Map(rows.map((r) => [Number(r.idx), new Uint8Array(r.hash)]));
    return indexes.map((i) => {
      const hash = byIndex.get(i);
      if (!hash) throw new Error(`ledger hash ${i} is missing`);
      return hash;
    });
  },

  /**
   * Appends a batch in ONE statement whatever its size: the entries, their outbox rows marked with
   * their indexes, and the tree's new stored hashes (three statements before, two of them a new
   * text, hence a new prepared statement, for every batch size).
   */
  async append(
    db: Db,
    entries: { idx: number; outbox_id: number; entry: string; leaf_hash: Uint8Array; integrated_at: Date }[],
    hashes: { idx: number; hash: Uint8Array }[],
  ) {
    if (entries.length === 0 && hashes.length === 0) return;
    const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
    const indexes = entries.map((e) => e.idx);
    const outboxIds = entries.map((e) => e.outbox_id);
    await sql`
      with appended as (
        insert into ledger_entries (idx, outbox_id, entry, leaf_hash, integrated_at)
        select e.idx, e.outbox_id, e.entry, decode(e.leaf_hash, 'hex'), e.integrated_at
        from unnest(${indexes}::bigint[], ${outboxIds}::bigint[], ${entries.map((e) => e.entry)}::text[],
          ${entries.map((e) => hex(e.leaf_hash))}::text[], ${entries.map((e) => e.integrated_at.toISOString())}::timestamptz[])
          as e(idx, outbox_id, entry, leaf_hash, integrated_at)
      ), marked as (
        update outbox set ledger_idx = v.idx
        from unnest(${outboxIds}::bigint[], ${indexes}::bigint[]) as v(id, idx)
        where outbox.id = v.id
      )
      insert into ledger_hashes (idx, hash)
      select h.idx, decode(h.hash, 'hex')
      from unnest(${hashes.map((h) => h.idx)}::bigint[], ${hashes.map((h) => hex(h.hash))}::text[]) as h(idx, hash)`.execute(
      db,
    );
  },

  async saveCheckpoint(db: Db, row: { tree_size: number; root_hash: Uint8Array; note: string; created_at: Date }) {
    await db
      .insertInto("ledger_checkpoints")
      .values(row)
      .onConflict((oc) => oc.column("tree_size").doNothing())
      .execute();
  },

  latestCheckpoint(db: Db) {
    return db.selectFrom("ledger_checkpoints").selectAll().orderBy("tree_size", "desc").limit(1).executeTakeFirst();
  },

  entriesRange(db: Db, from: number, count: number) {
    return db
      .selectFrom("ledger_entries")
      .select(["idx", "entry"])
      .where("idx", ">=", from)
      .where("idx", "<", from + count)
      .orderBy("idx")
      .execute();
  },

  entry(db: Db, idx: number) {
    return db.selectFrom("ledger_entries").selectAll().where("idx", "=", idx).executeTakeFirst();
  },
};

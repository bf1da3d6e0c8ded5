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
    const rows = await db
      .selectFrom("ledger_hashes")
      .select(["idx", "hash"])
      .where("idx", "in", [...indexes])
      .execute();
    const byIndex = new Map(rows.map((r) => [Number(r.idx), new Uint8Array(r.hash)]));
    return indexes.map((i) => {
      const hash = byIndex.get(i);
      if (!hash) throw new Error(`ledger hash ${i} is missing`);
      return hash;
    });
  },

  async append(
    db: Db,
    entries: { idx: number; outbox_id: number; entry: string; leaf_hash: Uint8Array; integrated_at: Date }[],
    hashes: { idx: number; hash: Uint8Array }[],
  ) {
    if (entries.length > 0) {
      await db.insertInto("ledger_entries").values(entries).execute();
      // One statement marks the whole batch (a round trip per row was most of a batch's time).
      await sql`update outbox set ledger_idx = v.idx
        from unnest(${entries.map((e) => e.outbox_id)}::bigint[], ${entries.map((e) => e.idx)}::bigint[]) as v(id, idx)
        where outbox.id = v.id`.execute(db);
    }
    for (let i = 0; i < hashes.length; i += 1000)
      await db
        .insertInto("ledger_hashes")
        .values(hashes.slice(i, i + 1000))
        .execute();
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

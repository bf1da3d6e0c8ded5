import { sql } from "kysely";
import type { Db } from "../../db/database.ts";

export type OutboxRow = Awaited<ReturnType<typeof federationRepository.claimDue>>[number];

export const federationRepository = {
  /** Queues a message (unique per peer and idempotency key). */
  async enqueue(
    db: Db,
    row: {
      id: string;
      peer_region: string;
      type: string;
      subject: string | null;
      idempotency_key: string;
      body: string;
      created_at: Date;
      outbox_id: number;
    },
  ) {
    await db
      .insertInto("federation_outbox")
      .values({ ...row, status: "pending", next_attempt_at: row.created_at })
      .execute();
  },

  findQueued(db: Db, peer: string, idempotencyKey: string) {
    return db
      .selectFrom("federation_outbox")
      .select(["id"])
      .where("peer_region", "=", peer)
      .where("idempotency_key", "=", idempotencyKey)
      .executeTakeFirst();
  },

  /**
   * Takes up to `limit` due messages and leases them until `leaseUntil`: another sender (or this one
   * after a restart) takes them again only once the lease has run out.
   */
  async claimDue(db: Db, now: Date, leaseUntil: Date, limit: number) {
    const { rows } = await sql<{
      id: string;
      peer_region: string;
      type: string;
      subject: string | null;
      idempotency_key: string;
      body: Record<string, unknown>;
      attempts: number;
      created_at: Date;
    }>`update federation_outbox set next_attempt_at = ${leaseUntil}, attempts = attempts + 1
       where id in (select id from federation_outbox where status = 'pending' and next_attempt_at <= ${now}
                    order by next_attempt_at limit ${limit} for update skip locked)
       returning id, peer_region, type, subject, idempotency_key, body, attempts, created_at`.execute(db);
    return rows;
  },

  async markDelivered(db: Db, id: string, at: Date, receipt: string) {
    await db
      .updateTable("federation_outbox")
      .set({ status: "delivered", delivered_at: at, receipt, last_error: null })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .execute();
  },

  async markRefused(db: Db, id: string, error: string) {
    await db
      .updateTable("federation_outbox")
      .set({ status: "refused", last_error: error })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .execute();
  },

  async retryLater(db: Db, id: string, at: Date, error: string) {
    await db
      .updateTable("federation_outbox")
      .set({ next_attempt_at: at, last_error: error })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .execute();
  },

  /** Records the nonce; false when it was seen before (a replay). */
  async rememberNonce(db: Db, sender: string, nonce: string, at: Date): Promise<boolean> {
    const row = await db
      .insertInto("federation_nonces")
      .values({ sender_region: sender, nonce, seen_at: at })
      .onConflict((oc) => oc.columns(["sender_region", "nonce"]).doNothing())
      .returning("nonce")
      .executeTakeFirst();
    return row !== undefined;
  },

  async forgetNonces(db: Db, before: Date) {
    await db.deleteFrom("federation_nonces").where("seen_at", "<", before).execute();
  },

  /** Inserts the inbox row; false when the sender's idempotency key was applied before. */
  async insertInbox(
    db: Db,
    row: {
      id: string;
      sender_region: string;
      type: string;
      subject: string | null;
      idempotency_key: string;
      body: string;
      sent_at: Date;
      received_at: Date;
      receipt: string;
    },
  ): Promise<boolean> {
    const inserted = await db
      .insertInto("federation_inbox")
      .values(row)
      .onConflict((oc) => oc.columns(["sender_region", "idempotency_key"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    return inserted !== undefined;
  },

  async linkInboxToLedger(db: Db, id: string, outboxId: number) {
    await db.updateTable("federation_inbox").set({ outbox_id: outboxId }).where("id", "=", id).execute();
  },

  findInbox(db: Db, sender: string, idempotencyKey: string) {
    return db
      .selectFrom("federation_inbox")
      .select(["id", "receipt"])
      .where("sender_region", "=", sender)
      .where("idempotency_key", "=", idempotencyKey)
      .executeTakeFirst();
  },

  pendingByPeer(db: Db) {
    return db
      .selectFrom("federation_outbox")
      .select(["peer_region", (eb) => eb.fn.countAll<number>().as("n")])
      .where("status", "=", "pending")
      .groupBy("peer_region")
      .execute();
  },

  sent(db: Db, filter: { status?: string; peerRegion?: string; subject?: string; limit: number }) {
    let query = db
      .selectFrom("federation_outbox as f")
      .leftJoin("outbox as o", "o.id", "f.outbox_id")
      .selectAll("f")
      .select("o.ledger_idx");
    if (filter.status) query = query.where("f.status", "=", filter.status as never);
    if (filter.peerRegion) query = query.where("f.peer_region", "=", filter.peerRegion);
    if (filter.subject) query = query.where("f.subject", "=", filter.subject);
    return query.orderBy("f.created_at", "desc").limit(filter.limit).execute();
  },

  received(db: Db, filter: { peerRegion?: string; subject?: string; limit: number }) {
    let query = db
      .selectFrom("federation_inbox as f")
      .leftJoin("outbox as o", "o.id", "f.outbox_id")
      .selectAll("f")
      .select("o.ledger_idx");
    if (filter.peerRegion) query = query.where("f.sender_region", "=", filter.peerRegion);
    if (filter.subject) query = query.where("f.subject", "=", filter.subject);
    return query.orderBy("f.received_at", "desc").limit(filter.limit).execute();
  },
};

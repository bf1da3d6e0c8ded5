import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { ChangeRecord } from "../ledger/outbox.ts";

export type OutboxRow = Awaited<ReturnType<typeof federationRepository.claimDue>>[number];

export const federationRepository = {
  /**
   * Queues a message with its ledger entry in ONE statement, unless the peer and idempotency key were
   * queued before; answers the id of the message queued under that key (this one or the first).
   * The outbox row is exactly what `recordChange` writes, inlined so the hot path is one round trip
   * (as the exchange gateway does). Two senders queuing the same key at once: the unique key fails
   * the later transaction whole.
   */
  async queue(
    db: Db,
    row: {
      id: string;
      peer_region: string;
      type: string;
      subject: string | null;
      idempotency_key: string;
      body: string;
      created_at: Date;
    },
    change: ChangeRecord,
  ): Promise<string> {
    const { rows } = await sql<{ id: string }>`
      with prior as (
        select id from federation_outbox where peer_region = ${row.peer_region} and idempotency_key = ${row.idempotency_key}
      ), ledger as (
        insert into outbox (type, subject, actor, at, content)
        select ${change.type}, ${change.subject}, ${change.actor}, ${change.at}, ${JSON.stringify(change.facts ?? {})}::jsonb
        where not exists (select 1 from prior)
        returning id
      ), queued as (
        insert into federation_outbox (id, peer_region, type, subject, idempotency_key, body, status, next_attempt_at,
          created_at, outbox_id)
        select ${row.id}, ${row.peer_region}, ${row.type}, ${row.subject}, ${row.idempotency_key}, ${row.body}::jsonb,
          'pending', ${row.created_at}, ${row.created_at}, ledger.id
        from ledger
        returning id
      )
      select coalesce((select id from prior), (select id from queued)) as id`.execute(db);
    return String(rows[0]?.id);
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

  /**
   * Records the receipts of delivered messages and their ledger entries in ONE statement (its own
   * transaction): a message another sender marked delivered meanwhile gets no second entry.
   */
  async markDelivered(db: Db, delivered: { id: string; at: Date; receipt: string; change: ChangeRecord }[]) {
    if (delivered.length === 0) return;
    const rows = delivered.map((d) => ({
      id: d.id,
      at: d.at.toISOString(),
      receipt: d.receipt,
      change_type: d.change.type,
      change_subject: d.change.subject,
      change_actor: d.change.actor,
      change_at: d.change.at.toISOString(),
      change_content: d.change.facts ?? {},
    }));
    await sql`
      with d as (
        select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as r(id uuid, at timestamptz, receipt text, change_type text, change_subject text, change_actor text,
            change_at timestamptz, change_content jsonb)
      ), done as (
        update federation_outbox f set status = 'delivered', delivered_at = d.at, receipt = d.receipt, last_error = null
        from d where f.id = d.id and f.status = 'pending'
        returning f.id
      )
      insert into outbox (type, subject, actor, at, content)
      select d.change_type, d.change_subject, d.change_actor, d.change_at, d.change_content
      from d join done on done.id = d.id
      order by d.change_at`.execute(db);
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

  async forgetNonces(db: Db, before: Date) {
    await db.deleteFrom("federation_nonces").where("seen_at", "<", before).execute();
  },

  /**
   * Admits an envelope in ONE statement: records its nonce and, when the nonce is new and the
   * sender's idempotency key was not applied before, the inbox row with its ledger entry (the outbox
   * row `recordChange` would write). Answers whether the nonce was new, the receipt answered to the
   * key's first delivery if there was one, and the new inbox row's id. A fresh nonce and key with no
   * row means another delivery of the same message committed meanwhile: the caller rolls back and
   * reads that one's receipt.
   */
  async admit(
    db: Db,
    nonce: { sender_region: string; nonce: string; seen_at: Date },
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
    change: ChangeRecord,
  ): Promise<{ freshNonce: boolean; priorReceipt: string | null; inboxId: string | null }> {
    const { rows } = await sql<{ fresh_nonce: boolean; prior_receipt: string | null; inbox_id: string | null }>`
      with seen as (
        insert into federation_nonces (sender_region, nonce, seen_at)
        values (${nonce.sender_region}, ${nonce.nonce}, ${nonce.seen_at})
        on conflict (sender_region, nonce) do nothing
        returning nonce
      ), prior as (
        select receipt from federation_inbox
        where sender_region = ${row.sender_region} and idempotency_key = ${row.idempotency_key}
      ), ledger as (
        insert into outbox (type, subject, actor, at, content)
        select ${change.type}, ${change.subject}, ${change.actor}, ${change.at}, ${JSON.stringify(change.facts ?? {})}::jsonb
        where exists (select 1 from seen) and not exists (select 1 from prior)
        returning id
      ), inbox as (
        insert into federation_inbox (id, sender_region, type, subject, idempotency_key, body, sent_at, received_at,
          receipt, outbox_id)
        select ${row.id}, ${row.sender_region}, ${row.type}, ${row.subject}, ${row.idempotency_key}, ${row.body}::jsonb,
          ${row.sent_at}, ${row.received_at}, ${row.receipt}, ledger.id
        from ledger
        on conflict (sender_region, idempotency_key) do nothing
        returning id
      )
      select exists (select 1 from seen) as fresh_nonce, (select receipt from prior) as prior_receipt,
        (select id from inbox) as inbox_id`.execute(db);
    const result = rows[0];
    return {
      freshNonce: result?.fresh_nonce === true,
      priorReceipt: result?.prior_receipt ?? null,
      inboxId: result?.inbox_id ?? null,
    };
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

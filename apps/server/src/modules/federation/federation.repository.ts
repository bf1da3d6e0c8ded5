import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { ChangeRecord } from "../ledger/outbox.ts";

export type OutboxRow = Awaited<ReturnType<typeof federationRepository.claimDue>>[number];

/** A message queued for a peer (federation_outbox), as written. */
export interface QueuedRow {
  id: string;
  peer_region: string;
  type: string;
  subject: string | null;
  idempotency_key: string;
  /** Written as jsonb (kept as the object: the batch statement carries it inside its own JSON). */
  body: Record<string, unknown>;
  created_at: Date;
}

/** A message received from a peer (federation_inbox), as written. */
export interface InboxRow {
  id: string;
  sender_region: string;
  type: string;
  subject: string | null;
  idempotency_key: string;
  /** Written as jsonb (kept as the object: the batch statement carries it inside its own JSON). */
  body: Record<string, unknown>;
  sent_at: Date;
  received_at: Date;
  receipt: string;
}

/** A nonce seen in an envelope (federation_nonces). */
export interface NonceRow {
  sender_region: string;
  nonce: string;
  seen_at: Date;
}

export const federationRepository = {
  /**
   * Queues a message with its ledger entry in ONE statement, unless the peer and idempotency key were
   * queued before; answers the id of the message queued under that key (this one or the first).
   * The outbox row is exactly what `recordChange` writes, inlined so the hot path is one round trip
   * (as the exchange gateway does). Two senders queuing the same key at once: the unique key fails
   * the later transaction whole.
   */
  async queue(db: Db, row: QueuedRow, change: ChangeRecord): Promise<string> {
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
        select ${row.id}, ${row.peer_region}, ${row.type}, ${row.subject}, ${row.idempotency_key},
          ${JSON.stringify(row.body)}::jsonb, 'pending', ${row.created_at}, ${row.created_at}, ledger.id
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
    nonce: NonceRow,
    row: InboxRow,
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
        select ${row.id}, ${row.sender_region}, ${row.type}, ${row.subject}, ${row.idempotency_key},
          ${JSON.stringify(row.body)}::jsonb, ${row.sent_at}, ${row.received_at}, ${row.receipt}, ledger.id
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

  /**
   * Queues several messages with their ledger entries in ONE statement (`queue` for each, in order):
   * a message whose peer and idempotency key were queued before is not queued again. Answers each
   * one's id (the first one's under a key queued before). A key given twice fails the statement.
   */
  async queueMany(
    db: Db,
    messages: {
      row: QueuedRow;
      change: ChangeRecord;
    }[],
  ): Promise<string[]> {
    if (messages.length === 0) return [];
    const rows = messages.map(({ row, change }, ord) => ({
      ord,
      ...row,
      created_at: row.created_at.toISOString(),
      change_type: change.type,
      change_subject: change.subject,
      change_actor: change.actor,
      change_at: change.at.toISOString(),
      change_content: change.facts ?? {},
    }));
    const { rows: ids } = await sql<{ ord: number; id: string }>`
      with d as (
        select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as r(ord int, id uuid, peer_region text, type text, subject text, idempotency_key text, body jsonb,
            created_at timestamptz, change_type text, change_subject text, change_actor text, change_at timestamptz,
            change_content jsonb)
      ), prior as (
        select f.id, f.peer_region, f.idempotency_key from federation_outbox f
        join d on f.peer_region = d.peer_region and f.idempotency_key = d.idempotency_key
      ), fresh as (
        select d.* from d
        where not exists (select 1 from prior p where p.peer_region = d.peer_region and p.idempotency_key = d.idempotency_key)
      ), ledger as (
        insert into outbox (type, subject, actor, at, content)
        select change_type, change_subject, change_actor, change_at, change_content from fresh order by ord
        returning id, subject
      ), queued as (
        insert into federation_outbox (id, peer_region, type, subject, idempotency_key, body, status, next_attempt_at,
          created_at, outbox_id)
        select fresh.id, fresh.peer_region, fresh.type, fresh.subject, fresh.idempotency_key, fresh.body, 'pending',
          fresh.created_at, fresh.created_at, ledger.id
        from fresh join ledger on ledger.subject = fresh.change_subject
        returning id
      )
      select d.ord, coalesce(
        (select p.id from prior p where p.peer_region = d.peer_region and p.idempotency_key = d.idempotency_key),
        (select q.id from queued q where q.id = d.id)) as id
      from d order by d.ord`.execute(db);
    return ids.map((r) => String(r.id));
  },

  /**
   * Admits several envelopes in ONE statement, as `admit` does each (the nonce; when it is new and the
   * key was not applied before, the inbox row with its ledger entry, in order). Answers each one's
   * result in order. The caller gives no nonce, message id or idempotency key twice.
   */
  async admitMany(
    db: Db,
    entries: {
      nonce: NonceRow;
      row: InboxRow;
      change: ChangeRecord;
    }[],
  ): Promise<{ freshNonce: boolean; priorReceipt: string | null; inboxId: string | null }[]> {
    if (entries.length === 0) return [];
    const rows = entries.map(({ nonce, row, change }, ord) => ({
      ord,
      nonce: nonce.nonce,
      seen_at: nonce.seen_at.toISOString(),
      ...row,
      sent_at: row.sent_at.toISOString(),
      received_at: row.received_at.toISOString(),
      change_type: change.type,
      change_subject: change.subject,
      change_actor: change.actor,
      change_at: change.at.toISOString(),
      change_content: change.facts ?? {},
    }));
    const { rows: results } = await sql<{
      fresh_nonce: boolean;
      prior_receipt: string | null;
      inbox_id: string | null;
    }>`
      with d as (
        select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as r(ord int, nonce text, seen_at timestamptz, id uuid, sender_region text, type text, subject text,
            idempotency_key text, body jsonb, sent_at timestamptz, received_at timestamptz, receipt text,
            change_type text, change_subject text, change_actor text, change_at timestamptz, change_content jsonb)
      ), seen as (
        insert into federation_nonces (sender_region, nonce, seen_at)
        select sender_region, nonce, seen_at from d order by ord
        on conflict (sender_region, nonce) do nothing
        returning sender_region, nonce
      ), prior as (
        select f.sender_region, f.idempotency_key, f.receipt from federation_inbox f
        join d on f.sender_region = d.sender_region and f.idempotency_key = d.idempotency_key
      ), fresh as (
        select d.* from d
        where exists (select 1 from seen s where s.sender_region = d.sender_region and s.nonce = d.nonce)
          and not exists (select 1 from prior p where p.sender_region = d.sender_region and p.idempotency_key = d.idempotency_key)
      ), ledger as (
        insert into outbox (type, subject, actor, at, content)
        select change_type, change_subject, change_actor, change_at, change_content from fresh order by ord
        returning id, subject
      ), inbox as (
        insert into federation_inbox (id, sender_region, type, subject, idempotency_key, body, sent_at, received_at,
          receipt, outbox_id)
        select fresh.id, fresh.sender_region, fresh.type, fresh.subject, fresh.idempotency_key, fresh.body,
          fresh.sent_at, fresh.received_at, fresh.receipt, ledger.id
        from fresh join ledger on ledger.subject = fresh.change_subject
        on conflict (sender_region, idempotency_key) do nothing
        returning id
      )
      select
        exists (select 1 from seen s where s.sender_region = d.sender_region and s.nonce = d.nonce) as fresh_nonce,
        (select p.receipt from prior p where p.sender_region = d.sender_region and p.idempotency_key = d.idempotency_key)
          as prior_receipt,
        (select i.id from inbox i where i.id = d.id) as inbox_id
      from d order by d.ord`.execute(db);
    return results.map((r) => ({
      freshNonce: r.fresh_nonce === true,
      priorReceipt: r.prior_receipt ?? null,
      inboxId: r.inbox_id ?? null,
    }));
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

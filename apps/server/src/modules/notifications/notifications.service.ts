import type { OutboxQuery } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { MessageSender, OutgoingMessage } from "../../ports/messaging.ts";

export interface Notice {
  accountId: string;
  /** The region whose case or enquiry the notice is about: its administrators read the messages. */
  regionCode: string;
  applicationId: string | null;
  kind: string;
  title: string;
  body: string;
  phone: string | null;
  email: string | null;
}

/** Delivery attempts of one message before it is marked failed, and the longest wait between two. */
const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 10 * 60_000;
/** How long a claimed message is left to its deliverer before another may try it (a crashed one). */
const LEASE_MS = 60_000;
const BATCH = 50;

/**
 * Tells a person about a change: a portal notification and the SMS and email about it, all written
 * in the change's own transaction. The messages are delivered through the message port after the
 * commit, by `deliverDue` — a gateway never holds a database transaction open, a failed SMS does not
 * undo the change, a crash after the commit loses nothing, and a failed delivery is retried with
 * backoff (1 s, 2 s, 4 s … up to 10 minutes; failed after 8 attempts, visible in the console).
 */
export function createNotificationsService({
  db,
  clock,
  ids,
  sender,
  log,
}: {
  db: Db;
  clock: Clock;
  ids: Ids;
  sender: MessageSender;
  log: (error: unknown) => void;
}) {
  let delivering: Promise<number> | undefined;
  let again = false;
  return {
    /**
     * The rows `record` writes for a notice — the portal notification and its SMS/email — for a
     * caller that writes them in a statement of its own (with other rows of the same change).
     */
    prepare(notice: Notice) {
      const now = clock.now();
      const portal = {
        id: ids.uuid(),
        account_id: notice.accountId,
        application_id: notice.applicationId,
        kind: notice.kind,
        title: notice.title,
        body: notice.body,
        created_at: now,
        read_at: null,
      };
      const messages: OutgoingMessage[] = [];
      if (notice.phone)
        messages.push({
          channel: "sms",
          recipient: notice.phone,
          body: `【通办】${notice.title}：${notice.body}`,
          accountId: notice.accountId,
        });
      if (notice.email)
        messages.push({
          channel: "email",
          recipient: notice.email,
          subject: `通办：${notice.title}`,
          body: notice.body,
          accountId: notice.accountId,
        });
      const messageRows = messages.map((m) => ({
        channel: m.channel,
        recipient: m.recipient,
        subject: m.subject ?? null,
        body: m.body,
        account_id: m.accountId ?? null,
        region_code: notice.regionCode,
        created_at: now,
        status: "pending" as const,
        next_attempt_at: now,
      }));
      return { portal, messageRows, messages };
    },

    async record(trx: Db, notice: Notice): Promise<OutgoingMessage[]> {
      const { portal, messageRows, messages } = this.prepare(notice);
      if (messageRows.length === 0) await trx.insertInto("notifications").values(portal).execute();
      // The portal notification and the messages in one statement (one round trip of the change's
      // transaction instead of two).
      else
        await trx
          .with("portal", (q) => q.insertInto("notifications").values(portal))
          .insertInto("message_outbox")
          .values(messageRows)
          .execute();
      return messages;
    },

    /**
     * After the commit of a change that recorded messages: starts their delivery without waiting
     * for it (the answer to the person who made the change does not wait on a gateway).
     */
    async dispatch(messages: OutgoingMessage[]): Promise<void> {
      if (messages.length > 0) void this.deliverDue().catch(log);
    },

    /**
     * Delivers every message that is due, a batch at a time: each is claimed for a lease, sent
     * outside any transaction, then marked sent, or scheduled again with backoff, or failed. Safe to
     * run in several processes at once (claims skip rows another holds). Answers how many were sent.
     */
    async deliverDue(): Promise<number> {
      // A call during a run makes the run look once more: what committed meanwhile is not left to the timer.
      if (delivering) {
        again = true;
        return delivering;
      }
      delivering = (async () => {
        let sent = 0;
        for (;;) {
          const now = clock.now();
          const claimed = await db
            .updateTable("message_outbox")
            .set((eb) => ({
              next_attempt_at: new Date(now.getTime() + LEASE_MS),
              attempts: eb("attempts", "+", 1),
            }))
            .where(
              "id",
              "in",
              db
                .selectFrom("message_outbox")
                .select("id")
                .where("status", "=", "pending")
                .where("next_attempt_at", "<=", now)
                .orderBy("id")
                .limit(BATCH)
                .forUpdate()
                .skipLocked(),
            )
            .returningAll()
            .execute();
          if (claimed.length === 0) {
            if (!again) return sent;
            again = false;
            continue;
          }
          // The batch's sent messages are marked in one statement at its end (a crash before it
          // sends them again after their lease, as a crash right after a send always could).
          const delivered: string[] = [];
          const markDelivered = async () => {
            if (delivered.length === 0) return;
            await db
              .updateTable("message_outbox")
              .set({ status: "sent", sent_at: clock.now(), next_attempt_at: null, last_error: null })
              .where("id", "in", delivered.splice(0))
              .execute();
          };
          for (const row of claimed) {
            try {
              await sender.send({
                channel: row.channel,
                recipient: row.recipient,
                subject: row.subject ?? undefined,
                body: row.body,
                accountId: row.account_id ?? undefined,
              });
              delivered.push(row.id);
              sent++;
            } catch (error) {
              log(error);
              const failed = row.attempts >= MAX_ATTEMPTS;
              const wait = Math.min(1000 * 2 ** (row.attempts - 1), MAX_BACKOFF_MS);
              await db
                .updateTable("message_outbox")
                .set({
                  status: failed ? "failed" : "pending",
                  next_attempt_at: failed ? null : new Date(clock.now().getTime() + wait),
                  last_error: String((error as Error)?.message ?? error).slice(0, 500),
                })
                .where("id", "=", row.id)
                .execute();
            }
          }
          await markDelivered();
        }
      })().finally(() => {
        delivering = undefined;
      });
      return delivering;
    },

    list(accountId: string, limit = 50) {
      return db
        .selectFrom("notifications")
        .selectAll()
        .where("account_id", "=", accountId)
        .orderBy("created_at", "desc")
        .limit(limit)
        .execute();
    },

    async markRead(accountId: string, id: string): Promise<boolean> {
      const result = await db
        .updateTable("notifications")
        .set({ read_at: clock.now() })
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** The outbox newest first, with the account each message was for; `before` pages back by id. */
    /** The messages to the accounts of one region (an administrator reads only their own region's). */
    outbox(regionCode: string, filter: OutboxQuery) {
      let query = db
        .selectFrom("message_outbox as m")
        .leftJoin("accounts as a", "a.id", "m.account_id")
        .selectAll("m")
        .select("a.name as account_name")
        .where("m.region_code", "=", regionCode);
      if (filter.channel) query = query.where("m.channel", "=", filter.channel);
      if (filter.before) query = query.where("m.id", "<", String(filter.before));
      if (filter.q) {
        const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where((eb) =>
          eb.or([eb("m.recipient", "ilike", like), eb("m.subject", "ilike", like), eb("m.body", "ilike", like)]),
        );
      }
      return query.orderBy("m.id", "desc").limit(filter.limit).execute();
    },
  };
}
export type NotificationsService = ReturnType<typeof createNotificationsService>;

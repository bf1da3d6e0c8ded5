import type { OutboxQuery } from "@tongban/contracts";
import type { Db } from "../../db/database.ts";
import type { Clock, Ids } from "../../ports/index.ts";
import type { MessageSender, OutgoingMessage } from "../../ports/messaging.ts";

export interface Notice {
  accountId: string;
  applicationId: string | null;
  kind: string;
  title: string;
  body: string;
  phone: string | null;
  email: string | null;
}

/**
 * Tells a person about a change: a portal notification written in the change's own transaction,
 * and an SMS and email handed to the message port after the commit (a gateway must never hold a
 * database transaction open, and a failed SMS must not undo the change).
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
  return {
    async record(trx: Db, notice: Notice): Promise<OutgoingMessage[]> {
      await trx
        .insertInto("notifications")
        .values({
          id: ids.uuid(),
          account_id: notice.accountId,
          application_id: notice.applicationId,
          kind: notice.kind,
          title: notice.title,
          body: notice.body,
          created_at: clock.now(),
          read_at: null,
        })
        .execute();
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
      return messages;
    },

    /** Sends what `record` prepared; failures are logged, the change stands. */
    async dispatch(messages: OutgoingMessage[]): Promise<void> {
      for (const message of messages) {
        try {
          await sender.send(message);
        } catch (error) {
          log(error);
        }
      }
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
    outbox(filter: OutboxQuery) {
      let query = db
        .selectFrom("message_outbox as m")
        .leftJoin("accounts as a", "a.id", "m.account_id")
        .selectAll("m")
        .select("a.name as account_name");
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

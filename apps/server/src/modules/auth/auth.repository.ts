import { createHash } from "node:crypto";
import type { Db } from "../../db/database.ts";

/** Session ids and enrolment tokens are stored only as their SHA-256. */
export const digest = (value: string) => createHash("sha256").update(value).digest("base64url");

import type { Session } from "fastify";
import "../../http/types.ts";

type StoredSession = Session;

type Callback<T = void> = (error?: unknown, value?: T) => void;

/** The session store @fastify/session calls (the express-session store contract), over Kysely. */
export function createSessionStore(db: Db, ttlMs: number) {
  return {
    set(sessionId: string, session: StoredSession, callback: Callback) {
      const expires = session.cookie.expires ? new Date(session.cookie.expires) : new Date(Date.now() + ttlMs);
      const row = {
        id: digest(sessionId),
        account_id: session.accountId ?? null,
        data: JSON.stringify(session),
        expires_at: expires,
      };
      db.insertInto("sessions")
        .values(row)
        .onConflict((oc) =>
          oc.column("id").doUpdateSet({ account_id: row.account_id, data: row.data, expires_at: row.expires_at }),
        )
        .execute()
        .then(() => callback(), callback);
    },
    get(sessionId: string, callback: Callback<StoredSession | null>) {
      db.selectFrom("sessions")
        .select(["data", "expires_at"])
        .where("id", "=", digest(sessionId))
        .executeTakeFirst()
        .then((row) => {
          if (!row || row.expires_at.getTime() <= Date.now()) return callback(undefined, null);
          callback(undefined, row.data as StoredSession);
        }, callback);
    },
    destroy(sessionId: string, callback: Callback) {
      db.deleteFrom("sessions")
        .where("id", "=", digest(sessionId))
        .execute()
        .then(() => callback(), callback);
    },
  };
}

export const authRepository = {
  async deleteExpiredSessions(db: Db, now: Date): Promise<number> {
    const result = await db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  },

  async saveEnrolment(db: Db, row: { token_hash: string; account_id: string; secret: string; expires_at: Date }) {
    await db.deleteFrom("totp_enrolments").where("account_id", "=", row.account_id).execute();
    await db.insertInto("totp_enrolments").values(row).execute();
  },

  findEnrolment(db: Db, tokenHash: string) {
    return db.selectFrom("totp_enrolments").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  },

  async deleteEnrolments(db: Db, accountId: string) {
    await db.deleteFrom("totp_enrolments").where("account_id", "=", accountId).execute();
  },
};

import { hash } from "node:crypto";
import type { Db } from "../../db/database.ts";
import type { AuthCache } from "./auth-cache.ts";

/** Session ids and enrolment tokens are stored only as their SHA-256. */
export const digest = (value: string) => hash("sha256", value, "base64url");

import type { Session } from "fastify";
import "../../http/types.ts";

type StoredSession = Session;

type Callback<T = void> = (error?: unknown, value?: T) => void;

/**
 * The session store @fastify/session calls (the express-session store contract), over Kysely.
 * With a cache, reads are answered from it while fresh; writes go to the database first, then
 * replace the cached copy.
 */
export function createSessionStore(db: Db, ttlMs: number, cache?: AuthCache) {
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
        .then(() => {
          cache?.rememberSession(row.id, session, row.account_id, expires);
          callback();
        }, callback);
    },
    get(sessionId: string, callback: Callback<StoredSession | null>) {
      const id = digest(sessionId);
      const hit = cache?.session(id, Date.now());
      if (hit?.found) return callback(undefined, hit.data as StoredSession | null);
      db.selectFrom("sessions")
        .select(["data", "expires_at", "account_id"])
        .where("id", "=", id)
        .executeTakeFirst()
        .then((row) => {
          if (!row || row.expires_at.getTime() <= Date.now()) return callback(undefined, null);
          cache?.rememberSession(id, row.data, row.account_id, row.expires_at);
          callback(undefined, row.data as StoredSession);
        }, callback);
    },
    destroy(sessionId: string, callback: Callback) {
      const id = digest(sessionId);
      cache?.forgetSession(id);
      db.deleteFrom("sessions")
        .where("id", "=", id)
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

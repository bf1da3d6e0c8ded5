import { LRUCache } from "lru-cache";
import type { AccountWithPlace } from "../accounts/accounts.repository.ts";

interface CachedSession {
  /** The stored session as JSON: every hit gets its own copy. */
  data: string;
  accountId: string | null;
  expiresAt: number;
}

/**
 * Every authenticated request needs its session and the account behind it. Both change rarely, so
 * a process keeps them for a few seconds instead of reading them on every request — two round trips
 * that were most of the database's work on a case read (docs/performance.md).
 *
 * Changes made by this process take effect at once: a written or destroyed session replaces its
 * entry, and an account change forgets the account and every session of it. Another process sees
 * them within `ttlMs`. With `ttlMs` 0 nothing is kept.
 */
export function createAuthCache(ttlMs: number, max = 100_000) {
  const enabled = ttlMs > 0;
  const sessions = new LRUCache<string, CachedSession>({ max, ttl: Math.max(ttlMs, 1) });
  const accounts = new LRUCache<string, AccountWithPlace>({ max, ttl: Math.max(ttlMs, 1) });

  return {
    session(id: string, now: number): { found: true; data: unknown } | { found: false } {
      const hit = enabled ? sessions.get(id) : undefined;
      if (!hit) return { found: false };
      if (hit.expiresAt <= now) {
        sessions.delete(id);
        return { found: true, data: null };
      }
      return { found: true, data: JSON.parse(hit.data) };
    },
    rememberSession(id: string, data: unknown, accountId: string | null, expiresAt: Date) {
      if (enabled) sessions.set(id, { data: JSON.stringify(data), accountId, expiresAt: expiresAt.getTime() });
    },
    forgetSession(id: string) {
      sessions.delete(id);
    },
    account(id: string): AccountWithPlace | undefined {
      return enabled ? accounts.get(id) : undefined;
    },
    rememberAccount(account: AccountWithPlace) {
      if (enabled) accounts.set(account.id, account);
    },
    /** After any change to an account: its cached copy and every cached session of it go. */
    forgetAccount(accountId: string) {
      accounts.delete(accountId);
      for (const [id, entry] of sessions.entries()) {
        if (entry.accountId === accountId) sessions.delete(id);
      }
    },
  };
}
export type AuthCache = ReturnType<typeof createAuthCache>;

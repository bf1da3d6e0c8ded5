import fastifyCookie, { Signer } from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import fastifySession from "@fastify/session";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { LRUCache } from "lru-cache";
import type { Db } from "../db/database.ts";
import type { AccountsService } from "../modules/accounts/accounts.service.ts";
import { toActor } from "../modules/accounts/accounts.service.ts";
import { createSessionStore } from "../modules/auth/auth.repository.ts";
import type { AuthCache } from "../modules/auth/auth-cache.ts";
import { AppError } from "./errors.ts";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface SessionOptions {
  db: Db;
  secret: string;
  ttlMinutes: number;
  secureCookies: "auto" | "true" | "false";
  accounts: AccountsService;
  /** Keeps sessions and their accounts for a few seconds (AUTH_CACHE_SECONDS). */
  cache?: AuthCache;
}

/**
 * The session cookie's HMAC signer, remembering what it signed and verified. @fastify/session
 * verifies the cookie and signs the session id again on every request — two HMACs, about a tenth
 * of the server's CPU for a small answer (docs/performance.md). A remembered answer is the one
 * the HMAC gave for exactly that string with the same key, so nothing changes but the cost; only
 * valid signatures are remembered, and the memory is bounded.
 */
export function rememberingSigner(secret: string, max = 50_000) {
  const signer = new Signer(secret);
  const signed = new LRUCache<string, string>({ max });
  const verified = new LRUCache<string, string>({ max });
  return {
    sign(value: string): string {
      let cookie = signed.get(value);
      if (cookie === undefined) {
        cookie = signer.sign(value);
        signed.set(value, cookie);
      }
      return cookie;
    },
    unsign(cookie: string): { valid: boolean; renew: boolean; value: string | null } {
      const value = verified.get(cookie);
      if (value !== undefined) return { valid: true, renew: false, value };
      const result = signer.unsign(cookie);
      if (result.valid && result.value !== null) verified.set(cookie, result.value);
      return result;
    },
  };
}

/**
 * Server-side sessions in an httpOnly SameSite cookie, a CSRF token for every unsafe request,
 * and `app.authenticate`, which loads the account behind the session on each request.
 */
export const sessionPlugin = fp(async (app: FastifyInstance, options: SessionOptions) => {
  const ttlMs = options.ttlMinutes * 60_000;
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: rememberingSigner(options.secret),
    cookieName: "tongban.sid",
    store: createSessionStore(options.db, ttlMs, options.cache),
    saveUninitialized: false,
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: "lax",
      secure: options.secureCookies === "auto" ? "auto" : options.secureCookies === "true",
      maxAge: ttlMs,
      path: "/",
    },
  });
  await app.register(csrf, {
    sessionPlugin: "@fastify/session",
    getToken: (req) => req.headers["x-csrf-token"] as string,
  });

  app.addHook("onRequest", (request: FastifyRequest, reply: FastifyReply, done) => {
    if (!UNSAFE.has(request.method) || request.routeOptions.config?.csrf === false) return done();
    if (!request.session.get("_csrf")) return done(new AppError("CSRF_INVALID"));
    app.csrfProtection(request, reply, done);
  });

  app.decorate("authenticate", async (request: FastifyRequest) => {
    const accountId = request.session.get("accountId");
    if (!accountId) throw new AppError("UNAUTHENTICATED");
    const account = await options.accounts.findForSession(accountId);
    if (!account || account.disabled) {
      await request.session.destroy();
      throw new AppError("UNAUTHENTICATED");
    }
    request.account = account;
  });

  app.decorate("actorOf", (request: FastifyRequest) => {
    if (!request.account) throw new AppError("UNAUTHENTICATED");
    return toActor(request.account);
  });
});

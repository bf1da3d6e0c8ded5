import { fileURLToPath } from "node:url";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { generate } from "otplib";
import { type AppDeps, buildApp } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import { openPostgres } from "../../src/db/database.ts";
import { memoryFileStore } from "../../src/ports/files.ts";
import { type KeyStore, memoryKeyStore, randomIds } from "../../src/ports/index.ts";
import type { DemoAccount } from "../../src/seed/demo-world.ts";
import { testClock } from "./clock.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

export interface TestApp extends TestDatabase {
  app: FastifyInstance;
  clock: ReturnType<typeof testClock>;
  /** The node's keys, for a second process on the same database (which shares them, as a deployment would). */
  keys: KeyStore;
  account(username: string): DemoAccount;
  /** Finds a demo account by a predicate on it, e.g. the Fuzhou administrator. */
  find(predicate: (account: DemoAccount) => boolean): DemoAccount;
  /** Logs in (with a TOTP code for staff) and answers a client that sends the cookie and CSRF token. */
  login(username: string): Promise<Client>;
  anonymous(): Client;
  close(): Promise<void>;
}

export interface Client {
  cookie: string | undefined;
  csrfToken: string | undefined;
  request(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

export function totpAt(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

export async function createTestApp(
  overrides: Partial<Config> = {},
  extraDeps?: (ports: {
    keys: KeyStore;
    clock: ReturnType<typeof testClock>;
  }) => Partial<AppDeps> | Promise<Partial<AppDeps>>,
): Promise<TestApp> {
  const testDb = await createTestDatabase();
  const clock = testClock();
  const keys = memoryKeyStore();
  const config: Config = {
    ...loadConfig({}, "/nonexistent"),
    logLevel: (process.env.TEST_LOG_LEVEL as Config["logLevel"] | undefined) ?? "silent",
    loginRateLimitPerMinute: 10_000,
    checkResponses: true,
    ...overrides,
  };
  const app = await buildApp({
    config,
    database: testDb.database,
    clock,
    ids: randomIds,
    keys,
    files: memoryFileStore(),
    catalogDir: fileURLToPath(new URL("../../../../catalog", import.meta.url)),
    ...(await extraDeps?.({ keys, clock })),
  });
  await app.ready();

  const client = (cookie?: string, csrfToken?: string): Client => {
    const self: Client = {
      cookie,
      csrfToken,
      async request(method, url, body, headers = {}) {
        const response = await app.inject({
          method,
          url,
          headers: {
            ...(self.cookie ? { cookie: self.cookie } : {}),
            ...(self.csrfToken && method !== "GET" ? { "x-csrf-token": self.csrfToken } : {}),
            ...headers,
          },
          ...(body !== undefined ? { payload: body as object } : {}),
        });
        const setCookie = response.cookies.find((c) => c.name === "tongban.sid");
        if (setCookie) self.cookie = setCookie.value ? `tongban.sid=${setCookie.value}` : undefined;
        const json = response.headers["content-type"]?.toString().includes("json") ? response.json() : undefined;
        if (json && typeof json.csrfToken === "string") self.csrfToken = json.csrfToken;
        return response;
      },
    };
    return self;
  };

  const find = (predicate: (account: DemoAccount) => boolean) => {
    const found = testDb.accounts.find(predicate);
    if (!found) throw new Error("no such demo account");
    return found;
  };
  const account = (username: string) => find((a) => a.username === username);

  return {
    ...testDb,
    app,
    clock,
    keys,
    account,
    find,
    anonymous: () => client(),
    async login(username) {
      const demo = account(username);
      // A new TOTP step for every staff login: the server accepts each step once.
      clock.advance(30_000);
      const totp = demo.totpSecret ? await totpAt(demo.totpSecret, clock.now()) : undefined;
      const c = client();
      const response = await c.request("POST", "/api/v1/auth/login", {
        username,
        password: demo.password,
        ...(totp ? { totp } : {}),
      });
      if (response.statusCode !== 200) throw new Error(`login ${username} failed: ${response.body}`);
      return c;
    },
    async close() {
      await app.close();
      await testDb.drop();
    },
  };
}

/**
 * On PostgreSQL, a second server process on the test app's database (its own pool, the node's keys
 * and clock), as a deployment with several processes would have; undefined on PGlite.
 */
export async function secondProcess(t: TestApp): Promise<FastifyInstance | undefined> {
  if (!t.url) return undefined;
  const other = await buildApp({
    config: { ...loadConfig({}, "/nonexistent"), logLevel: "silent", checkResponses: true },
    database: openPostgres(t.url, 5),
    clock: t.clock,
    ids: randomIds,
    keys: t.keys,
    files: memoryFileStore(),
  });
  await other.ready();
  return other;
}

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { CommitSignal, watchOutboxCommits } from "./commit-signal.ts";
import { PGliteDialect } from "./pglite-dialect.ts";
import { preparedStatements } from "./prepared.ts";
import type { DB } from "./schema.ts";

export type Db = Kysely<DB>;

/** The database with the few things Kysely does not offer: multi-statement scripts and a close. */
export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** Runs a multi-statement SQL script on one session, in order; used by the migration runner. */
  execScript(script: string): Promise<void>;
  /** Runs `fn` holding a session-level advisory lock, so concurrent processes take turns. */
  withLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Fires after each commit (in this process) of a transaction that wrote ledger outbox rows. */
  outboxCommits: CommitSignal;
  /**
   * PostgreSQL LISTEN/NOTIFY on a dedicated connection, so the server processes sharing one
   * database wake each other; it reconnects by itself. PGlite belongs to one process: absent there.
   * `onNotify` gets the notification's payload; none after a reconnection (anything may have
   * changed while the channel was down).
   */
  listen?(
    channel: string,
    onNotify: (payload?: string) => void,
    onError?: (error: unknown) => void,
  ): Promise<NotifyChannel>;
}

export interface NotifyChannel {
  /** NOTIFY the channel: every listening process (this one included) hears it after this returns. */
  notify(): Promise<void>;
  close(): Promise<void>;
}

// node-postgres parses bigint (int8) to string by default; counts and ids here fit in a double.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));
// Calendar dates stay YYYY-MM-DD strings: a Date would shift them by the server's time zone.
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (value) => value);

export function openPostgres(url: string, poolSize = 20): Database {
  const pool = preparedStatements(new pg.Pool({ connectionString: url, max: poolSize }));
  const outboxCommits = new CommitSignal();
  const db = new Kysely<DB>({ dialect: watchOutboxCommits(new PostgresDialect({ pool }), outboxCommits) });
  return {
    db,
    kind: "postgres",
    outboxCommits,
    listen: (channel, onNotify, onError) => listenChannel(url, channel, onNotify, onError),
    async execScript(script) {
      const client = await pool.connect();
      try {
        await client.query(script);
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async withLock(key, fn) {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1)", [key]);
        try {
          return await fn();
        } finally {
          await client.query("select pg_advisory_unlock($1)", [key]);
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

async function listenChannel(
  url: string,
  channel: string,
  onNotify: (payload?: string) => void,
  onError: (error: unknown) => void = () => {},
): Promise<NotifyChannel> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    const candidate = new pg.Client({ connectionString: url });
    candidate.on("notification", (message) => {
      if (message.channel === channel) onNotify(message.payload || undefined);
    });
    candidate.on("error", (error) => {
      onError(error);
      reconnect();
    });
    await candidate.connect();
    await candidate.query(`listen ${channel}`);
    if (closed) {
      await candidate.end();
      return;
    }
    client = candidate;
  };
  const reconnect = () => {
    if (closed || retry) return;
    client?.end().catch(() => {});
    client = undefined;
    retry = setTimeout(() => {
      retry = undefined;
      connect()
        .then(() => onNotify()) // whatever was announced while we were away
        .catch((error) => {
          onError(error);
          reconnect();
        });
    }, 1000);
    retry.unref();
  };

  await connect();
  return {
    async notify() {
      if (!client) return;
      try {
        await client.query(`notify ${channel}`);
      } catch (error) {
        onError(error);
        reconnect();
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}

export function wrapPGlite(pglite: PGlite): Database {
  const outboxCommits = new CommitSignal();
  const db = new Kysely<DB>({ dialect: watchOutboxCommits(new PGliteDialect(pglite), outboxCommits) });
  return {
    db,
    kind: "pglite",
    outboxCommits,
    async execScript(script) {
      // Through Kysely's connection queue so the script never interleaves with a transaction.
      await db.connection().execute(async () => {
        try {
          await pglite.exec(script);
        } catch (error) {
          await pglite.exec("rollback").catch(() => {});
          throw error;
        }
      });
    },
    // One PGlite belongs to one process: there is nobody to take turns with.
    withLock: (_key, fn) => fn(),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Creates a PGlite with the same value parsing as the PostgreSQL pool. */
export function createPGlite(location?: string): Promise<PGlite> {
  return PGlite.create(location, { parsers: { [DATE_OID]: (value: string) => value } });
}

export async function openPGlite(dataDir: string | undefined): Promise<Database> {
  let location: string | undefined;
  if (dataDir) {
    location = join(dataDir, "pgdata");
    mkdirSync(location, { recursive: true });
  }
  const pglite = await createPGlite(location);
  return wrapPGlite(pglite);
}

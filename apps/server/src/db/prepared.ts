import { createHash } from "node:crypto";
import type pg from "pg";

/**
 * Statements worth preparing: single data statements. Transaction control, DDL and multi-statement
 * scripts (the migrations) go through unchanged.
 */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Turns every parameterised data statement into a named prepared statement, once per connection.
 *
 * Kysely sends each query as an unnamed statement, so PostgreSQL parses and plans it every time;
 * for the short indexed queries of a request, planning costs more than executing (0.4 ms against
 * 0.17 ms for a case read, measured with EXPLAIN ANALYZE; docs/performance.md). node-postgres
 * keeps a connection's prepared statements by name and parses a name only once, so naming a
 * statement after its SQL text is enough: the same query shape is planned once per connection and
 * then executed with its parameters.
 */
export function preparedStatements(pool: pg.Pool): pg.Pool {
  const names = new Map<string, string | null>();
  const nameOf = (text: string): string | null => {
    let name = names.get(text);
    if (name === undefined) {
      name =
        PREPARABLE.test(text) && !text.includes(";")
          ? `tb_${createHash("sha1").update(text).digest("base64url")}`
          : null;
      // Bounded: shapes come from code, but an IN list of every length is its own text.
      if (names.size < 10_000) names.set(text, name);
    }
    return name;
  };
  const patched = new WeakSet<pg.PoolClient>();
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  pool.connect = (async () => {
    const client = await connect();
    if (!patched.has(client)) {
      patched.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
        if (typeof config === "string" && Array.isArray(values)) {
          const name = nameOf(config);
          if (name) return query({ name, text: config, values }, callback);
        }
        return query(config, values, callback);
      };
    }
    return client;
  }) as pg.Pool["connect"];
  return pool;
}

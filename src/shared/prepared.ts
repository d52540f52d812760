/**
 * Run a hot, constant-shaped statement as a NAMED prepared statement on postgres.js.
 * drizzle's `db.execute()` sends raw SQL unnamed, so Postgres parses and plans it on every
 * call; for the big one-statement posting (src/inventory/fastissue.ts) planning cost more than
 * executing. postgres.js caches named statements per connection by text, so after the first
 * call only Bind/Execute travel and Postgres can reuse the plan — inside a transaction too. On PGlite (in-process, no
 * pool) this is simply execRows.
 */
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { execRows, type Conn } from '../../db/types.js';

const dialect = new PgDialect();

interface PostgresJsClient {
  unsafe(query: string, params: unknown[], opts: { prepare: boolean }): Promise<unknown[]>;
}

/** The postgres.js Sql behind a drizzle handle, or null (PGlite). */
function postgresJsClient(conn: Conn): PostgresJsClient | null {
  // A root db carries the postgres.js Sql as $client; a transaction (or savepoint) handle only
  // through its session — the reserved connection, so the statement stays in the transaction.
  const raw = (conn as unknown as { $client?: unknown }).$client ?? (conn as unknown as { session?: { client?: unknown } }).session?.client;
  // postgres.js Sql objects are functions with .unsafe; PGlite instances are not.
  return typeof raw === 'function' && typeof (raw as Partial<PostgresJsClient>).unsafe === 'function' ? (raw as unknown as PostgresJsClient) : null;
}

export async function execPrepared<T = Record<string, unknown>>(conn: Conn, query: SQL): Promise<T[]> {
  const client = postgresJsClient(conn);
  if (client) {
    const q = dialect.sqlToQuery(query);
    return (await client.unsafe(q.sql, q.params as unknown[], { prepare: true })) as T[];
  }
  return execRows<T>(conn, query);
}

/** A statement already on its way to the server; `done` settles with its rows. */
export interface InFlight<T> {
  done: Promise<T[]>;
}

/**
 * Send a statement NOW without waiting for its answer, so the caller's next statement follows it
 * on the same connection in the same socket write (postgres.js pipelines the queries of a
 * transaction in the order they are issued) — one round trip of waiting less. Order is what
 * matters: postgres.js hands queries to the connection in the order their execution starts, and
 * this starts it before returning, ahead of anything the caller issues afterwards.
 *
 * A failed pipelined statement aborts the transaction, so every later statement fails too and a
 * COMMIT becomes a ROLLBACK: callers must still await `done` before relying on the transaction.
 * On PGlite (in-process, queries serialize anyway) the statement simply runs to completion here.
 */
export async function sendAhead<T = Record<string, unknown>>(conn: Conn, query: SQL, opts: { prepare: boolean }): Promise<InFlight<T>> {
  const client = postgresJsClient(conn);
  if (!client) {
    const rows = await execRows<T>(conn, query);
    return { done: Promise.resolve(rows) };
  }
  const q = dialect.sqlToQuery(query);
  const done = client.unsafe(q.sql, q.params as unknown[], opts) as Promise<T[]>;
  // Start it now (postgres.js queries are lazy until then/catch) and keep an early failure from
  // counting as unhandled; the caller's `await done` still sees it.
  done.catch(() => {});
  return { done };
}

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

export async function execPrepared<T = Record<string, unknown>>(conn: Conn, query: SQL): Promise<T[]> {
  // A root db carries the postgres.js Sql as $client; a transaction (or savepoint) handle only
  // through its session — the reserved connection, so the statement stays in the transaction.
  const raw = (conn as unknown as { $client?: unknown }).$client ?? (conn as unknown as { session?: { client?: unknown } }).session?.client;
  // postgres.js Sql objects are functions with .unsafe; PGlite instances are not.
  const client = typeof raw === 'function' && typeof (raw as Partial<PostgresJsClient>).unsafe === 'function' ? (raw as unknown as PostgresJsClient) : null;
  if (client) {
    const q = dialect.sqlToQuery(query);
    return (await client.unsafe(q.sql, q.params as unknown[], { prepare: true })) as T[];
  }
  return execRows<T>(conn, query);
}

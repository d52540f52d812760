import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import type * as schema from './schema.js';

/** The one database type everything imports: PGlite and postgres.js both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle. Inside a transaction, touch only this. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either: services that only read accept both. */
export type Conn = Db | Tx;

export type DbKind = 'pglite' | 'postgres';

export interface Database {
  db: Db;
  kind: DbKind;
  /** Cheap round trip for /healthz; rejects when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Rows of a raw query on either driver (postgres.js returns an array, PGlite `{rows}`). */
export async function execRows<T = Record<string, unknown>>(conn: Conn, query: SQL): Promise<T[]> {
  const r = (await conn.execute(query)) as unknown;
  if (Array.isArray(r)) return r as T[];
  return ((r as { rows?: T[] }).rows ?? []) as T[];
}

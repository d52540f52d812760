/** postgres.js → drizzle. Used on Node with DATABASE_URL and on Workers through Hyperdrive. */
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import * as schema from './schema.js';
import type { Database, Db } from './types.js';

export interface PostgresOptions {
  /** Pool size; Workers want a small one per request. */
  max?: number;
  /** Seconds to wait for a connection before a query fails (keeps /healthz fast when the DB is down). */
  connectTimeout?: number;
}

export function openPostgres(url: string, opts: PostgresOptions = {}): Database {
  const client = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeout ?? 5,
    idle_timeout: 30,
    onnotice: () => {},
    // numeric stays a string (exact); int8 arrives as string and drizzle maps bigint columns.
    types: {},
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    async ping() {
      await client`select 1`;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

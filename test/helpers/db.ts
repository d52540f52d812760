/**
 * Database tests run on every backend: PGlite (always) and Postgres (when TEST_DATABASE_URL
 * is set). Each test file gets its own database — an in-memory PGlite, or a Postgres database
 * cloned from the migrated template made by test/global-setup.ts — and every table is
 * truncated before each test.
 *
 *   describeDb('stock issue', (t) => {
 *     it('refuses negative stock', async () => { await t.db.select()... });
 *   });
 */
import { afterAll, beforeAll, beforeEach, describe, inject } from 'vitest';
import postgres from 'postgres';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { openPglite } from '../../db/pglite.js';
import { openPostgres } from '../../db/postgres.js';
import { migrate } from '../../db/migrate.js';
import { execRows, type Database, type Db } from '../../db/types.js';

export type Backend = 'pglite' | 'postgres';

/** Test databases are named jxc_t_<pid of the vitest main process>_…, so parallel runs never collide. */
export const TEST_DB_PREFIX = 'jxc_t_';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
    /** Path of the migrated PGlite data directory dump (test/global-setup.ts). */
    pgliteTemplate: string;
  }
}

export function backends(): Backend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

let fileCounter = 0;
let pgliteTemplate: Blob | undefined;

/** The migrated template, read once per test file (a worker runs one file at a time). */
function pgliteTemplateBlob(): Blob | undefined {
  if (pgliteTemplate) return pgliteTemplate;
  const file = inject('pgliteTemplate');
  if (!file || !existsSync(file)) return undefined;
  return (pgliteTemplate = new Blob([readFileSync(file)]));
}

/** A fresh, migrated database on `backend`. Close it when done. */
export async function openTestDatabase(backend: Backend, opts: { max?: number } = {}): Promise<Database & { url?: string }> {
  if (backend === 'pglite') {
    const template = pgliteTemplateBlob();
    const database = await openPglite(null, { loadDataDir: template });
    // Without the template (a helper used outside vitest's global setup) migrate from scratch;
    // with it this is a no-op that also proves the copy is at the latest migration.
    await migrate(database.db);
    return database;
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const template = inject('templateDb');
  const name = `${template.replace(/_tpl$/, '')}_w${process.env.VITEST_POOL_ID ?? '0'}_${process.pid}_${fileCounter++}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(adminUrl, name);
  const database = openPostgres(url, { max: opts.max ?? 20 });
  const close = database.close;
  return {
    ...database,
    url,
    async close() {
      await close();
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Empty every table (keeping the migration record) and restart id sequences. */
export async function truncateAll(db: Db): Promise<void> {
  const tables = await execRows<{ tablename: string }>(
    db,
    sql`select tablename from pg_tables where schemaname = 'public' and tablename <> '_migrations'`,
  );
  if (tables.length === 0) return;
  await db.execute(sql.raw(`truncate ${tables.map((t) => `"${t.tablename}"`).join(', ')} restart identity cascade`));
}

export interface DbTestContext {
  readonly backend: Backend;
  readonly database: Database;
  readonly db: Db;
}

/** Run `fn`'s tests once per backend, each against a clean database. */
export function describeDb(title: string, fn: (t: DbTestContext) => void, opts: { max?: number } = {}): void {
  for (const backend of backends()) {
    describe(`${title} [${backend}]`, () => {
      let database: Database | undefined;
      const ctx: DbTestContext = {
        backend,
        get database() {
          if (!database) throw new Error('database not open yet');
          return database;
        },
        get db() {
          return ctx.database.db;
        },
      };
      beforeAll(async () => {
        database = await openTestDatabase(backend, opts);
      });
      afterAll(async () => {
        await database?.close();
      });
      beforeEach(async () => {
        await truncateAll(ctx.db);
      });
      fn(ctx);
    });
  }
}

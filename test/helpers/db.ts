/**
 * Database tests run on every backend: PGlite (always) and Postgres (when TEST_DATABASE_URL
 * is set). Each test file gets its own database per backend — an in-memory PGlite copied from
 * the migrated template, or a Postgres database cloned from the migrated template database
 * (both made once by test/global-setup.ts) — shared by the file's describeDb blocks, and every
 * table is emptied before each test.
 *
 *   describeDb('stock issue', (t) => {
 *     it('refuses negative stock', async () => { await t.db.select()... });
 *   });
 */
import { afterAll, beforeAll, beforeEach, describe, inject, TestRunner } from 'vitest';
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
let pgliteTemplate: { file: string; blob: Blob } | undefined;

/**
 * The migrated template, read once per worker: the default project keeps a worker's modules
 * from one file to the next (vitest.config.ts), so every later file copies it from memory.
 */
function pgliteTemplateBlob(): Blob | undefined {
  const file = inject('pgliteTemplate');
  if (pgliteTemplate?.file === file) return pgliteTemplate.blob;
  if (!file || !existsSync(file)) return undefined;
  pgliteTemplate = { file, blob: new Blob([readFileSync(file)]) };
  return pgliteTemplate.blob;
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

/**
 * Every table emptied (the migration record kept) and the id sequences they own restarted, in
 * one statement. DELETE with triggers and foreign-key checks off (session_replication_role =
 * replica) rather than TRUNCATE: a TRUNCATE of ~30 tables makes new files for each and costs
 * 50–800 ms per test (most of the Postgres suite's time), the DELETEs of a test's few rows ~5 ms.
 * The result is the same: empty tables, ids from their start value, no trigger in the schema to skip.
 */
const RESET = sql.raw(`do $$
declare r record;
begin
  set local session_replication_role = replica;
  for r in select format('%I.%I', schemaname, tablename) as t from pg_tables
           where schemaname = 'public' and tablename <> '_migrations' loop
    execute 'delete from ' || r.t;
  end loop;
  -- Sequences owned by a serial or identity column, and used since their last restart.
  for r in select format('%I.%I', schemaname, sequencename) as s, start_value from pg_sequences ps
           where schemaname = 'public' and last_value is not null
             and exists (select 1 from pg_depend d
                         where d.objid = format('%I.%I', ps.schemaname, ps.sequencename)::regclass and d.deptype in ('a', 'i')) loop
    perform setval(r.s, r.start_value, false);
  end loop;
end $$`);

/** Databases whose role may not switch off triggers (not a superuser): they get TRUNCATE. */
const truncateOnly = new WeakSet<Db>();

/** Empty every table (keeping the migration record) and restart the id sequences they own. */
export async function truncateAll(db: Db): Promise<void> {
  if (!truncateOnly.has(db)) {
    try {
      await db.execute(RESET);
      return;
    } catch (e) {
      // 42501 insufficient_privilege: session_replication_role needs a superuser.
      if (pgCode(e) !== '42501') throw e;
      truncateOnly.add(db);
    }
  }
  const tables = await execRows<{ tablename: string }>(
    db,
    sql`select tablename from pg_tables where schemaname = 'public' and tablename <> '_migrations'`,
  );
  if (tables.length === 0) return;
  await db.execute(sql.raw(`truncate ${tables.map((t) => `"${t.tablename}"`).join(', ')} restart identity cascade`));
}

function pgCode(e: unknown): string | undefined {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined; x; x = x.cause as typeof x) {
    if (typeof x.code === 'string') return x.code;
  }
  return undefined;
}

export interface DbTestContext {
  readonly backend: Backend;
  readonly database: Database;
  readonly db: Db;
}

/** The file's databases, per backend and pool size: opened when first needed, closed after the file. */
const fileDatabases = new WeakMap<object, Map<string, { open?: Promise<Database> }>>();

/**
 * A getter for the database of the file (more exactly: of the suite describeDb is called in,
 * the file itself at the top level). Registers the file-level afterAll that closes it, once.
 */
function fileDatabase(backend: Backend, opts: { max?: number }): () => Promise<Database> {
  const scope = TestRunner.getCurrentSuite();
  let byKey = fileDatabases.get(scope);
  if (!byKey) fileDatabases.set(scope, (byKey = new Map()));
  const key = `${backend}:${opts.max ?? ''}`;
  let entry = byKey.get(key);
  if (!entry) {
    const e: { open?: Promise<Database> } = {};
    byKey.set(key, (entry = e));
    afterAll(async () => {
      const opened = e.open;
      e.open = undefined;
      await (await opened)?.close();
    });
  }
  const e = entry;
  return () => (e.open ??= openTestDatabase(backend, opts));
}

/** Run `fn`'s tests once per backend, each against a clean database (the file's, emptied before each test). */
export function describeDb(title: string, fn: (t: DbTestContext) => void, opts: { max?: number } = {}): void {
  for (const backend of backends()) {
    const acquire = fileDatabase(backend, opts);
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
        database = await acquire();
      });
      beforeEach(async () => {
        await truncateAll(ctx.db);
      });
      fn(ctx);
    });
  }
}

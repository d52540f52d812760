/**
 * Applies the embedded drizzle-kit migrations (drizzle/migrations.ts) in one transaction under
 * a transaction-scoped advisory lock, so several instances starting together apply each
 * migration exactly once: the second waits for the lock, then finds nothing left to do.
 * Runs unchanged on PGlite, Postgres and Workers (no file system needed).
 */
import { sql } from 'drizzle-orm';
import { migrations as embedded, type EmbeddedMigration } from '../drizzle/migrations.js';
import { execRows, type Db } from './types.js';

/** Arbitrary but fixed: "JXC" in ASCII. */
const MIGRATION_LOCK_ID = 0x4a5843;

export interface MigrateResult { applied: string[]; total: number }

export async function migrate(db: Db, list: EmbeddedMigration[] = embedded): Promise<MigrateResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`);
    await tx.execute(sql`create table if not exists _migrations (
      tag text primary key, hash text not null, applied_at timestamptz not null default now())`);
    const done = new Map(
      (await execRows<{ tag: string; hash: string }>(tx, sql`select tag, hash from _migrations`)).map((r) => [r.tag, r.hash]),
    );
    const applied: string[] = [];
    for (const m of list) {
      const prev = done.get(m.tag);
      if (prev) {
        if (prev !== m.hash) {
          throw new Error(`迁移 ${m.tag} 已执行但内容被修改 / migration ${m.tag} was applied but its SQL has changed; add a new migration instead`);
        }
        continue;
      }
      for (const stmt of m.statements) await tx.execute(sql.raw(stmt));
      await tx.execute(sql`insert into _migrations (tag, hash) values (${m.tag}, ${m.hash})`);
      applied.push(m.tag);
    }
    return { applied, total: list.length };
  });
}

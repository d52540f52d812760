import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { buildEmbeddedMigrations } from '../db/embed-migrations.js';
import { migrate } from '../db/migrate.js';
import { execRows } from '../db/types.js';
import { describeDb } from './helpers/db.js';

describe('embedded migrations', () => {
  it('match drizzle/*.sql (run `npm run db:generate` after changing db/schema.ts)', () => {
    const dir = join(import.meta.dirname, '..', 'drizzle');
    expect(readFileSync(join(dir, 'migrations.ts'), 'utf8')).toBe(buildEmbeddedMigrations(dir));
  });
});

describeDb('migrate', (t) => {
  it('is idempotent and safe when several instances start together', async () => {
    const results = await Promise.all([migrate(t.db), migrate(t.db), migrate(t.db)]);
    for (const r of results) expect(r.applied).toEqual([]);
    const rows = await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from _migrations`);
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('refuses a migration whose SQL changed after it was applied', async () => {
    const rows = await execRows<{ tag: string }>(t.db, sql`select tag from _migrations order by tag limit 1`);
    await expect(migrate(t.db, [{ tag: rows[0].tag, when: 0, hash: 'different', statements: [] }])).rejects.toThrow(/changed/);
  });
});

if (process.env.TEST_DATABASE_URL) {
  describe('migrate on an empty Postgres database [postgres]', () => {
    it('applies each migration exactly once when three instances start together', async () => {
      const { default: postgres } = await import('postgres');
      const { openPostgres } = await import('../db/postgres.js');
      const { withDatabaseName } = await import('./helpers/db.js');
      const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
      const name = `jxc_t_${process.pid}_emptymig`;
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.unsafe(`create database ${name}`);
      const instances = [0, 1, 2].map(() => openPostgres(withDatabaseName(process.env.TEST_DATABASE_URL!, name), { max: 2 }));
      try {
        const results = await Promise.all(instances.map((d) => migrate(d.db)));
        const appliedCounts = results.map((r) => r.applied.length);
        expect(appliedCounts.filter((n) => n > 0)).toHaveLength(1);
        expect(Math.max(...appliedCounts)).toBe(results[0].total);
        const rows = await execRows<{ n: number }>(instances[0].db, sql`select count(*)::int as n from _migrations`);
        expect(rows[0].n).toBe(results[0].total);
      } finally {
        for (const d of instances) await d.close();
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    });
  });
}

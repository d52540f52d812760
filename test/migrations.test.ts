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

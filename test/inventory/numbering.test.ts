/**
 * Document numbers (src/kernel/numbering.ts): unique and increasing per prefix and business
 * day, drawn from one sequence per prefix; a rolled-back posting may leave a gap.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { execRows } from '../../db/types.js';
import { postIssue, postReceipt } from '../../src/inventory/index.js';
import { DOC_PREFIX } from '../../src/inventory/moves.js';
import { DOCUMENT_NUMBER_PREFIXES, sequenceName } from '../../src/kernel/numbering.js';
import { dayKey } from '../../src/shared/time.js';
import { clerk, expectClean, key, product, receive } from './helpers.js';

describeDb('document numbers', (t) => {
  it('every document prefix has its sequence', async () => {
    const rows = await execRows<{ relname: string }>(t.db, sql`select relname from pg_class where relkind = 'S' and relname like 'doc_no_%'`);
    const have = new Set(rows.map((r) => r.relname));
    for (const prefix of Object.values(DOC_PREFIX)) expect(have.has(sequenceName(prefix)), prefix).toBe(true);
    // The declared list and the migrated sequences are the same set, both ways.
    const declared = Object.keys(DOCUMENT_NUMBER_PREFIXES).map(sequenceName).sort();
    expect([...have].sort()).toEqual(declared);
  });

  it('concurrent postings of one day get distinct numbers; a later claim a greater one', async () => {
    const p = await product(t.db);
    await receive(t.db, p.id, 100, 10);
    const at = new Date();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        // half by id, half by SKU text (both take the one-statement path)
        postIssue(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: i % 2 ? p.id : p.sku, qty: 1 }] }),
      ),
    );
    const nos = results.map((r) => r.document.docNo);
    expect(new Set(nos).size).toBe(20);
    for (const no of nos) expect(no).toMatch(/^CK\d{8}-\d{4}$/);
    // a posting claimed after all of them gets a greater number
    const last = await postIssue(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 1 }] });
    for (const no of nos) expect(last.document.docNo > no).toBe(true);
    await expectClean(t.db);
  });

  it('a day numbered by the old counter continues after its last number', async () => {
    // What migration 0001 leaves for a day with 7 numbers taken (next = 8): base = 1 − next,
    // relative to the sequence's current value (0 right after the migration).
    const at = new Date();
    const day = dayKey(at);
    await t.db.execute(sql`insert into doc_sequences (prefix, day, base) values ('RK', ${day}, ${1 - 8} + (select case when is_called then last_value else last_value - 1 end from doc_no_rk))`);
    const p = await product(t.db);
    const r = await postReceipt(t.db, clerk, { idempotencyKey: key(), businessTime: at, lines: [{ product: p.id, qty: 1, unitCostFen: 1 }] });
    expect(r.document.docNo).toBe(`RK${day}-0008`);
  });
});

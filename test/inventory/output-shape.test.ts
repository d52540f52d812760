/**
 * Outputs read the same whichever path produced them (tester findings, issue 9): a pack factor
 * is canonical text on the one-statement issue path too, and a stocktake posting numbers its
 * lines by the products that changed.
 */
import { describe, expect, it } from 'vitest';
import { formatQty } from '../../src/inventory/units.js';
import { openStocktake, postIssue, postStocktake, recordCount } from '../../src/inventory/index.js';
import { describeDb } from '../helpers/db.js';
import { clerk, expectClean, key, product, receive } from './helpers.js';

describeDb('output shape', (t) => {
  it('the fast issue path gives the pack factor as canonical text, like the general path', async () => {
    const p = await product(t.db, { name: '纸', packUnit: '箱', packFactor: 5 });
    await receive(t.db, p.id, 20, 10);
    const fast = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: '1' }] });
    const general = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: '纸', qty: '1箱' }] });
    expect(fast.lines[0].packFactor).toBe('5');
    expect(general.lines[0].packFactor).toBe('5');
    await expectClean(t.db);
  });

  it('a stocktake with one variance among counted products posts line 1', async () => {
    const a = await product(t.db, { name: '甲' });
    const b = await product(t.db, { name: '乙' });
    await receive(t.db, a.id, 10, 1);
    await receive(t.db, b.id, 10, 1);
    const st = await openStocktake(t.db, clerk, {});
    await recordCount(t.db, clerk, { stocktake: st.docNo, product: a.id, qty: '10' });
    await recordCount(t.db, clerk, { stocktake: st.docNo, product: b.id, qty: '9' });
    const posted = await postStocktake(t.db, clerk, { stocktake: st.docNo, idempotencyKey: key() });
    expect(posted.posting!.lines.map((l) => [l.lineNo, l.name, l.qty])).toEqual([[1, '乙', '-1']]);
    await expectClean(t.db);
  });
});

describe('pack readings', () => {
  const beans = { baseUnit: '千克', packUnit: '袋', packFactor: '2.5' };
  it('are exact when the conversion is exact and say 约 only when rounded', () => {
    expect(formatQty(beans, '5')).toBe('5 千克（2 袋）');
    expect(formatQty(beans, '-2.5')).toBe('-2.5 千克（-1 袋）');
    expect(formatQty(beans, '1')).toBe('1 千克（0.4 袋）');
    expect(formatQty(beans, '1.1')).toBe('1.1 千克（0.44 袋）');
    expect(formatQty(beans, '1.13')).toBe('1.13 千克（约 0.45 袋）');
  });
});

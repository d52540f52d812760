/**
 * Issue 8 class 11 through the real chat path (signed event → app → database → reply): an
 * absent count is not a zero count, for batches too. Counting one batch of a batch-tracked
 * product leaves its other batches alone unless the product (盘点 完成) or the whole count
 * (全盘) is declared complete; the variance view lists uncounted batches apart; a mistyped
 * count is corrected with 设为 / = or 减 (a bare minus is refused), never below 0; a batch the
 * books do not know needs 新批次.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { createProduct } from '../../src/inventory/products.js';
import { createWarehouse } from '../../src/inventory/warehouses.js';
import { postReceipt } from '../../src/inventory/posting.js';
import { verifyInventory } from '../../src/inventory/verify.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { batchQtyOf as batchQty, expectClean, seedReagentAndGloves } from '../inventory/helpers.js';

const docNo = (reply: string) => reply.match(/[A-Z]{2}\d{8}-\d{4}/)?.[0];

async function valuation(db: Db, sku: string): Promise<{ qty: string; value: string }> {
  const [v] = await execRows<{ qty: string; value: string }>(
    db,
    sql`select trim_scale(v.qty)::text as qty, v.value_fen::text as value from stock_valuations v join products p on p.id = v.product_id where p.sku = ${sku}`,
  );
  return v;
}

async function entries(db: Db): Promise<string[]> {
  const rows = await execRows<{ q: string }>(db, sql`select trim_scale(qty)::text as q from stocktake_entries order by id`);
  return rows.map((r) => r.q);
}

describeDb('盘点 in chat: batches nobody counted, 全盘, corrections', (t) => {
  const h = useBotApp(t);

  /** 试剂 R001: batch A 10 @1.00, batch B 20 @1.30 (¥36.00, average 1.20); 手套 G001: 5 @0.30. */
  async function seed() {
    await seedReagentAndGloves(t.db);
  }

  it('counting only batch A = 8: posting changes A by −2 and leaves B at 20; 盘点 差异 lists B under 未盘批次', async () => {
    await seed();
    const start = await h.say('盘点 开始 @主仓库');
    expect(start).toMatch(/PD\d{8}-\d{4}/);
    expect(start).toContain('没录入的商品和批次不调整');
    const rec = await h.say('盘点 录入 R001 8 批次=A');
    expect(rec).toContain('累计实盘 8');
    expect(rec).toContain('没有录入的批次不调整（如已全部清点，请发「盘点 完成 R001」或「盘点 全盘」）');
    const diff = await h.say('盘点 差异');
    expect(diff).toContain('• 试剂（R001）批次 A 账面 10 实盘 8 → 盘亏 2（约 ¥2.40）');
    expect(diff).toContain('未盘批次：试剂（R001）批次 B 账面 20，不调整（如已全部清点，请发「盘点 完成 R001」或「盘点 全盘」）');
    expect(diff).toContain('未盘商品（不调整）：手套（G001）账面 5');
    expect(diff).not.toMatch(/批次 B[^\n]*盘亏/);
    expect(diff).toContain('盘亏合计 -¥2.40');
    const posted = await h.say('盘点 过账');
    expect(docNo(posted)).toMatch(/^PD/);
    expect(posted).not.toContain('批次 B');
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '20' });
    expect(await valuation(t.db, 'R001')).toEqual({ qty: '28', value: '3360' });
    expect(await batchQty(t.db, 'G001')).toEqual({ '': '5' });
    await expectClean(t.db);
  });

  it('盘点 完成 <商品> writes the uncounted batch B off to 0 (shown before posting); 撤销 takes it back', async () => {
    await seed();
    await h.say('盘点 开始');
    await h.say('盘点 录入 R001 8 批次=A');
    const done = await h.say('盘点 完成 R001');
    expect(done).toContain('「试剂」（R001）清点完成');
    expect(done).toContain('• 试剂（R001）批次 B 账面 20 → 0（约 ¥24.00）');
    const undo = await h.say('盘点完成 R001 撤销');
    expect(undo).toContain('已撤销');
    expect(await h.say('盘点 差异')).toContain('未盘批次：试剂（R001）批次 B 账面 20');
    await h.say('盘点 完成 R001');
    const diff = await h.say('盘点 差异');
    expect(diff).toContain('• 试剂（R001）批次 B 账面 20 未盘，按 0 计 → 盘亏 20（约 ¥24.00）');
    expect(diff).not.toContain('未盘批次');
    expect(diff).toContain('未盘商品（不调整）：手套（G001）账面 5');
    await h.say('盘点 过账');
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '0' });
    expect(await valuation(t.db, 'R001')).toEqual({ qty: '8', value: '960' });
    expect(await batchQty(t.db, 'G001')).toEqual({ '': '5' });
    await expectClean(t.db);
  });

  it('the 完成 flag on an entry declares the product complete in the same message', async () => {
    await seed();
    await h.say('盘点 开始');
    const rec = await h.say('盘点 录入 R001 8 批次=A 完成');
    expect(rec).toContain('「试剂」已声明清点完成：没有录入的批次过账时按 0 计。');
    await h.say('盘点 过账');
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '0' });
    await expectClean(t.db);
  });

  it('全盘 (as a command, or with the posting) writes off every uncounted batch and product of the count', async () => {
    await seed();
    await h.say('盘点 开始');
    await h.say('盘点 录入 R001 8 批次=A');
    const all = await h.say('全盘');
    expect(all).toContain('已声明全盘');
    expect(all).toContain('• 试剂（R001）批次 B 账面 20 → 0（约 ¥24.00）');
    expect(all).toContain('• 手套（G001）账面 5 → 0（约 ¥1.50）');
    const diff = await h.say('盘点 差异');
    expect(diff).toContain('全盘：未录入的按 0 计');
    expect(diff).toContain('• 手套（G001）账面 5 未盘，按 0 计 → 盘亏 5（约 ¥1.50）');
    expect(diff).not.toContain('未盘批次');
    expect(await h.say('盘点 全盘 撤销')).toContain('已撤销全盘');
    expect(await h.say('盘点 差异')).toContain('未盘批次：试剂（R001）批次 B 账面 20');
    // Declared with the posting instead.
    const posted = await h.say('盘点 过账 全盘');
    expect(docNo(posted)).toMatch(/^PD/);
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '0' });
    expect(await batchQty(t.db, 'G001')).toEqual({ '': '0' });
    expect(await valuation(t.db, 'G001')).toEqual({ qty: '0', value: '0' });
    await expectClean(t.db);
  });

  it('a batch number the books do not know is refused (a typo must not create stock) unless declared 新批次', async () => {
    await seed();
    await h.say('盘点 开始');
    const typo = await h.say('盘点 录入 R001 5 批次=AA');
    expect(typo).toContain('账上没有试剂（R001）的批次「AA」（本仓现有批次：A（10 个）、B（20 个））');
    expect(typo).toContain('盘点 录入 R001 5 批次=AA 新批次');
    expect(await entries(t.db)).toEqual([]);
    expect(await h.say('盘点 录入 R001 5 批次=C 新批次')).toContain('累计实盘 5');
    // Once counted, the new batch takes further entries without the flag.
    expect(await h.say('盘点 录入 R001 1 批次=C')).toContain('累计实盘 6');
    const posted = await h.say('盘点 过账');
    expect(posted).toMatch(/PD\d{8}-\d{4}/);
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '10', B: '20', C: '6' });
    await expectClean(t.db);
  });

  it('corrections: 设为 / = set the total, 减 subtracts; a bare minus and below 0 are refused and nothing is written', async () => {
    await seed();
    await h.say('盘点 开始');
    expect(await h.say('盘点 录入 R001 10 批次=A')).toContain('累计实盘 10');
    const sub = await h.say('盘点 录入 R001 减 3 批次=A');
    expect(sub).toContain('已更正');
    expect(sub).toContain('减 3（原累计 10，记一笔 -3），累计实盘 7');
    // A minus sign is not 减: a negative count is refused with the way to write a correction.
    const n0 = (await entries(t.db)).length;
    expect(await h.say('盘点 录入 R001 -1 批次=A')).toContain('不能是负数。要把录多了的减掉，请写：盘点 录入 <商品> 减 2');
    expect((await entries(t.db)).length).toBe(n0);
    expect(await h.say('盘点 录入 R001 减1 批次=A')).toContain('累计实盘 6');
    expect(await h.say('盘点 录入 R001 设为 9 批次=A')).toContain('设为 9（原累计 6，记一笔 +3），累计实盘 9');
    expect(await h.say('盘点 录入 R001 =8 批次=A')).toContain('累计实盘 8');
    expect(await h.say('盘点 录入 R001 = 8 批次=A')).toContain('记一笔 +0），累计实盘 8');
    const before = await entries(t.db);
    expect(before).toEqual(['10', '-3', '-1', '3', '-1', '0']);
    const refused = await h.say('盘点 录入 R001 减 9 批次=A');
    expect(refused).toContain('累计实盘 8');
    expect(refused).toContain('不能减 9');
    expect(refused).toContain('设为');
    expect(await h.say('盘点 录入 R001 减2 批次=Z')).toContain('账上没有试剂（R001）的批次「Z」');
    expect(await h.say('盘点 录入 R001 减 -2 批次=A')).toContain('不能是负数');
    expect(await h.say('盘点 录入 R001 减 1.5 批次=A')).toMatch(/整数|小数/);
    expect(await entries(t.db)).toEqual(before);
    expect(await execRows(t.db, sql`select 1 from batches where batch_no = 'Z'`)).toEqual([]);
    // The product total never goes negative per batch; the posting follows the corrected total.
    await h.say('盘点 录入 R001 20 批次=B');
    const posted = await h.say('盘点 过账');
    expect(docNo(posted)).toMatch(/^PD/);
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '20' });
    expect(await valuation(t.db, 'R001')).toEqual({ qty: '28', value: '3360' });
    await expectClean(t.db);
  });

  it('bad words around a correction are refused with the way to write it', async () => {
    await seed();
    await h.say('盘点 开始');
    expect(await h.say('盘点 完成')).toContain('盘点 全盘');
    expect(await h.say('盘点 全盘 R001')).toContain('盘点 完成 <商品>');
    expect(await h.say('盘点 录入 R001 设为 批次=A')).toContain('缺少实盘数量');
    expect(await entries(t.db)).toEqual([]);
    await expectClean(t.db);
  });
});

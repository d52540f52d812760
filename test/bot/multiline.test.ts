/**
 * Multi-line chat entry (issue 10, settled): lines separated by a new line or ；/; make ONE
 * document with several lines; a comma between digits belongs to the number; @仓库, 备注= and
 * 确认 may be written on any line, per-line options stay on their line; a refusal names the
 * line and writes nothing. Through the real path (signed event → app → database → reply).
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { argsByLine, LINE_BREAK, messageLines, splitArgLines } from '../../bot/parse/lines.js';

it('messageLines / argsByLine / splitArgLines keep the line structure and numbers whole', () => {
  expect(messageLines('入库 螺丝 100 0.35；垫片 200 0.1 @主仓库')).toEqual(['入库 螺丝 100 0.35', '垫片 200 0.1 @主仓库']);
  expect(messageLines('出库\n螺丝 10\r\n\n垫片 20;')).toEqual(['出库', '螺丝 10', '垫片 20']);
  expect(argsByLine('出库\n螺丝 1,000\n垫片 20', 1)).toEqual(['螺丝', '1,000', LINE_BREAK, '垫片', '20']);
  expect(argsByLine('出库 @主仓库\n螺丝 10', 1)).toEqual(['@主仓库', LINE_BREAK, '螺丝', '10']);
  expect(argsByLine('盘点 录入\nA 1', 3)).toBeNull();
  expect(splitArgLines(['a', '1', LINE_BREAK, 'b', '2'])).toEqual([['a', '1'], ['b', '2']]);
  expect(splitArgLines(['a', '1'])).toEqual([['a', '1']]);
  // A remark runs to the end of its line with its semicolons (备注=订单 PO-7; 含税).
  expect(messageLines('出库 螺丝 10 备注=订单=PO-7; 含税')).toEqual(['出库 螺丝 10 备注=订单=PO-7; 含税']);
  expect(messageLines('出库 螺丝 10；垫片 20 备注=客户=比亚迪; 王工')).toEqual(['出库 螺丝 10', '垫片 20 备注=客户=比亚迪; 王工']);
  expect(messageLines('出库\n螺丝 10\n备注=急; 含税')).toEqual(['出库', '螺丝 10', '备注=急; 含税']);
});

describeDb('multi-line chat entry', (t) => {
  const h = useBotApp(t);

  const docs = async () =>
    execRows<{ doc_no: string; n: number; wh: string; remark: string | null }>(
      t.db,
      sql`select d.doc_no, (select count(distinct line_no) from stock_moves m where m.document_id = d.id)::int as n, w.name as wh, d.remark
          from documents d join warehouses w on w.id = d.warehouse_id order by d.id`,
    );
  const onHand = async (sku: string, wh: string) =>
    (
      await execRows<{ q: string }>(
        t.db,
        sql`select coalesce(sum(b.qty), 0)::int::text as q from stock_balances b join products p on p.id = b.product_id join warehouses w on w.id = b.warehouse_id
            where p.sku = ${sku} and w.name = ${wh}`,
      )
    )[0].q;

  async function seed() {
    await h.say('仓库 新增 主仓库');
    await h.say('仓库 新增 二号仓');
    await h.say('商品 新增 S1 螺丝');
    await h.say('商品 新增 W1 垫片');
    await h.say('商品 新增 DP-20 杜邦线 20cm');
  }

  it('入库 with ；and a warehouse on the last line: one receipt, two lines, each its own price', async () => {
    await seed();
    const r = await h.say('入库 螺丝 100 0.35；垫片 200 0.1 @二号仓');
    expect(r).toContain('螺丝（S1）采购入库 +100 个 @二号仓');
    expect(r).toContain('单价 ¥0.35/个，金额 ¥35.00');
    expect(r).toContain('垫片（W1）采购入库 +200 个 @二号仓');
    expect(r).toContain('单价 ¥0.10/个，金额 ¥20.00');
    expect(r).toContain('合计金额：¥55.00');
    const d = await docs();
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ n: 2, wh: '二号仓' });
  });

  it('出库 on its own line, one product a line; 1,000 is one number; 备注 and @仓库 on any line', async () => {
    await seed();
    await h.say('入库 螺丝 2,000 0.1\n垫片 500 0.1\n杜邦线 20cm 50 0.3');
    const r = await h.say('出库\n螺丝 1,000\n垫片 20 备注=客户张三\n杜邦线 20cm 5');
    expect(r).toContain('螺丝（S1）销售出库 -1000 个');
    expect(r).toContain('垫片（W1）销售出库 -20 个');
    expect(r).toContain('杜邦线 20cm（DP-20）销售出库 -5 个');
    const d = await docs();
    expect(d).toHaveLength(2);
    expect(d[1]).toMatchObject({ n: 3, wh: '主仓库', remark: '客户张三' });
    expect(await onHand('S1', '主仓库')).toBe('1000');
    // The head line may carry the document's options; ; (ASCII) separates too.
    expect(await h.say('出库 @主仓库 确认;螺丝 10;垫片 10')).toContain('已出库');
    expect(await h.say('调拨 @主仓库 @二号仓\n螺丝 5\n垫片 5')).toContain('已调拨');
    expect(await onHand('S1', '二号仓')).toBe('5');
    expect(await onHand('W1', '二号仓')).toBe('5');
  });

  it('an unusual multi-line entry is not posted; the example to send again with 确认 holds every line, and posts them all', async () => {
    await seed();
    await h.say('入库 螺丝 100 0.35 @主仓库');
    // 螺丝 at ¥3.5 is ten times its average: the entry waits for a confirmation.
    const r = await h.say('入库 螺丝 10 3.5；垫片 20 0.1 @主仓库');
    expect(r).toContain('还没有记账');
    const again = r.match(/例如：(.+?)；否则/)![1];
    expect(again).toBe('入库 螺丝 10 3.5；垫片 20 0.1 @主仓库 确认');
    // The card lists every line, not only the first.
    expect(r).toContain('**入库**：2 行');
    expect(r).toContain('1. 螺丝（S1） × 10，单价 ¥3.5（按数量所写单位）');
    expect(r).toContain('2. 垫片 × 20，单价 ¥0.1（按数量所写单位）');
    expect(await docs()).toHaveLength(1);
    const posted = await h.say(again);
    expect(posted).toContain('螺丝（S1）采购入库 +10 个 @主仓库');
    expect(posted).toContain('垫片（W1）采购入库 +20 个 @主仓库');
    expect((await docs())[1]).toMatchObject({ n: 2, wh: '主仓库' });
  });

  it('a remark keeps its semicolons: the entry is not split inside 备注=', async () => {
    await seed();
    await h.say('入库 螺丝 100 0.35；垫片 200 0.1');
    const r = await h.say('出库 螺丝 10；垫片 20 备注=客户=比亚迪; 王工');
    expect(r).toContain('备注：客户=比亚迪; 王工');
    const d = await docs();
    expect(d[1]).toMatchObject({ n: 2, remark: '客户=比亚迪; 王工' });
  });

  it('a refusal names the line and nothing is written', async () => {
    await seed();
    await h.say('入库 螺丝 100 0.1；垫片 10 0.1');
    const before = (await docs()).length;
    // Words the parser cannot read.
    expect(await h.say('出库\n螺丝 10\n垫片')).toContain('格式不对：第 2 行：缺少数量');
    // The service's refusals too: stock, unknown product.
    const short = await h.say('出库\n螺丝 10\n垫片 99');
    expect(short).toContain('第 2 行');
    expect(short).toContain('库存不足');
    expect(await h.say('出库 螺丝 10；没有这个 1')).toContain('第 2 行：找不到商品「没有这个」');
    // Per-line options on a line without a product; two warehouses; two remarks.
    expect(await h.say('入库 金额=5\n螺丝 10')).toContain('要写在它所属的商品那一行');
    expect(await h.say('出库 螺丝 1 @主仓库；垫片 1 @二号仓')).toContain('只能指定一个仓库');
    expect(await h.say('出库 螺丝 1 备注=a；垫片 1 备注=b')).toContain('写了两次');
    expect((await docs()).length).toBe(before);
    expect(await onHand('S1', '主仓库')).toBe('100');
  });

  it('one-line commands read as before; other commands still read ；as a space', async () => {
    await seed();
    expect(await h.say('入库 螺丝 100 0.35 @主仓库')).toContain('+100 个');
    expect(await h.say('库存 螺丝；@主仓库')).toContain('螺丝');
  });
});

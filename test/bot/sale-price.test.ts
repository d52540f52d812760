/**
 * A selling price on 出库 … 售价=… (issue 10 item 5): per line, yuan by THE price rule (per the
 * unit written, or per a named unit), stored on the moves (stock_moves.sale_price fen per base
 * unit, sale_amount_fen whole fen, the line's parts adding up exactly), only on sales issues
 * (领用 refuses it, nothing written), shown in the reply (销售金额; 毛利 only with cost.view)
 * and in the REST result. Without 售价 nothing is recorded.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { useApi } from '../api/helpers.js';
import { createProduct, createWarehouse, postReceipt } from '../../src/inventory/index.js';
import { postIssue } from '../../src/inventory/posting.js';
import { admin, clerk, expectDomain, key } from '../inventory/helpers.js';
import { button, chat, optionValue, submit, tap, textOf, title } from '../cards/helpers.js';

const saleMoves = (db: Parameters<typeof execRows>[0]) =>
  execRows<{ line_no: number; qty: string; sale_price: string | null; sale_amount_fen: string | null }>(
    db,
    sql`select m.line_no, m.qty::int::text as qty, trim_scale(m.sale_price)::text as sale_price, m.sale_amount_fen::text as sale_amount_fen
        from stock_moves m join documents d on d.id = m.document_id where d.kind in ('sales_issue', 'internal_issue') order by m.id`,
  );

describeDb('selling price on 出库 (chat)', (t) => {
  const h = useBotApp(t);

  async function seed() {
    await h.say('仓库 新增 主仓库');
    await h.say('商品 新增 A001 螺丝 包装=盒:100');
    await h.say('入库 A001 10盒 50');
  }

  it('售价 per the unit written (2盒 售价=90) or named (售价=1/个): stored per base unit with the line amount; 毛利 for cost.view', async () => {
    await seed();
    const r = await h.say('出库 A001 2盒 售价=90');
    expect(r).toContain('售价 ¥90.00/盒（¥0.90/个），销售金额 ¥180.00，毛利 ¥80.00');
    expect(r).toContain('销售金额 ¥180.00，毛利 ¥80.00（毛利率 44.44%）');
    const doc = await h.say(`单据 ${r.match(/CK\d{8}-\d{4}/)![0]}`);
    // 单据 answers with the document card: the sale in its head (the text fallback has it per line too).
    expect(doc).toContain('**销售金额**：¥180.00，毛利 ¥80.00（毛利率 44.44%）');
    const r2 = await h.say('出库 A001 150 售价=1.2/个');
    expect(r2).toContain('售价 ¥1.20/个，销售金额 ¥180.00');
    expect(await saleMoves(t.db)).toEqual([
      { line_no: 1, qty: '-200', sale_price: '90', sale_amount_fen: '18000' },
      { line_no: 1, qty: '-150', sale_price: '120', sale_amount_fen: '18000' },
    ]);
  });

  it('红冲 of a sale takes its sales amount back: the reversal moves carry the amount negated, the two documents net to zero', async () => {
    await seed();
    const r = await h.say('出库 A001 2盒 售价=90');
    const docNo = r.match(/CK\d{8}-\d{4}/)![0];
    // Sold 200 at ¥0.90 (¥180.00) whose cost was ¥100.00: profit ¥80.00; the 红冲 shows −¥80.00, not −(180 + 100).
    expect(r).toContain('销售金额 ¥180.00，毛利 ¥80.00');
    const reversed = await h.say(`红冲 ${docNo}`);
    expect(reversed).toContain('已红冲');
    expect(reversed).toContain('销售金额 -¥180.00，毛利 -¥80.00');
    expect(reversed).not.toContain('-¥280.00');
    const rows = await execRows<{ kind: string; sale_price: string | null; sale_amount_fen: string | null }>(
      t.db,
      sql`select m.kind, trim_scale(m.sale_price)::text as sale_price, m.sale_amount_fen::text as sale_amount_fen
          from stock_moves m where m.sale_amount_fen is not null order by m.id`,
    );
    expect(rows).toEqual([
      { kind: 'sales_issue', sale_price: '90', sale_amount_fen: '18000' },
      { kind: 'reversal', sale_price: '90', sale_amount_fen: '-18000' },
    ]);
  });

  it('a salesperson sees the sale but no cost and no profit', async () => {
    await seed();
    await h.say('用户 授权 ou_sales 销售');
    const r = await h.say('出库 A001 1盒 售价=60', { openId: 'ou_sales' });
    expect(r).toContain('售价 ¥60.00/盒（¥0.60/个），销售金额 ¥60.00');
    expect(r).not.toMatch(/毛利|成本|合计金额|undefined/);
    const doc = await h.say(`单据 ${r.match(/CK\d{8}-\d{4}/)![0]}`, { openId: 'ou_sales' });
    expect(doc).toContain('**销售金额**：¥60.00');
    expect(doc).not.toMatch(/毛利|undefined/);
  });

  it('several lines each with their price; a line without 售价 records none', async () => {
    await seed();
    const r = await h.say('出库\nA001 1盒 售价=70\nA001 50');
    expect(r).toContain('销售金额 ¥70.00');
    expect(await saleMoves(t.db)).toEqual([
      { line_no: 1, qty: '-100', sale_price: '70', sale_amount_fen: '7000' },
      { line_no: 2, qty: '-50', sale_price: null, sale_amount_fen: null },
    ]);
  });

  it('the 出库 card has an optional 售价 field: stored like chat; 领用 on the card refuses it', async () => {
    await seed();
    const open = async () => {
      const m = await chat(h, '菜单');
      const r = await tap(h, m.reply.message_id, button(m.card!, '出库'));
      return { messageId: m.reply.message_id, card: r.now };
    };
    const f = await open();
    const product = optionValue(f.card, 'product', 'A001');
    const ok = await tap(h, f.messageId, submit(f.card), { form: { product, qty: '1盒', sale_price: '80' } });
    expect(title(ok.now)).toMatch(/出库成功/);
    expect(textOf(ok.now)).toContain('**销售金额**：¥80.00，毛利 ¥30.00（毛利率 37.50%）');
    const f2 = await open();
    const no = await tap(h, f2.messageId, submit(f2.card), { form: { kind: 'internal_issue', product, qty: '1', sale_price: '1' } });
    expect(JSON.stringify(no.toast ?? '') + textOf(no.now)).toContain('没有售价');
    expect(await saleMoves(t.db)).toEqual([{ line_no: 1, qty: '-100', sale_price: '80', sale_amount_fen: '8000' }]);
  });

  it('领用 refuses a selling price; a bad price names 售价; nothing is written', async () => {
    await seed();
    expect(await h.say('领用 A001 1 售价=2')).toContain('领用出库是内部领用，没有售价');
    expect(await h.say('出库 A001 1 领用 售价=2')).toContain('没有售价');
    expect(await h.say('出库 A001 1 售价=abc')).toContain('售价');
    expect(await h.say('出库 A001 1盒20个 售价=2')).toContain('请在售价后写明单位');
    expect(await h.say('出库 A001 1 售价=2/箱')).toContain('售价「2/箱」的单位「箱」不是「螺丝」的单位');
    expect(await saleMoves(t.db)).toEqual([]);
  });
});

describeDb('selling price (service and REST)', (t) => {
  const api = useApi(t);

  it('a line picked from two batches: its sale amount is split by quantity and adds up exactly', async () => {
    const p = await createProduct(t.db, admin, { sku: 'G1', name: '手套', batchTracked: true });
    const wh = await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await postReceipt(t.db, clerk, { warehouse: wh.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 1, unitCostFen: 100, batchNo: 'B1' }] });
    await postReceipt(t.db, clerk, { warehouse: wh.id, idempotencyKey: key(), lines: [{ product: p.id, qty: 2, unitCostFen: 100, batchNo: 'B2' }] });
    const r = await postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: 'G1', qty: 3, salePrice: '3.333333' }] });
    const parts = r.lines.map((l) => l.saleAmountFen);
    expect(parts).toEqual(['333', '667']);
    expect(r.lines.every((l) => l.salePrice === '333.3333')).toBe(true);
    await expectDomain(postIssue(t.db, clerk, { kind: 'internal_issue', idempotencyKey: key(), lines: [{ product: 'G1', qty: 1, salePrice: '1' }] }), 'invalid_input');
  });

  it('REST: salePrice in, salePrice and saleAmountFen out (and in the document read back); transfers refuse it', async () => {
    const secret = (await api.token('erp', ['inventory:write', 'inventory:read'])).secret!;
    const p = await createProduct(t.db, admin, { sku: 'A001', name: '螺丝', packUnit: '盒', packFactor: 100 });
    await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await postReceipt(t.db, clerk, { idempotencyKey: key(), lines: [{ product: p.id, qty: 500, unitCostFen: 1 }] });
    const r = await api.call('POST', '/api/v1/issues', { token: secret, key: key(), body: { lines: [{ product: 'A001', qty: '2盒', salePrice: '90' }] } });
    expect(r.status).toBe(201);
    expect(r.body.lines[0]).toMatchObject({ salePrice: '90', saleAmountFen: '18000', valueFen: '-200' });
    const doc = await api.call('GET', `/api/v1/documents/${r.body.document.docNo}`, { token: secret });
    expect(doc.status).toBe(200);
    expect(doc.body.lines[0]).toMatchObject({ salePrice: '90', saleAmountFen: '18000' });
    const plain = await api.call('POST', '/api/v1/issues', { token: secret, key: key(), body: { lines: [{ product: 'A001', qty: '1' }] } });
    expect(plain.body.lines[0].salePrice).toBeUndefined();
    const bad = await api.call('POST', '/api/v1/transfers', { token: secret, key: key(), body: { to: '主仓库', lines: [{ product: 'A001', qty: '1', salePrice: '1' }] } });
    expect(bad.status).toBe(422);
  });
});

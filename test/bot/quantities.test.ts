/**
 * Issue 8, classes 3, 4, 5, 6 and 10, through the real paths (signed chat message → app →
 * database → reply; card taps the same way):
 *  3. one price rule, visible: a price is per the unit the quantity was written in; every
 *     posting reply echoes quantity, unit price (per base and per pack), amount and total;
 *     unusual entries ask in chat too (not posted; the confirmation card; 确认 posts).
 *  4. unit prices with up to 6 decimals (进价=0.002; 1000 @0.002 = ¥2.00).
 *  5. a quantity is read as written (出库 X 3 盒 = 3 盒, never 3 个 + remark "盒").
 *  6. every alias and kind word posts the kind it names (领用 → LY).
 * 10. unit precision (1.5 个 refused in chat, cards and services; pack entry keeps working).
 */
import { afterEach, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { configureCards, DEFAULT_CARD_SETTINGS } from '../../bot/cards/index.js';
import { postIssue, postReceipt } from '../../src/inventory/posting.js';
import { DomainError } from '../../src/errors.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { button, buttons, chat, checkAllCards, count, one, optionValue, submit, tap, textOf, title, type J } from '../cards/helpers.js';

const docNo = (reply: string) => reply.match(/[A-Z]{2}\d{8}-\d{4}/)?.[0];

describeDb('issue 8: prices, quantities, aliases, unit precision', (t) => {
  const h = useBotApp(t);
  afterEach(() => {
    checkAllCards(h);
    configureCards(h.deps, DEFAULT_CARD_SETTINGS);
  });

  async function setup() {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 A001 螺丝 包装=箱:24')).toContain('已新增');
    expect(await h.say('商品 新增 B001 螺丝M3 包装=盒:100')).toContain('已新增');
  }
  const docs = () => count(t.db, 'documents');
  const lastMove = () =>
    one<{ qty: string; entered_qty: string | null; entered_unit_price: string | null; value_fen: string; remark: string | null; kind: string }>(
      t.db,
      sql`select trim_scale(m.qty)::text as qty, m.entered_qty, trim_scale(m.entered_unit_price)::text as entered_unit_price, m.value_fen::text as value_fen, d.remark, d.kind
          from stock_moves m join documents d on d.id = m.document_id order by m.id desc limit 1`,
    );

  async function openForm(label: string): Promise<{ messageId: string; card: J }> {
    const m = await chat(h, '菜单');
    const r = await tap(h, m.reply.message_id, button(m.card!, label));
    return { messageId: m.reply.message_id, card: r.now };
  }

  // ── class 3: one price rule, visible ──

  it('chat 入库: the price is per the written unit (2箱 6.5 = ¥13.00), the reply echoes quantity, prices, amount, total', async () => {
    await setup();
    const r = await h.say('入库 A001 2箱 6.5');
    expect(r).toMatch(/已入库 RK\d{8}-0001/);
    expect(r).toContain('+48 个（2 箱）');
    expect(r).toContain('单价 ¥0.270833/个（¥6.50/箱），金额 ¥13.00');
    expect(r).toContain('合计金额：¥13.00');
    expect(await lastMove()).toMatchObject({ qty: '48', entered_qty: '2箱', entered_unit_price: '27.083333', value_fen: '1300' });
    // Per base unit: 48 × ¥0.27 = ¥12.96.
    const r2 = await h.say('入库 A001 48 0.27');
    expect(r2).toContain('单价 ¥0.27/个，金额 ¥12.96');
    expect((await lastMove()).value_fen).toBe('1296');
    // A unit on the price wins: 48 个 at ¥6.5 per 箱 = 2 箱 × 6.5.
    expect(await h.say('入库 A001 48 6.5/箱')).toContain('金额 ¥13.00');
    expect(await h.say('入库 A001 1箱 0.27/个')).toContain('金额 ¥6.48');
  });

  it('chat 入库: a compound quantity with a bare price is refused with how to write it; a price unit or 金额= works', async () => {
    await setup();
    const r = await h.say('入库 A001 2箱3个 6.5');
    expect(r).toMatch(/写了两个单位/);
    expect(r).toContain('6.5/箱');
    expect(r).toContain('金额=');
    expect(await docs()).toBe(0);
    // 2箱3个 = 51 个 = 2.125 箱 × ¥6.5 = ¥13.8125 → ¥13.81 (round half up to the fen).
    expect(await h.say('入库 A001 2箱3个 6.5/箱')).toContain('金额 ¥13.81');
    expect(await h.say('入库 A001 2箱3个 金额=15.6')).toContain('金额 ¥15.60');
    // A price unit that is not the product's names its units.
    expect(await h.say('入库 A001 2箱 6.5/盒')).toMatch(/单位「盒」不是「螺丝」的单位.*1 箱 = 24 个/);
  });

  it('card 入库: the same rule (2箱 + 单价 6.5 = ¥13.00; 6.5/箱 on 48) and the same echo on the summary card', async () => {
    await setup();
    const f = await openForm('入库');
    expect(JSON.stringify(f.card)).toContain('单价（元，按数量所写单位；可写 6.5/箱）');
    const product = optionValue(f.card, 'product', 'A001');
    const r = await tap(h, f.messageId, submit(f.card), { form: { product, qty: '2箱', unit_price: '6.5' } });
    expect(r.toast?.type).toBe('success');
    expect(textOf(r.now)).toContain('¥0.270833/个（¥6.50/箱）');
    expect(textOf(r.now)).toContain('合计金额**：¥13.00');
    expect((await lastMove()).value_fen).toBe('1300');
    const f2 = await openForm('入库');
    await tap(h, f2.messageId, submit(f2.card), { form: { product, qty: '48', unit_price: '6.5/箱' } });
    expect((await lastMove()).value_fen).toBe('1300');
    const f3 = await openForm('入库');
    const bad = await tap(h, f3.messageId, submit(f3.card), { form: { product, qty: '2箱3个', unit_price: '6.5' } });
    expect(bad.toast?.type).toBe('error');
    expect(bad.toast?.content).toMatch(/写了两个单位/);
    expect(await docs()).toBe(2);
  });

  it('chat 出库 / 调拨 echo the cost per base unit, the amount and the total', async () => {
    await setup();
    await h.say('入库 A001 4箱 6.5');
    const r = await h.say('出库 A001 1箱');
    expect(r).toContain('-24 个（-1 箱）');
    expect(r).toContain('成本单价 ¥0.270833/个（¥6.50/箱），金额 ¥6.50');
    expect(r).toContain('合计金额：¥6.50');
    await h.say('仓库 新增 二号仓');
    const tr = await h.say('调拨 A001 1箱 @主仓库 @二号仓');
    expect(tr).toContain('合计金额：¥6.50');
  });

  it('chat: an unusual entry is NOT posted; the reply is the confirmation card (确认 posts once), and 确认 in the command posts directly', async () => {
    await setup();
    for (let i = 0; i < 2; i++) expect(await h.say('入库 B001 10 1')).toContain('已入库');
    const before = await docs();
    // 500 > 10 × the typical 10.
    const ask = await chat(h, '入库 B001 500 1');
    expect(title(ask.card!)).toBe('请确认：这笔数据不太寻常');
    expect(textOf(ask.card!)).toMatch(/数量 500 个（5 盒） 超过这个商品平时单次数量（约 10 个）的 10 倍/);
    expect(textOf(ask.card!)).toContain('入库 B001 500 1 确认');
    expect(buttons(ask.card!).map((b) => b.text)).toEqual(['确认', '取消']);
    expect(await docs()).toBe(before);
    const yes = await tap(h, ask.reply.message_id, button(ask.card!, '确认'));
    expect(yes.toast?.type).toBe('success');
    expect(title(yes.now)).toMatch(/采购入库成功 · RK/);
    expect(textOf(yes.now)).toContain('合计金额**：¥500.00');
    await tap(h, ask.reply.message_id, button(ask.card!, '确认'));
    expect(await docs()).toBe(before + 1);
    // The same message again (a redelivery) posts nothing more: the key is the message's.
    // 确认 in the command: posted at once, no question.
    expect(await h.say('入库 B001 5000 1 确认')).toMatch(/已入库 RK/);
    expect(await docs()).toBe(before + 2);
    // A price 50 % off the average asks too.
    const price = await chat(h, '入库 B001 10 5');
    expect(textOf(price.card!)).toMatch(/单价 ¥5\.00\/个 与平均成本 ¥1\.00\/个 相差 400%/);
    expect(await docs()).toBe(before + 2);
    // 出库: the lead's example.
    for (let i = 0; i < 2; i++) expect(await h.say('出库 B001 1')).toContain('已出库');
    const out = await chat(h, '出库 B001 50');
    expect(title(out.card!)).toBe('请确认：这笔数据不太寻常');
    expect(textOf(out.card!)).toContain('出库 B001 50 确认');
    expect(await docs()).toBe(before + 4);
    expect(await h.say('出库 B001 50 确认')).toMatch(/已出库 CK/);
    expect(await docs()).toBe(before + 5);
    // The card from the first try no longer posts: the command with 确认 settled it (no double post).
    const late = await tap(h, out.reply.message_id, button(out.card!, '确认'));
    expect(late.toast?.type).toBe('info');
    expect(textOf(late.now)).toMatch(/已用命令「…确认」记账：CK\d{8}-\d{4}/);
    expect(await docs()).toBe(before + 5);
  });

  it('an unusual entry with 金额=… waits for 确认 like any other (the pending amount, fen in a bigint, survives the card key)', async () => {
    await setup();
    for (let i = 0; i < 2; i++) expect(await h.say('入库 B001 10 1')).toContain('已入库');
    const before = await docs();
    // ¥13 for 2 盒 = 200 个 → ¥0.065/个, far below the average ¥1: asks, and tapping 确认 posts ¥13.00.
    const ask = await chat(h, '入库 B001 2盒 金额=13');
    expect(title(ask.card!)).toBe('请确认：这笔数据不太寻常');
    expect(await docs()).toBe(before);
    const yes = await tap(h, ask.reply.message_id, button(ask.card!, '确认'));
    expect(yes.toast?.type).toBe('success');
    expect(textOf(yes.now)).toContain('合计金额**：¥13.00');
    expect(await docs()).toBe(before + 1);
    expect((await lastMove()).value_fen).toBe('1300');
  });

  // ── class 4: unit prices with up to 6 decimals ──

  it('进价=0.002 is accepted and shown as ¥0.002; 1000 个 @0.002 = ¥2.00 in chat, from the purchase price and on the card', async () => {
    await setup();
    const r = await h.say('商品 新增 R001 贴片电阻 进价=0.002 售价=0.0055 包装=盘:5000');
    expect(r).toContain('进价 ¥0.002/个');
    expect(r).toContain('售价 ¥0.0055/个');
    const p = await one<{ pp: string; sp: string }>(t.db, sql`select trim_scale(purchase_price_fen)::text as pp, trim_scale(sale_price_fen)::text as sp from products where sku = 'R001'`);
    expect(p).toEqual({ pp: '0.2', sp: '0.55' });
    expect(await h.say('入库 R001 1000 0.002')).toContain('单价 ¥0.002/个，金额 ¥2.00');
    expect((await lastMove()).value_fen).toBe('200');
    // No price typed: the purchase price, per base unit.
    expect(await h.say('入库 R001 1000')).toContain('金额 ¥2.00');
    // Per pack: 1 盘 at ¥9.5 → ¥0.0019/个.
    expect(await h.say('入库 R001 1盘 9.5')).toContain('单价 ¥0.0019/个（¥9.50/盘），金额 ¥9.50');
    // 7 decimals: refused, nothing written.
    const n = await docs();
    expect(await h.say('入库 R001 1000 0.0000001')).toMatch(/单价.*(小数位太多|格式不对)/);
    expect(await h.say('商品 修改 R001 进价=0.0000001')).toMatch(/进价.*格式不对/);
    expect(await docs()).toBe(n);
    const f = await openForm('入库');
    const c = await tap(h, f.messageId, submit(f.card), { form: { product: optionValue(f.card, 'product', 'R001'), qty: '1000', unit_price: '0.002' } });
    expect(textOf(c.now)).toContain('合计金额**：¥2.00');
    // The product form takes 6 decimals too.
    const pf = await openForm('新建商品');
    const made = await tap(h, pf.messageId, submit(pf.card), { form: { name: '电容', sku: 'C001', purchase_price: '0.0035', base_unit: '个', batch_tracked: 'no' } });
    expect(made.toast?.type).toBe('success');
    expect(textOf(made.now)).toContain('¥0.0035/个');
  });

  // ── class 5: a quantity is read as written ──

  it('出库 X 3 盒 issues 3 盒 (300 个), with or without a space; a unit- or number-looking word never becomes a remark', async () => {
    await setup();
    await h.say('入库 B001 20盒 1');
    const r = await h.say('出库 B001 3 盒');
    expect(r).toContain('-300 个（-3 盒）');
    expect(await lastMove()).toMatchObject({ qty: '-300', entered_qty: '3盒', remark: null });
    expect(await h.say('出库 B001 3盒 客户张三')).toContain('-300 个');
    expect((await lastMove()).remark).toBe('客户张三');
    expect(await h.say('出库 B001 1 盒 2 个')).toContain('-102 个（-(1 盒 2 个)）');
    expect(await h.say('领用 B001 2 盒 维修用')).toContain('-200 个（-2 盒）');
    const n = await docs();
    // A number after the quantity: refused, showing what was understood.
    expect(await h.say('出库 B001 3 5')).toMatch(/我理解为：商品 B001，数量 3；「5」看不懂/);
    // A unit the product does not have: its units are listed.
    expect(await h.say('出库 B001 3 箱')).toMatch(/单位「箱」不认识.*个（1 盒 = 100 个）/);
    expect(await h.say('出库 B001 3 kg')).toMatch(/单位「kg」不认识/);
    expect(await h.say('调拨 B001 3 瓶 @主仓库')).toMatch(/单位「瓶」不认识/);
    expect(await h.say('入库 B001 3 箱 6.5')).toMatch(/单位「箱」不认识/);
    expect(await docs()).toBe(n);
    // 入库 and 调拨 read "3 盒" the same way.
    expect(await h.say('入库 B001 3 盒 1')).toContain('+300 个（3 盒）');
    await h.say('仓库 新增 二号仓');
    expect(await h.say('调拨 B001 1 盒 @主仓库 @二号仓')).toContain('100 个（1 盒）');
  });

  it('card 出库: the quantity field reads "3 盒" as 3 盒', async () => {
    await setup();
    await h.say('入库 B001 20盒 1');
    const f = await openForm('出库');
    const r = await tap(h, f.messageId, submit(f.card), { form: { kind: 'sales_issue', product: optionValue(f.card, 'product', 'B001'), qty: '3 盒' } });
    expect(r.toast?.type).toBe('success');
    expect((await lastMove()).qty).toBe('-300');
  });

  // ── class 6: aliases map to the right kind ──

  it('every alias and kind word posts the kind it names (table)', async () => {
    await setup();
    await h.say('仓库 新增 二号仓');
    await h.say('入库 A001 100 1');
    const table: [string, string, string][] = [
      ['入库 A001 10', 'RK', 'purchase_receipt'],
      ['收货 A001 10', 'RK', 'purchase_receipt'],
      ['进货 A001 10', 'RK', 'purchase_receipt'],
      ['采购入库 A001 10', 'RK', 'purchase_receipt'],
      ['in A001 10', 'RK', 'purchase_receipt'],
      ['receive A001 10', 'RK', 'purchase_receipt'],
      ['入库 A001 10 生产', 'SC', 'production_receipt'],
      ['生产 A001 10', 'SC', 'production_receipt'],
      ['生产入库 A001 10', 'SC', 'production_receipt'],
      ['production A001 10', 'SC', 'production_receipt'],
      ['入库 A001 10 期初', 'QC', 'opening'],
      ['期初 A001 10', 'QC', 'opening'],
      ['期初入库 A001 10', 'QC', 'opening'],
      ['出库 A001 1', 'CK', 'sales_issue'],
      ['发货 A001 1', 'CK', 'sales_issue'],
      ['销售出库 A001 1', 'CK', 'sales_issue'],
      ['out A001 1', 'CK', 'sales_issue'],
      ['ship A001 1', 'CK', 'sales_issue'],
      ['出库 A001 1 领用', 'LY', 'internal_issue'],
      ['领用 A001 1', 'LY', 'internal_issue'],
      ['领用出库 A001 1', 'LY', 'internal_issue'],
      ['领料 A001 1', 'LY', 'internal_issue'],
      ['内部领用 A001 1', 'LY', 'internal_issue'],
      ['调拨 A001 1 @主仓库 @二号仓', 'DB', 'transfer'],
      ['移库 A001 1 @主仓库 @二号仓', 'DB', 'transfer'],
      ['transfer A001 1 @主仓库 @二号仓', 'DB', 'transfer'],
    ];
    for (const [text, prefix, kind] of table) {
      const r = await h.say(text);
      const no = docNo(r);
      expect(no, `${text} → ${r}`).toMatch(new RegExp(`^${prefix}`));
      const d = await one<{ kind: string }>(t.db, sql`select kind from documents where doc_no = ${no!}`);
      expect(d.kind, text).toBe(kind);
    }
    // A kind word that contradicts the command is refused.
    expect(await h.say('生产入库 A001 10 期初')).toMatch(/不能再加「期初」/);
  });

  // ── class 10: unit precision ──

  it('出库 of a product counted in 个 refuses 1.5 in chat, cards and the service, writing nothing; pack entry and per-product decimals work', async () => {
    await setup();
    await h.say('入库 A001 10箱 1');
    await h.say('商品 新增 W01 电线 单位=米');
    await h.say('入库 W01 100 2');
    const n = await docs();
    const moves = await count(t.db, 'stock_moves');
    expect(await h.say('出库 A001 1.5')).toMatch(/「螺丝」按 个 计，数量必须是整数/);
    expect(await h.say('领用 A001 0.5')).toMatch(/数量必须是整数/);
    expect(await h.say('入库 A001 1.5 1')).toMatch(/数量必须是整数/);
    expect(await h.say('调拨 A001 1.5 @主仓库')).toMatch(/数量必须是整数|找不到仓库/);
    // 0.1 箱 = 2.4 个: not whole.
    expect(await h.say('出库 A001 0.1箱')).toMatch(/数量必须是整数.*0\.1箱 = 2\.4 个/);
    // Services: the fast path (id + plain number) and the general path refuse alike.
    const a = await one<{ id: number }>(t.db, sql`select id from products where sku = 'A001'`);
    await expect(postIssue(t.db, SYSTEM_ACTOR, { idempotencyKey: 'svc-1', lines: [{ product: a.id, qty: '1.5' }] })).rejects.toThrow(/数量必须是整数/);
    await expect(postIssue(t.db, SYSTEM_ACTOR, { idempotencyKey: 'svc-2', lines: [{ product: 'A001', qty: 1.5 }] })).rejects.toBeInstanceOf(DomainError);
    await expect(postReceipt(t.db, SYSTEM_ACTOR, { idempotencyKey: 'svc-3', lines: [{ product: a.id, qty: '1.5', unitCostFen: '1' }] })).rejects.toThrow(/数量必须是整数/);
    // Cards.
    const f = await openForm('出库');
    const c = await tap(h, f.messageId, submit(f.card), { form: { kind: 'sales_issue', product: optionValue(f.card, 'product', 'A001'), qty: '1.5' } });
    expect(c.toast?.type).toBe('error');
    expect(c.toast?.content).toMatch(/数量必须是整数/);
    expect(await docs()).toBe(n);
    expect(await count(t.db, 'stock_moves')).toBe(moves);
    // Pack entry that ends whole keeps working: 1.5 箱 = 36 个; 2箱3个.
    expect(await h.say('出库 A001 1.5箱')).toContain('-36 个（-(1 箱 12 个)）');
    expect(await h.say('出库 A001 2箱3个')).toContain('-51 个');
    // 米: up to 3 decimals.
    expect(await h.say('出库 W01 1.25')).toContain('-1.25 米');
    expect(await h.say('出库 W01 1.2345')).toMatch(/「电线」按 米 计，数量最多 3 位小数/);
    // Per product: 小数位=2 allows 1.5 个.
    expect(await h.say('商品 修改 A001 小数位=2')).toContain('数量小数位 2');
    expect(await h.say('出库 A001 1.5')).toContain('-1.5 个');
    expect(await h.say('出库 A001 1.555')).toMatch(/最多 2 位小数/);
    expect(await h.say('商品 修改 A001 小数位=9')).toMatch(/小数位/);
  });
}, { max: 4 });

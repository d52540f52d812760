/**
 * The generic multi-line form (bot/cards/lines.ts) through the real path — signed card
 * callbacks → Hono → the database — proven with 多行入库: lines added and removed over several
 * taps live in a kernel draft, every line's error names the line, 过账 posts ONE receipt with
 * all lines through inventory.receive and marks the draft posted, once.
 */
import { afterEach, expect, it } from 'vitest';
import { postReceipt } from '../../src/inventory/posting.js';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { archiveProduct, createProduct } from '../../src/inventory/products.js';
import { createWarehouse } from '../../src/inventory/warehouses.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { addUser, button, buttons, chat, checkAllCards, count, one, onHand, optionValue, submit, tap, textOf, title, type J } from './helpers.js';

describeDb('多行入库: the multi-line card form', (t) => {
  const h = useBotApp(t);
  afterEach(() => void checkAllCards(h));

  async function seed() {
    await createWarehouse(t.db, SYSTEM_ACTOR, { name: '主仓库' });
    await createWarehouse(t.db, SYSTEM_ACTOR, { name: '二号仓' });
    await createProduct(t.db, SYSTEM_ACTOR, { name: '螺丝M6', sku: 'A001', packUnit: '盒', packFactor: '100' });
    await createProduct(t.db, SYSTEM_ACTOR, { name: '胶水', sku: 'G001', baseUnit: '瓶' });
    await createProduct(t.db, SYSTEM_ACTOR, { name: '螺母', sku: 'N001' });
  }

  async function open(openId = h.adminOpenId): Promise<{ messageId: string; card: J }> {
    const m = await chat(h, '菜单', openId);
    const r = await tap(h, m.reply.message_id, button(m.card!, '多行入库'), { openId });
    return { messageId: m.reply.message_id, card: r.now };
  }

  const draft = () => one<{ id: number; status: string; posted_ref: string | null; n: number; kind: string }>(t.db, sql`select id, status, posted_ref, kind, jsonb_array_length(data->'lines')::int as n from drafts order by id desc limit 1`);

  it('lines are added over several taps (kept in a draft), removed, and posted as one receipt, once', async () => {
    await seed();
    const f = await open();
    expect(title(f.card)).toBe('多行入库');
    expect(buttons(f.card).map((b) => b.text)).not.toContain('过账（0 行）');
    const second = optionValue(f.card, 'warehouse', '二号仓');
    const add = (card: J, form: J) => tap(h, f.messageId, submit(card), { form: { kind: 'purchase_receipt', warehouse: second, ...form } });

    const r1 = await add(f.card, { product: optionValue(f.card, 'product', 'A001'), qty: '2盒', unit_price: '6.5' });
    expect(r1.toast).toEqual({ type: 'success', content: '已添加第 1 行' });
    expect(title(r1.now)).toMatch(/^多行入库 · 草稿 #\d+$/);
    expect(textOf(r1.now)).toContain('1. 螺丝M6（A001） × 200 个（2 盒），单价 6.5');
    expect(await draft()).toMatchObject({ status: 'draft', kind: 'inventory.receive', n: 1 });
    // A double tap on 添加一行 of the same card adds nothing more and answers the same card.
    const twice = await add(f.card, { product: optionValue(f.card, 'product', 'A001'), qty: '2盒', unit_price: '6.5' });
    expect(twice.toast?.type).toBe('info');
    expect(title(twice.now)).toBe(title(r1.now));
    expect((await draft()).n).toBe(1);

    const r2 = await add(r1.now, { product: optionValue(r1.now, 'product', 'G001'), qty: '3' });
    const r3 = await add(r2.now, { product: optionValue(r2.now, 'product', 'N001'), qty: '1,000' });
    expect(textOf(r3.now)).toContain('3. 螺母（N001） × 1000 个');
    expect(buttons(r3.now).map((b) => b.text)).toEqual(expect.arrayContaining(['删除第 1 行', '删除第 2 行', '删除第 3 行', '过账（3 行）', '放弃草稿']));
    // The header preselects what was chosen.
    expect(optionValue(r3.now, 'warehouse', '二号仓')).toBe(second);

    const removed = await tap(h, f.messageId, button(r3.now, '删除第 2 行'));
    expect(removed.toast?.content).toBe('已删除第 2 行');
    expect(textOf(removed.now)).toContain('已删除第 2 行：胶水（G001） × 3 瓶');
    expect(textOf(removed.now)).not.toMatch(/\d\. 胶水/);
    expect(textOf(removed.now)).toContain('2. 螺母（N001）');
    expect((await draft()).n).toBe(2);
    expect(await count(t.db, 'documents')).toBe(0);

    const posted = await tap(h, f.messageId, button(removed.now, '过账（2 行）'));
    expect(posted.toast?.type).toBe('success');
    expect(title(posted.now)).toMatch(/^采购入库成功 · RK\d{8}-0001$/);
    const docNo = title(posted.now).match(/RK\d{8}-\d{4}/)![0];
    expect(await count(t.db, 'documents')).toBe(1);
    expect(await count(t.db, 'stock_moves')).toBe(2);
    expect(await onHand(t.db, 'A001', '二号仓')).toBe('200');
    expect(await onHand(t.db, 'N001', '二号仓')).toBe('1000');
    expect(await onHand(t.db, 'G001')).toBe('0');
    // THE price rule per line: 2 盒 × ¥6.5 = ¥13.00.
    expect((await one<{ v: string }>(t.db, sql`select value_fen::text as v from stock_moves m join products p on p.id = m.product_id where p.sku = 'A001'`)).v).toBe('1300');
    expect(await draft()).toMatchObject({ status: 'posted', posted_ref: docNo });
    expect((await one<{ k: string }>(t.db, sql`select idempotency_key as k from documents`)).k).toMatch(/^card:k/);

    // 过账 tapped again on the old card: the first answer, nothing posted twice.
    const again = await tap(h, f.messageId, button(removed.now, '过账（2 行）'));
    expect(title(again.now)).toBe(title(posted.now));
    expect(await count(t.db, 'documents')).toBe(1);
  });

  it('a line\'s error names the line; nothing is kept and the card stays as filled', async () => {
    await seed();
    const f = await open();
    const product = optionValue(f.card, 'product', 'A001');
    const r1 = await tap(h, f.messageId, submit(f.card), { form: { product, qty: '5' } });
    const before = JSON.stringify(r1.now);
    const cases: [J, RegExp][] = [
      [{ product, qty: '' }, /^请修改：第 2 行「数量」请填写数量/],
      [{ product, qty: 'abc' }, /^第 2 行：数量「abc」看不懂/],
      [{ product, qty: '3箱' }, /^第 2 行：数量「3箱」的单位「箱」不认识/],
      [{ product, qty: '2盒3个', unit_price: '6.5' }, /^第 2 行：/],
      [{ product_q: '没有这个', qty: '1' }, /^第 2 行：找不到商品「没有这个」/],
    ];
    for (const [form, msg] of cases) {
      const r = await tap(h, f.messageId, submit(r1.now), { form });
      expect(r.toast?.type, JSON.stringify(form)).toBe('error');
      expect(r.toast?.content, JSON.stringify(form)).toMatch(msg);
      expect(r.card).toBeUndefined();
      expect(JSON.stringify(r.now)).toBe(before);
    }
    expect((await draft()).n).toBe(1);
    // Every line is checked again at 过账: a product archived since its line was added is named.
    const r2 = await tap(h, f.messageId, submit(r1.now), { form: { product: optionValue(r1.now, 'product', 'G001'), qty: '2' } });
    await archiveProduct(t.db, SYSTEM_ACTOR, { product: 'G001' });
    const refused = await tap(h, f.messageId, button(r2.now, '过账（2 行）'));
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toMatch(/^第 2 行：/);
    expect(await count(t.db, 'documents')).toBe(0);
    expect((await draft()).status).toBe('draft');
    // Remove that line and post the rest with the same card's key: it was not used up.
    const fixed = await tap(h, f.messageId, button(r2.now, '删除第 2 行'));
    const posted = await tap(h, f.messageId, button(fixed.now, '过账（1 行）'));
    expect(title(posted.now)).toMatch(/入库成功/);
  });

  it('an unusual line: 过账 shows a confirmation card naming the line; 返回修改 posts nothing; 确认过账 posts once', async () => {
    await seed();
    // 螺丝M6: received 1 个 at ¥1.00 three times — typical receipt 1 个, average cost 100 fen.
    for (let i = 0; i < 3; i++) await postReceipt(t.db, SYSTEM_ACTOR, { lines: [{ product: 'A001', qty: 1, unitCostFen: '100' }], idempotencyKey: `h${i}` });
    const docs0 = await count(t.db, 'documents');
    const f = await open();
    const r1 = await tap(h, f.messageId, submit(f.card), { form: { product: optionValue(f.card, 'product', 'N001'), qty: '1' } });
    // 2 盒 = 200 个 > 10 × 1; ¥6.5/盒 = ¥0.065/个, far from ¥1.00.
    const r2 = await tap(h, f.messageId, submit(r1.now), { form: { product: optionValue(r1.now, 'product', 'A001'), qty: '2盒', unit_price: '6.5' } });

    const asked = await tap(h, f.messageId, button(r2.now, '过账（2 行）'));
    expect(title(asked.now)).toBe('请确认：这张多行入库数据不太寻常');
    expect(textOf(asked.now)).toMatch(/• 第 2 行：数量 200 个（2 盒） 超过这个商品平时单次数量（约 1 个）的 10 倍/);
    expect(textOf(asked.now)).toMatch(/• 第 2 行：单价 .*平均成本 ¥1\.00\/个 的 1\/15/);
    expect(textOf(asked.now)).not.toContain('第 1 行：');
    expect(buttons(asked.now).map((b) => b.text)).toEqual(['确认过账', '返回修改']);
    expect(await count(t.db, 'documents')).toBe(docs0);
    // 过账 tapped again on the draft card: the same question, nothing posted.
    const askedTwice = await tap(h, f.messageId, button(r2.now, '过账（2 行）'));
    expect(title(askedTwice.now)).toBe(title(asked.now));
    expect(await count(t.db, 'documents')).toBe(docs0);

    // 返回修改: the draft again with a fresh key, nothing posted; that confirmation card is used up.
    const back = await tap(h, f.messageId, button(asked.now, '返回修改'));
    expect(title(back.now)).toMatch(/^多行入库 · 草稿 #\d+$/);
    expect(textOf(back.now)).toContain('2. 螺丝M6（A001） × 200 个（2 盒），单价 6.5');
    expect(await count(t.db, 'documents')).toBe(docs0);
    expect((await draft()).status).toBe('draft');
    const stale = await tap(h, f.messageId, button(asked.now, '确认过账'));
    expect(stale.toast?.type).toBe('info');
    expect(await count(t.db, 'documents')).toBe(docs0);

    // 过账 again from the new card, then 确认过账: one receipt with both lines, under the 过账 card's key.
    const asked2 = await tap(h, f.messageId, button(back.now, '过账（2 行）'));
    expect(title(asked2.now)).toBe('请确认：这张多行入库数据不太寻常');
    const posted = await tap(h, f.messageId, button(asked2.now, '确认过账'));
    expect(posted.toast?.type).toBe('success');
    expect(title(posted.now)).toMatch(/^采购入库成功 · RK\d{8}-\d{4}$/);
    expect(await count(t.db, 'documents')).toBe(docs0 + 1);
    expect(await onHand(t.db, 'A001')).toBe('203');
    expect(await onHand(t.db, 'N001')).toBe('1');
    expect((await draft()).status).toBe('posted');
    const key = button(back.now, '过账（2 行）').value.k as string;
    expect((await one<{ k: string }>(t.db, sql`select idempotency_key as k from documents order by id desc limit 1`)).k).toBe(`card:${key}`);
    // A double tap on 确认过账: the first answer, posted once.
    const twice = await tap(h, f.messageId, button(asked2.now, '确认过账'));
    expect(title(twice.now)).toBe(title(posted.now));
    expect(await count(t.db, 'documents')).toBe(docs0 + 1);
  });

  it('放弃草稿 discards it; an empty form cannot post; a role without 入库 is refused', async () => {
    await seed();
    const f = await open();
    const r1 = await tap(h, f.messageId, submit(f.card), { form: { product: optionValue(f.card, 'product', 'A001'), qty: '5' } });
    const gone = await tap(h, f.messageId, button(r1.now, '放弃草稿'));
    expect(title(gone.now)).toBe('已放弃草稿');
    expect((await draft()).status).toBe('discarded');
    expect(await count(t.db, 'documents')).toBe(0);
    // A fresh card has no 过账; a forged tap on it is refused with the reason.
    const g = await open();
    const k = submit(g.card).value.k;
    const empty = await tap(h, g.messageId, { value: { a: 'receipt.lines.post', k } });
    expect(empty.toast?.content).toMatch(/至少需要一行商品/);
    await addUser(t.db, 'ou_viewer', 'viewer');
    const denied = await tap(h, g.messageId, submit(g.card), { openId: 'ou_viewer', form: { product: optionValue(g.card, 'product', 'A001'), qty: '1' } });
    expect(denied.toast?.content).toMatch(/没有权限：只读不能「入库」/);
    expect(await count(t.db, 'drafts', sql`status = 'draft'`)).toBe(0);
  });
});

/**
 * The multi-step card flows over the real HTTP path: confirmation of unusual entries, the
 * candidate picker (from a form and from a chat command), keyword inputs for long lists, and
 * the 处理中 answer finished later through the delayed-update API.
 */
import { afterEach, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { TEST_CARD_SETTINGS, useBotApp } from '../helpers/app.js';
import { configureCards } from '../../bot/cards/index.js';
import { createProduct } from '../../src/inventory/products.js';
import { createWarehouse } from '../../src/inventory/warehouses.js';
import { postReceipt, postIssue } from '../../src/inventory/posting.js';
import { openStocktake, recordCount } from '../../src/inventory/stocktake.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { assertCard } from '../card-schema.js';
import { button, buttons, cardOf, chat, checkAllCards, count, field, one, onHand, optionValue, submit, tap, textOf, title, type J } from './helpers.js';

describeDb('card flows', (t) => {
  const h = useBotApp(t);
  afterEach(() => {
    checkAllCards(h);
    configureCards(h.deps, TEST_CARD_SETTINGS);
  });

  async function openForm(label: string, openId = h.adminOpenId): Promise<{ messageId: string; card: J }> {
    const m = await chat(h, '菜单', openId);
    const r = await tap(h, m.reply.message_id, button(m.card!, label), { openId });
    return { messageId: m.reply.message_id, card: r.now };
  }

  async function seed() {
    const wh = await createWarehouse(t.db, SYSTEM_ACTOR, { name: '主仓库' });
    await createProduct(t.db, SYSTEM_ACTOR, { name: '螺丝M6', sku: 'A001', purchasePriceFen: 100n });
    await createProduct(t.db, SYSTEM_ACTOR, { name: '螺丝M8', sku: 'A002' });
    await createProduct(t.db, SYSTEM_ACTOR, { name: '螺母', sku: 'N001' });
    return wh;
  }

  it('an unusual quantity (> 10× the typical move) asks for confirmation; 确认 posts once, 取消 posts nothing', async () => {
    const wh = await seed();
    // History: receipts of 10 at 1.00 元.
    for (let i = 0; i < 3; i++) await postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, lines: [{ product: 'A001', qty: 10, unitCostFen: '100' }], idempotencyKey: `h${i}` });
    const f = await openForm('入库');
    const product = optionValue(f.card, 'product', 'A001');
    // 100 = 10× the typical 10: not above, no question.
    const normal = await tap(h, f.messageId, submit(f.card), { form: { product, qty: '100' } });
    expect(title(normal.now)).toMatch(/入库成功/);
    // Typical is now (10+10+10+100)/4 = 32.5; 400 > 325.
    const f2 = await openForm('入库');
    const ask = await tap(h, f2.messageId, submit(f2.card), { form: { product, qty: '400' } });
    expect(ask.toast).toBeUndefined();
    expect(title(ask.now)).toBe('请确认：这笔数据不太寻常');
    expect(textOf(ask.now)).toMatch(/超过这个商品平时单次数量（约 32\.5 个）的 10 倍/);
    expect(buttons(ask.now).map((b) => b.text)).toEqual(['确认', '取消']);
    expect(await count(t.db, 'documents')).toBe(4);
    // The parsed input waits server-side.
    const ctx = await one<{ c: { flow: string; input: { lines: { qty: string }[] } } }>(t.db, sql`select context as c from card_tokens where kind = 'confirm'`);
    expect(ctx.c.flow).toBe('receipt');
    expect(ctx.c.input.lines[0].qty).toBe('400');
    // Tapping the form's submit again shows the same confirmation (no second one).
    const again = await tap(h, f2.messageId, submit(f2.card), { form: { product, qty: '400' } });
    expect(title(again.now)).toBe('请确认：这笔数据不太寻常');
    expect(await count(t.db, 'card_tokens', sql`kind = 'confirm'`)).toBe(1);
    const yes = await tap(h, f2.messageId, button(ask.now, '确认'));
    expect(yes.toast?.type).toBe('success');
    expect(title(yes.now)).toMatch(/采购入库成功 · RK/);
    const yes2 = await tap(h, f2.messageId, button(ask.now, '确认'));
    expect(title(yes2.now)).toBe(title(yes.now));
    expect(await count(t.db, 'documents')).toBe(5);
    expect(await onHand(t.db, 'A001')).toBe('530');

    // An issue far above the typical issue, cancelled.
    await postIssue(t.db, SYSTEM_ACTOR, { warehouse: wh.id, lines: [{ product: 'A001', qty: 2 }], idempotencyKey: 'i1' });
    const o = await openForm('出库');
    const ask2 = await tap(h, o.messageId, submit(o.card), { form: { product: optionValue(o.card, 'product', 'A001'), qty: '50' } });
    expect(title(ask2.now)).toBe('请确认：这笔数据不太寻常');
    const no = await tap(h, o.messageId, button(ask2.now, '取消'));
    expect(title(no.now)).toBe('已取消');
    const late = await tap(h, o.messageId, button(ask2.now, '确认'));
    expect(title(late.now)).toBe('已取消');
    expect(await count(t.db, 'documents')).toBe(6);
  });

  it('a unit price more than 50 % away from the average cost asks for confirmation; no history, no check', async () => {
    const wh = await seed();
    const f0 = await openForm('入库');
    // N001 has no history and no average cost: any price goes straight through.
    const first = await tap(h, f0.messageId, submit(f0.card), { form: { product: optionValue(f0.card, 'product', 'N001'), qty: '10', unit_price: '99' } });
    expect(title(first.now)).toMatch(/入库成功/);
    await postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, lines: [{ product: 'A001', qty: 10, unitCostFen: '100' }], idempotencyKey: 'p0' });
    const f = await openForm('入库');
    const product = optionValue(f.card, 'product', 'A001');
    const fine = await tap(h, f.messageId, submit(f.card), { form: { product, qty: '10', unit_price: '1.40' } });
    expect(title(fine.now)).toMatch(/入库成功/);
    const f2 = await openForm('入库');
    const ask = await tap(h, f2.messageId, submit(f2.card), { form: { product, qty: '10', unit_price: '0.30' } });
    expect(title(ask.now)).toBe('请确认：这笔数据不太寻常');
    expect(textOf(ask.now)).toMatch(/单价 ¥0\.30\/个 与平均成本 ¥1\.20\/个 相差 75%/);
    const yes = await tap(h, f2.messageId, button(ask.now, '确认'));
    expect(title(yes.now)).toMatch(/入库成功/);
    expect((await one<{ v: string }>(t.db, sql`select total_value_fen::text as v from documents order by id desc limit 1`)).v).toBe('300');
  });

  it('more products than fit a select: a keyword input resolved server-side; an ambiguous name shows the candidate picker, a tap completes the action once', async () => {
    await seed();
    configureCards(h.deps, { selectMax: 2 });
    const f = await openForm('入库');
    expect(field(f.card, 'product')).toBeUndefined();
    expect(field(f.card, 'product_q')!.tag).toBe('input');
    const exact = await tap(h, f.messageId, submit(f.card), { form: { product_q: 'n001', qty: '3' } });
    expect(title(exact.now)).toMatch(/入库成功/);
    const f2 = await openForm('入库');
    const pick = await tap(h, f2.messageId, submit(f2.card), { form: { product_q: '螺丝', qty: '6' } });
    expect(title(pick.now)).toContain('「螺丝」对应多个商品');
    const cands = buttons(pick.now).filter((b) => b.value.a === 'pick');
    expect(cands.map((b) => b.text)).toEqual(['螺丝M6（A001）', '螺丝M8（A002）']);
    const ctx = await one<{ c: { flow: string; candidates: number[] } }>(t.db, sql`select context as c from card_tokens where kind = 'pick'`);
    expect(ctx.c.flow).toBe('receipt');
    const done = await tap(h, f2.messageId, button(pick.now, '螺丝M8（A002）'));
    expect(title(done.now)).toMatch(/入库成功/);
    expect(textOf(done.now)).toContain('A002');
    // Tapping the other candidate afterwards answers the first result.
    const other = await tap(h, f2.messageId, button(pick.now, '螺丝M6（A001）'));
    expect(title(other.now)).toBe(title(done.now));
    expect(await onHand(t.db, 'A002')).toBe('6');
    expect(await onHand(t.db, 'A001')).toBe('0');
    // A forged candidate id is refused.
    const f3 = await openForm('入库');
    const pick3 = await tap(h, f3.messageId, submit(f3.card), { form: { product_q: 'ls', qty: '1' } });
    const k = button(pick3.now, '螺丝M6（A001）').value.k;
    const forged = await tap(h, f3.messageId, { value: { a: 'pick', k, p: 999 } });
    expect(forged.toast?.content).toMatch(/不在候选列表/);
  });

  it('chat: an ambiguous product in 出库 replies with the text candidates AND the picker card; tapping completes the 出库', async () => {
    const wh = await seed();
    await postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, lines: [{ product: 'A001', qty: 50 }, { product: 'A002', qty: 50 }], idempotencyKey: 'r' });
    const r = await h.send('出库 螺丝 5');
    const [reply] = h.fake.repliesTo(r.messageId);
    expect(reply.msg_type).toBe('interactive');
    const card = JSON.parse(reply.body.content) as J;
    assertCard(card);
    expect(title(card)).toContain('「螺丝」对应多个商品');
    const done = await tap(h, reply.message_id, button(card, '螺丝M6（A001）'));
    expect(title(done.now)).toMatch(/销售出库成功 · CK/);
    expect(await onHand(t.db, 'A001')).toBe('45');
    // Posted under the chat message's own idempotency key.
    expect((await one<{ k: string }>(t.db, sql`select idempotency_key as k from documents where kind = 'sales_issue'`)).k).toBe(`msg:${r.messageId}`);
    await tap(h, reply.message_id, button(card, '螺丝M8（A002）'));
    expect(await onHand(t.db, 'A002')).toBe('50');
  });

  it('chat: 入库 and 调拨 with an ambiguous product answer with the numbered candidates and the picker; a tap completes the command once', async () => {
    await seed();
    await createWarehouse(t.db, SYSTEM_ACTOR, { name: '二号仓' });
    const r = await h.send('入库 螺丝 5 @二号仓');
    const [reply] = h.fake.repliesTo(r.messageId);
    expect(reply.msg_type).toBe('interactive');
    const card = JSON.parse(reply.body.content) as J;
    assertCard(card);
    expect(title(card)).toContain('「螺丝」对应多个商品');
    expect(textOf(card)).toContain('请选择要入库的商品');
    const done = await tap(h, reply.message_id, button(card, '螺丝M8（A002）'));
    expect(title(done.now)).toMatch(/采购入库成功 · RK/);
    expect(await onHand(t.db, 'A002', '二号仓')).toBe('5');
    // The same message cannot post twice (picker key used, and the message's idempotency key).
    await tap(h, reply.message_id, button(card, '螺丝M6（A001）'));
    expect(await count(t.db, 'documents', sql`kind = 'purchase_receipt'`)).toBe(1);
    expect((await one<{ k: string }>(t.db, sql`select idempotency_key as k from documents where kind = 'purchase_receipt'`)).k).toBe(`msg:${r.messageId}`);

    const tr = await h.send(`调拨 螺丝 2 @二号仓 @主仓库`);
    const [trReply] = h.fake.repliesTo(tr.messageId);
    const trCard = JSON.parse(trReply.body.content) as J;
    expect(title(trCard)).toContain('「螺丝」对应多个商品');
    const moved = await tap(h, trReply.message_id, button(trCard, '螺丝M8（A002）'));
    expect(title(moved.now)).toMatch(/调拨成功 · DB/);
    expect(await onHand(t.db, 'A002', '主仓库')).toBe('2');
    expect(await onHand(t.db, 'A002', '二号仓')).toBe('3');
  });

  it('a large stocktake posting answers 处理中 at once and the result arrives by the delayed-update API after the response', async () => {
    const wh = await seed();
    await postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, lines: [{ product: 'A001', qty: 10 }, { product: 'A002', qty: 10 }, { product: 'N001', qty: 10 }], idempotencyKey: 'st' });
    const st = await openStocktake(t.db, SYSTEM_ACTOR, { warehouse: wh.id });
    for (const [p, q] of [['A001', 9], ['A002', 11], ['N001', 10]] as const) await recordCount(t.db, SYSTEM_ACTOR, { stocktake: st.id, product: p, qty: q });
    configureCards(h.deps, { largeStocktakeLines: 2, updateDelayMs: 20 });
    const f = await openForm('盘点');
    const rep = await tap(h, f.messageId, button(f.card, /^查看差异/));
    expect(textOf(rep.now)).toMatch(/过账将在后台完成/);
    const sentBefore = h.fake.sent.length;
    const post = await tap(h, f.messageId, button(rep.now, '过账'));
    expect(title(post.now)).toBe('处理中…');
    expect(post.toast?.content).toMatch(/正在后台过账/);
    // A second tap right away: 处理中 while it runs (or the result if already done), never a second posting.
    const twice = await tap(h, f.messageId, button(rep.now, '过账'));
    expect(title(twice.now)).toMatch(/处理中…|盘点成功 · PD/);
    const update = await h.fake.waitFor(() => h.fake.sent.slice(sentBefore).find((s) => s.op === 'card_update' && s.message_id === f.messageId));
    await h.settle();
    const callbackAnswer = h.fake.sent.slice(sentBefore).findIndex((s) => s.op === 'card_callback');
    expect(callbackAnswer).toBeGreaterThanOrEqual(0);
    expect(h.fake.sent.slice(sentBefore).indexOf(update)).toBeGreaterThan(callbackAnswer);
    const updated = JSON.parse(update.content) as J;
    assertCard(updated);
    expect(title(updated)).toMatch(/盘点成功 · PD/);
    expect(title(cardOf(h, f.messageId))).toMatch(/盘点成功 · PD/);
    expect(await count(t.db, 'documents', sql`kind = 'stocktake'`)).toBe(1);
    expect(await onHand(t.db, 'A001')).toBe('9');
    expect(await onHand(t.db, 'A002')).toBe('11');
    // 刷新结果 and a later tap show the stored summary.
    const refreshed = await tap(h, f.messageId, button(post.now, '刷新结果'));
    expect(title(refreshed.now)).toMatch(/盘点成功/);
    const late = await tap(h, f.messageId, button(rep.now, '过账'));
    expect(title(late.now)).toMatch(/盘点成功/);
    expect(await count(t.db, 'documents', sql`kind = 'stocktake'`)).toBe(1);
  });

  it('any tap still running after the budget (database busy) answers 处理中 within 3 s and is finished by a delayed update', async () => {
    await seed();
    const f = await openForm('入库');
    const k = submit(f.card).value.k as string;
    configureCards(h.deps, { budgetMs: 300, updateDelayMs: 20 });
    // Someone holds the form's key row (on PGlite: the whole database) for a while.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = t.db.transaction(async (tx) => {
      await tx.execute(sql`select token from card_tokens where token = ${k} for update`);
      locked();
      await gate;
    });
    await isLocked;
    const sentBefore = h.fake.sent.length;
    // Answered while the key row is still locked (release() comes after): it did not wait for the database.
    const r = await tap(h, f.messageId, submit(f.card), { form: { product: optionValue(f.card, 'product', 'A001'), qty: '2' } });
    expect(title(r.now)).toBe('处理中…');
    expect(r.toast?.type).toBe('info');
    release();
    await holder;
    const update = await h.fake.waitFor(() => h.fake.sent.slice(sentBefore).find((s) => s.op === 'card_update' && s.message_id === f.messageId), 8000);
    await h.settle();
    expect(title(JSON.parse(update.content) as J)).toMatch(/采购入库成功 · RK/);
    expect(await count(t.db, 'documents')).toBe(1);
    expect(await onHand(t.db, 'A001')).toBe('2');
  });

  it('an expired or unknown key, and a stale action, answer with a toast and change nothing', async () => {
    await seed();
    const m = await chat(h, '菜单');
    const unknown = await tap(h, m.reply.message_id, { value: { a: 'receipt.submit', k: 'k_nonexistent' } }, { form: { product_q: 'A001', qty: '1' } });
    expect(unknown.toast?.type).toBe('warning');
    expect(unknown.toast?.content).toMatch(/已过期/);
    const stale = await tap(h, m.reply.message_id, { value: { a: 'no.such.action' } });
    expect(stale.toast?.content).toMatch(/已过期/);
    const noValue = await tap(h, m.reply.message_id, { value: 'not json' });
    expect(noValue.toast?.type).toBe('warning');
    expect(await count(t.db, 'documents')).toBe(0);
  });
});

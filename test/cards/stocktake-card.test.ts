/**
 * Issue 8 class 11 through the card path (menu → 盘点 form → 查看差异 → 过账, real signed
 * callbacks): an uncounted batch is listed apart and left alone; the form's 「该商品已全部清点」
 * and the variance card's 全盘 button write it off; the form's 录入方式 corrects a count
 * (设为 / 减去) and never below 0.
 */
import { afterEach, expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { openStocktake } from '../../src/inventory/stocktake.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { button, buttons, chat, checkAllCards, count, optionValue, submit, tap, textOf, title, type J } from './helpers.js';
import { batchQtyOf as batchQty, expectClean, seedReagentAndGloves } from '../inventory/helpers.js';

describeDb('盘点 cards: batches nobody counted, 全盘, corrections', (t) => {
  const h = useBotApp(t);
  afterEach(() => void checkAllCards(h));

  async function seed() {
    const wh = await seedReagentAndGloves(t.db);
    await openStocktake(t.db, SYSTEM_ACTOR, { warehouse: wh.id });
  }

  async function countForm(): Promise<{ messageId: string; card: J }> {
    const m = await chat(h, '菜单');
    const r = await tap(h, m.reply.message_id, button(m.card!, '盘点'));
    return { messageId: m.reply.message_id, card: r.now };
  }

  async function enter(f: { messageId: string; card: J }, qty: string, extra: J = {}) {
    const form = { stocktake: optionValue(f.card, 'stocktake', '主仓库'), product: optionValue(f.card, 'product', 'R001'), qty, batch_no: 'A', ...extra };
    const r = await tap(h, f.messageId, submit(f.card, 'f_count'), { form });
    return { ...r, card: r.now, messageId: f.messageId };
  }

  it('counting only batch A: the variance card lists B under 未盘批次, posting leaves it at 20', async () => {
    await seed();
    const f = await countForm();
    const c = await enter(f, '8');
    expect(c.toast?.content).toMatch(/累计实盘 8/);
    const rep = await tap(h, f.messageId, button(c.card, /^查看差异/));
    expect(title(rep.now)).toMatch(/盘点差异 · PD/);
    expect(textOf(rep.now)).toContain('**未盘批次**：试剂（R001）批次 B 账面 20，不调整（如已全部清点，请发「盘点 完成 R001」或「全盘」）');
    expect(textOf(rep.now)).toContain('**未清点**：手套（过账时不调整）');
    expect(JSON.stringify(rep.now)).not.toContain('未盘，按 0 计');
    expect(buttons(rep.now).map((b) => b.text)).toContain('全盘（未录入按 0 计）');
    const posted = await tap(h, f.messageId, button(rep.now, '过账'));
    expect(title(posted.now)).toMatch(/盘点成功 · PD/);
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '20' });
    expect(await batchQty(t.db, 'G001')).toEqual({ '': '5' });
    await expectClean(t.db);
  });

  it('「该商品已全部清点」on the form writes B off: the card shows it as 未盘，按 0 计 before posting', async () => {
    await seed();
    const f = await countForm();
    const c = await enter(f, '8', { complete: 'yes' });
    const rep = await tap(h, f.messageId, button(c.card, /^查看差异/));
    expect(textOf(rep.now)).not.toContain('未盘批次');
    expect(textOf(rep.now)).toContain('**已声明清点完成**：试剂');
    expect(JSON.stringify(rep.now)).toContain('未盘，按 0 计');
    await tap(h, f.messageId, button(rep.now, '过账'));
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '0' });
    expect(await batchQty(t.db, 'G001')).toEqual({ '': '5' });
    await expectClean(t.db);
  });

  it('the 全盘 button declares the whole count complete (撤销全盘 takes it back); posting writes off B and 手套', async () => {
    await seed();
    const f = await countForm();
    const c = await enter(f, '8');
    const rep = await tap(h, f.messageId, button(c.card, /^查看差异/));
    const all = await tap(h, f.messageId, button(rep.now, '全盘（未录入按 0 计）'));
    expect(all.toast?.content).toContain('已声明全盘');
    expect(textOf(all.now)).toContain('**全盘**');
    expect(textOf(all.now)).not.toContain('未盘批次');
    const undone = await tap(h, f.messageId, button(all.now, '撤销全盘'));
    expect(textOf(undone.now)).toContain('**未盘批次**：试剂（R001）批次 B 账面 20');
    const again = await tap(h, f.messageId, button(undone.now, '全盘（未录入按 0 计）'));
    const posted = await tap(h, f.messageId, button(again.now, '过账'));
    expect(title(posted.now)).toMatch(/盘点成功 · PD/);
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '0' });
    expect(await batchQty(t.db, 'G001')).toEqual({ '': '0' });
    await expectClean(t.db);
  });

  it('录入方式 设为 / 减去 correct a count; below 0 is refused with nothing written', async () => {
    await seed();
    const f = await countForm();
    const c1 = await enter(f, '10');
    expect(c1.toast?.content).toMatch(/累计实盘 10/);
    const c2 = await enter(c1, '3', { mode: 'subtract' });
    expect(c2.toast?.content).toMatch(/累计实盘 7/);
    const c3 = await enter(c2, '8', { mode: 'set' });
    expect(c3.toast?.content).toMatch(/累计实盘 8/);
    const n = await count(t.db, 'stocktake_entries');
    expect(n).toBe(3);
    const bad = await enter(c3, '9', { mode: 'subtract' });
    expect(bad.toast?.type).toBe('error');
    expect(bad.toast?.content).toContain('不能减');
    expect(await count(t.db, 'stocktake_entries')).toBe(n);
    const rep = await tap(h, f.messageId, button(c3.card, /^查看差异/));
    await tap(h, f.messageId, button(rep.now, '过账'));
    expect(await batchQty(t.db, 'R001')).toEqual({ A: '8', B: '20' });
    await expectClean(t.db);
  });
});

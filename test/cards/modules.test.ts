/**
 * Modules switched off (company.disabled_modules) are filtered per request on the card path:
 * the menu leaves their entries out, and a card rendered before the switch (a form, its submit,
 * a pending confirmation) answers 未开通 and changes nothing. The registry is never rebuilt.
 */
import { afterEach, expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { disabledModulesSetting, writeSetting } from '../../src/kernel/settings.js';
import { createProduct } from '../../src/inventory/products.js';
import { createWarehouse } from '../../src/inventory/warehouses.js';
import { postReceipt } from '../../src/inventory/posting.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { button, buttons, chat, checkAllCards, count, optionValue, submit, tap, textOf, title } from './helpers.js';

describeDb('cards of a module switched off', (t) => {
  const h = useBotApp(t);
  afterEach(() => void checkAllCards(h));
  const switchOff = (modules: string[]) => writeSetting(t.db, disabledModulesSetting, modules, new Date());

  it('the menu leaves them out; old forms, submits and confirmations answer 未开通; switched on again, they work', async () => {
    const wh = await createWarehouse(t.db, SYSTEM_ACTOR, { name: '主仓库' });
    await createProduct(t.db, SYSTEM_ACTOR, { name: '螺丝M6', sku: 'A001' });
    for (let i = 0; i < 3; i++) await postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, lines: [{ product: 'A001', qty: 10 }], idempotencyKey: `h${i}` });
    const before = await count(t.db, 'documents');
    const m = await chat(h, '菜单');
    const form = await tap(h, m.reply.message_id, button(m.card!, '入库'));
    const product = optionValue(form.now, 'product', 'A001');
    const m2 = await chat(h, '菜单');
    const f2 = await tap(h, m2.reply.message_id, button(m2.card!, '入库'));
    const ask = await tap(h, m2.reply.message_id, submit(f2.now), { form: { product, qty: '400' } });
    expect(title(ask.now)).toBe('请确认：这笔数据不太寻常');

    await switchOff(['inventory']);
    const off = await chat(h, '菜单');
    expect(buttons(off.card!)).toEqual([]);
    expect(textOf(off.card!)).toContain('没有可用的操作');
    const opened = await tap(h, m.reply.message_id, button(m.card!, '出库'));
    expect(opened.toast).toMatchObject({ type: 'warning' });
    expect(opened.toast?.content).toMatch(/「出库」未开通/);
    const posted = await tap(h, m.reply.message_id, submit(form.now), { form: { product, qty: '1' } });
    expect(posted.toast?.content).toMatch(/「入库」未开通/);
    const confirmed = await tap(h, m2.reply.message_id, button(ask.now, '确认'));
    expect(confirmed.toast?.content).toMatch(/未开通/);
    expect(await count(t.db, 'documents')).toBe(before);

    await switchOff([]);
    expect(buttons((await chat(h, '菜单')).card!).map((b) => b.text)).toContain('入库');
    const ok = await tap(h, m.reply.message_id, submit(form.now), { form: { product, qty: '1' } });
    expect(ok.toast?.type).toBe('success');
    const yes = await tap(h, m2.reply.message_id, button(ask.now, '确认'));
    expect(title(yes.now)).toMatch(/入库成功/);
    expect(await count(t.db, 'documents')).toBe(before + 2);
  });
});

/**
 * A refusal's way out as data (DomainError details.fix), worded per adapter: chat names the
 * command, the default (REST) names the field. The precision refusal builds its example and the
 * decimal places from the input (tester finding: 「请写成 1.5米 … 小数位=2」 for 2.5555 米).
 */
import { describe, expect, it } from 'vitest';
import { createProduct, createWarehouse } from '../../src/inventory/index.js';
import { postReceipt } from '../../src/inventory/posting.js';
import { unusualEntrySetting } from '../../src/inventory/unusual.js';
import { writeSetting } from '../../src/kernel/settings.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { button, chat, checkAllCards, optionValue, submit, tap, title } from '../cards/helpers.js';
import { DomainError, domainErrorWithFix, domainErrorWithFixIn, wordFix, INPUT_FIX_WORDING, type DomainFix } from '../../src/errors.js';
import { parseQuantity, type UnitInfo } from '../../src/inventory/units.js';
import { CHAT_FIX_WORDING, chatMessage } from '../../bot/commands/render.js';

const ribbon: UnitInfo = { name: '彩带', sku: 'CD01', baseUnit: '米', packUnit: null, packFactor: null };
const glue: UnitInfo = { name: '固体胶', sku: 'JS01', baseUnit: '个', packUnit: '箱', packFactor: '24' };

function refusal(p: UnitInfo, qty: string): DomainError {
  try {
    parseQuantity(p, qty);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`${qty} was accepted`);
}

describe('the precision refusal', () => {
  it('suggests the input cut to the allowed places and the places the input needs (chat words)', () => {
    const e = refusal(ribbon, '2.5555');
    expect(chatMessage(e)).toBe('「彩带」按 米 计，数量最多 3 位小数：「2.5555」不行。请写成 2.555米；确需更多小数位请先设置：商品 修改 彩带 小数位=4。');
    expect(e.details).toMatchObject({ qtyDecimals: 3, needsDecimals: 4, fix: { kind: 'product_setting', field: 'qtyDecimals', value: 4 } });
  });

  it('whole units: the example is the input cut to a whole number; one more place than now at least', () => {
    expect(chatMessage(refusal(glue, '7.25'))).toBe('「固体胶」按 个 计，数量必须是整数：「7.25」不行。请写成 7个；确需小数请先设置：商品 修改 固体胶 小数位=2。');
    // 0.1 箱 = 2.4 个: the reading and a whole example.
    expect(chatMessage(refusal(glue, '0.1箱'))).toContain('「0.1箱」（0.1箱 = 2.4 个）不行。请写成 2个；确需小数请先设置：商品 修改 固体胶 小数位=1。');
    // Cut to nothing: the smallest allowed step instead of 0.
    expect(chatMessage(refusal(glue, '0.5'))).toContain('请写成 1个；');
    // Never fewer places than allowed now, never more than 6.
    const six = refusal({ ...ribbon, qtyDecimals: 5 }, '1.123456');
    expect(six.details).toMatchObject({ needsDecimals: 6 });
  });

  it('the default words name the field; chat words come from the same fix', () => {
    const e = refusal(ribbon, '2.5555');
    expect(e.message).toMatch(/确需更多小数位请先修改商品的 qtyDecimals：PATCH \/products\/CD01 \{"qtyDecimals": 4\}。$/);
    // A wrapper's prefix (a card line: 「第 2 行：」) survives the rewording.
    const wrapped = new DomainError(e.code, `第 2 行：${e.message}`, e.details);
    expect(wordFix(wrapped, CHAT_FIX_WORDING)).toMatch(/^第 2 行：「彩带」.*小数位=4。$/);
    expect(INPUT_FIX_WORDING({ kind: 'confirm' })).toContain('"confirm": true');
    expect(CHAT_FIX_WORDING({ kind: 'confirm' })).toBe('确认无误请在命令后加「确认」。');
  });
});


describe('the 成本调整 way out of a valuation-rule breach', () => {
  it('chat keeps its command, the default names the request', () => {
    const e = domainErrorWithFix('conflict', '这通常是旧数据里的错误金额，', { kind: 'cost_adjustment', product: { sku: 'A001' } });
    expect(chatMessage(e)).toBe('这通常是旧数据里的错误金额，请先发「成本调整 A001 <正确单价>」修正（数量为 0 时调整为 0），再重试。');
    expect(e.message).toBe('这通常是旧数据里的错误金额，请先用成本调整修正：POST /cost-adjustments {"product": "A001", "unitPrice": "<正确单价>"}（数量为 0 时调整为 0），再重试。');
  });
});

describe('fixes worded as a phrase inside the message', () => {
  const said = (fix: DomainFix) => {
    const e = domainErrorWithFixIn('conflict', fix, (w) => `前文，${w}。没有保存任何改动。`);
    return { chat: chatMessage(e), rest: e.message };
  };

  it('chat keeps its commands; the default names fields and routes; the text around stays', () => {
    expect(said({ kind: 'force' })).toEqual({ chat: '前文，请选择「强制过账」（force）。没有保存任何改动。', rest: '前文，请在请求里加 "force": true（强制过账）再提交一次。没有保存任何改动。' });
    expect(said({ kind: 'pack_precision', packUnit: '箱', packFactor: '3', baseUnit: '个', qtyDecimals: 1 })).toEqual({
      chat: '前文，例如 包装=箱:3；确需按小数计个，请同时设置 小数位=1。没有保存任何改动。',
      rest: '前文，例如 "packUnit": "箱", "packFactor": "3"；确需按小数计个，请同时设置 "qtyDecimals": 1。没有保存任何改动。',
    });
    expect(said({ kind: 'line_amount', example: '13' })).toEqual({ chat: '前文，金额=13。没有保存任何改动。', rest: '前文，"amount": "13"。没有保存任何改动。' });
    expect(said({ kind: 'cost_adjust_request', docNo: 'RK20261125-0001', product: 'A001', unitPrice: '2.5' })).toEqual({
      chat: '前文，成本调整 RK20261125-0001 A001 2.5。没有保存任何改动。',
      rest: '前文，POST /cost-adjustments {"docNo": "RK20261125-0001", "product": "A001", "unitPrice": "2.5"}。没有保存任何改动。',
    });
    // reverse_later_first is a whole clause with its own 。
    const issue = domainErrorWithFixIn('insufficient_stock', { kind: 'reverse_later_first', docNo: 'CK20261125-0001', firstLater: 'CK20261125-0002', receipt: false }, (w) => `前文\n${w}没有保存任何改动。`);
    expect(chatMessage(issue)).toBe('前文\n要撤销这张单，请先红冲后来的出库单（例如 红冲 CK20261125-0002），再红冲它。没有保存任何改动。');
    expect(issue.message).toBe('前文\n要撤销这张单，请先红冲后来的出库单（例如 POST /documents/CK20261125-0002/reversal），再红冲它（POST /documents/CK20261125-0001/reversal）。没有保存任何改动。');
  });

  it('a message without the default words (rewritten by a wrapper) comes back unchanged', () => {
    const e = domainErrorWithFixIn('conflict', { kind: 'force' }, (w) => `前文，${w}。`);
    expect(wordFix(new DomainError(e.code, '别的话。', e.details), CHAT_FIX_WORDING)).toBe('别的话。');
  });
});

describeDb('the unusual-entry thresholds: one source for chat, cards and REST', (t) => {
  const h = useBotApp(t);

  /** 螺丝M6 A001: three receipts of 10 at ¥1.00 (average cost ¥1.00). */
  async function seed() {
    const wh = await createWarehouse(t.db, SYSTEM_ACTOR, { name: '主仓库' });
    await createProduct(t.db, SYSTEM_ACTOR, { name: '螺丝M6', sku: 'A001' });
    for (let i = 0; i < 3; i++) await postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, lines: [{ product: 'A001', qty: 10, unitCostFen: '100' }], idempotencyKey: `s${i}` });
  }

  it('chat and the card form read the stored inventory.unusual_entry, as the use cases do', async () => {
    await seed();
    // Default thresholds: ¥5 against an average of ¥1 (400 %) asks, in chat and on the card.
    expect(title((await chat(h, '入库 A001 10 5')).card!)).toBe('请确认：这笔数据不太寻常');
    const menu = await chat(h, '菜单');
    const form = (await tap(h, menu.reply.message_id, button(menu.card!, '入库'))).now;
    const product = optionValue(form, 'product', 'A001');
    expect(title((await tap(h, menu.reply.message_id, submit(form), { form: { product, qty: '10', unit_price: '5' } })).now)).toBe('请确认：这笔数据不太寻常');

    // The company allows a 500 % deviation: neither asks any more.
    await writeSetting(t.db, unusualEntrySetting, { unusualQtyFactor: 10, typicalMoves: 20, priceDeviation: 5 }, new Date());
    expect(await h.say('入库 A001 10 5')).toContain('已入库');
    const menu2 = await chat(h, '菜单');
    const form2 = (await tap(h, menu2.reply.message_id, button(menu2.card!, '入库'))).now;
    const posted = await tap(h, menu2.reply.message_id, submit(form2), { form: { product, qty: '10', unit_price: '5' } });
    expect(title(posted.now)).toMatch(/入库成功/);
    checkAllCards(h);
  });
});

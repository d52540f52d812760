/**
 * A refusal's way out as data (DomainError details.fix), worded per adapter: chat names the
 * command, the default (REST) names the field. The precision refusal builds its example and the
 * decimal places from the input (tester finding: 「请写成 1.5米 … 小数位=2」 for 2.5555 米).
 */
import { describe, expect, it } from 'vitest';
import { DomainError, domainErrorWithFix, wordFix, INPUT_FIX_WORDING } from '../../src/errors.js';
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

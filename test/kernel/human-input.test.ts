/**
 * The kernel's human-input normaliser (src/kernel/human-input.ts) on its own: the Chinese
 * numeral reader and each field kind. The same spellings through chat, cards and REST are
 * test/bot/spellings.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { humanInput, humanMoney, humanQty, isChineseQuantity, readChineseNumber, readQuantityText } from '../../src/kernel/human-input.js';

describe('readChineseNumber', () => {
  const cases: [string, string | null][] = [
    ['十', '10'], ['两', '2'], ['二', '2'], ['二十', '20'], ['十五', '15'], ['一百五', '150'], ['一百五十', '150'], ['一千二', '1200'],
    ['一万二', '12000'], ['两万五千', '25000'], ['十二万', '120000'], ['两千', '2000'], ['两百', '200'], ['三百零五', '305'], ['一千零二十', '1020'],
    ['一点五', '1.5'], ['零点五', '0.5'], ['零', '0'], ['壹佰', '100'],
    ['百', null], ['千', null], ['二二', null], ['三两', null], ['一二三', null], ['三百十', null], ['点五', null], ['二零', null], ['', null],
  ];
  for (const [typed, want] of cases) it(`${typed || '(empty)'} → ${want}`, () => expect(readChineseNumber(typed)).toBe(want));
});

describe('readQuantityText', () => {
  const cases: [string, string | null][] = [
    ['1万', '10000'], ['2.5万', '25000'], ['3千', '3000'], ['5百个', '500个'], ['2千克', '2千克'],
    ['十箱', '10箱'], ['两箱', '2箱'], ['二十个', '20个'], ['二十 个', '20个'], ['一百五', '150'], ['一千二', '1200'], ['两箱三个', '2箱3个'],
    ['2箱两个', '2箱2个'], ['三两', '3两'], ['二两', '2两'], ['两千克', '2千克'], ['5千克', '5千克'], ['一箱半', '1.5箱'], ['1箱半', '1.5箱'],
    ['三个半', '3.5个'], ['半箱', '0.5箱'], ['一点五米', '1.5米'], ['箱', null], ['', null],
  ];
  for (const [typed, want] of cases) it(`${typed || '(empty)'} → ${want}`, () => expect(readQuantityText(typed)).toBe(want));
});

describe('isChineseQuantity: a numeral inside a name is no quantity', () => {
  const units = new Set(['个', '箱', '盒', '米']);
  const isUnit = (u: string) => units.has(u);
  for (const t of ['十', '二十', '两箱', '一箱半', '三个半', '一百五']) it(`${t} is`, () => expect(isChineseQuantity(t, isUnit)).toBe(true));
  for (const t of ['三通', '十字螺丝', '五金', '5', '螺丝', '百']) it(`${t} is not`, () => expect(isChineseQuantity(t, isUnit)).toBe(false));
});

describe('field kinds', () => {
  it('quantities: full-width, thousands, numerals; 2,5 left for the schema', () => {
    expect(humanQty('２')).toBe('2');
    expect(humanQty('２箱')).toBe('2箱');
    expect(humanQty(' 1,000 ')).toBe('1000');
    expect(humanQty('１，０００')).toBe('1000');
    expect(humanQty('2,5')).toBe('2,5');
    expect(humanQty('十箱')).toBe('10箱');
    expect(humanQty('5 PCS')).toBe('5 PCS');
    expect(humanQty('3\u200b 盒')).toBe('3 盒');
  });
  it('money: ¥ ￥ 元 块钱, thousands, per unit', () => {
    expect(humanMoney('¥1,200.5元')).toBe('1200.5');
    expect(humanMoney('￥６.５')).toBe('6.5');
    expect(humanMoney('6.5元/箱')).toBe('6.5/箱');
    expect(humanMoney('55块钱')).toBe('55');
    expect(humanMoney('2,5')).toBe('2,5');
  });
  it('walks lines and lists by field name; notes keep their text; idempotent', () => {
    const typed = {
      warehouse: '主仓\u3000',
      remark: '  客户说：Ａ=Ｂ，明天到\u200b ',
      lines: [{ product: 'Ａ００１', qty: '十箱', unitPrice: '¥6.5元' }],
      aliases: ['ＤＰ２０', ' 杜邦线 20 '],
      unitAliases: { ＰＣＳ: '个 ' },
      confirm: true,
      qtyDecimals: 2,
    };
    const out = humanInput(typed);
    expect(out).toEqual({
      warehouse: '主仓',
      remark: '客户说：Ａ=Ｂ，明天到',
      lines: [{ product: 'A001', qty: '10箱', unitPrice: '6.5' }],
      aliases: ['DP20', '杜邦线 20'],
      unitAliases: { PCS: '个' },
      confirm: true,
      qtyDecimals: 2,
    });
    expect(humanInput(out)).toEqual(out);
  });
});

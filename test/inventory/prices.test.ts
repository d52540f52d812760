/** THE price rule (src/inventory/prices.ts) and money formatting, without a database. */
import { describe, expect, it } from 'vitest';
import { receiptLineValue } from '../../src/inventory/prices.js';
import { formatPrice, lineAmountFen, priceYuanToFen } from '../../src/shared/money.js';

const screw = { name: '螺丝', baseUnit: '个', packUnit: '箱', packFactor: '24' };

describe('receiptLineValue: a price is per the unit the quantity was written in', () => {
  it('2箱 6.5 = ¥13.00 (6.5 per 箱); 48 0.27 = ¥12.96 (per 个); 6.5/箱 and 0.27/个 name their unit', () => {
    const a = receiptLineValue(screw, '2箱', { unitPrice: '6.5' });
    expect(a.qtyBase.toFixed()).toBe('48');
    expect(a.amountFen).toBe(1300n);
    expect(a.unitPriceFenPerBase!.toFixed()).toBe('27.083333');
    expect(a.priceUnit).toBe('箱');
    expect(receiptLineValue(screw, '48', { unitPrice: '0.27' }).amountFen).toBe(1296n);
    expect(receiptLineValue(screw, '48', { unitPrice: '6.5/箱' }).amountFen).toBe(1300n);
    expect(receiptLineValue(screw, '2箱', { unitPrice: '0.27/个' }).amountFen).toBe(1296n);
    expect(receiptLineValue(screw, '2箱3个', { unitPrice: '6.5元/箱' }).amountFen).toBe(1381n); // 13.8125 → 13.81
    expect(receiptLineValue(screw, '2箱3个', { amountFen: 1560n }).amountFen).toBe(1560n);
    expect(receiptLineValue(screw, '1000', { unitCostFen: '0.2' }).amountFen).toBe(200n);
    expect(receiptLineValue(screw, '1000', { unitPrice: '0.002' }).amountFen).toBe(200n);
    expect(receiptLineValue(screw, '5', {}).amountFen).toBeNull();
  });
  it('a quantity in another unit of the measure (500克 of a product in 千克) prices per that unit; a price may name it (0.3/克)', () => {
    const paste = { name: '锡膏', baseUnit: '千克', packUnit: null, packFactor: null };
    // 500克 at ¥0.3 (per 克, the unit written) = ¥150.00; per 千克 that is ¥300.
    const g = receiptLineValue(paste, '500克', { unitPrice: '0.3' });
    expect(g.qtyBase.toFixed()).toBe('0.5');
    expect(g.amountFen).toBe(15000n);
    expect(g.unitPriceFenPerBase!.toFixed()).toBe('30000');
    expect(g.priceUnit).toBe('克');
    // The same line priced per 千克, or per 克 on a quantity written in 千克 / 斤.
    expect(receiptLineValue(paste, '500克', { unitPrice: '300/千克' }).amountFen).toBe(15000n);
    expect(receiptLineValue(paste, '0.5', { unitPrice: '0.3/克' }).amountFen).toBe(15000n);
    expect(receiptLineValue(paste, '1斤', { unitPrice: '0.3/克' }).amountFen).toBe(15000n);
    expect(() => receiptLineValue(paste, '1', { unitPrice: '0.3/米' })).toThrow('单价「0.3/米」的单位「米」不是「锡膏」的单位');
  });

  it('refuses a compound quantity with a bare price, a foreign price unit, 7 decimals and two values at once', () => {
    expect(() => receiptLineValue(screw, '2箱3个', { unitPrice: '6.5' })).toThrow(/写了两个单位.*"amount"/);
    expect(() => receiptLineValue(screw, '2箱', { unitPrice: '6.5/盒' })).toThrow(/单位「盒」不是「螺丝」的单位/);
    expect(() => receiptLineValue(screw, '2', { unitPrice: '0.0000001' })).toThrow(/最多 6 位小数/);
    expect(() => receiptLineValue(screw, '2', { unitPrice: '1', amountFen: 5n })).toThrow(/只写一个/);
  });
});

describe('money: prices with 6 decimals, one rounding rule', () => {
  it('priceYuanToFen / formatPrice / lineAmountFen', () => {
    expect(priceYuanToFen('0.002').toFixed()).toBe('0.2');
    expect(priceYuanToFen('¥6.5').toFixed()).toBe('650');
    expect(() => priceYuanToFen('-1')).toThrow(/格式不对/);
    expect(formatPrice('0.2')).toBe('¥0.002');
    expect(formatPrice(650n)).toBe('¥6.50');
    expect(formatPrice('27.0833333')).toBe('¥0.270833');
    expect(lineAmountFen('3', '0.5')).toBe(2n); // 1.5 fen → 2 (half up)
    expect(lineAmountFen('1000', '0.2')).toBe(200n);
  });
});

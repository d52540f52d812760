/**
 * The card normaliser (bot/cards/normalise.ts) writes what people type as canonical use-case
 * input where it can — and leaves the rest as typed, for the product-aware check to explain.
 */
import { describe, expect, it } from 'vitest';
import { canonicalPosting, canonicalPrice, canonicalQty } from '../../bot/cards/normalise.js';
import { qtyText, yuanPrice } from '../../src/kernel/canonical.js';
import { receiptInput } from '../../src/inventory/use-cases/postings.js';

describe('card normaliser', () => {
  it('quantities: thousands separators, full-width digits and spaces become canonical; anything else stays as typed', () => {
    const cases: [string | number, string][] = [
      ['24', '24'],
      [24, '24'],
      ['1,000', '1000'],
      ['１，０００', '1000'],
      ['2箱', '2箱'],
      [' 3 盒 ', '3 盒'],
      ['2箱1,200个', '2箱1200个'],
      ['2,5', '2,5'],
      ['abc', 'abc'],
      ['-1', '-1'],
    ];
    for (const [typed, want] of cases) expect(canonicalQty(typed), String(typed)).toBe(want);
    for (const ok of ['1000', '2箱1200个', '3 盒']) expect(qtyText.safeParse(canonicalQty(ok)).success, ok).toBe(true);
  });

  it('unit prices: ¥, 元, thousands and spaces around the unit go; a price that is not yuan stays as typed', () => {
    const cases: [string, string][] = [
      ['6.5', '6.5'],
      ['¥6.5', '6.5'],
      ['6.5元', '6.5'],
      ['6.5元/箱', '6.5/箱'],
      ['￥6.5 / 箱', '6.5/箱'],
      ['1,200.5', '1200.5'],
      ['0.002', '0.002'],
      ['2,5', '2,5'],
      ['-1', '-1'],
      ['1.2345678', '1.2345678'],
    ];
    for (const [typed, want] of cases) expect(canonicalPrice(typed), typed).toBe(want);
    for (const ok of ['6.5/箱', '1200.5', '0.002']) expect(yuanPrice.safeParse(ok).success, ok).toBe(true);
  });

  it('a posting in the services\' form (a chat command: amountFen, a number, a key) becomes the canonical input; canonical input comes back equal', () => {
    const service = { kind: 'purchase_receipt', warehouse: '主仓库', lines: [{ product: 'A001', qty: 2, amountFen: 1300n, unitPrice: undefined }], idempotencyKey: 'msg:om_1', confirmed: false, remark: null };
    const canonical = canonicalPosting(service);
    expect(canonical).toEqual({ kind: 'purchase_receipt', warehouse: '主仓库', lines: [{ product: 'A001', qty: '2', amount: '13.00' }], remark: null });
    expect(receiptInput.safeParse(canonical).success).toBe(true);
    expect(canonicalPosting(canonical)).toEqual(canonical);
    expect(canonicalPosting({ lines: [{ product: 1, qty: '1,000', unitPrice: '¥6.5元/箱' }] })).toEqual({ lines: [{ product: 1, qty: '1000', unitPrice: '6.5/箱' }] });
  });
});

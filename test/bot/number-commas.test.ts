/**
 * Commas inside numbers (issue 8, tester's "wrong number" class): a comma between digits belongs
 * to the number and is valid ONLY as a thousands separator (1,000 / 12,345.5 / 1,000,000);
 * anything else (2,5 / 2,06 / 1，5 / 1,00) is refused with one clear message, in every place a
 * number is read (src/shared/decimal.ts stripThousands). Before: 入库 CU 2,5 posted 2 千克 at the
 * average price, and 2,5 yuan became ¥25. A comma between WORDS (螺丝，5) still separates.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { normalizeText, tokenize } from '../../bot/parse/normalize.js';
import { checkQty, moneyFen, priceFen } from '../../bot/parse/args.js';
import { UsageError } from '../../bot/commands/registry.js';
import { NumberCommaError, costText, stripThousands } from '../../src/shared/decimal.js';
import { priceYuanToFen, yuanToFen } from '../../src/shared/money.js';
import { parseQuantity } from '../../src/inventory/units.js';
import { DomainError } from '../../src/errors.js';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { button, chat, checkAllCards, count, onHand, optionValue, submit, tap, type J } from '../cards/helpers.js';

/** The one message for a comma that is no thousands separator. */
const COMMA = (bad: string, fix: string) => `「${bad}」看不懂：小数请用点号，写成 ${fix}；千位分隔写成 1,000`;

/** Accepted spellings → the number they are. */
const ACCEPTED: [string, string][] = [
  ['1,000', '1000'],
  ['1，000', '1000'],
  ['12,345.5', '12345.5'],
  ['1,000,000', '1000000'],
  ['999', '999'],
  ['2.5', '2.5'],
];
/** Refused spellings → what the message suggests. */
const REFUSED: [string, string][] = [
  ['2,5', '2.5'],
  ['2,06', '2.06'],
  ['1，5', '1.5'],
  ['1,00', '1.00'],
  ['1,0000', '1.0000'],
  ['12,34', '12.34'],
];

describe('comma numbers: one reading everywhere (parser level)', () => {
  it('stripThousands: thousands separators stripped, any other comma between digits refused', () => {
    for (const [s, v] of ACCEPTED) expect(stripThousands(s), s).toBe(v);
    for (const [s, fix] of REFUSED) {
      expect(() => stripThousands(s), s).toThrow(NumberCommaError);
      expect(() => stripThousands(s), s).toThrow(COMMA(s, fix));
    }
    // Several commas, or a point before a comma: no single suggestion, still refused.
    for (const s of ['1,2,3', '1.5,000', '1,000,00']) expect(() => stripThousands(s), s).toThrow(/看不懂：小数请用点号.*千位分隔写成 1,000/);
    // Units and several parts: only the numbers are read.
    expect(stripThousands('2箱1,200个')).toBe('2箱1200个');
    expect(stripThousands('¥12,345.5')).toBe('¥12345.5');
    expect(stripThousands('-1,000')).toBe('-1000');
    // A code is not a number: no comma inside it is judged here.
    expect(stripThousands('A001,5')).toBe('A001,5');
  });

  it('normalize: a comma between digits stays in the number (half- or full-width); a comma between words separates', () => {
    expect(tokenize(normalizeText('入库 CU 2,5'))).toEqual(['入库', 'CU', '2,5']);
    expect(tokenize(normalizeText('入库 X 2,06'))).toEqual(['入库', 'X', '2,06']);
    expect(tokenize(normalizeText('入库 X 1，5 180'))).toEqual(['入库', 'X', '1,5', '180']);
    expect(tokenize(normalizeText('螺丝 1,000'))).toEqual(['螺丝', '1,000']);
    expect(tokenize(normalizeText('出库 螺丝 １，０００ @主仓'))).toEqual(['出库', '螺丝', '1,000', '@主仓']);
    expect(tokenize(normalizeText('进价=2,5'))).toEqual(['进价=2,5']);
    // Words: as before.
    expect(normalizeText('出库 螺丝，5')).toBe('出库 螺丝 5');
    expect(normalizeText('出库 A001,5')).toBe('出库 A001 5');
    expect(normalizeText('出库 A001，5')).toBe('出库 A001 5');
    expect(normalizeText('出库 3M-001,5')).toBe('出库 3M-001 5');
    expect(normalizeText('a , b')).toBe('a b');
    for (const s of ['入库 X 1，5 180', '螺丝 1,000', '出库 A001,5']) expect(normalizeText(normalizeText(s))).toBe(normalizeText(s));
  });

  it('chat quantities (checkQty), amounts (moneyFen) and unit prices (priceFen)', () => {
    for (const [s, v] of ACCEPTED) {
      expect(checkQty(s), s).toBe(v);
      expect(priceFen(s, '单价'), s).toBe(costText(priceYuanToFen(v)));
    }
    expect(checkQty('2箱1,200个')).toBe('2箱1200个');
    expect(moneyFen('1,000', '金额')).toBe(100000n);
    expect(moneyFen('¥12,345.5', '金额')).toBe(1234550n);
    for (const [s, fix] of REFUSED) {
      expect(() => checkQty(s), s).toThrow(UsageError);
      expect(() => checkQty(s), s).toThrow(`数量${COMMA(s, fix)}`);
      expect(() => moneyFen(s, '金额'), s).toThrow(`金额${COMMA(s, fix)}`);
      expect(() => priceFen(s, '进价'), s).toThrow(`进价${COMMA(s, fix)}`);
    }
  });

  it('money (yuanToFen, priceYuanToFen): "2,5" yuan is refused, never ¥25', () => {
    expect(yuanToFen('1,000')).toBe(100000n);
    expect(yuanToFen('12,345.50')).toBe(1234550n);
    expect(priceYuanToFen('1,200.5').toFixed()).toBe('120050');
    for (const [s, fix] of REFUSED) {
      expect(() => yuanToFen(s), s).toThrow(COMMA(s, fix));
      expect(() => priceYuanToFen(s), s).toThrow(COMMA(s, fix));
    }
  });

  it('service quantities (parseQuantity): the same rule, as a DomainError', () => {
    const cu = { name: '铜', baseUnit: '千克', packUnit: '箱', packFactor: '25', qtyDecimals: null };
    expect(parseQuantity(cu, '1,000')).toBe('1000');
    expect(parseQuantity(cu, '1，000.5')).toBe('1000.5');
    expect(parseQuantity(cu, '2箱1,000')).toBe('1050');
    for (const [s, fix] of REFUSED) {
      let err: unknown;
      try {
        parseQuantity(cu, s);
      } catch (e) {
        err = e;
      }
      expect(err, s).toBeInstanceOf(DomainError);
      expect((err as Error).message, s).toContain(COMMA(s.replace('，', ','), fix));
    }
  });
});

async function snapshot(db: Db) {
  const [r] = await execRows<Record<string, unknown>>(
    db,
    sql`select (select count(*)::int from stock_moves) as moves, (select count(*)::int from documents) as docs,
               (select count(*)::int from products) as products, (select count(*)::int from stocktake_entries) as entries,
               (select coalesce(sum(qty), 0)::text from stock_balances) as qty, (select coalesce(sum(value_fen), 0)::text from stock_valuations) as value,
               (select string_agg(coalesce(purchase_price_fen::text, '-') || '/' || coalesce(sale_price_fen::text, '-') || '/' || safety_stock::text, ',' order by id) from products) as prices`,
  );
  return r;
}

describeDb('comma numbers through chat and cards', (t) => {
  const h = useBotApp(t);
  afterEach(() => {
    checkAllCards(h);
  });

  async function setup() {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 CU 铜线 单位=千克 进价=5')).toContain('已新增');
    expect(await h.say('入库 CU 10 5')).toContain('已入库');
  }

  it('refused spellings: the message says how to write it, nothing is written (the tester\'s cases and every number field)', async () => {
    await setup();
    const before = await snapshot(t.db);
    const cases: [string, string][] = [
      // The tester's three: read as qty 2 @ average, qty 2 @ ¥6, qty 1 @ ¥5 before.
      ['入库 CU 2,5', `数量${COMMA('2,5', '2.5')}`],
      ['入库 CU 2,06', `数量${COMMA('2,06', '2.06')}`],
      ['入库 CU 1，5 180', `数量${COMMA('1,5', '1.5')}`],
      ['出库 CU 1,00', `数量${COMMA('1,00', '1.00')}`],
      ['入库 CU 5 2,5', `单价${COMMA('2,5', '2.5')}`],
      ['入库 CU 5 单价=2,5', `单价${COMMA('2,5', '2.5')}`],
      ['入库 CU 5 金额=12,5', `金额${COMMA('12,5', '12.5')}`],
      ['商品 修改 CU 进价=2,5', `进价${COMMA('2,5', '2.5')}`],
      ['商品 修改 CU 售价=1，5', `售价${COMMA('1,5', '1.5')}`],
      ['商品 修改 CU 安全库存=2,5', `安全库存${COMMA('2,5', '2.5')}`],
      ['商品 新增 CU2 铜排 进价=2,5', `进价${COMMA('2,5', '2.5')}`],
      ['盘点 录入 CU 2,5', `实盘数量${COMMA('2,5', '2.5')}`],
    ];
    for (const [text, message] of cases) {
      const r = await h.send(text);
      expect(r.push.status, text).toBe(200);
      expect(r.replies, text).toHaveLength(1);
      expect(r.replies[0], text).toContain(message);
    }
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('accepted spellings: thousands separators are one number; a comma between words still separates', async () => {
    await setup();
    // 1,000 千克 is one line of 1 000 (unusual for this product: 确认 skips the question).
    expect(await h.say('入库 CU 1,000 5 确认')).toMatch(/已入库 RK/);
    expect(await onHand(t.db, 'CU')).toBe('1010');
    expect(await h.say('入库 CU 1，000 金额=5,000 确认')).toMatch(/已入库 RK/);
    expect(await onHand(t.db, 'CU')).toBe('2010');
    const [v] = await execRows<{ v: string }>(t.db, sql`select sum(value_fen)::text as v from stock_valuations`);
    expect(v.v).toBe(String(5000 + 500000 + 500000));
    // 螺丝，5: the comma separates the product from the quantity, as before.
    expect(await h.say('出库 CU，5')).toMatch(/已出库 CK/);
    expect(await onHand(t.db, 'CU')).toBe('2005');
    expect(await h.say('商品 修改 CU 售价=1,200.5 确认')).toMatch(/已修改|已更新|修改/);
    const [p] = await execRows<{ s: string }>(t.db, sql`select trim_scale(sale_price_fen)::text as s from products where sku = 'CU'`);
    expect(p.s).toBe('120050');
  });

  it('card fields: a quantity or price with a decimal comma is refused in the toast, nothing posted; 1,000 is accepted', async () => {
    await setup();
    const docs = await count(t.db, 'documents');
    const menu = await chat(h, '菜单');
    const f = await tap(h, menu.reply.message_id, button(menu.card!, '入库'));
    const product = optionValue(f.now, 'product', '铜线');
    const cases: [J, string][] = [
      [{ product, qty: '2,5' }, `数量${COMMA('2,5', '2.5')}`],
      [{ product, qty: '1，5', unit_price: '5' }, COMMA('1,5', '1.5')],
      [{ product, qty: '2', unit_price: '2,5' }, COMMA('2,5', '2.5')],
    ];
    for (const [form, message] of cases) {
      const r = await tap(h, menu.reply.message_id, submit(f.now), { form: { kind: 'purchase_receipt', ...form } });
      expect(r.toast?.type, JSON.stringify(form)).toBe('error');
      expect(r.toast?.content, JSON.stringify(form)).toContain(message);
    }
    expect(await count(t.db, 'documents')).toBe(docs);
    // The product form's 进价 field (bot/cards/fields.ts price).
    const menu2 = await chat(h, '菜单');
    const p = await tap(h, menu2.reply.message_id, button(menu2.card!, '新建商品'));
    const bad = await tap(h, menu2.reply.message_id, submit(p.now), { form: { name: '铜排', sku: 'CU2', base_unit: '千克', purchase_price: '2,5' } });
    expect(bad.toast?.type).toBe('error');
    expect(bad.toast?.content).toContain(COMMA('2,5', '2.5'));
    expect(await count(t.db, 'products')).toBe(1);
    const ok = await tap(h, menu2.reply.message_id, submit(p.now), { form: { name: '铜排', sku: 'CU2', base_unit: '千克', purchase_price: '1,000', safety_stock: '1,000' } });
    expect(ok.toast?.type).toBe('success');
    const [row] = await execRows<{ c: string; s: string }>(t.db, sql`select trim_scale(purchase_price_fen)::text as c, trim_scale(safety_stock)::text as s from products where sku = 'CU2'`);
    expect(row).toEqual({ c: '100000', s: '1000' });
  });
});

/**
 * Issue 10 items 2, 3 and 11 at the service level: unit synonyms and a product's own unit
 * aliases (units.ts unitRole / parseQuantity), product aliases and their uniqueness
 * (products.ts), negative pack readings and labels that do not repeat the spec. The same
 * through chat, cards and REST: test/bot/spellings.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { admin, expectDomain, product } from './helpers.js';
import { archiveProduct, updateProduct } from '../../src/inventory/products.js';
import { productLabel } from '../../src/inventory/products.js';
import { formatQty, parseQuantity, unitRole, type UnitInfo } from '../../src/inventory/units.js';
import { DomainError } from '../../src/errors.js';

const piece: UnitInfo = { name: '螺丝', baseUnit: '个', packUnit: '盒', packFactor: '100' };

describe('unit words (units.ts)', () => {
  const cases: [UnitInfo, string, 'base' | 'pack' | null][] = [
    [piece, 'pcs', 'base'], [piece, 'PCS', 'base'], [piece, 'Pc', 'base'], [piece, '只', 'base'], [piece, '件', 'base'], [piece, '盒', 'pack'], [piece, 'kg', null],
    // A product counted in 件 keeps 件 as its own unit; with 个 and 件 both, pcs names neither.
    [{ name: '垫圈', baseUnit: '个', packUnit: '件', packFactor: '10' }, '件', 'pack'],
    [{ name: '垫圈', baseUnit: '个', packUnit: '件', packFactor: '10' }, 'pcs', null],
    [{ name: '手套', baseUnit: '只', packUnit: null, packFactor: null }, '只', 'base'],
    [{ name: '手套', baseUnit: '只', packUnit: null, packFactor: null }, 'pcs', 'base'],
    [{ name: '铜线', baseUnit: '千克', packUnit: null, packFactor: null }, 'KG', 'base'],
    [{ name: '铜线', baseUnit: '千克', packUnit: null, packFactor: null }, '公斤', 'base'],
    [{ name: '铜线', baseUnit: '千克', packUnit: null, packFactor: null }, '斤', null],
    [{ name: '电线', baseUnit: '米', packUnit: '卷', packFactor: '100' }, 'M', 'base'],
    [{ name: '饮料', baseUnit: '瓶', packUnit: '箱', packFactor: '24' }, 'CTN', 'pack'],
    [{ name: '杜邦线', baseUnit: '根', packUnit: '包', packFactor: '10', unitAliases: { 条: '根', bag: '包' } }, '条', 'base'],
    [{ name: '杜邦线', baseUnit: '根', packUnit: '包', packFactor: '10', unitAliases: { 条: '根', bag: '包' } }, 'BAG', 'pack'],
  ];
  for (const [p, unit, want] of cases) it(`${p.name} (${p.baseUnit}${p.packUnit ? `/${p.packUnit}` : ''}): ${unit} → ${want}`, () => expect(unitRole(p, unit)).toBe(want));

  it('parseQuantity reads synonyms and aliases, and names the units (and aliases) when refusing', () => {
    expect(parseQuantity(piece, '5pcs')).toBe('5');
    expect(parseQuantity(piece, '1盒5只')).toBe('105');
    const dp: UnitInfo = { name: '杜邦线', baseUnit: '根', packUnit: null, packFactor: null, unitAliases: { 条: '根' } };
    expect(parseQuantity(dp, '3条')).toBe('3');
    expect(() => parseQuantity(dp, '3米')).toThrow(/单位「米」不认识。「杜邦线」的单位是 根，也认 条=根/);
  });

  it('negative pack readings: the sign outside brackets around both parts', () => {
    expect(formatQty(piece, '-203')).toBe('-203 个（-(2 盒 3 个)）');
    expect(formatQty(piece, '-200')).toBe('-200 个（-2 盒）');
    expect(formatQty(piece, '203')).toBe('203 个（2 盒 3 个）');
    expect(formatQty(piece, '-3')).toBe('-3 个');
  });

  it('a label does not repeat a model or spec the name already says', () => {
    expect(productLabel({ name: '螺丝M3×8', model: null, spec: 'M3×8', sku: 'A001' })).toBe('螺丝M3×8（A001）');
    expect(productLabel({ name: '螺丝M3×8', model: 'm3x8', spec: 'M3 * 8', sku: 'A001' })).toBe('螺丝M3×8（A001）');
    expect(productLabel({ name: '螺丝', model: 'M6', spec: '不锈钢', sku: 'P00001' })).toBe('螺丝 M6 不锈钢（P00001）');
    expect(productLabel({ name: '螺丝', model: 'M6', spec: 'M6', sku: 'P1' })).toBe('螺丝 M6（P1）');
  });
});

describeDb('product aliases (products.ts)', (t) => {
  it('stores aliases (duplicates and the own name dropped) and unit aliases; shows them', async () => {
    const p = await product(t.db, { sku: 'DP20', name: '杜邦线', aliases: ['DP线', 'dp线', '杜邦线', '杜邦线20'], unitAliases: { 条: '根' }, baseUnit: '根' });
    expect(p.aliases).toEqual(['DP线', '杜邦线20']);
    expect(p.unitAliases).toEqual({ 条: '根' });
  });

  it('an alias may not be another product’s SKU, name or alias; a name may not be another’s alias; archived products do not count', async () => {
    await product(t.db, { sku: 'DP20', name: '杜邦线', aliases: ['DP线'] });
    const other = await product(t.db, { sku: 'B001', name: '扳手' });
    for (const [aliases, msg] of [[['dp20'], /编码/], [['杜邦线'], /名称/], [['DP线'], /别名/]] as const) {
      const e = await expectDomain(updateProduct(t.db, admin, { product: 'B001', changes: { aliases: [...aliases] } }), 'conflict');
      expect(e.message).toMatch(msg);
    }
    const named = await expectDomain(updateProduct(t.db, admin, { product: 'B001', changes: { name: 'DP线' } }), 'conflict');
    expect(named.message).toMatch(/「DP线」已是商品「杜邦线」（DP20）的别名/);
    expect((await updateProduct(t.db, admin, { product: other.id, changes: { aliases: ['活动扳手'] } })).aliases).toEqual(['活动扳手']);
    await archiveProduct(t.db, admin, { product: 'B001' });
    expect((await product(t.db, { sku: 'B002', name: '新扳手', aliases: ['活动扳手'] })).aliases).toEqual(['活动扳手']);
  });

  it('unit aliases must point at one of the product’s units, also after the pack unit changes', async () => {
    await expectDomain(product(t.db, { sku: 'X1', name: '线', baseUnit: '根', unitAliases: { 条: '米' } }), 'invalid_input');
    await expectDomain(product(t.db, { sku: 'X2', name: '线', baseUnit: '根', unitAliases: { 根: '根' } }), 'invalid_input');
    await product(t.db, { sku: 'X3', name: '线', baseUnit: '根', packUnit: '包', packFactor: '10', unitAliases: { bag: '包' } });
    const e = await expectDomain(updateProduct(t.db, admin, { product: 'X3', changes: { packUnit: null, packFactor: null } }), 'invalid_input');
    expect(e).toBeInstanceOf(DomainError);
    expect(e.message).toMatch(/没有单位「包」/);
    expect((await updateProduct(t.db, admin, { product: 'X3', changes: { packUnit: null, packFactor: null, unitAliases: {} } })).unitAliases).toEqual({});
  });
});

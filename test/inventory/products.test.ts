import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { execRows } from '../../db/types.js';
import {
  archiveProduct,
  createProduct,
  formatQty,
  parseQuantity,
  resolveProduct,
  searchProducts,
  updateProduct,
} from '../../src/inventory/index.js';
import { admin, expectDomain, product, receive, viewer } from './helpers.js';

describeDb('products', (t) => {
  it('creates with all fields, generates a SKU, keeps search_text with pinyin and initials', async () => {
    const p = await createProduct(t.db, admin, {
      name: '螺丝',
      model: 'M6',
      spec: '不锈钢 20mm',
      baseUnit: '个',
      packUnit: '箱',
      packFactor: 24,
      purchasePriceFen: 12,
      salePriceFen: '30',
      safetyStock: '100',
      leadTimeDays: 7,
      category: '五金',
      batchTracked: false,
    });
    expect(p.sku).toMatch(/^P\d{5}$/);
    expect(p.packFactor).toBe('24');
    expect(p.purchasePriceFen).toBe('12');
    const [row] = await execRows<{ search_text: string }>(t.db, sql`select search_text from products where id = ${p.id}`);
    expect(row.search_text).toContain('luosi');
    expect(row.search_text).toContain('ls');
    expect(row.search_text).toContain('m6');
    const audit = await execRows<{ action: string }>(t.db, sql`select action from audit_log where entity = 'product' and entity_id = ${String(p.id)}`);
    expect(audit.map((a) => a.action)).toEqual(['create']);
  });

  it('SKU is unique; barcode unique when given (several products without barcode are fine)', async () => {
    await product(t.db, { name: 'A', sku: 'SKU-1', barcode: '690000001' });
    await product(t.db, { name: 'B', sku: 'SKU-2' });
    await product(t.db, { name: 'C', sku: 'SKU-3' });
    const e1 = await expectDomain(product(t.db, { name: 'D', sku: 'SKU-1' }), 'conflict');
    expect(e1.message).toContain('SKU-1');
    const e2 = await expectDomain(product(t.db, { name: 'E', sku: 'SKU-9', barcode: '690000001' }), 'conflict');
    expect(e2.message).toContain('条码');
  });

  it('looks up by SKU, barcode, exact name and fuzzy name including pinyin', async () => {
    const screw = await product(t.db, { name: '螺丝', sku: 'LS-01', barcode: '6901' });
    await product(t.db, { name: '螺母', sku: 'LM-01' });
    await product(t.db, { name: '垫片', sku: 'DP-01' });
    expect((await resolveProduct(t.db, 'ls-01')).id).toBe(screw.id);
    expect((await resolveProduct(t.db, '6901')).id).toBe(screw.id);
    expect((await resolveProduct(t.db, '螺丝')).id).toBe(screw.id);
    expect((await resolveProduct(t.db, 'luosi')).id).toBe(screw.id);
    expect((await resolveProduct(t.db, 'ls')).id).toBe(screw.id);
    expect((await resolveProduct(t.db, '丝')).id).toBe(screw.id);
    // "螺" matches both 螺丝 and 螺母: candidates, never a guess
    const e = await expectDomain(resolveProduct(t.db, '螺'), 'ambiguous');
    const names = (e.details!.candidates as { name: string }[]).map((c) => c.name).sort();
    expect(names).toEqual(['螺丝', '螺母'].sort());
    expect(e.message).toContain('螺母');
    await expectDomain(resolveProduct(t.db, '扳手'), 'not_found');
    const found = await searchProducts(t.db, '螺');
    expect(found.length).toBe(2);
  });

  it('fuzzy search alone finds 螺丝 by "ls", "luosi" and "螺"', async () => {
    const p = await product(t.db, { name: '螺丝' });
    for (const q of ['ls', 'luosi', '螺', 'LuoSi']) expect((await searchProducts(t.db, q)).map((x) => x.id)).toEqual([p.id]);
  });

  it('exact name wins over fuzzy matches; duplicate exact names are ambiguous', async () => {
    const a = await product(t.db, { name: '螺丝' });
    await product(t.db, { name: '螺丝刀' });
    expect((await resolveProduct(t.db, '螺丝')).id).toBe(a.id);
    await product(t.db, { name: '螺丝', model: 'M8' });
    const e = await expectDomain(resolveProduct(t.db, '螺丝'), 'ambiguous');
    expect((e.details!.candidates as unknown[]).length).toBe(2);
  });

  it('updates fields and search text; refuses changing the base unit once stock moved', async () => {
    const p = await product(t.db, { name: '垫圈' });
    const u = await updateProduct(t.db, admin, { product: p.id, changes: { name: '弹簧垫圈', safetyStock: '5', packUnit: '盒', packFactor: '100' } });
    expect(u.name).toBe('弹簧垫圈');
    expect((await resolveProduct(t.db, 'thdq')).id).toBe(p.id);
    await receive(t.db, p.id, 10, 1);
    await expectDomain(updateProduct(t.db, admin, { product: p.id, changes: { baseUnit: '只' } }), 'conflict');
    await expectDomain(updateProduct(t.db, admin, { product: p.id, changes: { packUnit: '箱' , packFactor: null } }), 'invalid_input');
    const audit = await execRows<{ action: string; before: unknown }>(t.db, sql`select action, before from audit_log where entity = 'product' and action = 'update'`);
    expect(audit.length).toBe(1);
    expect((audit[0].before as { name: string }).name).toBe('垫圈');
  });

  it('updating only the sale price leaves every other field as it was (no defaults on update)', async () => {
    const p = await createProduct(t.db, admin, {
      name: '胶水',
      sku: 'G900',
      model: 'G-1',
      spec: '500ml',
      category: '辅料',
      barcode: '69000001',
      baseUnit: '瓶',
      packUnit: '箱',
      packFactor: 12,
      purchasePriceFen: 800,
      salePriceFen: 1200,
      safetyStock: '30',
      leadTimeDays: 7,
      batchTracked: true,
    });
    // Stock moved: a reset of batch tracking or the base unit would even be refused.
    await receive(t.db, p.id, 24, 800, undefined, 'B1');
    const u = await updateProduct(t.db, admin, { product: p.id, changes: { salePriceFen: 1500 } });
    expect(u.salePriceFen).toBe('1500');
    const { salePriceFen: _a, ...rest } = u;
    const { salePriceFen: _b, ...before } = p;
    expect(rest).toEqual(before);
    expect(rest).toMatchObject({ baseUnit: '瓶', safetyStock: '30', leadTimeDays: 7, batchTracked: true, packUnit: '箱', packFactor: '12', model: 'G-1', spec: '500ml', barcode: '69000001' });
    // The stored row agrees (not just the returned view).
    expect(await resolveProduct(t.db, 'G900')).toEqual(u);
  });

  it('archives only without stock; archived products leave search and postings', async () => {
    const p = await product(t.db, { name: '旧货' });
    await receive(t.db, p.id, 1, 1);
    await expectDomain(archiveProduct(t.db, admin, { product: p.id }), 'conflict');
    const q = await product(t.db, { name: '停产件' });
    const a = await archiveProduct(t.db, admin, { product: q.id });
    expect(a.archived).toBe(true);
    expect(await searchProducts(t.db, '停产')).toEqual([]);
    await expectDomain(resolveProduct(t.db, q.id), 'conflict');
    await expectDomain(receive(t.db, q.id, 1, 1), 'conflict');
  });

  it('needs product.manage', async () => {
    await expectDomain(createProduct(t.db, viewer, { name: 'x' }), 'forbidden');
  });

  it('validates input with a Chinese message', async () => {
    const e = await expectDomain(createProduct(t.db, admin, { name: '' }), 'invalid_input');
    expect(e.message).toContain('名称');
  });
});

describeDb('quantities in base or pack unit', () => {
  const p = { name: '螺丝', baseUnit: '个', packUnit: '箱', packFactor: '24' };
  it('parses "2箱", "24", "24个", "2箱3个", "1.5 箱" into base units', () => {
    expect(parseQuantity(p, '2箱')).toBe('48');
    expect(parseQuantity(p, '24')).toBe('24');
    expect(parseQuantity(p, 24)).toBe('24');
    expect(parseQuantity(p, '24个')).toBe('24');
    expect(parseQuantity(p, '2箱3个')).toBe('51');
    expect(parseQuantity(p, '1.5 箱')).toBe('36');
    // 千克 takes 3 decimals (units.ts UNIT_DECIMALS); 个 only whole numbers (see test/bot/quantities.test.ts).
    expect(parseQuantity({ ...p, baseUnit: '千克', packUnit: null, packFactor: null }, '0.25')).toBe('0.25');
  });
  it('refuses unknown units, zero and too many decimals with a clear message', async () => {
    let err: unknown;
    try {
      parseQuantity(p, '3盒');
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toContain('盒');
    expect((err as Error).message).toContain('1 箱 = 24 个');
    expect(() => parseQuantity(p, '0')).toThrow(/大于 0/);
    expect(() => parseQuantity(p, '1.1234567')).toThrow(/小数/);
    expect(() => parseQuantity(p, 'abc')).toThrow();
  });
  it('formats in base unit plus pack unit', () => {
    expect(formatQty(p, '30')).toBe('30 个（1 箱 6 个）');
    expect(formatQty(p, '48')).toBe('48 个（2 箱）');
    expect(formatQty(p, '5')).toBe('5 个');
    expect(formatQty({ baseUnit: 'kg', packUnit: null, packFactor: null }, '2.5')).toBe('2.5 kg');
  });
});

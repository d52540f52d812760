/**
 * Finding products by the names people use (issue 10 item 3): search ignores case, spaces and
 * × / x / X / *; a partial SKU or barcode finds the product; aliases match exactly like a name
 * and fuzzily through search; pinyin keeps working; an ambiguous match still asks. Rows written
 * before (search_text without SKU, old rows) work without a backfill.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { buildSearchText, compactFold, foldText } from '../../src/inventory/search.js';
import { resolveProduct, searchProducts } from '../../src/inventory/product-lookup.js';
import { listProducts } from '../../src/inventory/product-list.js';
import { phrasesNamingProducts } from '../../src/inventory/product-names.js';
import { execRows, type Db } from '../../db/types.js';
import { admin, expectDomain, product } from './helpers.js';

/** Give a product aliases the way a product update stores them (aliases + the search haystack). */
async function setAliases(db: Db, id: number, aliases: string[]) {
  const [p] = await execRows<{ name: string; model: string | null; spec: string | null }>(db, sql`select name, model, spec from products where id = ${id}`);
  await db.execute(sql`update products set aliases = ${JSON.stringify(aliases)}::jsonb, search_text = ${buildSearchText({ ...p, aliases })} where id = ${id}`);
}

it('foldText reads ×, x, X, * and full-width alike; compactFold drops spaces', () => {
  expect(foldText('螺丝M3×8')).toBe('螺丝m3x8');
  expect(foldText('M3X8')).toBe('m3x8');
  expect(foldText('m3*8')).toBe('m3x8');
  expect(foldText('Ｍ３＊８')).toBe('m3x8');
  expect(compactFold('M3 x 8')).toBe('m3x8');
  expect(compactFold('Type-C 母座 16P')).toBe('type-c母座16p');
});

it('buildSearchText holds the aliases and their pinyin; without aliases it is what it was', () => {
  expect(buildSearchText({ name: '螺丝', model: 'M6' })).toBe('螺丝 m6 luosim6 lsm6 luosi ls');
  const t = buildSearchText({ name: '杜邦线 20cm', aliases: ['跳线', 'DP20'] });
  for (const part of ['跳线', 'dp20', 'tiaoxian', 'tx']) expect(t).toContain(part);
});

describeDb('product search', (t) => {
  it('M3X8, m3*8, M3 x 8 and m3×8 find 螺丝M3×8 (an existing row, no backfill)', async () => {
    const p = await product(t.db, { sku: 'SCR-M3X8', name: '螺丝M3×8' });
    await product(t.db, { sku: 'NUT-M3', name: '螺母M3' });
    // A row as an older version wrote it: search_text without SKU, as it was built then.
    await t.db.execute(sql`update products set search_text = '螺丝m3×8 luosim3×8 lsm3×8' where id = ${p.id}`);
    for (const q of ['M3X8', 'm3*8', 'M3 x 8', 'm3×8', '螺丝 M3X8', 'm3 X 8', 'Ｍ３×８']) {
      expect((await searchProducts(t.db, q)).map((x) => x.sku), q).toEqual(['SCR-M3X8']);
    }
    expect((await resolveProduct(t.db, 'm3x8')).id).toBe(p.id);
  });

  it('a partial SKU (dpx) or barcode prefix finds the product; search_text never held them', async () => {
    const p = await product(t.db, { sku: 'DPX-20', name: '杜邦线', barcode: '6901234500012' });
    await product(t.db, { sku: 'R-10K', name: '电阻' });
    expect((await searchProducts(t.db, 'dpx')).map((x) => x.id)).toEqual([p.id]);
    expect((await searchProducts(t.db, 'DPX')).map((x) => x.id)).toEqual([p.id]);
    expect((await searchProducts(t.db, '690123450')).map((x) => x.id)).toEqual([p.id]);
    expect((await resolveProduct(t.db, 'dpx')).id).toBe(p.id);
    const page = await listProducts(t.db, admin, { q: 'dpx', limit: 10 });
    expect(page.items.map((x) => x.id)).toEqual([p.id]);
    // Hyphens and underscores do not matter in a search: dpx20 finds DPX-20, typec finds Type-C.
    expect((await searchProducts(t.db, 'dpx20')).map((x) => x.id)).toEqual([p.id]);
    const tc = await product(t.db, { sku: 'TC16', name: 'Type-C 母座 16P' });
    expect((await searchProducts(t.db, 'typec')).map((x) => x.id)).toEqual([tc.id]);
    expect((await searchProducts(t.db, 'TYPEC')).map((x) => x.id)).toEqual([tc.id]);
  });

  it('an alias matches exactly like a name, and fuzzily through search (pinyin too)', async () => {
    const p = await product(t.db, { sku: 'DP-20', name: '杜邦线 20cm 公对母' });
    await product(t.db, { sku: 'DP-10', name: '杜邦线 10cm 公对母' });
    await setAliases(t.db, p.id, ['跳线20', 'JX20']);
    expect((await resolveProduct(t.db, '跳线20')).id).toBe(p.id);
    expect((await resolveProduct(t.db, 'jx20')).id).toBe(p.id);
    expect((await searchProducts(t.db, 'tiaoxian')).map((x) => x.id)).toEqual([p.id]);
    expect((await searchProducts(t.db, '跳线')).map((x) => x.id)).toEqual([p.id]);
    // REST's exact mode takes an alias too (any letter case), never a fuzzy match.
    expect((await resolveProduct(t.db, 'jx20', { references: 'exact' })).id).toBe(p.id);
    await expectDomain(resolveProduct(t.db, '跳线', { references: 'exact' }), 'not_found');
  });

  it('pinyin keeps working; the name written differently is that product; an ambiguous match still asks', async () => {
    const a = await product(t.db, { sku: 'TC-16', name: 'Type-C 母座 16P' });
    const b = await product(t.db, { sku: 'TC-16W', name: 'Type-C 母座 16P 弯脚' });
    expect((await searchProducts(t.db, 'muzuo')).map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect((await resolveProduct(t.db, 'type-c 母座 16p')).id).toBe(a.id);
    expect((await resolveProduct(t.db, 'TYPE-C母座16P')).id).toBe(a.id);
    const e = await expectDomain(resolveProduct(t.db, 'type-c'), 'ambiguous');
    expect(e.message).toContain('对应 2 个商品');
    // Two products whose names differ only by spaces: the picker, never a guess.
    await product(t.db, { sku: 'TC-16B', name: 'Type-C母座16P' });
    await expectDomain(resolveProduct(t.db, 'type-c 母座 16p'), 'ambiguous');
    expect((await resolveProduct(t.db, 'Type-C 母座 16P')).id).toBe(a.id); // exact name first
  });

  it('phrasesNamingProducts: names, SKUs, barcodes and aliases, folded; archived products do not count', async () => {
    const p = await product(t.db, { sku: 'DP-20', name: '杜邦线 20cm', barcode: 'AB123' });
    await setAliases(t.db, p.id, ['跳线 20']);
    const gone = await product(t.db, { sku: 'OLD-1', name: '旧货 1号' });
    await t.db.execute(sql`update products set archived_at = now() where id = ${gone.id}`);
    const found = await phrasesNamingProducts(t.db, ['杜邦线 20CM', '杜邦线20cm 5', 'dp-20', 'ab123', '跳线20', '旧货 1号', '']);
    expect([...found].sort()).toEqual(['ab123', 'dp-20', '杜邦线20cm', '跳线20'].sort());
    expect(await phrasesNamingProducts(t.db, [])).toEqual(new Set());
  });
});

/**
 * List use cases: filters, cursor pagination that neither repeats nor skips a row while others
 * post between two pages, and cost fields hidden from a role without 'cost.view'.
 */
import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { admin, clerk, sales, viewer } from './helpers.js';
import { call, keysDeep, refused, walk } from './use-cases-harness.js';
import { COST_FIELDS } from '../../src/inventory/use-cases/cost-visibility.js';

describeDb('list use cases', (t) => {
  /** 主仓库 and 二号仓; products P1…P<n>; one receipt per product into 主仓库. */
  async function seed(n: number) {
    await call(t.db, admin, 'inventory.warehouse-create', { name: '主仓库' });
    await call(t.db, admin, 'inventory.warehouse-create', { name: '二号仓', code: 'W2' });
    await call(t.db, admin, 'inventory.product-create', { sku: 'LOT', name: '试剂', batchTracked: true });
    for (let i = 1; i <= n; i++) {
      await call(t.db, admin, 'inventory.product-create', { sku: `P${i}`, name: `商品${i}` });
      await call(t.db, clerk, 'inventory.receive', { lines: [{ product: `P${i}`, qty: String(i * 10), unitPrice: '1.5' }] });
    }
  }
  const receive = (sku: string, qty: string) => call(t.db, clerk, 'inventory.receive', { lines: [{ product: sku, qty, unitPrice: '2' }] });

  it('moves: pages in id order, none repeated or skipped while receipts post between pages; new ones come last', async () => {
    await seed(5);
    const before = (await call(t.db, viewer, 'inventory.moves', { limit: 500 })).items.map((m: { id: number }) => m.id);
    expect(before).toHaveLength(5);
    let extra = 0;
    const pages = await walk<{ id: number }>(t.db, viewer, 'inventory.moves', {}, 2, async () => {
      await receive('P1', '1');
      extra++;
    });
    const ids = pages.flat().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(ids.slice(0, 5)).toEqual(before);
    // Every move that existed is there; those posted meanwhile follow (the walk sees them too, up to the last page).
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(ids.length).toBeLessThanOrEqual(5 + extra);
  });

  it('balances: keyset by (product, warehouse, batch); inserts before the cursor are not seen twice, none skipped', async () => {
    await seed(6);
    const all = (await call(t.db, viewer, 'inventory.balances', {})).items.map((b: { sku: string }) => b.sku);
    expect(all).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
    const pages = await walk<{ sku: string; warehouseName: string }>(t.db, viewer, 'inventory.balances', {}, 2, async (page) => {
      // A new row for a product already paged (P1 in 二号仓) and one after the cursor (P6 in 二号仓).
      if (page === 1) {
        await call(t.db, clerk, 'inventory.transfer', { from: '主仓库', to: '二号仓', lines: [{ product: 'P1', qty: '1' }, { product: 'P6', qty: '1' }] });
      }
    });
    const seen = pages.flat().map((b) => `${b.sku}@${b.warehouseName}`);
    expect(new Set(seen).size).toBe(seen.length);
    for (const sku of all) expect(seen).toContain(`${sku}@主仓库`);
    expect(seen).toContain('P6@二号仓');
    expect(seen).not.toContain('P1@二号仓');
  });

  it('balances: filters by product, warehouse, batch and nonzero; values add up to the product value', async () => {
    await seed(2);
    await call(t.db, clerk, 'inventory.receive', { lines: [{ product: 'LOT', qty: '3', unitPrice: '1', batchNo: 'B1' }, { product: 'LOT', qty: '1', unitPrice: '5', batchNo: 'B2' }] });
    await call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'P2', qty: '20' }] });
    const lot = (await call(t.db, clerk, 'inventory.balances', { product: 'LOT' })).items;
    expect(lot.map((b: { batchNo: string; qty: string }) => [b.batchNo, b.qty])).toEqual([['B1', '3'], ['B2', '1']]);
    expect(lot.reduce((s: bigint, b: { valueFen: string }) => s + BigInt(b.valueFen), 0n)).toBe(800n);
    expect((await call(t.db, viewer, 'inventory.balances', { batch: 'B2' })).items.map((b: { sku: string }) => b.sku)).toEqual(['LOT']);
    expect((await call(t.db, viewer, 'inventory.balances', { warehouse: '二号仓' })).items).toEqual([]);
    const nonzero = (await call(t.db, viewer, 'inventory.balances', { nonzero: true })).items.map((b: { sku: string }) => b.sku);
    expect(nonzero).toEqual(['LOT', 'LOT', 'P1']);
  });

  it('moves: filters by product, warehouse, document, kind and business day', async () => {
    await seed(3);
    const ck = await call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'P3', qty: '4' }] });
    await call(t.db, clerk, 'inventory.transfer', { to: '二号仓', lines: [{ product: 'P3', qty: '1' }] });
    const p3 = (await call(t.db, viewer, 'inventory.moves', { product: 'P3' })).items.map((m: { kind: string; qty: string }) => [m.kind, m.qty]);
    expect(p3).toEqual([['purchase_receipt', '30'], ['sales_issue', '-4'], ['transfer_out', '-1'], ['transfer_in', '1']]);
    expect((await call(t.db, viewer, 'inventory.moves', { warehouse: '二号仓' })).items.map((m: { kind: string }) => m.kind)).toEqual(['transfer_in']);
    expect((await call(t.db, viewer, 'inventory.moves', { docNo: ck.document.docNo })).items.map((m: { docNo: string; docKind: string }) => [m.docNo, m.docKind])).toEqual([
      [ck.document.docNo, 'sales_issue'],
    ]);
    expect((await call(t.db, viewer, 'inventory.moves', { kind: 'purchase_receipt' })).items).toHaveLength(3);
    expect((await call(t.db, viewer, 'inventory.moves', { from: '2026-11-26' })).items).toHaveLength(0);
    expect((await call(t.db, viewer, 'inventory.moves', { from: '2026-11-25', to: '2026-11-25', kind: 'sales_issue' })).items).toHaveLength(1);
  });

  it('documents and products page without repeats while more are created', async () => {
    await seed(5);
    const docs = await walk<{ id: number }>(t.db, viewer, 'inventory.documents', {}, 2, () => receive('P2', '1').then(() => undefined));
    const docIds = docs.flat().map((d) => d.id);
    expect(new Set(docIds).size).toBe(docIds.length);
    expect(docIds.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);

    let k = 0;
    const prods = await walk<{ sku: string }>(t.db, viewer, 'inventory.products', {}, 2, () =>
      call(t.db, admin, 'inventory.product-create', { sku: `N${++k}`, name: `新品${k}` }).then(() => undefined),
    );
    const skus = prods.flat().map((p) => p.sku);
    expect(new Set(skus).size).toBe(skus.length);
    expect(skus.slice(0, 6)).toEqual(['LOT', 'P1', 'P2', 'P3', 'P4', 'P5']);

    // A cursor belongs to its list: another list refuses it instead of misreading it.
    const { nextCursor } = await call(t.db, viewer, 'inventory.documents', { limit: 1 });
    expect(nextCursor).toEqual(expect.any(String));
    expect(await refused(call(t.db, viewer, 'inventory.moves', { cursor: nextCursor }), 'invalid_input')).toMatch(/「翻页游标」无效/);
  });

  it('costs are left out for a sales user (no cost.view), at every depth; a clerk sees them', async () => {
    await seed(1);
    await call(t.db, admin, 'inventory.product-update', { product: 'P1', purchasePrice: '1.5', salePrice: '3' });
    const ck = await call(t.db, clerk, 'inventory.issue', { lines: [{ product: 'P1', qty: '2' }] });
    const st = await call(t.db, clerk, 'inventory.stocktake-open', { products: ['P1'] });
    await call(t.db, clerk, 'inventory.stocktake-count', { stocktake: st.docNo, product: 'P1', qty: '7' });
    const reads: [string, unknown][] = [
      ['inventory.stock', { product: 'P1' }],
      ['inventory.stock-summary', {}],
      ['inventory.balances', {}],
      ['inventory.moves', {}],
      ['inventory.documents', {}],
      ['inventory.document', { docNo: ck.document.docNo }],
      ['inventory.products', {}],
      ['inventory.product-get', { product: 'P1' }],
      ['inventory.stocktake', { stocktake: st.docNo }],
    ];
    const cost = new Set<string>(COST_FIELDS);
    for (const [id, input] of reads) {
      const hidden = [...keysDeep(await call(t.db, sales, id, input))].filter((k) => cost.has(k));
      expect(hidden, id).toEqual([]);
      const shown = [...keysDeep(await call(t.db, clerk, id, input))].filter((k) => cost.has(k));
      expect(shown.length, id).toBeGreaterThan(0);
    }
    const forSales = await call(t.db, sales, 'inventory.product-get', { product: 'P1' });
    expect(forSales).toMatchObject({ sku: 'P1', salePriceFen: '300' });
    expect(forSales).not.toHaveProperty('purchasePriceFen');
    const stock = await call(t.db, sales, 'inventory.stock', { product: 'P1' });
    expect(stock).toMatchObject({ totalQty: '8', rows: [{ qty: '8' }] });
  });
});

/**
 * REST takes only exact references (kernel ReferenceMode 'exact'): an id, the exact SKU,
 * barcode, warehouse code or full name. A unique partial or pinyin match — which chat takes,
 * because a person sees the echo — is not_found with the near matches as candidates. Digits in
 * a URL are a code first, then an id; a 13-digit barcode never overflows into a 500.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { createProduct, createWarehouse } from '../../src/inventory/index.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

describeDb('REST references', (t) => {
  const api = useApi(t);

  async function setup() {
    const admin = await api.admin();
    const pen = await createProduct(t.db, admin, { name: '中性笔', sku: 'ZXB-01', barcode: '6901234567890' });
    const numeric = await createProduct(t.db, admin, { name: '编号商品', sku: '1' }); // a numeric SKU that is not id 1
    await createWarehouse(t.db, admin, { name: '主仓库', code: 'WH01' });
    const token = (await api.token('erp', ['inventory:write'])).secret!;
    return { token, pen, numeric };
  }
  const docs = async () => (await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from documents`))[0].n;

  it('a partial or pinyin name is not_found (404) with candidates; nothing is posted', async () => {
    const { token, pen } = await setup();
    for (const [key, product] of [['k1', '笔'], ['k2', 'zxb']]) {
      const r = await api.call('POST', '/api/v1/receipts', { token, key, body: { lines: [{ product, qty: '1', unitPrice: '1' }] } });
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('not_found');
      expect(r.body.detail).toContain('精确');
      expect(r.body.candidates).toEqual([expect.objectContaining({ id: pen.id, sku: 'ZXB-01', name: '中性笔' })]);
    }
    expect(await docs()).toBe(0);
    // Chat keeps its forgiving search: the same text through the use case without REST's mode.
    const chat = await api.run('inventory.receive', { lines: [{ product: 'zxb', qty: '1', unitPrice: '1' }] });
    expect(chat.lines[0].sku).toBe('ZXB-01');
  });

  it('exact references post: id, SKU in any case, barcode, full name in any case; warehouse by code or name', async () => {
    const { token, pen } = await setup();
    const refs: unknown[] = [pen.id, 'zxb-01', '6901234567890', ' 中性笔 '];
    for (const [n, product] of refs.entries()) {
      const r = await api.call('POST', '/api/v1/receipts', { token, key: `r${n}`, body: { warehouse: n % 2 ? 'wh01' : '主仓库', confirm: true, lines: [{ product, qty: '1', unitPrice: '1' }] } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.lines[0].productId).toBe(pen.id);
    }
    const wrongWarehouse = await api.call('POST', '/api/v1/issues', { token, key: 'w', body: { warehouse: '主', lines: [{ product: pen.id, qty: '1' }] } });
    expect(wrongWarehouse.status).toBe(404);
    expect(wrongWarehouse.body.candidates).toEqual([expect.objectContaining({ code: 'WH01', name: '主仓库' })]);
  });

  it('several exact matches (the same full name) are ambiguous (409) with candidates', async () => {
    const { token } = await setup();
    await createProduct(t.db, await api.admin(), { name: '中性笔', sku: 'ZXB-02' });
    const r = await api.call('POST', '/api/v1/issues', { token, key: 'a', body: { lines: [{ product: '中性笔', qty: '1' }] } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('ambiguous');
    expect(r.body.candidates.map((c: { sku: string }) => c.sku).sort()).toEqual(['ZXB-01', 'ZXB-02']);
  });

  it('listing filters are exact too: GET /balances?product=zxb is 404', async () => {
    const { token } = await setup();
    const r = await api.call('GET', '/api/v1/balances?product=zxb', { token });
    expect(r.status).toBe(404);
    expect((await api.call('GET', '/api/v1/balances?product=ZXB-01', { token })).status).toBe(200);
  });

  it('digits in a URL: an exact code first, then an id; a JSON string of digits is only a code', async () => {
    const { token, pen, numeric } = await setup();
    // "1" is the SKU of 编号商品 (id 2), not product id 1.
    expect((await api.call('GET', '/api/v1/products/1', { token })).body.id).toBe(numeric.id);
    // The id of 编号商品 is no code, so it is read as the id.
    expect(numeric.id).not.toBe(1);
    const byId = await api.call('GET', `/api/v1/stock/${numeric.id}`, { token });
    expect(byId.status).toBe(200);
    expect(byId.body.product.id).toBe(numeric.id);
    expect((await api.call('GET', `/api/v1/balances?product=${numeric.id}`, { token })).status).toBe(200);
    const patched = await api.call('PATCH', `/api/v1/products/${numeric.id}`, { token, key: 'p', body: { salePrice: '3' } });
    expect(patched.status).toBe(200);
    expect(patched.body.id).toBe(numeric.id);
    // A 13-digit barcode in the URL is the barcode; an unknown one is 404, never an integer overflow.
    expect((await api.call('GET', '/api/v1/products/6901234567890', { token })).body.id).toBe(pen.id);
    expect((await api.call('GET', '/api/v1/products/6901234567899', { token })).status).toBe(404);
    expect((await api.call('GET', '/api/v1/balances?warehouse=99999999999', { token })).status).toBe(404);
    // In JSON an id is a number: "2" is only a code (none), so nothing is posted against id 2.
    const text = await api.call('POST', '/api/v1/issues', { token, key: 'j', body: { lines: [{ product: String(numeric.id), qty: '1' }] } });
    expect(text.status).toBe(404);
    const big = await api.call('POST', '/api/v1/issues', { token, key: 'b', body: { lines: [{ product: 6901234567890, qty: '1' }] } });
    expect(big.status).toBe(422);
    expect(big.body.detail).toContain('写成文本');
  });
});

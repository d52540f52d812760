/**
 * The unusual-entry rule over REST (src/inventory/unusual.ts, part of inventory.receive /
 * issue / transfer): an unusual entry is 409 needs_confirmation with the reasons chat shows and
 * nothing posted; the same request with "confirm": true posts. Fixes are worded in fields.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { createProduct, createWarehouse } from '../../src/inventory/index.js';
import { postReceipt } from '../../src/inventory/posting.js';
import { unusualEntrySetting } from '../../src/inventory/unusual.js';
import { writeSetting } from '../../src/kernel/settings.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

describeDb('REST unusual entries', (t) => {
  const api = useApi(t);

  /** 固体胶 JS01: three receipts of 1 个 at ¥1.00 (typical receipt 1, average cost 100 fen). */
  async function setup() {
    const admin = await api.admin();
    const wh = await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await createWarehouse(t.db, admin, { name: '二号仓' });
    await createProduct(t.db, admin, { name: '固体胶', sku: 'JS01' });
    await createProduct(t.db, admin, { name: '彩带', sku: 'CD01', baseUnit: '米' });
    for (let i = 0; i < 3; i++) await postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, lines: [{ product: 'JS01', qty: 1, unitCostFen: '100' }], idempotencyKey: `h${i}` });
    return (await api.token('erp', ['inventory:write'])).secret!;
  }

  const docs = async () => (await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from documents`))[0].n;

  it('a receipt priced far from the average cost: 409 needs_confirmation with the reasons, nothing posted; "confirm": true posts it', async () => {
    const token = await setup();
    const body = { lines: [{ product: 'JS01', qty: '10', unitPrice: '5' }] };
    const r = await api.call('POST', '/api/v1/receipts', { token, key: 'u1', body });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'needs_confirmation', status: 409 });
    expect(r.body.detail).toContain('请确认：这笔入库数据不太寻常。');
    expect(r.body.detail).toMatch(/• 单价 ¥5(\.00)?\/个 与平均成本 ¥1(\.00)?\/个 相差 400%（超过 50%）/);
    expect(r.body.detail).toContain('还没有记账。确认无误请在请求里加 "confirm": true 再提交一次。');
    expect(r.body.detail).not.toContain('命令');
    expect(r.body.details.reasons).toHaveLength(1);
    expect(r.body.details.fix).toEqual({ kind: 'confirm' });
    expect(await docs()).toBe(3);

    const ok = await api.call('POST', '/api/v1/receipts', { token, key: 'u2', body: { ...body, confirm: true } });
    expect(ok.status).toBe(201);
    expect(ok.body.lines[0]).toMatchObject({ sku: 'JS01', qty: '10' });
    expect(await docs()).toBe(4);
  });

  it('every line of a several-line receipt is checked: the unusual second line is named (第 2 行); "confirm": true posts', async () => {
    const token = await setup();
    const body = { lines: [{ product: 'JS01', qty: '1', unitPrice: '1' }, { product: 'JS01', qty: '10', unitPrice: '5' }] };
    const r = await api.call('POST', '/api/v1/receipts', { token, key: 'm1', body });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('needs_confirmation');
    expect(r.body.details.reasons).toHaveLength(1);
    expect(r.body.details.reasons[0]).toMatch(/^第 2 行：单价 ¥5(\.00)?\/个 与平均成本 ¥1(\.00)?\/个 相差 400%（超过 50%）$/);
    expect(r.body.detail).toContain('• 第 2 行：单价');
    expect(await docs()).toBe(3);

    const ok = await api.call('POST', '/api/v1/receipts', { token, key: 'm2', body: { ...body, confirm: true } });
    expect(ok.status).toBe(201);
    expect(ok.body.lines).toHaveLength(2);
    expect(await docs()).toBe(4);
  });

  it('a partial name is not found over REST, before any question about another product', async () => {
    const token = await setup();
    // "固体" would match 固体胶 in chat; REST reads references exactly: 404, not a confirmation about 固体胶.
    const r = await api.call('POST', '/api/v1/receipts', { token, key: 'p1', body: { lines: [{ product: '固体', qty: '10', unitPrice: '5' }] } });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('not_found');
    expect(await docs()).toBe(3);
  });

  it('issues and transfers far above the typical quantity ask too; usual ones post without confirm', async () => {
    const token = await setup();
    // Stock 3; typical issue: none yet → nothing to compare, posts.
    expect((await api.call('POST', '/api/v1/issues', { token, key: 'i1', body: { lines: [{ product: 'JS01', qty: '1' }] } })).status).toBe(201);
    await postReceipt(t.db, SYSTEM_ACTOR, { lines: [{ product: 'JS01', qty: 100, unitCostFen: '100' }], idempotencyKey: 'more' });
    // Typical issue 1: 20 > 10 × 1.
    const big = await api.call('POST', '/api/v1/issues', { token, key: 'i2', body: { lines: [{ product: 'JS01', qty: '20' }] } });
    expect(big.status).toBe(409);
    expect(big.body.detail).toMatch(/^请确认：这笔出库数据不太寻常。\n• 数量 20 个 超过这个商品平时单次数量（约 1 个）的 10 倍/);
    const internal = await api.call('POST', '/api/v1/issues', { token, key: 'i3', body: { kind: 'internal_issue', lines: [{ product: 'JS01', qty: '20' }] } });
    expect(internal.status).toBe(201); // no 领用 history: nothing to compare
    expect((await api.call('POST', '/api/v1/issues', { token, key: 'i2', body: { lines: [{ product: 'JS01', qty: '20' }], confirm: true } })).status).toBe(201);

    expect((await api.call('POST', '/api/v1/transfers', { token, key: 't1', body: { to: '二号仓', lines: [{ product: 'JS01', qty: '2' }] } })).status).toBe(201);
    const tr = await api.call('POST', '/api/v1/transfers', { token, key: 't2', body: { to: '二号仓', lines: [{ product: 'JS01', qty: '30' }] } });
    expect(tr.status).toBe(409);
    expect(tr.body.detail).toContain('请确认：这笔调拨数据不太寻常。');
    expect((await api.call('POST', '/api/v1/transfers', { token, key: 't2', body: { to: '二号仓', lines: [{ product: 'JS01', qty: '30' }], confirm: true } })).status).toBe(201);
  });

  it('the thresholds are the company setting inventory.unusual_entry', async () => {
    const token = await setup();
    await writeSetting(t.db, unusualEntrySetting, { unusualQtyFactor: 10, typicalMoves: 20, priceDeviation: 5 }, new Date());
    const r = await api.call('POST', '/api/v1/receipts', { token, key: 's1', body: { lines: [{ product: 'JS01', qty: '10', unitPrice: '5' }] } });
    expect(r.status).toBe(201);
  });

  it('a quantity finer than the product allows names the decimals the input needs and the field to change', async () => {
    const token = await setup();
    await postReceipt(t.db, SYSTEM_ACTOR, { lines: [{ product: 'CD01', qty: 10, unitCostFen: '100' }], idempotencyKey: 'cd' });
    const r = await api.call('POST', '/api/v1/issues', { token, key: 'd1', body: { lines: [{ product: 'CD01', qty: '2.5555' }] } });
    expect(r.status).toBe(422);
    expect(r.body.detail).toBe('「彩带」按 米 计，数量最多 3 位小数：「2.5555」不行。请写成 2.555米；确需更多小数位请先修改商品的 qtyDecimals：PATCH /products/CD01 {"qtyDecimals": 4}。');
    expect(r.body.details.fix).toEqual({ kind: 'product_setting', product: { sku: 'CD01', name: '彩带' }, field: 'qtyDecimals', value: 4 });
  });
});

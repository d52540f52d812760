/**
 * A refusal about one line of a multi-line document names the line (「第 2 行：…」) and points
 * at it (`errors[].path` lines.1) — product, quantity and price alike, over REST and in the
 * services (src/inventory/line-errors.ts). One-line documents read as before.
 */
import { expect, it } from 'vitest';
import { createProduct, createWarehouse, postIssue } from '../../src/inventory/index.js';
import { describeDb } from '../helpers/db.js';
import { clerk, expectDomain, key, receive } from '../inventory/helpers.js';
import { useApi } from './helpers.js';

describeDb('errors name their line', (t) => {
  const api = useApi(t);

  async function setup() {
    const admin = await api.admin();
    await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    const glue = await createProduct(t.db, admin, { name: '胶水', sku: 'GLU', baseUnit: '瓶' });
    await receive(t.db, glue.id, 20, 100);
    return (await api.token('erp', ['inventory:write'])).secret!;
  }

  it('over REST: a bad quantity, an unknown product and a foreign unit on line 2', async () => {
    const token = await setup();
    const qty = await api.call('POST', '/api/v1/issues', { token, key: 'q', body: { lines: [{ product: 'GLU', qty: '1' }, { product: 'GLU', qty: '2.5' }] } });
    expect(qty.status).toBe(422);
    expect(qty.body.detail).toMatch(/^第 2 行：「胶水」按 瓶 计，数量必须是整数/);
    expect(qty.body.errors).toEqual([{ path: 'lines.1', message: qty.body.detail }]);
    const unknown = await api.call('POST', '/api/v1/issues', { token, key: 'u', body: { lines: [{ product: 'GLU', qty: '1' }, { product: '胶', qty: '1' }] } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/^第 2 行：找不到/);
    expect(unknown.body.errors[0].path).toBe('lines.1');
    const unit = await api.call('POST', '/api/v1/receipts', { token, key: 'r', body: { lines: [{ product: 'GLU', qty: '1', unitPrice: '1' }, { product: 'GLU', qty: '2盒', unitPrice: '1' }] } });
    expect(unit.body.detail).toMatch(/^第 2 行：.*「盒」/);
  });

  it('a one-line document reads as before (no line number)', async () => {
    await setup();
    const e = await expectDomain(postIssue(t.db, clerk, { idempotencyKey: key(), lines: [{ product: 'GLU', qty: '2.5' }] }), 'invalid_input');
    expect(e.message).toMatch(/^「胶水」按 瓶 计/);
    expect(e.details?.line).toBeUndefined();
  });
});

/**
 * Input messages say what to write (kernel validate.ts, shared by chat, cards and REST), and a
 * problem's `errors[].message` is the very text `detail` is made of. Commas in numbers follow
 * the chat rule (src/shared/decimal.ts): "1,000" is a thousand, "2,5" is refused.
 */
import { expect, it } from 'vitest';
import { createProduct } from '../../src/inventory/index.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

describeDb('REST input messages', (t) => {
  const api = useApi(t);

  async function setup() {
    await createProduct(t.db, await api.admin(), { name: '螺丝', sku: 'A001' });
    return (await api.token('erp', ['inventory:write'])).secret!;
  }

  /** Every errors[].message appears in detail: one function built both. */
  const sameWords = (body: { detail: string; errors: { message: string }[] }) => {
    for (const e of body.errors) expect(body.detail).toContain(e.message);
  };

  it('wrong type, missing field, enum: what to write', async () => {
    const token = await setup();
    const r = await api.call('POST', '/api/v1/issues', { token, key: 'k', body: { kind: 'sale', lines: [{ product: 'A001', qty: 2 }, { qty: '1' }] } });
    expect(r.status).toBe(422);
    const at = (path: string) => r.body.errors.find((e: { path: string }) => e.path === path)?.message;
    expect(at('lines.0.qty')).toBe('第 1 行「数量」应写成文本，例如 "2"（收到数字 2）');
    expect(at('lines.1.product')).toBe('第 2 行「商品」必填');
    expect(at('kind')).toBe('「类型」只能是 sales_issue（销售出库）、internal_issue（领用出库）（收到「sale」）');
    sameWords(r.body);
  });

  it('limit=1.5 and limit=abc: 应为整数，例如 50', async () => {
    const token = await setup();
    for (const v of ['1.5', 'abc']) {
      const r = await api.call('GET', `/api/v1/products?limit=${v}`, { token });
      expect(r.status).toBe(422);
      expect(r.body.errors[0].message).toContain('「每页条数」应为整数，例如 50');
      sameWords(r.body);
    }
  });

  it('a field titled per use case is named the same in detail and errors (from = 起始时间 in /moves)', async () => {
    const token = await setup();
    const r = await api.call('GET', '/api/v1/moves?from=2026/11/30', { token });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].message).toContain('「起始时间」');
    expect(r.body.detail).toContain('「起始时间」');
    sameWords(r.body);
  });

  it('"2,5" gets the chat comma message; "1,000" is a thousand', async () => {
    const token = await setup();
    const bad = await api.call('POST', '/api/v1/receipts', { token, key: 'c1', body: { lines: [{ product: 'A001', qty: '2,5', unitPrice: '1,5' }] } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toContain('「2,5」看不懂：小数请用点号，写成 2.5');
    expect(bad.body.detail).toContain('「1,5」看不懂：小数请用点号，写成 1.5');
    sameWords(bad.body);
    const ok = await api.call('POST', '/api/v1/receipts', { token, key: 'c2', body: { lines: [{ product: 'A001', qty: '1,000', amount: '1,250.00' }] } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.lines[0].qty).toBe('1000');
    expect(ok.body.totalValueFen ?? ok.body.lines[0].valueFen).toBe('125000');
  });
});

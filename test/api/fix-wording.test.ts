/**
 * The way out of a refusal over REST (src/errors.ts DomainFix, worded by INPUT_FIX_WORDING):
 * the detail names the request field or route, never a chat command (「商品 修改」, 金额=…,
 * 「成本调整 …」, 红冲 …, 「强制过账」, 「确认」); details.fix carries the same fix as data.
 * Chat keeps its words for the same errors (test/bot/fix-wording.test.ts and the chat tests).
 */
import { expect, it } from 'vitest';
import { createProduct, createWarehouse } from '../../src/inventory/index.js';
import { adjustCost } from '../../src/inventory/cost-adjustment.js';
import { postIssue, postReceipt } from '../../src/inventory/posting.js';
import { openStocktake, recordCount } from '../../src/inventory/stocktake.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

/** Chat's command words and syntax: none may appear in a REST detail. */
const CHAT_WORDS = [/商品 修改/, /金额=/, /小数位=/, /包装=/, /成本调整 /, /红冲 [A-Z<]/, /「强制过账」/, /「确认」/, /命令/, /请发送/];

function expectRestWords(detail: string) {
  for (const w of CHAT_WORDS) expect(detail).not.toMatch(w);
}

describeDb('REST fix wording', (t) => {
  const api = useApi(t);
  let n = 0;
  const key = () => `fx${++n}`;

  /** 主仓库 (default), 固体胶 JS01 (个, 1 箱 = 24 个) and 彩带 CD01 (米); a write token. */
  async function setup() {
    const admin = await api.admin();
    await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await createProduct(t.db, admin, { name: '固体胶', sku: 'JS01', packUnit: '箱', packFactor: '24' });
    await createProduct(t.db, admin, { name: '彩带', sku: 'CD01', baseUnit: '米' });
    return (await api.token('erp', ['inventory:write'])).secret!;
  }

  const receive = (lines: { product: string; qty: number; unitCostFen: string }[]) => postReceipt(t.db, SYSTEM_ACTOR, { lines, idempotencyKey: key() });

  it('a new pack size under stock: 409 names "confirm": true; with it the change is saved', async () => {
    const token = await setup();
    await receive([{ product: 'JS01', qty: 48, unitCostFen: '100' }]);
    const r = await api.call('PATCH', '/api/v1/products/JS01', { token, key: key(), body: { packFactor: '100' } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('needs_confirmation');
    expect(r.body.detail).toContain('现有库存 48 个');
    expect(r.body.detail).toMatch(/没有保存任何改动。确认无误请在请求里加 "confirm": true 再提交一次。$/);
    expectRestWords(r.body.detail);
    expect(r.body.details.fix).toEqual({ kind: 'confirm' });
    const ok = await api.call('PATCH', '/api/v1/products/JS01', { token, key: key(), body: { packFactor: '100', confirm: true } });
    expect(ok.status).toBe(200);
    expect(ok.body.packFactor).toBe('100');
  });

  it('a pack factor finer than the base unit allows: the example and qtyDecimals as fields', async () => {
    const token = await setup();
    const r = await api.call('POST', '/api/v1/products', { token, key: key(), body: { name: '胶带', sku: 'JD01', packUnit: '箱', packFactor: '2.5' } });
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('请写成整数，例如 "packUnit": "箱", "packFactor": "3"；确需按小数计个，请同时设置 "qtyDecimals": 1。没有保存任何改动。');
    expectRestWords(r.body.detail);
    expect(r.body.details.fix).toEqual({ kind: 'pack_precision', packUnit: '箱', packFactor: '3', baseUnit: '个', qtyDecimals: 1 });
  });

  it('unit price and amount on one receipt line, and a two-unit quantity with a bare price: the amount field', async () => {
    const token = await setup();
    const both = await api.call('POST', '/api/v1/receipts', { token, key: key(), body: { lines: [{ product: 'JS01', qty: '2', unitPrice: '6.5', amount: '13' }] } });
    expect(both.status).toBe(422);
    expect(both.body.detail).toContain('金额是这一行的总价（"amount": "13"）。');
    expectRestWords(both.body.detail);
    const two = await api.call('POST', '/api/v1/receipts', { token, key: key(), body: { lines: [{ product: 'JS01', qty: '1箱2个', unitPrice: '6.5' }] } });
    expect(two.status).toBe(422);
    expect(two.body.detail).toContain('或用 "amount": "…" 写这一行的总价。');
    expectRestWords(two.body.detail);
    expect(two.body.details.fix).toEqual({ kind: 'line_amount', example: '…' });
  });

  it('a 成本调整 document cannot be reversed: the detail shows the cost-adjustment request', async () => {
    const token = await setup();
    await receive([{ product: 'JS01', qty: 2, unitCostFen: '100' }]);
    const tz = await adjustCost(t.db, await api.admin(), { product: 'JS01', unitCostFen: '150', idempotencyKey: key() });
    const r = await api.call('POST', `/api/v1/documents/${tz.posting.document.docNo}/reversal`, { token, key: key(), body: {} });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('例如「POST /cost-adjustments {"product": "<商品>", "unitPrice": "<单价>"}」。');
    expectRestWords(r.body.detail);
  });

  it('a receipt whose goods were partly issued: the reversal and cost-adjustment routes, not 红冲 / 成本调整 commands', async () => {
    const token = await setup();
    const rk = (await receive([{ product: 'JS01', qty: 10, unitCostFen: '100' }])).document.docNo;
    const ck = (await postIssue(t.db, SYSTEM_ACTOR, { lines: [{ product: 'JS01', qty: 4 }], idempotencyKey: key() })).document.docNo;
    const r = await api.call('POST', `/api/v1/documents/${rk}/reversal`, { token, key: key(), body: {} });
    expect(r.body.code).toBe('insufficient_stock');
    expect(r.body.detail).toContain(
      `要改单价请用成本调整：POST /cost-adjustments {"docNo": "${rk}", "unitPrice": "<正确单价>"}；要退货请先红冲后来的出库单（例如 POST /documents/${ck}/reversal），再红冲这张入库单（POST /documents/${rk}/reversal）。没有保存任何改动。`,
    );
    expectRestWords(r.body.detail);
    expect(r.body.details.fix).toEqual({ kind: 'reverse_later_first', docNo: rk, firstLater: ck, receipt: true });
    // An issue whose goods a later issue needs: the same, without the price branch.
    const back = await api.call('POST', `/api/v1/documents/${ck}/reversal`, { token, key: key(), body: {} });
    expect(back.status).toBe(201);
  });

  it('cost adjustments: a receipt of several products, a receipt all issued, neither product nor receipt', async () => {
    const token = await setup();
    const several = (await receive([{ product: 'JS01', qty: 2, unitCostFen: '100' }, { product: 'CD01', qty: 2, unitCostFen: '100' }])).document.docNo;
    const a = await api.call('POST', '/api/v1/cost-adjustments', { token, key: key(), body: { docNo: several, unitPrice: '2' } });
    expect(a.status).toBe(422);
    expect(a.body.detail).toContain(`例如：POST /cost-adjustments {"docNo": "${several}", "product": "JS01", "unitPrice": "2.5"}`);
    expectRestWords(a.body.detail);

    const gone = (await receive([{ product: 'JS01', qty: 1, unitCostFen: '100' }])).document.docNo;
    await postIssue(t.db, SYSTEM_ACTOR, { lines: [{ product: 'JS01', qty: 3 }], idempotencyKey: key() }); // FIFO: both JS01 receipts
    await receive([{ product: 'JS01', qty: 1, unitCostFen: '100' }]); // stock again, none of it from `gone`
    const b = await api.call('POST', '/api/v1/cost-adjustments', { token, key: key(), body: { docNo: gone, unitPrice: '2' } });
    expect(b.status).toBe(409);
    expect(b.body.detail).toContain('全部出库');
    expect(b.body.detail).toContain('请发「POST /cost-adjustments {"product": "JS01", "unitPrice": "<新单价>"}」。');
    expectRestWords(b.body.detail);

    const c = await api.call('POST', '/api/v1/cost-adjustments', { token, key: key(), body: { unitPrice: '2' } });
    expect(c.status).toBe(422);
    expect(c.body.detail).toContain('product');
    expect(c.body.detail).toContain('docNo');
    expectRestWords(c.body.detail);
  });

  it('a stocktake whose products moved since it opened: "force": true, not 「强制过账」', async () => {
    const token = await setup();
    await receive([{ product: 'JS01', qty: 10, unitCostFen: '100' }]);
    const admin = await api.admin();
    const st = await openStocktake(t.db, admin, {});
    await recordCount(t.db, admin, { stocktake: st.id, product: 'JS01', qty: 10 });
    await postIssue(t.db, SYSTEM_ACTOR, { lines: [{ product: 'JS01', qty: 4 }], idempotencyKey: key() });
    const r = await api.call('POST', `/api/v1/stocktakes/${st.docNo}/post`, { token, key: key(), body: {} });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('确认无误要照常过账，请在请求里加 "force": true（强制过账）再提交一次。');
    expectRestWords(r.body.detail);
    expect(r.body.details.fix).toEqual({ kind: 'force' });
    const ok = await api.call('POST', `/api/v1/stocktakes/${st.docNo}/post`, { token, key: key(), body: { force: true } });
    expect(ok.status).toBe(200);
  });

  it('a base unit under a ledger history (瓶 → 毫升): both readings as requests, PATCH a pack or POST a new product', async () => {
    const token = await setup();
    await createProduct(t.db, await api.admin(), { name: '胶水', sku: 'GLU', baseUnit: '瓶' });
    await receive([{ product: 'GLU', qty: 3, unitCostFen: '500' }]);
    const r = await api.call('PATCH', '/api/v1/products/GLU', { token, key: key(), body: { baseUnit: '毫升' } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('conflict');
    expect(r.body.detail).toContain('不能把基本单位改成「毫升」');
    expect(r.body.detail).toContain('• 若 1 毫升 里有多个「瓶」：只想按「毫升」录入，设置包装，例如 PATCH /products/GLU {"packUnit": "毫升", "packFactor": "<每毫升多少瓶>"}；');
    expect(r.body.detail).toContain('• 若 1 瓶 里有多个「毫升」：');
    expect(r.body.detail).toContain('POST /products {"name": "胶水", "sku": "GLU-2", "baseUnit": "毫升", "packUnit": "瓶", "packFactor": "<每瓶多少毫升>"}');
    expectRestWords(r.body.detail);
    expect(r.body.details.fix).toEqual({ kind: 'base_unit_change', product: { sku: 'GLU', name: '胶水' }, baseUnit: '瓶', to: '毫升', relation: 'unknown' });
    // A known smaller unit (米 → 厘米): decimals of 米 as "qty", or a new product with 米 as its pack.
    await receive([{ product: 'CD01', qty: 2, unitCostFen: '100' }]);
    const cm = await api.call('PATCH', '/api/v1/products/CD01', { token, key: key(), body: { baseUnit: '厘米' } });
    expect(cm.status).toBe(409);
    expect(cm.body.detail).toContain('例如 25厘米 写成 0.25米（"qty": "0.25"）');
    expect(cm.body.detail).toContain('POST /products {"name": "彩带", "sku": "CD01-2", "baseUnit": "厘米", "packUnit": "米", "packFactor": "100"}');
    expectRestWords(cm.body.detail);
  });

  it('an amount too large for a line is refused by the REST format before the service range (no 金额=480)', async () => {
    const token = await setup();
    const r = await api.call('POST', '/api/v1/receipts', { token, key: key(), body: { lines: [{ product: 'JS01', qty: '1', amount: '999999999999' }] } });
    expect(r.status).toBe(422);
    expectRestWords(r.body.detail);
  });
});

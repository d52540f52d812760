/**
 * REST writes end to end: token → POST /api/v1/receipts and /issues with Idempotency-Key →
 * documents in the database; replays, reused keys, problem+json shapes, stock errors.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { createProduct, createWarehouse } from '../../src/inventory/index.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

const receipt = { warehouse: '主仓库', lines: [{ product: 'A001', qty: '10', unitPrice: '2.50' }] };
const issue = { warehouse: '主仓库', lines: [{ product: 'A001', qty: '4' }] };

describeDb('REST writes', (t) => {
  const api = useApi(t);

  async function setup(scopes = ['inventory:write']) {
    const admin = await api.admin();
    await createWarehouse(t.db, admin, { name: '主仓库', makeDefault: true });
    await createProduct(t.db, admin, { name: '螺丝', sku: 'A001' });
    return (await api.token('erp', scopes)).secret!;
  }

  const docCount = async (kind?: string) =>
    (await execRows<{ n: number }>(t.db, kind ? sql`select count(*)::int as n from documents where kind = ${kind}` : sql`select count(*)::int as n from documents`))[0].n;

  it('posts a receipt then an issue; the same key and body replays the first answer with one document', async () => {
    const token = await setup();
    const r1 = await api.call('POST', '/api/v1/receipts', { token, key: 'rk-1', body: receipt });
    expect(r1.status).toBe(201);
    expect(r1.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r1.headers.get('Idempotent-Replayed')).toBeNull();
    expect(r1.body.document.docNo).toMatch(/^RK\d{8}-\d{4}$/);
    expect(r1.body.document.totalValueFen).toBe('2500'); // bigint fen → decimal text
    expect(r1.body.lines[0]).toMatchObject({ sku: 'A001', qty: '10' });

    const again = await api.call('POST', '/api/v1/receipts', { token, key: 'rk-1', body: receipt });
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    // The first answer again, saying it is a replay (header and body).
    expect(again.body).toEqual({ ...r1.body, replayed: true });
    expect(await docCount('purchase_receipt')).toBe(1);

    const out = await api.call('POST', '/api/v1/issues', { token, key: 'ck-1', body: issue });
    expect(out.status).toBe(201);
    expect(out.body.document.docNo).toMatch(/^CK\d{8}-\d{4}$/);
    expect(out.body.onHand[0]).toMatchObject({ sku: 'A001', totalQty: '6' });
    const outAgain = await api.call('POST', '/api/v1/issues', { token, key: 'ck-1', body: { lines: issue.lines, warehouse: '主仓库' } });
    expect(outAgain.headers.get('Idempotent-Replayed')).toBe('true'); // key order does not matter
    expect(outAgain.body).toEqual({ ...out.body, replayed: true });
    expect(await docCount()).toBe(2);

    const [row] = await execRows<{ kind: string; result: { requestHash: string; status: number } }>(t.db, sql`select kind, result from processed_events where key like 'rest:%:ck-1'`);
    expect(row.kind).toBe('rest');
    expect(row.result.status).toBe(201);
    expect(row.result.requestHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses the same key with another body (422) and writes nothing', async () => {
    const token = await setup();
    expect((await api.call('POST', '/api/v1/receipts', { token, key: 'k', body: receipt })).status).toBe(201);
    const other = await api.call('POST', '/api/v1/receipts', { token, key: 'k', body: { ...receipt, lines: [{ product: 'A001', qty: '11', unitPrice: '2.50' }] } });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({ code: 'idempotency_key_reused', status: 422, instance: '/api/v1/receipts' });
    expect(other.body.detail).toContain('Idempotency-Key');
    // Another path with the same key is another request too.
    const elsewhere = await api.call('POST', '/api/v1/issues', { token, key: 'k', body: issue });
    expect(elsewhere.body.code).toBe('idempotency_key_reused');
    expect(await docCount()).toBe(1);
  });

  it('keys are per token: another token may use the same key for its own request', async () => {
    const token = await setup();
    const second = (await api.token('wms', ['inventory:write'])).secret!;
    expect((await api.call('POST', '/api/v1/receipts', { token, key: 'same', body: receipt })).status).toBe(201);
    const r = await api.call('POST', '/api/v1/receipts', { token: second, key: 'same', body: receipt });
    expect(r.status).toBe(201);
    expect(r.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await docCount()).toBe(2);
  });

  it('the same key sent twice at once makes one document; the second answer is the replay', async () => {
    const token = await setup();
    const [a, b] = await Promise.all([
      api.call('POST', '/api/v1/receipts', { token, key: 'race', body: receipt }),
      api.call('POST', '/api/v1/receipts', { token, key: 'race', body: receipt }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect({ ...a.body, replayed: null }).toEqual({ ...b.body, replayed: null });
    expect([a.body.replayed, b.body.replayed].sort()).toEqual([false, true]);
    expect([a.headers.get('Idempotent-Replayed'), b.headers.get('Idempotent-Replayed')].sort()).toEqual(['true', null].sort());
    expect(await docCount()).toBe(1);
  });

  it('requires an Idempotency-Key on writes (400), 1–200 printable characters', async () => {
    const token = await setup();
    const none = await api.call('POST', '/api/v1/receipts', { token, body: receipt });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 'missing_idempotency_key', title: '缺少 Idempotency-Key' });
    expect(none.body.detail).toContain('Idempotency-Key');
    const long = await api.call('POST', '/api/v1/receipts', { token, key: 'x'.repeat(201), body: receipt });
    expect(long.status).toBe(400);
    expect(await docCount()).toBe(0);
  });

  it('invalid input: 422 problem naming the field in Chinese, with per-field errors', async () => {
    const token = await setup();
    const r = await api.call('POST', '/api/v1/receipts', { token, key: 'bad', body: { lines: [{ product: 'A001', qty: '2,5', unitPrice: 2.5 }] } });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ type: 'tag:jxc-assistant,2026:problem/invalid_input', title: '输入有误', status: 422, code: 'invalid_input', instance: '/api/v1/receipts' });
    expect(r.body.detail).toContain('「数量」');
    expect(r.body.detail).toContain('「单价」');
    const paths = r.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['lines.0.qty', 'lines.0.unitPrice']));
    const qty = r.body.errors.find((e: { path: string }) => e.path === 'lines.0.qty');
    // The comma rule chat uses (src/shared/decimal.ts), in `detail` and `errors` alike.
    expect(qty.message).toBe('「数量」「2,5」看不懂：小数请用点号，写成 2.5；千位分隔写成 1,000');
    expect(r.body.detail).toContain(qty.message);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/); // no stack

    const unknownField = await api.call('POST', '/api/v1/receipts', { token, key: 'bad2', body: { ...receipt, colour: 'red' } });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.errors[0].message).toContain('colour');
    // Errors are not stored: the key is free for the corrected request.
    expect((await api.call('POST', '/api/v1/receipts', { token, key: 'bad', body: receipt })).status).toBe(201);
  });

  it('insufficient stock: 409 with the available quantity; the key is not burnt, a retry after a receipt succeeds', async () => {
    const token = await setup();
    await api.call('POST', '/api/v1/receipts', { token, key: 'r1', body: { ...receipt, lines: [{ product: 'A001', qty: '2', unitPrice: '1' }] } });
    const short = await api.call('POST', '/api/v1/issues', { token, key: 'i1', body: issue });
    expect(short.status).toBe(409);
    expect(short.body).toMatchObject({ code: 'insufficient_stock', title: '库存不足', status: 409 });
    expect(short.body.detail).toMatch(/库存不足.*现有 2.*需要 4/);
    expect(short.body.details).toMatchObject({ sku: 'A001', available: '2', requested: '4' });
    expect(await execRows(t.db, sql`select 1 from processed_events where key like 'rest:%:i1'`)).toHaveLength(0);

    // ¥2.50 against an average of ¥1 is an unusual price: confirmed, as a client would after needs_confirmation.
    expect((await api.call('POST', '/api/v1/receipts', { token, key: 'r2', body: { ...receipt, confirm: true } })).status).toBe(201);
    const ok = await api.call('POST', '/api/v1/issues', { token, key: 'i1', body: issue });
    expect(ok.status).toBe(201);
  });

  it('two products with the same exact name answer 409 with candidates (no cost fields); a partial name is 404 with near matches', async () => {
    const token = await setup();
    const admin = await api.admin();
    await createProduct(t.db, admin, { name: '螺母', sku: 'B001', spec: 'M3', purchasePriceFen: 120 });
    await createProduct(t.db, admin, { name: '螺母', sku: 'B002', spec: 'M4', purchasePriceFen: 150 });
    const r = await api.call('POST', '/api/v1/receipts', { token, key: 'amb', body: { warehouse: '主仓库', lines: [{ product: '螺母', qty: '1', unitPrice: '1' }] } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('ambiguous');
    expect(r.body.candidates.map((c: { sku: string }) => c.sku).sort()).toEqual(['B001', 'B002']);
    expect(JSON.stringify(r.body.candidates)).not.toMatch(/Fen|price|cost/i);
    // REST reads references exactly: "螺" is no product, whatever it would match in chat.
    const partial = await api.call('POST', '/api/v1/receipts', { token, key: 'part', body: { warehouse: '主仓库', lines: [{ product: '螺', qty: '1', unitPrice: '1' }] } });
    expect(partial.status).toBe(404);
    expect(partial.body.code).toBe('not_found');
    expect(partial.body.candidates.map((c: { sku: string }) => c.sku)).toEqual(expect.arrayContaining(['B001', 'B002']));
  });

  it('path parameters go into the input: POST /documents/{docNo}/reversal', async () => {
    const token = await setup(['inventory:write']);
    const rk = await api.call('POST', '/api/v1/receipts', { token, key: 'r', body: receipt });
    const docNo = rk.body.document.docNo;
    const rev = await api.call('POST', `/api/v1/documents/${docNo}/reversal`, { token, key: 'rev', body: { reason: '录错了' } });
    expect(rev.status).toBe(201);
    expect(rev.body.document.reversesDocNo).toBe(docNo);
    const twice = await api.call('POST', `/api/v1/documents/${docNo}/reversal`, { token, key: 'rev2' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('already_reversed');
    const mismatch = await api.call('POST', `/api/v1/documents/${docNo}/reversal`, { token, key: 'rev3', body: { docNo: 'RK20000101-0001' } });
    expect(mismatch.status).toBe(422);
    const missing = await api.call('POST', '/api/v1/documents/RK20000101-0009/reversal', { token, key: 'rev4' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });

  it('malformed JSON 400, non-object body 400, wrong content type 415', async () => {
    const token = await setup();
    const bad = await api.call('POST', '/api/v1/receipts', { token, key: 'j', raw: '{"lines": [' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('malformed_json');
    const arr = await api.call('POST', '/api/v1/receipts', { token, key: 'j', raw: '[1,2]' });
    expect(arr.status).toBe(400);
    const form = await api.call('POST', '/api/v1/receipts', { token, key: 'j', raw: 'lines=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(form.body.code).toBe('unsupported_media_type');
  });

  it('unknown routes under /api/v1 are 404 problems; a known path with another method is 405', async () => {
    const nope = await api.call('GET', '/api/v1/nothing-here');
    expect(nope.status).toBe(404);
    expect(nope.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(nope.body).toMatchObject({ code: 'route_not_found', instance: '/api/v1/nothing-here' });
    const get = await api.call('GET', '/api/v1/receipts');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});


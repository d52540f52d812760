/**
 * What the published document tells a client beyond shapes: response headers (rate limit,
 * replay, WWW-Authenticate, Allow, Retry-After), the problem `code` enum, permissions by their
 * Chinese label (never an internal code), the money rules, and a pinned reference-page script.
 */
import { expect, it } from 'vitest';
import { PROBLEM_STATUS } from '../../src/api/problem.js';
import { SCALAR_CDN } from '../../src/api/index.js';
import { PERMISSIONS } from '../../src/people/roles.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

describeDb('OpenAPI document details', (t) => {
  const api = useApi(t);

  it('headers, code enum, permission labels, money wording', async () => {
    const doc = (await api.call('GET', '/api/v1/openapi.json')).body;
    const receipts = doc.paths['/receipts'].post;
    expect(Object.keys(receipts.responses['201'].headers)).toEqual(expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Idempotent-Replayed']));
    expect(Object.keys(receipts.responses['429'].headers)).toContain('Retry-After');
    expect(Object.keys(receipts.responses['401'].headers)).toEqual(['WWW-Authenticate']);
    expect(Object.keys(receipts.responses['405'].headers)).toEqual(['Allow']);
    expect(Object.keys(doc.paths['/products'].get.responses['200'].headers)).not.toContain('Idempotent-Replayed');

    expect(doc.components.schemas.Problem.properties.code.enum.sort()).toEqual(Object.keys(PROBLEM_STATUS).sort());

    const descriptions = Object.values(doc.paths).flatMap((item) => Object.values(item as Record<string, { description: string }>).map((op) => op.description));
    for (const d of descriptions) for (const p of PERMISSIONS) expect(d).not.toContain(`「${p}」`);
    expect(receipts.description).toContain('「入库」权限');

    const text = JSON.stringify(doc);
    expect(text).toContain('整分');
    expect(text).toContain('分/基本单位，最多 6 位小数');
    expect(doc.info.description).toContain('按商品的进价计价；商品没有进价则按当前平均成本');
    const product = doc.paths['/products/{product}'].get.responses['200'].content['application/json'].schema;
    const props = product.properties ?? doc.components.schemas[product.$ref?.split('/').pop()]?.properties;
    expect(props.purchasePriceFen.description).toContain('分/基本单位');
  });

  it('the reference page loads a pinned script version', async () => {
    expect(SCALAR_CDN).toMatch(/@scalar\/api-reference@\d+\.\d+\.\d+$/);
    const page = await api.call('GET', '/api/docs');
    expect(page.text).toContain(SCALAR_CDN);
  });
});

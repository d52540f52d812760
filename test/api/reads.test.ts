/**
 * REST reads through the application's own list use cases: cursor pagination flows through
 * the generic mapping (limit from the query string, nextCursor back in), booleans in queries,
 * read scopes, and reads of another module (people).
 */
import { expect, it } from 'vitest';
import { createProduct } from '../../src/inventory/index.js';
import { describeDb } from '../helpers/db.js';
import { useApi } from './helpers.js';

describeDb('REST reads', (t) => {
  const api = useApi(t);

  it('GET /products pages with limit and nextCursor; booleans in the query string', async () => {
    const admin = await api.admin();
    for (const sku of ['A001', 'A002', 'A003']) await createProduct(t.db, admin, { name: `商品${sku}`, sku });
    const token = (await api.token('bi', ['inventory:read'])).secret!;

    const first = await api.call('GET', '/api/v1/products?limit=2', { token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await api.call('GET', `/api/v1/products?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token });
    expect(second.status).toBe(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const skus = [...first.body.items, ...second.body.items].map((p: { sku: string }) => p.sku).sort();
    expect(skus).toEqual(['A001', 'A002', 'A003']);

    expect((await api.call('GET', '/api/v1/products?includeArchived=true', { token })).status).toBe(200);
    const bad = await api.call('GET', '/api/v1/products?includeArchived=maybe&limit=0', { token });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['includeArchived', 'limit']);
    expect(bad.body.detail).toContain('「每页条数」');
  });

  it('a read scope of another module is refused; people:read reads users', async () => {
    await api.admin();
    const inventory = (await api.token('inv', ['inventory:write'])).secret!;
    const people = (await api.token('hr', ['人员:读'])).secret!;
    const refused = await api.call('GET', '/api/v1/users', { token: inventory });
    expect(refused.status).toBe(403);
    expect(refused.body.details.required).toBe('people:read');
    const users = await api.call('GET', '/api/v1/users', { token: people });
    expect(users.status).toBe(200);
    expect(JSON.stringify(users.body)).toContain('ou_api_admin');
  });
});

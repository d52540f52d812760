/** Shared fixtures for the inventory tests: actors of each role, quick product/stock setup. */
import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { Dec } from '../../src/shared/decimal.js';
import type { Actor, Role } from '../../src/people/roles.js';
import { DomainError } from '../../src/errors.js';
import { createProduct, createWarehouse, postReceipt, verifyInventory, type CreateProductInput } from '../../src/inventory/index.js';

export const actor = (role: Role, userId: number | null = null): Actor => ({ userId, openId: null, name: role, role });
export const admin = actor('admin');
export const clerk = actor('clerk');
export const sales = actor('sales');
export const viewer = actor('viewer');

let seq = 0;
export const key = (p = 'k') => `${p}-${process.pid}-${++seq}`;

export async function product(db: Db, over: Partial<CreateProductInput> = {}) {
  return createProduct(db, admin, { name: over.name ?? `商品${++seq}`, ...over } as CreateProductInput);
}

export async function warehouse(db: Db, name: string, makeDefault = false) {
  return createWarehouse(db, admin, { name, makeDefault });
}

export async function receive(db: Db, productId: number, qty: string | number, unitCostFen: string | number, warehouse?: number | string, batchNo?: string) {
  return postReceipt(db, clerk, { warehouse, idempotencyKey: key('rk'), lines: [{ product: productId, qty, unitCostFen, batchNo }] });
}

/** Expect a DomainError with `code`; returns it for further checks. */
export async function expectDomain(p: Promise<unknown>, code: DomainError['code']): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return e as DomainError;
  }
  throw new Error(`expected DomainError(${code}), got success`);
}

export async function expectClean(db: Db): Promise<void> {
  const r = await verifyInventory(db);
  expect(r.violations).toEqual([]);
}

/** A product's valuation row by SKU, numbers in canonical text ("4", "200", null). */
export async function valuationOf(db: Db, sku: string): Promise<{ qty: string | null; value: string; min: string | null; max: string | null }> {
  const [r] = await execRows<{ qty: string; value: string; min: string | null; max: string | null }>(
    db,
    sql`select v.qty::text as qty, v.value_fen::text as value, v.min_cost::text as min, v.max_cost::text as max
        from stock_valuations v join products p on p.id = v.product_id where p.sku = ${sku}`,
  );
  const c = (x: string | null) => (x == null ? null : new Dec(x).toFixed());
  return { qty: c(r.qty), value: r.value, min: c(r.min), max: c(r.max) };
}

/** The first document number in a reply (of `prefix`, e.g. 'TZ'; any prefix by default). */
export const docNoIn = (reply: string, prefix = '[A-Z]{2}') => reply.match(new RegExp(`${prefix}\\d{8}-\\d{4}`))?.[0];

/**
 * The stocktake fixture: 主仓库; 试剂 R001 batch-tracked, batch A 10 @1.00 and batch B 20 @1.30
 * (¥36.00, average 1.20); 手套 G001 5 @0.30. Returns the warehouse.
 */
export async function seedReagentAndGloves(db: Db) {
  const wh = await createWarehouse(db, admin, { name: '主仓库' });
  await createProduct(db, admin, { name: '试剂', sku: 'R001', batchTracked: true });
  await createProduct(db, admin, { name: '手套', sku: 'G001' });
  await postReceipt(db, admin, {
    warehouse: wh.id,
    idempotencyKey: 'seed',
    lines: [
      { product: 'R001', qty: 10, unitCostFen: 100, batchNo: 'A' },
      { product: 'R001', qty: 20, unitCostFen: 130, batchNo: 'B' },
      { product: 'G001', qty: 5, unitCostFen: 30 },
    ],
  });
  return wh;
}

/** On hand per batch of a product by SKU, all warehouses, canonical text ({ A: '8', B: '20' }). */
export async function batchQtyOf(db: Db, sku: string): Promise<Record<string, string>> {
  const rows = await execRows<{ batch_no: string; q: string }>(
    db,
    sql`select bt.batch_no, trim_scale(sum(b.qty))::text as q from stock_balances b join batches bt on bt.id = b.batch_id join products p on p.id = b.product_id
        where p.sku = ${sku} group by bt.batch_no order by bt.batch_no`,
  );
  return Object.fromEntries(rows.map((r) => [r.batch_no, r.q]));
}

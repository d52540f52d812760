/** Shared fixtures for the inventory tests: actors of each role, quick product/stock setup. */
import { expect } from 'vitest';
import type { Db } from '../../db/types.js';
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

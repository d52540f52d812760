/**
 * Calling use cases the way adapters do: the application's registry, src/kernel/invoke.ts, a
 * write in one transaction with its idempotency key, a read on the pool. The clock is pinned
 * (deps.now), so business times and document numbers are known.
 */
import { expect } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Db } from '../../db/types.js';
import { invoke } from '../../src/kernel/invoke.js';
import { buildUseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import type { Logger } from '../../src/log.js';
import type { Actor } from '../../src/people/roles.js';
import { ALL_USE_CASES } from '../../src/use-cases.js';
import { DomainError } from '../../src/errors.js';

export const registry = buildUseCaseRegistry(ALL_USE_CASES);

const silent: Logger = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent };

/** 2026-11-25 10:00 in Shanghai: a business day whose number prefixes are known (…20261125-…). */
export const NOW = new Date('2026-11-25T02:00:00Z');
const deps = { now: () => NOW, config: { APP_TIMEZONE: 'Asia/Shanghai' } as Config };

let seq = 0;

/** Run use case `id` as `actor`: writes in a transaction under a fresh key (or `key`), reads on the pool. */
export async function call<T = any>(db: Db, actor: Actor, id: string, input: unknown, opts: { key?: string; now?: Date } = {}): Promise<T> {
  const u = registry.require(id);
  if (u.kind === 'read') return (await invoke(deps, db, { actor, idempotencyKey: '', logger: silent, now: opts.now }, u, input)) as T;
  const idempotencyKey = opts.key ?? `test:${process.pid}:${++seq}`;
  return (await db.transaction((tx) => invoke(deps, tx, { actor, idempotencyKey, logger: silent, now: opts.now }, u, input))) as T;
}

/** Expect `p` to fail with DomainError(code); returns its message. */
export async function refused(p: Promise<unknown>, code: DomainError['code']): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, `expected DomainError(${code}), got success`).toBeInstanceOf(DomainError);
  expect((e as DomainError).code).toBe(code);
  return (e as DomainError).message;
}

/** Every key anywhere in `v` (to check that no cost field is left at any depth). */
export function keysDeep(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysDeep(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      keysDeep(x, out);
    }
  }
  return out;
}

/** Walk a list use case page by page with `limit`; `between(page)` runs after each page. */
export async function walk<T>(db: Db, actor: Actor, id: string, input: Record<string, unknown>, limit: number, between?: (page: number) => Promise<void>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const r = await call<{ items: T[]; nextCursor: string | null }>(db, actor, id, { ...input, limit, ...(cursor ? { cursor } : {}) });
    pages.push(r.items);
    expect(r.items.length).toBeLessThanOrEqual(limit);
    if (!r.nextCursor) return pages;
    cursor = r.nextCursor;
    await between?.(pages.length);
    if (pages.length > 100) throw new Error('pagination does not end');
  }
}

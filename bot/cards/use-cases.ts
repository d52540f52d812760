/**
 * How a card runs a use case: through the kernel's invoke (permission of the use case, its
 * canonical schema, run), inside the unit of work of the card key being spent, as the tapping
 * user, under the effect's idempotency key. Reads (no key) run on the pool. Card fields are
 * typed by people: the kernel normalises them first (Caller.input 'human').
 */
import { invoke } from '../../src/kernel/invoke.js';
import type { UnitOfWork } from '../../src/kernel/unit-of-work.js';
import type { ActionContext } from './registry.js';

/** Run use case `id` with canonical `input` in `uow`, posting under `idempotencyKey`. */
export function invokeIn<O = unknown>(uow: UnitOfWork, c: ActionContext, id: string, input: unknown, idempotencyKey: string): Promise<O> {
  const u = c.registry.useCases.require(id);
  return invoke(c.deps, uow.tx, { actor: c.actor, idempotencyKey, logger: c.logger, now: uow.now, input: 'human' }, u, input) as Promise<O>;
}

/** Run read use case `id` outside any unit of work (no key). */
export function invokeRead<O = unknown>(c: ActionContext, id: string, input: unknown): Promise<O> {
  const u = c.registry.useCases.require(id);
  return invoke(c.deps, c.deps.database.db, { actor: c.actor, idempotencyKey: '', logger: c.logger, now: c.now, input: 'human' }, u, input) as Promise<O>;
}

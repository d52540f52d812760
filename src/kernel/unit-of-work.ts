/**
 * One unit of work per effect, the same for every adapter:
 *
 *   claim the idempotency key → run the use case(s) → queue outbox rows → commit → kick delivery
 *
 * in ONE transaction, so the effect, the key that says "done" and the messages about it exist
 * together or not at all. The key is claimed first: a redelivery (Feishu message_id, a second
 * tap of a card's one-time key, a REST retry with the same Idempotency-Key, a second
 * scheduler instance in the same job slot) blocks on the first claim's row lock, then finds the
 * key taken and gets the first answer back — never a second effect.
 *
 * How a key is claimed and where its answer is kept differs per adapter (processed_events for
 * messages and REST, card_tokens for cards, cron_claims for jobs): each passes its own Claim.
 * Serialization failures and deadlocks rerun the whole unit (withRetry): `work` must be safe
 * to run again, which it is because it only touches the transaction.
 *
 * Round trips: a unit whose last writes need no answer before COMMIT sends them ahead
 * (queueLast, awaitAtCommit: src/shared/prepared.ts sendAhead), so they and the COMMIT share one
 * round trip; their answers are checked right after COMMIT, before the unit reports success. A
 * part of the work that may fail on its own runs under src/kernel/savepoint.ts attempt.
 */
import type { Tx } from '../../db/types.js';
import type { AppDeps } from '../deps.js';
import { enqueueForKick, enqueueForKickAhead, kickQueued, type OutboxItem, type QueuedOutbox } from '../outbox/index.js';
import { withRetry } from '../shared/pg.js';
import type { InFlight } from '../shared/prepared.js';

/** How an adapter claims its key inside the unit's transaction, and keeps the answer for a replay. */
export interface Claim<R> {
  /** First statement of the transaction. `fresh: false` ends the unit with `replay`, nothing run. */
  claim(tx: Tx): Promise<{ fresh: true } | { fresh: false; replay: R }>;
  /** After `work`, in the same transaction: store what a replay must answer. */
  settle?(tx: Tx, value: R): Promise<void>;
}

/** What `work` is handed. */
export interface UnitOfWork {
  tx: Tx;
  /** The unit's clock reading (deps.now(), once): every row of the effect carries the same time. */
  now: Date;
  /** Queue a message to Feishu in this transaction; it is delivered right after commit. */
  queue(item: OutboxItem): Promise<void>;
  /** Run after a successful commit (never after a rollback), in order. */
  afterCommit(fn: () => void): void;
  /**
   * `queue`, with the insert sent ahead (src/shared/prepared.ts sendAhead): nothing waits for it,
   * and the COMMIT follows it in the same round trip. For the unit's LAST writes (the chat reply):
   * the unit checks the insert right after COMMIT and fails if it failed (a failed statement sent
   * ahead turns the COMMIT into a ROLLBACK, and its answer is the only place that shows).
   */
  queueLast(item: OutboxItem): Promise<void>;
  /**
   * A statement `work` sent ahead itself (sendAhead): like queueLast, the unit awaits it right
   * after COMMIT, and a failure there means nothing was committed — runUnitOfWork throws it
   * (a serialization failure reruns the unit).
   */
  awaitAtCommit(statement: InFlight<unknown>): void;
}

export type UnitResult<R> = { replayed: false; value: R } | { replayed: true; value: R };

/**
 * Run `work` as one unit of work keyed by `claim` (see the file comment). A throw from `work`
 * (a DomainError) rolls everything back, the key included, so the user can correct the input
 * and try again; the caller translates the error.
 */
export async function runUnitOfWork<R>(deps: AppDeps, claim: Claim<R>, work: (uow: UnitOfWork) => Promise<R>): Promise<UnitResult<R>> {
  let queued: (QueuedOutbox | null)[] = [];
  let after: (() => void)[] = [];
  const result = await withRetry(async () => {
    queued = [];
    after = [];
    // Statements sent ahead of the COMMIT: their answers arrive with the COMMIT's.
    let ahead: Promise<unknown>[] = [];
    let queuedAhead: Promise<QueuedOutbox | null>[] = [];
    const r = await deps.database.db.transaction(async (tx): Promise<UnitResult<R>> => {
      ahead = [];
      queuedAhead = [];
      const c = await claim.claim(tx);
      if (!c.fresh) return { replayed: true, value: c.replay };
      const uow: UnitOfWork = {
        tx,
        now: deps.now(),
        async queue(item) {
          queued.push(await enqueueForKick(tx, deps, item));
        },
        afterCommit: (fn) => void after.push(fn),
        async queueLast(item) {
          queuedAhead.push(quiet((await enqueueForKickAhead(tx, deps, item)).done));
        },
        awaitAtCommit: (s) => void ahead.push(quiet(s.done)),
      };
      const value = await work(uow);
      await claim.settle?.(tx, value);
      return { replayed: false, value };
    });
    // Committed only if every statement sent ahead succeeded (see queueLast): these awaits are
    // part of "committed", before anything is kicked or acknowledged. Inside withRetry, so a
    // serialization failure of one of them reruns the unit like any other.
    for (const p of ahead) await p;
    for (const p of queuedAhead) queued.push(await p);
    return r;
  });
  if (!result.replayed) {
    kickQueued(deps, queued);
    for (const fn of after) fn();
  }
  return result;
}

/**
 * A promise awaited later (after COMMIT), or never when the unit already failed: an early
 * rejection must not count as unhandled; the later `await` still sees it.
 */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** A unit without a key of its own (the key is inside the work, e.g. a posting's idempotency key). */
export const noClaim: Claim<never> = { claim: async () => ({ fresh: true }) };

/**
 * Spending a one-time card key (see ./card-tokens.ts for why keys exist) as ONE unit of work
 * (src/kernel/unit-of-work.ts): the key is the unit's claim.
 *
 * The key's row lock is what makes a double tap or a Feishu retry post once: the second caller
 * waits on the lock (the claim, first statement of the transaction), then finds the key
 * consumed and gets the stored answer back. The work done under the key, the answer a second
 * use will get, and the outbox rows the work queued commit together or not at all. The card
 * layer only says what work to do (with the unit it is handed) and what a second use of the key
 * should get back.
 */
import type { Tx } from '../../db/types.js';
import type { AppDeps } from '../deps.js';
import { runUnitOfWork, type Claim, type UnitOfWork } from '../kernel/unit-of-work.js';
import { consumeCardToken, isCardTokenExpired, lockCardToken, setCardTokenResult, type CardToken } from './card-tokens.js';

/** What became of an attempt to spend a key. `used` carries the row, whose `result` is the first answer. */
export type SpendOutcome<T> =
  | { status: 'missing' }
  | { status: 'expired' }
  | { status: 'used'; row: CardToken }
  | { status: 'spent'; value: T };

/** The work done under a key: its value for the caller, and what to store for a second use. */
export type KeyedStep<T> = (uow: UnitOfWork, row: CardToken) => Promise<{ value: T; stored: unknown }>;

/** A key's fate before the work, as the unit's replay: anything but a fresh, unexpired key ends the unit. */
type Refused = Exclude<SpendOutcome<never>, { status: 'spent' }>;

/**
 * The claim over card_tokens: lock the row FOR UPDATE; a missing, used or (when `now` is given)
 * expired key answers at once without work. `row` receives the locked row of a fresh key.
 */
function cardTokenClaim<R>(token: string, now: Date | null, onFresh: (row: CardToken) => void, refused: (r: Refused) => R, settle: Claim<R>['settle']): Claim<R> {
  return {
    async claim(tx: Tx) {
      const row = await lockCardToken(tx, token);
      if (!row) return { fresh: false, replay: refused({ status: 'missing' }) };
      if (row.consumedAt) return { fresh: false, replay: refused({ status: 'used', row }) };
      if (now && isCardTokenExpired(row, now)) return { fresh: false, replay: refused({ status: 'expired' }) };
      onFresh(row);
      return { fresh: true };
    },
    settle,
  };
}

/**
 * Lock `token`; if it exists, is unused and not expired at `now`, run `step` and consume the key
 * with what it says to store, all in one unit of work. A throw from `step` (a DomainError) rolls
 * it all back and leaves the key unused, so the user can correct the form and submit again.
 * Serialization failures and deadlocks rerun the whole unit (runUnitOfWork's withRetry).
 */
export async function spendCardToken<T>(deps: AppDeps, token: string, now: Date, step: KeyedStep<T>): Promise<SpendOutcome<T>> {
  type R = { outcome: SpendOutcome<T>; stored?: unknown };
  let row: CardToken | null = null;
  const claim = cardTokenClaim<R>(
    token,
    now,
    (r) => (row = r),
    (outcome) => ({ outcome }),
    async (tx, v) => {
      if (v.outcome.status === 'spent') await consumeCardToken(tx, token, v.stored);
    },
  );
  const r = await runUnitOfWork(deps, claim, async (uow): Promise<R> => {
    const { value, stored } = await step(uow, row!);
    return { outcome: { status: 'spent', value }, stored };
  });
  return r.value.outcome;
}

/** What claiming a slow key found. */
export type ClaimOutcome = { status: 'missing' } | { status: 'used'; row: CardToken } | { status: 'claimed' };

/**
 * Work too slow for Feishu's 3 s, in two units. First claim the key at once, storing a
 * placeholder answer (处理中) so a second tap meanwhile gets that instead of a second run.
 * No expiry check here: the caller already validated the key moments before (as it always has).
 */
export async function claimCardToken(deps: AppDeps, token: string, placeholder: unknown): Promise<ClaimOutcome> {
  const claim = cardTokenClaim<ClaimOutcome>(
    token,
    null,
    () => {},
    (r) => (r.status === 'used' ? r : { status: 'missing' }),
    async (tx, v) => {
      if (v.status === 'claimed') await consumeCardToken(tx, token, placeholder);
    },
  );
  return (await runUnitOfWork(deps, claim, async () => ({ status: 'claimed' as const }))).value;
}

/**
 * Then do the work of a claimed key and replace the placeholder with the real answer, in one
 * unit (the work and the answer a second tap sees commit together). The claim locks the key's
 * row, so a 刷新 meanwhile waits for the answer. If `step` throws, nothing was done: the caller
 * releases the key (releaseCardToken) so the user can retry. (A claimed key is consumed, and
 * housekeeping never deletes consumed keys: the row is there to lock.)
 */
export async function finishClaimedCardToken<T>(deps: AppDeps, token: string, step: (uow: UnitOfWork) => Promise<{ value: T; stored: unknown }>): Promise<T> {
  type R = { value: T; stored: unknown };
  const claim: Claim<R> = {
    async claim(tx) {
      await lockCardToken(tx, token);
      return { fresh: true };
    },
    settle: (tx, v) => setCardTokenResult(tx, token, v.stored),
  };
  return (await runUnitOfWork(deps, claim, step)).value.value;
}

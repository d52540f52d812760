/**
 * The transactions that spend a one-time card key (see ./card-tokens.ts for why keys exist).
 *
 * The key's row lock is what makes a double tap or a Feishu retry post once: the second caller
 * waits on the lock, then finds the key consumed and gets the stored answer. So the lock, the
 * work done under the key and the consumption must be ONE transaction, and this module owns it;
 * the card layer only says what work to do (with the `tx` it is handed) and what a second use
 * of the key should get back.
 */
import type { Db, Tx } from '../../db/types.js';
import { withRetry } from '../shared/pg.js';
import { consumeCardToken, isCardTokenExpired, lockCardToken, setCardTokenResult, type CardToken } from './card-tokens.js';

/** What became of an attempt to spend a key. `used` carries the row, whose `result` is the first answer. */
export type SpendOutcome<T> =
  | { status: 'missing' }
  | { status: 'expired' }
  | { status: 'used'; row: CardToken }
  | { status: 'spent'; value: T };

/** The work done under a key: its value for the caller, and what to store for a second use. */
export type KeyedStep<T> = (tx: Tx, row: CardToken) => Promise<{ value: T; stored: unknown }>;

/**
 * Lock `token`; if it exists, is unused and not expired, run `step` and consume the key with
 * what it says to store, all in one transaction. A throw from `step` (a DomainError) rolls it
 * all back and leaves the key unused, so the user can correct the form and submit again.
 * Serialization failures and deadlocks rerun the whole transaction (withRetry).
 */
export async function spendCardToken<T>(db: Db, token: string, now: Date, step: KeyedStep<T>): Promise<SpendOutcome<T>> {
  return withRetry(() =>
    db.transaction(async (tx): Promise<SpendOutcome<T>> => {
      const row = await lockCardToken(tx, token);
      if (!row) return { status: 'missing' };
      if (row.consumedAt) return { status: 'used', row };
      if (isCardTokenExpired(row, now)) return { status: 'expired' };
      const { value, stored } = await step(tx, row);
      await consumeCardToken(tx, token, stored);
      return { status: 'spent', value };
    }),
  );
}

/**
 * Work too slow for Feishu's 3 s, in two steps. First claim the key at once, storing a
 * placeholder answer (处理中) so a second tap meanwhile gets that instead of a second run.
 * No expiry check here: the caller already validated the key moments before (as it always has).
 */
export async function claimCardToken(db: Db, token: string, placeholder: unknown): Promise<{ status: 'missing' } | { status: 'used'; row: CardToken } | { status: 'claimed' }> {
  return withRetry(() =>
    db.transaction(async (tx) => {
      const row = await lockCardToken(tx, token);
      if (!row) return { status: 'missing' as const };
      if (row.consumedAt) return { status: 'used' as const, row };
      await consumeCardToken(tx, token, placeholder);
      return { status: 'claimed' as const };
    }),
  );
}

/**
 * Then do the work of a claimed key and replace the placeholder with the real answer, in one
 * transaction (the work and the answer a second tap sees commit together). If it throws,
 * nothing was done: the caller releases the key (releaseCardToken) so the user can retry.
 */
export async function finishClaimedCardToken<T>(db: Db, token: string, step: (tx: Tx) => Promise<{ value: T; stored: unknown }>): Promise<T> {
  return withRetry(() =>
    db.transaction(async (tx) => {
      const { value, stored } = await step(tx);
      await setCardTokenResult(tx, token, stored);
      return value;
    }),
  );
}

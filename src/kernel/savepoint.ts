/**
 * A part of a unit of work that may fail on its own: `attempt(tx, fn)` runs `fn` under a
 * savepoint and, when `fn` throws, rolls back to it — the unit's earlier statements (the claimed
 * idempotency key, the sender's row) stay, `fn`'s writes are gone — and rethrows. The caller
 * turns the error into an answer and the unit still commits (the chat router: one message = one
 * key claimed + one reply, whether the command worked or not).
 *
 * Cost: the SAVEPOINT is sent ahead (src/shared/prepared.ts sendAhead), so `fn`'s first statement
 * follows it in the same socket write and the savepoint costs the server a statement but the
 * unit no round trip. It is never released: COMMIT releases it, and a RELEASE would be one more
 * round trip while `fn`'s row locks are held (bench/bot.ts measures it).
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/types.js';
import { sendAhead } from '../shared/prepared.js';

/** How deep attempts are nested per transaction: each level gets its own savepoint name. */
const depth = new WeakMap<object, number>();

/**
 * Run `fn` under a savepoint of `tx` (see the file comment). Returns what `fn` returns; when it
 * throws, the transaction is rolled back to the savepoint and the same error is rethrown. If the
 * savepoint itself failed, or the rollback fails (the connection broke, the transaction was
 * aborted by the server), that error is thrown instead: the unit cannot go on.
 */
export async function attempt<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  const level = (depth.get(tx) ?? 0) + 1;
  // A name per level: a nested attempt's rollback must not land on an outer savepoint, and an
  // outer rollback must not stop at an inner one that is still defined (never released).
  const name = sql.raw(`jxc_attempt_${level}`);
  const savepoint = await sendAhead(tx, sql`savepoint ${name}`, { prepare: false });
  depth.set(tx, level);
  try {
    const value = await fn();
    await savepoint.done;
    return value;
  } catch (e) {
    await savepoint.done;
    await tx.execute(sql`rollback to savepoint ${name}`);
    throw e;
  } finally {
    depth.set(tx, level - 1);
  }
}

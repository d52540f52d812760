/**
 * Marking delivered outbox rows `sent`, many rows per statement.
 *
 * Every reply ends with this UPDATE, so under load it was one statement (and one commit) per
 * message. Marks that arrive while a flush is in flight wait for the next one, so the batch size
 * follows the load by itself: one row when quiet, dozens when busy, never a timer.
 *
 * The UPDATE commits without waiting for the WAL flush (synchronous_commit off for that
 * statement): if a crash loses a mark, the row is sent again after its lease with the same
 * `uuid`, and Feishu drops the duplicate (src/outbox/index.ts) — so the flush would buy nothing.
 * Each row is fenced by `attempts`: only the claim that sent it may finish it.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/types.js';

interface Mark {
  id: number;
  attempts: number;
  result: string;
  done: (e?: unknown) => void;
}

interface Queue {
  waiting: Mark[];
  flushing: boolean;
}

const queues = new WeakMap<Db, Queue>();

/** Resolves once the row's mark is committed (or rejects with the statement's error). */
export function markSent(db: Db, id: number, attempts: number, result: unknown): Promise<void> {
  let q = queues.get(db);
  if (!q) queues.set(db, (q = { waiting: [], flushing: false }));
  const queue = q;
  return new Promise<void>((resolve, reject) => {
    queue.waiting.push({ id, attempts, result: JSON.stringify(result), done: (e) => (e ? reject(e) : resolve()) });
    if (!queue.flushing) void flush(db, queue);
  });
}

async function flush(db: Db, q: Queue): Promise<void> {
  q.flushing = true;
  while (q.waiting.length) {
    const batch = q.waiting.splice(0, 200);
    const rows = sql.join(
      batch.map((m) => sql`(${m.id}::bigint, ${m.attempts}::int, ${m.result}::jsonb)`),
      sql`, `,
    );
    try {
      await db.execute(
        sql`update outbox o set status = 'sent', sent_at = now(), locked_until = null, last_error = null, result = v.result
            from (values ${rows}) as v(id, attempts, result), (select set_config('synchronous_commit', 'off', true)) async
            where o.id = v.id and o.attempts = v.attempts and o.status = 'pending'`,
      );
      for (const m of batch) m.done();
    } catch (e) {
      for (const m of batch) m.done(e);
    }
  }
  q.flushing = false;
}

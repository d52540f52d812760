/**
 * sendAhead (src/shared/prepared.ts) lets the message transaction skip waiting for its SAVEPOINT
 * and send its last writes with the COMMIT. Both rest on two facts checked here on each backend:
 * a statement sent ahead runs BEFORE anything issued after it, and a failed one makes the
 * transaction commit nothing while its `done` rejects (the only place the failure shows).
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { execPrepared, sendAhead } from '../../src/shared/prepared.js';
import { describeDb } from '../helpers/db.js';

describeDb('statements sent ahead', (t) => {
  const ids = async () => (await execRows<{ id: number }>(t.db, sql`select id from send_ahead_check order by id`)).map((r) => Number(r.id));

  it('keep their order: a savepoint sent ahead covers the statements issued after it', async () => {
    await t.db.execute(sql`create table if not exists send_ahead_check (id int primary key)`);
    await t.db.execute(sql`delete from send_ahead_check`);
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`insert into send_ahead_check values (1)`);
      const sp = await sendAhead(tx, sql`savepoint s1`, { prepare: false });
      await execPrepared(tx, sql`insert into send_ahead_check values (${2}::int)`);
      await tx.execute(sql`insert into send_ahead_check values (3)`);
      await sp.done;
      await tx.execute(sql`rollback to savepoint s1`);
    });
    expect(await ids()).toEqual([1]);
  });

  it('a failed one commits nothing and rejects `done`', async () => {
    await t.db.execute(sql`delete from send_ahead_check`);
    await t.db.execute(sql`insert into send_ahead_check values (7)`);
    const outcome = await t.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into send_ahead_check values (8)`);
        return { dup: await sendAhead(tx, sql`insert into send_ahead_check values (${7}::int)`, { prepare: true }) };
      })
      .then((r) => r.dup.done)
      .then(() => 'committed', () => 'failed');
    expect(outcome).toBe('failed');
    expect(await ids()).toEqual([7]);
  });
});

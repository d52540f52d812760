/**
 * The kernel pieces the chat message transaction stands on, on each backend:
 * - attempt (src/kernel/savepoint.ts): a failed part of a unit undoes only its own writes and
 *   rethrows; nested attempts roll back to their own savepoint;
 * - the unit of work's last writes sent ahead of COMMIT (uow.queueLast / uow.awaitAtCommit): a
 *   failed one means nothing committed — the unit throws, the key stays unclaimed;
 * - an answer kept with a processed_events key (keepAnswer / keptAnswer) for a redelivery.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Tx } from '../../db/types.js';
import { loadConfig } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import { attempt } from '../../src/kernel/savepoint.js';
import { runUnitOfWork, type Claim } from '../../src/kernel/unit-of-work.js';
import { silentLogger } from '../../src/log.js';
import { claimInbound, inboundResult, storeInboundResult } from '../../src/outbox/inbox.js';
import { sendAhead } from '../../src/shared/prepared.js';
import { describeDb } from '../helpers/db.js';

describeDb('message unit of work', (t) => {
  const deps = (): AppDeps => ({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    database: t.database,
    readiness: { ready: true },
    logger: silentLogger,
    feishu: null,
    version: 'test',
    now: () => new Date('2026-11-25T02:00:00Z'),
    defer: () => {},
  });
  const keys = async () => (await execRows<{ key: string }>(t.db, sql`select key from processed_events order by key`)).map((r) => r.key);
  const ids = async () => (await execRows<{ id: number }>(t.db, sql`select id from unit_check order by id`)).map((r) => Number(r.id));
  const insert = (tx: Tx, id: number) => tx.execute(sql`insert into unit_check values (${id}::int)`);
  const ensureTable = () => t.db.execute(sql`create table if not exists unit_check (id int primary key)`);
  const inbox = (key: string): Claim<string> => ({
    async claim(tx) {
      if (await claimInbound(tx, key, 'test')) return { fresh: true };
      return { fresh: false, replay: String((await inboundResult(tx, key)) ?? '') };
    },
    settle: (tx, value) => storeInboundResult(tx, key, value),
  });

  it('attempt: a failure undoes only its own writes and rethrows the same error; a success keeps them', async () => {
    await ensureTable();
    const boom = new Error('boom');
    const caught = await t.db.transaction(async (tx) => {
      await insert(tx, 1);
      const e = await attempt(tx, async () => {
        await insert(tx, 2);
        throw boom;
      }).catch((x: unknown) => x);
      expect(await attempt(tx, async () => (await insert(tx, 3), 'kept'))).toBe('kept');
      return e;
    });
    expect(caught).toBe(boom);
    expect(await ids()).toEqual([1, 3]);
  });

  it('attempt: nested attempts roll back to their own savepoint, never an outer or inner one', async () => {
    await ensureTable();
    await t.db.transaction(async (tx) => {
      await attempt(tx, async () => {
        await insert(tx, 1);
        await attempt(tx, async () => {
          await insert(tx, 2);
          throw new Error('inner');
        }).catch(() => {});
        await insert(tx, 3);
      });
      await attempt(tx, async () => {
        await attempt(tx, async () => void (await insert(tx, 4)));
        await insert(tx, 5);
        throw new Error('outer');
      }).catch(() => {});
      await insert(tx, 6);
    });
    expect(await ids()).toEqual([1, 3, 6]);
  });

  it('a statement sent ahead of COMMIT that fails: nothing committed, the unit throws, the key is not taken', async () => {
    await ensureTable();
    await t.db.execute(sql`insert into unit_check values (7)`);
    const run = runUnitOfWork(deps(), inbox('msg:ahead'), async (uow) => {
      await insert(uow.tx, 8);
      uow.awaitAtCommit(await sendAhead(uow.tx, sql`insert into unit_check values (${7}::int)`, { prepare: true }));
      return 'never';
    });
    await expect(run).rejects.toThrow();
    expect(await ids()).toEqual([7]);
    expect(await keys()).toEqual([]);
  });

  it('queueLast: the reply is queued with the unit; a kept answer is what a redelivery gets', async () => {
    const item = { kind: 'reply', dedupeKey: 'reply:m9', payload: { op: 'send' as const, receiveIdType: 'open_id' as const, receiveId: 'ou_x', msgType: 'text', content: '{"text":"好"}', uuid: 'u9' } };
    const first = await runUnitOfWork(deps(), inbox('msg:m9'), async (uow) => {
      await uow.queueLast(item);
      return '已处理';
    });
    const again = await runUnitOfWork(deps(), inbox('msg:m9'), async () => 'ran twice');
    expect(first).toEqual({ replayed: false, value: '已处理' });
    expect(again).toEqual({ replayed: true, value: '已处理' });
    expect((await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from outbox where dedupe_key = 'reply:m9'`))[0].n).toBe(1);
  });
});

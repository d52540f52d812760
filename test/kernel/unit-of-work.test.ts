/**
 * The unit of work (src/kernel/unit-of-work.ts): a key is claimed once, the effect and its
 * outbox rows commit together, a throw rolls back everything including the key, and the
 * use-case invoker checks the permission and parses the canonical input for every adapter.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { execRows, type Tx } from '../../db/types.js';
import { loadConfig } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import { DomainError } from '../../src/errors.js';
import { invoke } from '../../src/kernel/invoke.js';
import { runUnitOfWork, type Claim } from '../../src/kernel/unit-of-work.js';
import { defineUseCase } from '../../src/kernel/use-case.js';
import { silentLogger } from '../../src/log.js';
import { claimInbound } from '../../src/outbox/inbox.js';
import { describeDb } from '../helpers/db.js';
import { admin, expectDomain, sales } from '../inventory/helpers.js';

const fixed = new Date('2026-11-25T02:00:00Z');

describeDb('unit of work', (t) => {
  const deps = (): AppDeps => ({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    database: t.database,
    readiness: { ready: true },
    logger: silentLogger,
    feishu: null,
    version: 'test',
    now: () => fixed,
    defer: () => {},
  });
  /** A claim over processed_events whose replay is the stored result. */
  const inbox = (key: string): Claim<string> => ({
    async claim(tx: Tx) {
      if (await claimInbound(tx, key, 'test')) return { fresh: true };
      const [r] = await execRows<{ result: string | null }>(tx, sql`select result #>> '{}' as result from processed_events where key = ${key}`);
      return { fresh: false, replay: r?.result ?? '' };
    },
    settle: async (tx, value) => void (await tx.execute(sql`update processed_events set result = to_jsonb(${value}::text) where key = ${key}`)),
  });
  const outboxCount = async () => (await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from outbox`))[0].n;

  it('claims a key once: the second run replays the first answer and runs nothing', async () => {
    let runs = 0;
    const work = async (uow: { queue: (i: never) => Promise<void>; now: Date }) => {
      runs++;
      await uow.queue({ kind: 'reply', dedupeKey: 'reply:m1', payload: { op: 'send', receiveIdType: 'open_id', receiveId: 'ou_x', msgType: 'text', content: '{"text":"好"}', uuid: 'u1' } } as never);
      return `done at ${uow.now.toISOString()}`;
    };
    const first = await runUnitOfWork(deps(), inbox('msg:m1'), work);
    const again = await runUnitOfWork(deps(), inbox('msg:m1'), work);
    expect(first).toEqual({ replayed: false, value: 'done at 2026-11-25T02:00:00.000Z' });
    expect(again).toEqual({ replayed: true, value: 'done at 2026-11-25T02:00:00.000Z' });
    expect(runs).toBe(1);
    expect(await outboxCount()).toBe(1);
  });

  it('concurrent deliveries of one key: one effect, the others replay', async () => {
    let runs = 0;
    const results = await Promise.all(Array.from({ length: 5 }, () => runUnitOfWork(deps(), inbox('msg:same'), async () => `run ${++runs}`)));
    expect(runs).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.value))).toEqual(new Set(['run 1']));
  });

  it('a throw rolls back the effect, its outbox rows and the key: a corrected retry runs', async () => {
    const after: string[] = [];
    await expect(
      runUnitOfWork(deps(), inbox('msg:m2'), async (uow) => {
        await uow.queue({ kind: 'reply', dedupeKey: 'reply:m2', payload: { op: 'send', receiveIdType: 'open_id', receiveId: 'ou_x', msgType: 'text', content: '{}', uuid: 'u2' } });
        uow.afterCommit(() => after.push('committed'));
        throw new DomainError('invalid_input', '数量格式不对');
      }),
    ).rejects.toThrow('数量格式不对');
    expect(await outboxCount()).toBe(0);
    expect(after).toEqual([]);
    const retry = await runUnitOfWork(deps(), inbox('msg:m2'), async (uow) => {
      uow.afterCommit(() => after.push('committed'));
      return 'ok';
    });
    expect(retry).toEqual({ replayed: false, value: 'ok' });
    expect(after).toEqual(['committed']);
  });

  it('invoke checks the permission (named by the use case label) and parses canonical input in Chinese', async () => {
    const echo = defineUseCase({
      id: 'demo.echo',
      kind: 'write',
      permission: 'stock.receive',
      label: '演示入库',
      summary: '回显',
      input: z.strictObject({ qty: z.string().regex(/^\d+$/, '数量必须是整数') }),
      run: async (ctx, i) => ({ qty: i.qty, key: ctx.idempotencyKey, at: ctx.now.toISOString(), tz: ctx.timeZone }),
    });
    const caller = (actor = admin) => ({ actor, idempotencyKey: 'rest:1:abc', logger: silentLogger });
    expect(await invoke(deps(), t.db, caller(), echo, { qty: '3' })).toEqual({ qty: '3', key: 'rest:1:abc', at: fixed.toISOString(), tz: 'Asia/Shanghai' });
    const denied = await expectDomain(invoke(deps(), t.db, caller(sales), echo, { qty: '3' }), 'forbidden');
    expect(denied.message).toContain('「演示入库」');
    const bad = await expectDomain(invoke(deps(), t.db, caller(), echo, { qty: '3.5' }), 'invalid_input');
    expect(bad.message).toContain('「数量」数量必须是整数');
    await expectDomain(invoke(deps(), t.db, caller(), echo, { qty: '3', extra: 1 }), 'invalid_input');
  });
});

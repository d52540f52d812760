import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildJobRegistry, runScheduled, type ScheduledJob } from '../src/jobs/scheduled.js';
import { BUILTIN_JOBS } from '../src/jobs/builtin.js';
import { RegistryError } from '../src/kernel/use-case-registry.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import type { AppDeps } from '../src/deps.js';
import { execRows } from '../db/types.js';
import { describeDb } from './helpers/db.js';

let runs = 0;
const jobs = buildJobRegistry([...BUILTIN_JOBS, { name: 'test-once', cron: '5 4 * * *', once: true, run: async () => void runs++ }]);

it('the job list is validated when built: a duplicate name or a malformed cron stops the start', () => {
  const job: ScheduledJob = { name: 'x', cron: '0 1 * * *', run: async () => {} };
  expect(() => buildJobRegistry([job, job])).toThrow(RegistryError);
  expect(() => buildJobRegistry([{ ...job, cron: '0 1 * *' }])).toThrow(/5 fields/);
  expect(() => buildJobRegistry([{ ...job, cron: 'every day' }])).toThrow(RegistryError);
  expect(buildJobRegistry([job]).expressions()).toEqual(['0 1 * * *']);
});

describeDb('scheduled jobs', (t) => {
  const deps = (): AppDeps => ({
    config: loadConfig({}),
    database: t.database,
    readiness: { ready: true },
    logger: silentLogger,
    feishu: null,
    version: 'test',
    now: () => new Date(),
    defer: () => {},
  });

  it('runs a `once` job once per slot even when several instances fire together', async () => {
    runs = 0;
    const at = new Date('2026-11-25T04:05:00Z');
    await Promise.all([runScheduled(deps(), jobs, '5 4 * * *', at), runScheduled(deps(), jobs, '5 4 * * *', at), runScheduled(deps(), jobs, '5 4 * * *', at)]);
    expect(runs).toBe(1);
    await runScheduled(deps(), jobs, '5 4 * * *', new Date('2026-11-26T04:05:00Z'));
    expect(runs).toBe(2);
    const claims = await execRows<{ slot: string; finished: boolean }>(t.db, sql`select slot, finished_at is not null as finished from cron_claims where job = 'test-once' order by slot`);
    expect(claims).toEqual([
      { slot: '2026-11-25T04:05', finished: true },
      { slot: '2026-11-26T04:05', finished: true },
    ]);
  });

  it('daily housekeeping forgets old dedupe keys and unused expired card keys, keeps the rest', async () => {
    await t.db.execute(sql`insert into processed_events (key, kind, created_at) values
      ('msg:old', 'im.message.receive_v1', now() - interval '8 days'), ('msg:new', 'im.message.receive_v1', now())`);
    await t.db.execute(sql`insert into card_tokens (token, kind, created_at, consumed_at) values
      ('k-old-unused', 'issue', now() - interval '8 days', null),
      ('k-old-used', 'issue', now() - interval '8 days', now() - interval '8 days'),
      ('k-new', 'issue', now(), null)`);
    await runScheduled(deps(), jobs, '0 1 * * *', new Date());
    const keys = await execRows<{ key: string }>(t.db, sql`select key from processed_events order by key`);
    expect(keys.map((k) => k.key)).toEqual(['msg:new']);
    const tokens = await execRows<{ token: string }>(t.db, sql`select token from card_tokens order by token`);
    expect(tokens.map((k) => k.token)).toEqual(['k-new', 'k-old-used']);
  });
});

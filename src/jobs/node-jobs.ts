/**
 * Background jobs of the Node runtime, registered on import (src/server.ts):
 * - the outbox drain every second (finer than cron: a reply that failed is retried quickly);
 * - node-cron firing the same scheduled jobs as the Workers cron triggers (src/jobs/builtin.ts),
 *   in UTC like wrangler.toml, through runScheduled (so `once` jobs are claimed per slot).
 */
import cron, { type ScheduledTask } from 'node-cron';
import { registerBackgroundJob } from '../background.js';
import { startOutboxDrain } from '../outbox/index.js';
import { listScheduledJobs, runScheduled } from './scheduled.js';

registerBackgroundJob('outbox-drain', (deps) => startOutboxDrain(deps, { intervalMs: 1000 }));

registerBackgroundJob('cron', (deps) => {
  const tasks: ScheduledTask[] = [];
  let stopped = false;
  const ready = listScheduledJobs().then((jobs) => {
    if (stopped) return;
    // The drain already runs every second on Node; cron adds the rest.
    const expressions = [...new Set(jobs.filter((j) => j.name !== 'outbox-drain').map((j) => j.cron))];
    for (const expr of expressions) {
      tasks.push(
        cron.schedule(expr, (ctx) => runScheduled(deps, expr, ctx?.triggeredAt ?? new Date()), { timezone: 'Etc/UTC', name: `jxc ${expr}` }),
      );
    }
  });
  return async () => {
    stopped = true;
    await ready;
    for (const t of tasks) await t.stop();
  };
});

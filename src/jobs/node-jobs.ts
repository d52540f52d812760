/**
 * Background jobs of the Node runtime (src/server.ts starts them after migrations):
 * - the outbox drain every second (finer than cron: a reply that failed is retried quickly);
 * - node-cron firing the same scheduled jobs as the Workers cron triggers (src/jobs/builtin.ts),
 *   in UTC like wrangler.toml, through runScheduled (so `once` jobs are claimed per slot).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { BackgroundJob } from '../background.js';
import { startOutboxDrain } from '../outbox/index.js';
import { runScheduled, type JobRegistry } from './scheduled.js';

/** The Node background jobs over the app's scheduled-job registry. */
export function nodeBackgroundJobs(jobs: JobRegistry): { name: string; start: BackgroundJob }[] {
  return [
    { name: 'outbox-drain', start: (deps) => startOutboxDrain(deps, { intervalMs: 1000 }) },
    {
      name: 'cron',
      start: (deps) => {
        // The drain already runs every second on Node; cron adds the rest.
        const expressions = [...new Set(jobs.all().filter((j) => j.name !== 'outbox-drain').map((j) => j.cron))];
        const tasks: ScheduledTask[] = expressions.map((expr) =>
          cron.schedule(expr, (ctx) => runScheduled(deps, jobs, expr, ctx?.triggeredAt ?? deps.now()), { timezone: 'Etc/UTC', name: `jxc ${expr}` }),
        );
        return async () => {
          for (const t of tasks) await t.stop();
        };
      },
    },
  ];
}

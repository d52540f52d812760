/**
 * Cron entry shared by Node (node-cron, src/jobs/node-cron.ts) and Workers (cron triggers in
 * wrangler.toml). Jobs register with a cron expression; `runScheduled` runs those whose
 * expression fired. Jobs marked `once` are claimed per slot in the database, so several
 * instances firing the same trigger run them once.
 */
import type { AppDeps } from '../deps.js';
import { claimCronRun, cronSlot, finishCronRun } from '../scheduling/claims.js';

export interface ScheduledJob {
  name: string;
  /** Cron expression (5 fields, UTC) as configured in wrangler.toml [triggers] and node-cron. */
  cron: string;
  /** Run once per slot across all instances (digests, housekeeping); false for idempotent passes like the outbox drain. */
  once?: boolean;
  run(deps: AppDeps, at: Date): Promise<void>;
}

const scheduledJobs: ScheduledJob[] = [];

export function registerScheduledJob(job: ScheduledJob): void {
  scheduledJobs.push(job);
}

/** The jobs shipped with the app, loaded on first use (a static import would be circular: they register here). */
let builtins: Promise<unknown> | undefined;

export async function listScheduledJobs(): Promise<readonly ScheduledJob[]> {
  await (builtins ??= import('./builtin.js'));
  return scheduledJobs;
}

const instanceId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export async function runScheduled(deps: AppDeps, cron: string, at: Date): Promise<void> {
  for (const job of (await listScheduledJobs()).filter((j) => j.cron === cron)) {
    const slot = cronSlot(at);
    try {
      if (job.once && !(await claimCronRun(deps.database.db, job.name, slot, instanceId))) {
        deps.logger.debug({ job: job.name, slot }, 'cron slot already claimed by another instance');
        continue;
      }
      await job.run(deps, at);
      if (job.once) await finishCronRun(deps.database.db, job.name, slot);
    } catch (e) {
      deps.logger.error({ job: job.name, slot, err: (e as Error).message }, 'scheduled job failed');
    }
  }
}

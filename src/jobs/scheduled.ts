/**
 * Cron entry shared by Node (node-cron) and Workers (cron triggers). Jobs register with a
 * cron expression; `runScheduled` runs those whose expression fired.
 */
import type { AppDeps } from '../deps.js';

export interface ScheduledJob {
  name: string;
  /** Cron expression (5 fields) as configured in wrangler.toml [triggers] and node-cron. */
  cron: string;
  run(deps: AppDeps, at: Date): Promise<void>;
}

const scheduledJobs: ScheduledJob[] = [];

export function registerScheduledJob(job: ScheduledJob): void {
  scheduledJobs.push(job);
}

export function listScheduledJobs(): readonly ScheduledJob[] {
  return scheduledJobs;
}

/** The jobs shipped with the app, loaded on first use (a static import would be circular: they register here). */
let builtins: Promise<unknown> | undefined;

export async function runScheduled(deps: AppDeps, cron: string, at: Date): Promise<void> {
  await (builtins ??= import('./outbox-drain.js'));
  for (const job of scheduledJobs.filter((j) => j.cron === cron)) {
    try {
      await job.run(deps, at);
    } catch (e) {
      deps.logger.error({ job: job.name, err: (e as Error).message }, 'scheduled job failed');
    }
  }
}

/**
 * Cron entry shared by Node (node-cron, src/jobs/node-jobs.ts) and Workers (cron triggers in
 * wrangler.toml). The jobs are a value (buildJobRegistry, validated when built: a duplicate
 * name or a malformed cron expression stops the start), never a list filled by imports.
 *
 * A job marked `once` is an effect like any other: it runs as one unit of work keyed by its
 * slot (src/kernel/unit-of-work.ts with a Claim over cron_claims), so several instances firing
 * the same trigger run it once, and its writes and outbox rows commit with the claim — a job
 * that fails leaves no claim and no half-done effect.
 */
import type { AppDeps } from '../deps.js';
import { RegistryError } from '../kernel/use-case-registry.js';
import { runUnitOfWork, type UnitOfWork } from '../kernel/unit-of-work.js';
import { claimCronRun, cronSlot, finishCronRun } from '../scheduling/claims.js';

export interface ScheduledJob {
  name: string;
  /** Cron expression (5 fields, UTC) as configured in wrangler.toml [triggers] and node-cron. */
  cron: string;
  /**
   * Run once per slot across all instances (digests, housekeeping): `uow` is the slot's unit of
   * work — write through uow.tx, queue messages with uow.queue. Jobs without `once` (idempotent
   * passes like the outbox drain) get no unit of work and manage their own transactions.
   */
  once?: boolean;
  run(deps: AppDeps, at: Date, uow?: UnitOfWork): Promise<void>;
}

export interface JobRegistry {
  all(): readonly ScheduledJob[];
  /** The distinct cron expressions (what node-cron schedules and wrangler.toml must list). */
  expressions(): readonly string[];
}

const FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

/** Build and validate the jobs: names unique, cron expressions of 5 well-formed fields. */
export function buildJobRegistry(jobs: readonly ScheduledJob[]): JobRegistry {
  const names = new Set<string>();
  for (const j of jobs) {
    if (names.has(j.name)) throw new RegistryError(`scheduled job "${j.name}" defined twice`);
    names.add(j.name);
    const fields = j.cron.trim().split(/\s+/);
    if (fields.length !== 5 || !fields.every((f) => FIELD.test(f))) throw new RegistryError(`scheduled job "${j.name}": cron "${j.cron}" must have 5 fields (UTC)`);
  }
  const all = Object.freeze([...jobs]);
  const expressions = Object.freeze([...new Set(jobs.map((j) => j.cron))]);
  return { all: () => all, expressions: () => expressions };
}

// Made on first use: Workers refuse random values at module load (outside a request).
let instance: string | undefined;
const instanceId = (): string => (instance ??= `${Date.now().toString(36)}-${globalThis.crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`);

/** Run the jobs of `jobs` whose expression is `cron`, for the slot of `at`. Failures are logged, never thrown. */
export async function runScheduled(deps: AppDeps, jobs: JobRegistry, cron: string, at: Date): Promise<void> {
  for (const job of jobs.all().filter((j) => j.cron === cron)) {
    const slot = cronSlot(at);
    try {
      if (!job.once) {
        await job.run(deps, at);
        continue;
      }
      const r = await runUnitOfWork(
        deps,
        {
          async claim(tx) {
            return (await claimCronRun(tx, job.name, slot, instanceId())) ? { fresh: true } : { fresh: false, replay: undefined };
          },
          settle: (tx) => finishCronRun(tx, job.name, slot),
        },
        (uow) => job.run(deps, at, uow),
      );
      if (r.replayed) deps.logger.debug({ job: job.name, slot }, 'cron slot already claimed by another instance');
    } catch (e) {
      deps.logger.error({ job: job.name, slot, err: (e as Error).message }, 'scheduled job failed');
    }
  }
}

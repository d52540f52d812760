/**
 * Background work on Node (the Workers entry runs the same scheduled jobs from `scheduled`).
 * The runtime passes the list (src/jobs/node-jobs.ts); each start returns a stop function
 * awaited on shutdown.
 */
import type { AppDeps } from './deps.js';

export type BackgroundJob = (deps: AppDeps) => () => Promise<void>;

export function startBackground(deps: AppDeps, jobs: readonly { name: string; start: BackgroundJob }[]): () => Promise<void> {
  const stops = jobs.map((j) => ({ name: j.name, stop: j.start(deps) }));
  return async () => {
    for (const s of stops) {
      try {
        await s.stop();
      } catch (e) {
        deps.logger.warn({ job: s.name, err: (e as Error).message }, 'background job stop failed');
      }
    }
  };
}

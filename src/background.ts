/**
 * Background work on Node (the Workers entry runs the same jobs from `scheduled`).
 * Jobs register here; each returns a stop function awaited on shutdown.
 */
import type { AppDeps } from './deps.js';

export type BackgroundJob = (deps: AppDeps) => () => Promise<void>;

const jobs: { name: string; start: BackgroundJob }[] = [];

export function registerBackgroundJob(name: string, start: BackgroundJob): void {
  jobs.push({ name, start });
}

export function startBackground(deps: AppDeps): () => Promise<void> {
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

/** The app's scheduled jobs as one validated registry (built once at start by each runtime). */
import { BUILTIN_JOBS } from './builtin.js';
import { buildJobRegistry, type JobRegistry } from './scheduled.js';

export function buildJobs(): JobRegistry {
  return buildJobRegistry([...BUILTIN_JOBS]);
}

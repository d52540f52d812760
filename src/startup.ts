/** Runtime-neutral start-up steps shared by the Node server and the Workers entry. */
import { migrate } from '../db/migrate.js';
import type { Database } from '../db/types.js';
import type { Readiness } from './deps.js';
import type { Logger } from './log.js';

/**
 * Apply migrations, retrying with backoff while the database is unreachable, and flip
 * `readiness` when done. /healthz answers 503 with the reason meanwhile.
 */
export async function migrateUntilReady(
  database: Database,
  readiness: Readiness,
  logger: Logger,
  opts: { signal?: AbortSignal; maxDelayMs?: number } = {},
): Promise<boolean> {
  let delay = 250;
  for (;;) {
    if (opts.signal?.aborted) return false;
    try {
      const t0 = Date.now();
      const r = await migrate(database.db);
      // Log before flipping readiness: whoever sees a green /healthz can also read what ran.
      logger.info({ applied: r.applied, total: r.total, ms: Date.now() - t0 }, '数据库已就绪 / database migrated and ready');
      readiness.ready = true;
      readiness.reason = undefined;
      return true;
    } catch (e) {
      const msg = (e as Error).message;
      readiness.ready = false;
      readiness.reason = `migrations pending: ${msg}`;
      if (msg.includes('migration') && msg.includes('changed')) {
        logger.error({ err: msg }, 'migration conflict; not retrying');
        return false;
      }
      logger.warn({ err: msg, retryInMs: delay }, '数据库不可用，稍后重试 / database unavailable, retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 10_000);
    }
  }
}

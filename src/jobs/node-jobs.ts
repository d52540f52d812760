// Background jobs for the Node runtime register themselves on import (outbox drain, cron).
import { registerBackgroundJob } from '../background.js';
import { startOutboxDrain } from '../outbox/index.js';
import { pruneInbound } from '../outbox/inbox.js';
import './outbox-drain.js';

/** Retries and anything a request's kick missed: a pass every second until nothing is due. */
registerBackgroundJob('outbox-drain', (deps) => startOutboxDrain(deps, { intervalMs: 1000 }));

/** Dedupe keys older than 7 days (Feishu redelivers for ~7 h) are pruned every 6 hours. */
registerBackgroundJob('inbox-prune', (deps) => {
  const run = () =>
    pruneInbound(deps.database.db)
      .then((n) => n && deps.logger.info({ pruned: n }, 'processed_events pruned'))
      .catch((e) => deps.logger.warn({ err: (e as Error).message }, 'inbox prune failed'));
  const timer = setInterval(run, 6 * 3600_000);
  timer.unref();
  return async () => clearInterval(timer);
});

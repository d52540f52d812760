/**
 * The outbox drain as a job: on Node an interval loop (registered in node-jobs.ts), on Workers
 * the every-minute cron trigger ("* * * * *" in wrangler.toml) runs passes until nothing is due.
 * Requests also kick delivery of their own rows right after commit (src/outbox kickOutbox).
 * Daily (01:00 UTC trigger) the inbox forgets dedupe keys older than 7 days.
 */
import { drainOutbox } from '../outbox/index.js';
import { pruneInbound } from '../outbox/inbox.js';
import { registerScheduledJob } from './scheduled.js';

registerScheduledJob({
  name: 'outbox-drain',
  cron: '* * * * *',
  async run(deps) {
    // Bounded: a cron invocation must end; leftovers wait for the next minute.
    for (let i = 0; i < 20; i++) {
      const r = await drainOutbox(deps);
      if (r.claimed === 0) break;
    }
  },
});

registerScheduledJob({
  name: 'inbox-prune',
  cron: '0 1 * * *',
  async run(deps) {
    const n = await pruneInbound(deps.database.db);
    if (n) deps.logger.info({ pruned: n }, 'processed_events pruned');
  },
});

/**
 * The jobs shipped with the app, on both runtimes (Workers cron triggers, node-cron on Node):
 * - every minute: outbox drain passes until nothing is due (Node also drains every second, and
 *   requests kick delivery of their own rows right after commit — src/outbox kickOutbox);
 * - daily at 01:00 UTC (09:00 Asia/Shanghai): housekeeping — dedupe keys older than 7 days
 *   (Feishu redelivers for ~7 h), unused card keys past their TTL, old cron claims.
 * Later modules (digest, sheet sync) add their jobs to their own lists; src/jobs/index.ts joins them.
 */
import { drainOutbox } from '../outbox/index.js';
import { pruneInbound } from '../outbox/inbox.js';
import { purgeExpiredCardTokens } from '../interaction/card-tokens.js';
import { pruneCronClaims } from '../scheduling/claims.js';
import type { ScheduledJob } from './scheduled.js';

export const BUILTIN_JOBS: readonly ScheduledJob[] = [
  {
    name: 'outbox-drain',
    cron: '* * * * *',
    async run(deps) {
      // Bounded: a cron invocation must end; leftovers wait for the next minute.
      for (let i = 0; i < 20; i++) {
        const r = await drainOutbox(deps);
        if (r.claimed === 0) break;
      }
    },
  },
  {
    name: 'housekeeping',
    cron: '0 1 * * *',
    once: true,
    async run(deps, at, uow) {
      const conn = uow?.tx ?? deps.database.db;
      const inbound = await pruneInbound(conn);
      await purgeExpiredCardTokens(conn, at);
      const claims = await pruneCronClaims(conn);
      deps.logger.info({ inbound, claims }, 'housekeeping done');
    },
  },
];

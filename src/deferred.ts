/**
 * Work run after the response (outbox kicks), tracked so a runtime can wait for it: the Node
 * server before closing the database, the terminal chat before printing, tests before asserting.
 * (Workers use ctx.waitUntil instead; see src/worker.ts.)
 */
import type { Logger } from './log.js';

export interface DeferredWork {
  defer(work: Promise<unknown>): void;
  /** Resolves once everything deferred so far (and anything it deferred) has settled. */
  settle(): Promise<void>;
}

export function trackDeferred(logger: Logger): DeferredWork {
  const inflight = new Set<Promise<unknown>>();
  return {
    defer(work) {
      const p = work.catch((e) => logger.error({ err: (e as Error).message }, 'deferred work failed'));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    },
    async settle() {
      while (inflight.size) await Promise.all([...inflight]);
    },
  };
}

import type * as lark from '@larksuiteoapi/node-sdk';
import type { Config } from './config.js';
import type { Database } from '../db/types.js';
import type { Logger } from './log.js';

/** Set by the runtime once migrations ran; /healthz reports it. */
export interface Readiness {
  ready: boolean;
  reason?: string;
}

/** Everything the Hono app and the adapters need, chosen at the edge (server.ts, worker.ts, tests). */
export interface AppDeps {
  config: Config;
  database: Database;
  readiness: Readiness;
  logger: Logger;
  /** Outbound Feishu client (official SDK); null in offline mode (no app credentials). */
  feishu: lark.Client | null;
  version: string;
  /** The clock every service reads (tests inject a fixed or stepping one). */
  now: () => Date;
  /**
   * Uniform [0, 1) for retry jitter (outbox backoff). Injected so a test can pin the delays;
   * default Math.random.
   */
  random?: () => number;
  /**
   * Forget the cached tenant token of `client` after Feishu said it is invalid. The transport
   * (bot/feishu-client.ts) owns the cache; src/ only calls this, so src/ never imports bot/.
   */
  invalidateFeishuToken?: (client: lark.Client) => void;
  /** Run work after the response is sent (Workers: ctx.waitUntil; Node: detached promise). */
  defer: (work: Promise<unknown>) => void;
}

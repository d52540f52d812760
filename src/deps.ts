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
  now: () => Date;
  /** Run work after the response is sent (Workers: ctx.waitUntil; Node: detached promise). */
  defer: (work: Promise<unknown>) => void;
}

/**
 * The bot end to end over real HTTP: fake Feishu (test/fake-feishu) ⇄ the official SDK client
 * (FEISHU_BASE_URL = the fake) ⇄ our Hono app served on 127.0.0.1:<random> ⇄ a test database.
 * Events are built, encrypted and signed exactly as Feishu does.
 *
 *   describeDb('出库', (t) => {
 *     const h = useBotApp(t);                      // hooks: start before all, close after all
 *     it('works', async () => {
 *       expect(await h.say('帮助')).toContain('出库');          // admin by default
 *       const r = await h.send('库存', { openId: 'ou_stranger' }); // r.replies, r.push.status
 *     });
 *   });
 */
import { trackDeferred } from '../../src/deferred.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildFullApp } from '../../bot/app.js';
import { loadConfig } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { sql } from 'drizzle-orm';
import { execRows, type Database } from '../../db/types.js';
import { configureBotIdentity, createFeishuClient, invalidateFeishuToken } from '../../bot/feishu-client.js';
import { configureOutbox, startOutboxDrain, type OutboxSettings } from '../../src/outbox/index.js';
import { VERSION } from '../../src/version.js';
import { startFakeFeishu, type FakeFeishu, type PushOptions, type PushResult, type StoredMessage, type TextMessageSpec } from '../fake-feishu/index.js';
import { cardToText } from '../../bot/card-text.js';
import { configureCards, DEFAULT_CARD_SETTINGS, type CardSettings } from '../../bot/cards/index.js';
import type { DbTestContext } from './db.js';

export const TEST_ENCRYPT_KEY = 'test-encrypt-key-0123456789';
/**
 * Card settings of the test app: the production ones, except that a tap is never answered
 * 处理中 because the machine is busy (budgetMs); the tests of the budget set their own.
 */
export const TEST_CARD_SETTINGS: CardSettings = { ...DEFAULT_CARD_SETTINGS, budgetMs: 600_000 };
export const TEST_VERIFICATION_TOKEN = 'test-verification-token';
export const ADMIN_OPEN_ID = 'ou_admin_0001';

export interface BotAppOptions {
  /** Extra env for loadConfig (FEISHU_ENCRYPT_KEY: '' to run without encryption, …). */
  env?: Record<string, string | undefined>;
  /** Admin open_ids (default [ADMIN_OPEN_ID]). */
  admins?: string[];
  /** Outbox timing (tests default to fast retries). */
  outbox?: Partial<OutboxSettings>;
  /** Run the interval drain (default true); false to drive drainOutbox by hand. */
  drain?: boolean;
  /** Offline mode: no Feishu client (deps.feishu = null). */
  offline?: boolean;
  /** HTTP timeout of the SDK client (default 5000 ms). */
  feishuTimeoutMs?: number;
  logger?: Logger;
}

export interface SendResult {
  push: PushResult;
  messageId: string;
  /** The bot's replies to this message as readable text (cards rendered with cardToText). */
  replies: string[];
  /** The stored reply messages (msg_type, body.content = card JSON for cards). */
  messages: StoredMessage[];
}

/** A stored message as readable text: text → text, card → cardToText. */
export function readable(fake: FakeFeishu, m: StoredMessage): string {
  if (m.msg_type === 'interactive') {
    try {
      return cardToText(JSON.parse(m.body.content));
    } catch {
      return m.body.content;
    }
  }
  return fake.textOf(m);
}

export interface BotApp {
  fake: FakeFeishu;
  deps: AppDeps;
  database: Database;
  /** http://127.0.0.1:<port> of our app. */
  baseUrl: string;
  /** `${baseUrl}/feishu/events` */
  eventsUrl: string;
  cardUrl: string;
  adminOpenId: string;
  /** Push a user's message and wait for its reply (p2p from the admin unless told otherwise). */
  send(text: string, spec?: Omit<TextMessageSpec, 'text'> & { expectReply?: boolean; timeoutMs?: number }, o?: PushOptions): Promise<SendResult>;
  /** The one reply's text. */
  say(text: string, spec?: Omit<TextMessageSpec, 'text'>): Promise<string>;
  /** Wait for all deferred work (outbox kicks) started so far. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startBotApp(database: Database, o: BotAppOptions = {}): Promise<BotApp> {
  const env = {
    FEISHU_ENCRYPT_KEY: TEST_ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN,
    ...(o.env ?? {}),
  };
  const admins = o.admins ?? [ADMIN_OPEN_ID];
  const fake = await startFakeFeishu({
    encryptKey: env.FEISHU_ENCRYPT_KEY || undefined,
    verificationToken: env.FEISHU_VERIFICATION_TOKEN || undefined,
    // Feishu's 3 s / 1 s answer deadlines measure the machine, not the code: a busy machine
    // must not fail a test. "Answers before X" is asserted by order (fake.hold, held locks).
    deadlines: false,
  });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    ...(o.offline ? {} : { FEISHU_APP_ID: fake.appId, FEISHU_APP_SECRET: fake.appSecret }),
    FEISHU_BASE_URL: fake.baseUrl,
    FEISHU_ADMIN_OPEN_IDS: admins.join(','),
    ...env,
  });
  const logger = o.logger ?? (process.env.TEST_LOG ? (pino({ level: process.env.TEST_LOG }) as unknown as Logger) : silentLogger);
  const deferred = trackDeferred(logger);
  const deps: AppDeps = {
    config,
    database,
    readiness: { ready: true },
    logger,
    feishu: createFeishuClient(config, { logger, timeoutMs: o.feishuTimeoutMs ?? 5000 }),
    version: VERSION,
    now: () => new Date(),
    invalidateFeishuToken,
    defer: deferred.defer,
  };
  configureOutbox(deps, { baseDelayMs: 20, maxDelayMs: 300, ...(o.outbox ?? {}) });
  configureCards(deps, TEST_CARD_SETTINGS);
  // The bot look-up races a 1.5 s budget in production (the webhook acks within 3 s); on a busy
  // test machine that race would decide how a group message is read. Tests that want a failed
  // look-up inject it (fake.failNext on /bot/v3/info).
  if (deps.feishu) configureBotIdentity(deps.feishu, { timeoutMs: 600_000 });
  const app = buildFullApp(deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const stopDrain = o.drain === false ? async () => {} : startOutboxDrain(deps, { intervalMs: 25 });

  const settle = async () => {
    await deferred.settle();
  };

  const h: BotApp = {
    fake,
    deps,
    database,
    baseUrl,
    eventsUrl: `${baseUrl}/feishu/events`,
    cardUrl: `${baseUrl}/feishu/card`,
    adminOpenId: admins[0] ?? ADMIN_OPEN_ID,
    async send(text, spec = {}, po = {}) {
      const { expectReply = true, timeoutMs = 8000, ...rest } = spec;
      const push = await fake.sendText(h.eventsUrl, { openId: h.adminOpenId, ...rest, text }, po);
      const messageId = push.messageId!;
      await settle();
      if (expectReply && push.status === 200) {
        await fake.waitForReplies(messageId, 1, timeoutMs);
        // The interval drain (not tracked by settle) may have delivered it: wait until it is recorded.
        const end = Date.now() + timeoutMs;
        while (Date.now() < end) {
          const rows = await execRows<{ status: string }>(database.db, sql`select status from outbox where dedupe_key = ${'reply:' + messageId}`);
          if (!rows.length || rows[0].status !== 'pending') break;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      const messages = fake.repliesTo(messageId);
      return { push, messageId, replies: messages.map((m) => readable(fake, m)), messages };
    },
    async say(text, spec = {}) {
      const r = await h.send(text, spec);
      if (r.push.status !== 200) throw new Error(`webhook answered HTTP ${r.push.status}: ${r.push.text}`);
      return r.replies[r.replies.length - 1];
    },
    settle,
    async close() {
      await stopDrain();
      await settle();
      await new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await fake.close();
    },
  };
  return h;
}

/** Inside describeDb: start the bot app before all tests, close it after; faults cleared before each. */
export function useBotApp(t: DbTestContext, o: BotAppOptions = {}): BotApp {
  let h: BotApp | undefined;
  beforeAll(async () => {
    h = await startBotApp(t.database, o);
  });
  beforeEach(() => {
    h?.fake.clearFaults();
  });
  afterAll(async () => {
    await h?.close();
  });
  return new Proxy({} as BotApp, {
    get(_target, prop) {
      if (!h) throw new Error('bot app not started yet (use it inside tests)');
      const v = (h as unknown as Record<string | symbol, unknown>)[prop];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(h) : v;
    },
  });
}

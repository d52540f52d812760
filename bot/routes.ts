/**
 * POST /feishu/events and POST /feishu/card. Verify (bot/security.ts), then dispatch by event
 * type to the handlers of the registries built here, once per app (bot/registries.ts: a
 * definition that contradicts another stops the start). Always answer JSON (an empty body makes card
 * callbacks fail with 200672). A handler that throws (database down…) yields 500, so Feishu
 * redelivers later and the dedupe row guarantees one effect.
 */
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../src/deps.js';
import { readInbound, eventIdOf, eventTypeOf, type SecuritySettings } from './security.js';
import type { BotRegistries } from './registries.js';

const warnedOpen = new WeakSet<AppDeps>();

/** The Feishu routes of one app. Throws RegistryError when the chat or card definitions contradict each other. */
export function feishuRoutes(deps: AppDeps, registries: BotRegistries): Hono {
  const app = new Hono();
  const settings: SecuritySettings = {
    encryptKey: deps.config.FEISHU_ENCRYPT_KEY,
    verificationToken: deps.config.FEISHU_VERIFICATION_TOKEN,
  };

  const handle = (route: 'events' | 'card') => async (c: Context) => {
    const raw = await c.req.text();
    const inbound = readInbound(raw, c.req.header(), settings);
    if (inbound.kind === 'reject') {
      deps.logger.warn({ route, reason: inbound.reason, status: inbound.status }, '拒绝飞书请求 / rejected Feishu request');
      return c.json({ error: inbound.status === 401 ? 'unauthorized' : 'bad_request', message: inbound.reason }, inbound.status);
    }
    if (inbound.kind === 'challenge') return c.json({ challenge: inbound.challenge });
    if (!settings.encryptKey && !settings.verificationToken && !warnedOpen.has(deps)) {
      warnedOpen.add(deps);
      deps.logger.warn('未设置 FEISHU_ENCRYPT_KEY / FEISHU_VERIFICATION_TOKEN：任何人都能伪造事件 / no event security configured; anyone can forge events');
    }
    const payload = inbound.payload;
    const eventType = eventTypeOf(payload) ?? 'unknown';
    const eventId = eventIdOf(payload);
    const logger = deps.logger.child({ eventId, eventType });
    const handler = registries.events.get(eventType);
    if (!handler) {
      logger.debug('no handler for event type; acknowledged');
      return c.json({});
    }
    const t0 = Date.now();
    const result = await handler({ deps, payload, eventType, eventId, logger, route, registries });
    logger.debug({ ms: Date.now() - t0 }, 'event handled');
    return c.json(result && typeof result === 'object' ? result : {});
  };

  app.post('/events', handle('events'));
  app.post('/card', handle('card'));
  return app;
}

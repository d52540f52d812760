/**
 * Event handlers by event type. The map is a value built with the other registries
 * (bot/registries.ts buildBotRegistries):
 *
 *   events: { 'im.message.receive_v1': handleMessage,          // bot/messages.ts
 *             'card.action.trigger': handleCardAction }         // bot/cards
 *
 * bot/routes.ts builds it once per app and hands every handler the registries through the
 * EventContext. A handler's return value is the HTTP response body (card callbacks answer with
 * `{toast, card}`); events answer `{}`. Handlers commit their effects (and queue replies in the
 * outbox) before returning, and hand slow work to deps.defer.
 */
import type { AppDeps } from '../src/deps.js';
import type { Logger } from '../src/log.js';
import type { BotRegistries } from './registries.js';
import type { FeishuPayload } from './security.js';

export interface EventContext {
  deps: AppDeps;
  payload: FeishuPayload;
  eventType: string;
  eventId: string | undefined;
  /** deps.logger.child({ eventId, eventType }) */
  logger: Logger;
  /** Which route received it: '/feishu/events' or '/feishu/card'. */
  route: 'events' | 'card';
  /** The app's registries, built once in buildApp: use cases, commands, events, cards. */
  registries: BotRegistries;
}

export type EventHandler = (ctx: EventContext) => Promise<Record<string, unknown> | void>;

/**
 * The dedupe key of an inbound event (claim it with claimInbound in the effect's transaction):
 * `msg:<message_id>` for messages — Feishu's advice, event_id may differ between redeliveries —
 * and `evt:<event_id>` for everything else.
 */
export function dedupeKeyOf(ctx: Pick<EventContext, 'payload' | 'eventType' | 'eventId'>): string | undefined {
  if (ctx.eventType === 'im.message.receive_v1') {
    const id = (ctx.payload.event as { message?: { message_id?: string } } | undefined)?.message?.message_id;
    if (id) return `msg:${id}`;
  }
  return ctx.eventId ? `evt:${ctx.eventId}` : undefined;
}

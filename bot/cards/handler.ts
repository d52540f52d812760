/**
 * card.action.trigger (callback v2, protocol notes §3.1–3.2), on /feishu/events and on
 * /feishu/card (apps with a separate card request URL; the router verifies both).
 *
 * Order of business, and why:
 * 1. A redelivery of an event we already answered (same event_id) gets the stored answer:
 *    Feishu retries when it did not see our response, and the user must see the same card.
 * 2. The operator (event.operator.open_id) must be a known, active user; otherwise a toast
 *    asks them to get an admin to grant a role. Nothing is written for strangers.
 * 3. The action named by value.a is found in the app's card registry (ctx.registries.cards,
 *    built once in bot/registries.ts); its module must be on (company.disabled_modules) and
 *    the permission of its use case (or its own) held. Then it runs. Domain errors become an
 *    error toast WITHOUT a card, so the form stays as the user filled it.
 * 4. Feishu gives us 3 s. Work still running after `budgetMs` is answered with a 处理中 card;
 *    its result arrives through the delayed-update API after our response (deps.defer).
 * The answer is always JSON: `{}`, `{toast}`, `{card:{type:'raw',data}}` or both.
 */
import { explainError } from '../commands/render.js';
import { rememberCardReply, storedCardReply } from '../../src/interaction/card-replies.js';
import { requirePermission } from '../../src/people/roles.js';
import { identify } from '../../src/people/users.js';
import { getAppTimezone } from '../../src/shared/time.js';
import type { EventContext } from '../events.js';
import { disabledModules, moduleOff } from './access.js';
import type { ActionValue, Card } from './card.js';
import { deferUpdate } from './delayed.js';
import { toast, type ActionContext, type CardAnswer, type RawAction } from './registry.js';
import { cardSettings } from './settings.js';
import { answerCard, processingCard } from './views.js';

interface CardEvent {
  operator?: { open_id?: string; user_id?: string; union_id?: string };
  token?: string;
  action?: RawAction;
  host?: string;
  context?: { open_message_id?: string; open_chat_id?: string };
}

/** The HTTP body Feishu expects. */
export function toResponse(a: CardAnswer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.toast) out.toast = a.toast;
  if (a.card) out.card = { type: 'raw', data: a.card };
  return out;
}

function actionValue(raw: unknown): ActionValue | null {
  let v = raw;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const a = (v as { a?: unknown }).a;
  return typeof a === 'string' ? (v as ActionValue) : null;
}

const TIMEOUT = Symbol('timeout');

/**
 * The v2 callback's event. (The old flat callback, card.action.trigger_v1, is not handled: its
 * answer must be a 1.0 card and our cards are 2.0, which need the v2 callback anyway.)
 */
function eventOf(ctx: EventContext): CardEvent {
  return (ctx.payload.event ?? {}) as CardEvent;
}

/** Best effort: failing to store only means a redelivery runs the action again (keys still guard postings). */
async function remember(ctx: EventContext, eventId: string, response: Record<string, unknown>): Promise<void> {
  try {
    await rememberCardReply(ctx.deps.database.db, eventId, response);
  } catch (e) {
    ctx.logger.warn({ err: (e as Error).message }, 'could not store card answer for redeliveries');
  }
}

/** The card.action.trigger handler (bot/registries.ts puts it in the event map). Answers the HTTP body. */
export async function handleCardAction(ctx: EventContext): Promise<Record<string, unknown>> {
  const { deps } = ctx;
  const ev = eventOf(ctx);
  const eventId = ctx.eventId || null;

  const work = (async (): Promise<{ answer: CardAnswer; response: Record<string, unknown> }> => {
    if (eventId) {
      const again = await storedCardReply(ctx.deps.database.db, eventId);
      if (again) {
        ctx.logger.info('重复推送的卡片回调，返回首次结果 / duplicate card callback; first answer returned');
        const card = (again.card as { data?: Card } | undefined)?.data;
        return { answer: { toast: again.toast as CardAnswer['toast'], card }, response: again };
      }
    }
    const answer = await dispatch(ctx, ev);
    const response = toResponse(answer);
    if (eventId) await remember(ctx, eventId, response);
    return { answer, response };
  })();

  // Feishu waits 3 s. Whatever is still running after the budget (a slow database, a lock held
  // by a concurrent posting) answers 处理中 now and replaces the card later.
  const budget = cardSettings(deps).budgetMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const first = await Promise.race([work, new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), budget)))]);
  clearTimeout(timer);
  if (first !== TIMEOUT) return first.response;
  ctx.logger.warn({ budgetMs: budget }, '卡片处理超过时限，先回复处理中 / card action over budget; answering 处理中');
  deferUpdate(deps, ctx.logger, ev.token, work.then((w) => answerCard(w.answer)));
  const k = actionValue(ev.action?.value)?.k;
  return toResponse({ toast: { type: 'info', content: '正在处理，完成后卡片会自动更新。' }, card: processingCard(typeof k === 'string' ? k : undefined) });
}

async function dispatch(ctx: EventContext, ev: CardEvent): Promise<CardAnswer> {
  const { deps } = ctx;
  const registry = ctx.registries.cards;
  const openId = ev.operator?.open_id;
  const value = actionValue(ev.action?.value);
  if (!openId || !ev.action) return toast('error', '无法识别这次操作，请重新发送「菜单」。');
  if (!value) return toast('warning', '这张卡片已过期，请重新发送「菜单」。');
  const spec = registry.action(value.a);
  if (!spec) return toast('warning', '这张卡片已过期（操作不存在），请重新发送「菜单」。');

  const db = deps.database.db;
  const who = await identify(db, openId, { adminOpenIds: deps.config.FEISHU_ADMIN_OPEN_IDS });
  if (who.kind === 'unknown') return toast('error', `你还没有使用进销存助手的权限，请联系管理员授权（你的 open_id：${openId}）。`);
  if (who.kind === 'inactive') return toast('error', '你的账号已停用，如需恢复请联系管理员。');

  const logger = ctx.logger.child({ userId: who.actor.userId, action: value.a });
  const actx: ActionContext = {
    deps,
    logger,
    actor: who.actor,
    user: who.user,
    value,
    form: (ev.action.form_value ?? {}) as Record<string, unknown>,
    action: ev.action,
    eventToken: ev.token,
    messageId: ev.context?.open_message_id,
    chatId: ev.context?.open_chat_id,
    now: deps.now(),
    timeZone: getAppTimezone(),
    registry,
    disabled: await disabledModules(deps, db, logger),
  };
  try {
    const access = registry.access(spec);
    const off = moduleOff(actx, spec, access.label ?? value.a);
    if (off) return off;
    if (access.permission) requirePermission(who.actor, access.permission, access.label);
    return await spec.run(actx);
  } catch (e) {
    // Same rule as chat (bot/commands/render.ts): mapped constraint → its message; bug → reference.
    return toast('error', explainError(e, logger).message);
  }
}

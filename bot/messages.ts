/**
 * im.message.receive_v1: a user wrote to the bot.
 *
 * Which messages are for us:
 * - p2p: every text/post message.
 * - group: only when the bot is @mentioned. The bot's own open_id is not part of the config
 *   contract, so the rule is structural: the message must carry mentions AND start with a
 *   mention placeholder ("@机器人 出库 …"), or end with one ("出库 … @机器人"). Those addressing
 *   placeholders are stripped; mentions elsewhere stay as arguments (用户 授权 @某人 仓管).
 *   With the usual `im:message.group_at_msg` scope Feishu only delivers messages that @ the
 *   bot anyway; with the sensitive all-group-messages scope this keeps chatter out.
 *   A group message without mentions is ignored (no reply, no dedupe row).
 *
 * Exactly once: one transaction inserts the dedupe row (key = message_id, the official advice;
 * event_id can differ between redeliveries), runs the command in a savepoint and queues the reply
 * in the outbox. A redelivery finds the row and does nothing. Delivery is kicked after commit.
 */
import type { Tx } from '../db/types.js';
import { withRetry } from '../src/shared/pg.js';
import { Semaphore } from '../src/shared/semaphore.js';
import { deferRememberWarehouse, identify, sendRememberedWarehouse, type UserRow } from '../src/people/users.js';
import { kickQueued } from '../src/outbox/index.js';
import { claimInboundWithUser } from '../src/outbox/inbox.js';
import { dedupeKeyOf, onEvent, type EventContext } from './events.js';
import type { Mention, Reply } from './commands/registry.js';
import { runCommand } from './commands/router.js';
import { queueReplyForKickAhead } from './reply.js';
import './commands/index.js';

interface ReceiveEvent {
  sender?: { sender_id?: { open_id?: string; union_id?: string; user_id?: string }; sender_type?: string };
  message?: {
    message_id?: string;
    chat_id?: string;
    chat_type?: string;
    message_type?: string;
    content?: string;
    mentions?: { key?: string; name?: string; id?: { open_id?: string } }[];
  };
}

type PostElement = { tag?: string; text?: string; user_id?: string; user_name?: string; href?: string };

/** Text of a text or post message; null for other types (image, file, sticker…). */
export function messageText(type: string | undefined, content: string | undefined): string | null {
  if (!content) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return null;
  }
  if (type === 'text') {
    const t = (parsed as { text?: unknown }).text;
    return typeof t === 'string' ? t : null;
  }
  if (type === 'post') {
    let p = parsed as { title?: string; content?: PostElement[][] } & Record<string, unknown>;
    if (!Array.isArray(p.content)) {
      const locale = Object.values(p).find((v) => v && typeof v === 'object' && Array.isArray((v as { content?: unknown }).content));
      if (!locale) return null;
      p = locale as typeof p;
    }
    const lines = (p.content ?? []).map((line) =>
      (Array.isArray(line) ? line : [])
        .map((el) => {
          if (el.tag === 'text' || el.tag === 'a' || el.tag === 'md') return el.text ?? '';
          if (el.tag === 'at') return ` ${el.user_id ?? ''} `;
          return '';
        })
        .join(''),
    );
    return lines.join(' ');
  }
  return null;
}

const PLACEHOLDER = /@_user_\d+/;

/**
 * Bulkhead: at most this many message transactions at once per app (JXC_MAX_MESSAGE_TX). No
 * longer a guard against a hot lock — document numbers come from a sequence
 * (src/inventory/numbering.ts) — but each message transaction is a handful of short round trips,
 * and more of them in flight only adds Postgres backends competing for the same cores and
 * connections held while queued. Measured with bench/bot.ts on 2 cores: 4 was best while a
 * message waited on 7 round trips; with the savepoint and the last writes sent ahead (4 waits),
 * 6 gives ~5 % more throughput and a lower ack p50 at the same p99 (3, 5 and 8 were no better);
 * burst messages wait here, not on the database. Raise it on machines with more cores.
 */
export const DEFAULT_MAX_MESSAGE_TX = 6;
const gates = new WeakMap<object, Semaphore>();
export function configureMessageConcurrency(deps: object, n: number): void {
  gates.set(deps, new Semaphore(n));
}
function gate(deps: object): Semaphore {
  let g = gates.get(deps);
  if (!g) gates.set(deps, (g = new Semaphore(Number(process.env.JXC_MAX_MESSAGE_TX ?? DEFAULT_MAX_MESSAGE_TX))));
  return g;
}

/** Group addressing (see the header comment). Returns the command text, or null if not for us. */
export function addressedText(text: string, chatType: string | undefined, mentions: Mention[]): string | null {
  if (chatType !== 'group') return text;
  if (mentions.length === 0) return null;
  const lead = text.match(/^\s*(?:@_user_\d+\s*)+/);
  if (lead) return text.slice(lead[0].length);
  const trail = text.match(/\s*@_user_\d+\s*$/);
  if (trail && PLACEHOLDER.test(trail[0])) return text.slice(0, text.length - trail[0].length);
  return null;
}

function unknownUserText(openId: string): string {
  return [
    '你好！你还没有使用进销存助手的权限。',
    '请把下面这行发给管理员，由管理员发送「用户 授权 @你 仓管」（或其他角色）开通：',
    `用户 授权 ${openId} 仓管`,
    `你的 open_id：${openId}`,
  ].join('\n');
}

async function handleMessage(ctx: EventContext): Promise<Record<string, unknown>> {
  const { deps, logger } = ctx;
  const ev = (ctx.payload.event ?? {}) as ReceiveEvent;
  const msg = ev.message;
  const openId = ev.sender?.sender_id?.open_id;
  if (!msg?.message_id || !openId) {
    logger.warn('message event without message_id or sender open_id; ignored');
    return {};
  }
  if (ev.sender?.sender_type && ev.sender.sender_type !== 'user') return {};
  const messageId = msg.message_id;
  const mentions: Mention[] = (msg.mentions ?? [])
    .filter((m) => typeof m.key === 'string')
    .map((m) => ({ key: m.key!, openId: m.id?.open_id, name: m.name }));

  const raw = messageText(msg.message_type, msg.content);
  let text: string | null;
  let notText = false;
  if (raw === null) {
    // Images, files, stickers: in p2p say what we understand; in groups only when addressed.
    if (msg.chat_type === 'group' && mentions.length === 0) return {};
    notText = true;
    text = '';
  } else {
    text = addressedText(raw, msg.chat_type, mentions);
    if (text === null) {
      logger.debug({ chatType: msg.chat_type }, 'group message not addressed to the bot; ignored');
      return {};
    }
  }

  const dedupeKey = dedupeKeyOf(ctx) ?? `msg:${messageId}`;
  const t0 = Date.now();
  const outcome = await gate(deps).run(() => withRetry(async () => {
    const r = await deps.database.db.transaction(async (tx) => {
      // Dedupe row and the sender's users row in one round trip.
      const { claimed, user } = await claimInboundWithUser(tx, dedupeKey, ctx.eventType, openId);
      if (!claimed) return null;
      // The command's "remember the warehouse" UPDATE travels with the reply's insert (below).
      deferRememberWarehouse(tx);
      const reply = await respond(tx as unknown as Tx, ctx, { openId, user, text: text!, notText, mentions, messageId, dedupeKey });
      // The last writes are sent ahead and the COMMIT follows them in the same round trip.
      const remembered = await sendRememberedWarehouse(tx);
      return { remembered, queued: await queueReplyForKickAhead(tx, deps, messageId, reply) };
    });
    if (!r) return null;
    // Committed only if every statement sent ahead succeeded (a failed one aborts the transaction
    // and turns the COMMIT into a ROLLBACK), so these awaits are part of "committed" — before any ack.
    for (const w of r.remembered) await w.done;
    return { queued: await r.queued.done };
  }));
  if (!outcome) {
    logger.info({ messageId }, '重复推送，已忽略 / duplicate delivery ignored');
    return {};
  }
  logger.info({ messageId, ms: Date.now() - t0 }, 'message handled');
  kickQueued(deps, [outcome.queued]);
  return {};
}

async function respond(
  tx: Tx,
  ctx: EventContext,
  m: { openId: string; user: UserRow | null; text: string; notText: boolean; mentions: Mention[]; messageId: string; dedupeKey: string },
): Promise<Reply> {
  const { deps } = ctx;
  const who = await identify(tx, m.openId, { adminOpenIds: deps.config.FEISHU_ADMIN_OPEN_IDS, row: m.user });
  if (who.kind === 'unknown') return unknownUserText(m.openId);
  if (who.kind === 'inactive') return `你的账号已停用。如需恢复，请联系管理员。你的 open_id：${m.openId}`;
  if (m.notText) return '目前只能看懂文字命令。发送「帮助」查看所有命令。';
  return runCommand(
    {
      tx,
      deps,
      actor: who.actor,
      logger: ctx.logger.child({ userId: who.actor.userId }),
      idempotencyKey: m.dedupeKey,
      mentions: m.mentions,
      now: deps.now(),
    },
    m.text,
  );
}

onEvent('im.message.receive_v1', handleMessage);

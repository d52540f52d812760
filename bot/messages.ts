/**
 * im.message.receive_v1: a user wrote to the bot.
 *
 * Which messages are commands (group addressing, issue 8 class 12):
 * - p2p: every text/post message.
 * - group: only a message that @mentions THIS bot: one of its mentions has id.open_id equal to
 *   the bot's own open_id, learned from GET /open-apis/bot/v3/info (bot/feishu-client.ts
 *   botIdentity: cached per app, fetched lazily, retried with backoff after a failure). Names
 *   and placeholder positions prove nothing: a colleague can be called 进销存助手, and with the
 *   sensitive all-group-messages scope Feishu delivers "@张三 出库 螺丝 5" too — ignored (no
 *   reply, no dedupe row). A group message without any mention is ignored without a look-up.
 * - The bot's placeholders are removed wherever they are: "@机器人 出库 螺丝 5",
 *   "出库 螺丝 5 @机器人" and "出库 螺丝 @机器人 5" all read 出库 螺丝 5. When the words before
 *   the mention are not a command but the words after it are ("请 @机器人 出库 螺丝 5",
 *   "张三你看 @机器人 库存"), the lead-in was said to people and only the part after counts.
 * - Colleagues @mentioned in a command (p2p or group) are person parameters of a command that
 *   takes a person (CommandSpec.takesPerson: 用户 授权 @张三 仓管 — they reach it through
 *   ctx.mentions, the bot never among them). Every other command never sees them: their
 *   placeholders (and @所有人) are removed before parsing, silently — "@机器人 出库 螺丝 5 @张三"
 *   posts 出库 螺丝 5 and the reply is the usual one (a mention in a group is mostly "FYI",
 *   and a note in every such reply would be noise; the posting reply shows what was done).
 *
 * When the bot's open_id cannot be known, a group message that carries mentions is NEVER run
 * (a colleague's mention must not execute anything):
 * - offline mode (no FEISHU_APP_ID/SECRET, deps.feishu = null): it is ignored, with one warning
 *   per process — there is no Feishu to reply through anyway; p2p is unaffected.
 * - the bot info call failing or slow (bounded to ~1.5 s so the ack stays within Feishu's 3 s):
 *   the webhook answers HTTP 500 and writes nothing, so Feishu redelivers the same message
 *   (15 s, 5 min, 1 h, 6 h) and it is judged again once the identity is known; the dedupe row is
 *   only written by a delivery that was judged. p2p is unaffected (never needs the identity).
 *
 * Exactly once, as one unit of work (src/kernel/unit-of-work.ts runUnitOfWork): the claim inserts
 * the dedupe row (key = message_id, the official advice; event_id can differ between
 * redeliveries) and reads the sender's users row in the same statement, the command runs as an
 * attempt under a savepoint (src/kernel/savepoint.ts: a failed command undoes its own writes, the
 * key and the reply still commit), the reply is queued in the outbox, commit, delivery is kicked.
 * A redelivery finds the key and does nothing — unless the command left an answer for it
 * (CommandContext.onRedelivery: 令牌 新建 says the token is not shown again).
 *
 * Round trips: the switched-off modules are read in the claim's round trip (pipelined), and the
 * message's last writes (the remembered warehouse, the reply) are sent ahead so the COMMIT
 * travels with them (uow.awaitAtCommit / uow.queueLast). bench/bot.ts measures it. A sender
 * whose display name is missing or a week old also gets a name read queued the same way (an
 * outbox row Feishu answers after commit: src/people/contact-names.ts) — at most once a week.
 */
import { claimInboundWithUser, inboundResult, storeInboundResult } from '../src/outbox/inbox.js';
import { feishuUuid } from '../src/outbox/index.js';
import { envSettingDefaults } from '../src/kernel/invoke.js';
import { disabledModulesSetting, settingsReader, type SettingsReader } from '../src/kernel/settings.js';
import { noClaim, runUnitOfWork, type Claim, type UnitOfWork } from '../src/kernel/unit-of-work.js';
import { Semaphore } from '../src/shared/semaphore.js';
import { deferRememberWarehouse, identify, sendRememberedWarehouse, type UserRow } from '../src/people/users.js';
import { needsNameRefresh, userNameItem } from '../src/people/contact-names.js';
import { dedupeKeyOf, type EventContext } from './events.js';
import type { CommandRegistry, Mention } from './commands/registry.js';
import { runCommand, type CommandOutcome } from './commands/router.js';
import { botIdentity, cachedBotIdentity, replyNotStored } from './feishu-client.js';
import { normalizeText, tokenize } from './parse/normalize.js';
import { replyItem } from './reply.js';

interface ReceiveEvent {
  sender?: { sender_id?: { open_id?: string; union_id?: string; user_id?: string }; sender_type?: string };
  message?: {
    message_id?: string;
    chat_id?: string;
    chat_type?: string;
    message_type?: string;
    content?: string;
    mentions?: { key?: string; name?: string; id?: { open_id?: string; union_id?: string; user_id?: string } }[];
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

/**
 * Bulkhead: at most this many message transactions at once per app (JXC_MAX_MESSAGE_TX). No
 * longer a guard against a hot lock — document numbers come from a sequence
 * (src/kernel/numbering.ts) — but each message transaction is a handful of short round trips,
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

/** A mention placeholder exactly (never the prefix of a longer one: @_user_1 is not in @_user_10). */
function keyPattern(key: string): RegExp {
  return new RegExp(`${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\d)`, 'g');
}
function removeKeys(text: string, keys: string[]): string {
  let out = text;
  for (const k of keys) out = out.replace(keyPattern(k), ' ');
  return out.replace(/[ \t]{2,}/g, ' ').trim();
}
/** @所有人 reaches bots as the placeholder @_all; it never addresses the bot nor names a person. */
const MENTION_ALL = '@_all';

/** True when the text (mention placeholders aside) starts with a registered command or group. */
function startsCommand(commands: CommandRegistry, text: string, mentionKeys: string[]): boolean {
  return commands.match(tokenize(normalizeText(removeKeys(text, [...mentionKeys, MENTION_ALL])))).kind !== 'none';
}

export type Addressing =
  /** A command: the text to run and the colleagues (never the bot) it may take as persons. */
  | { kind: 'command'; text: string; mentions: Mention[] }
  /** Not for this bot: no reply, no dedupe row. */
  | { kind: 'ignore'; reason: 'no-mention' | 'not-this-bot' }
  /** A group message with mentions, and the bot's open_id is unknown: the caller's fallback. */
  | { kind: 'bot-unknown' };

/**
 * Group addressing (see the header comment). `botOpenId` is this app's bot open_id, or null when
 * unknown; `mentions` are the message's, in order; `commands` the app's registry (what counts
 * as a command). Pure: no I/O.
 */
export function addressMessage(text: string, chatType: string | undefined, mentions: Mention[], botOpenId: string | null, commands: CommandRegistry): Addressing {
  const isBot = (m: Mention) => botOpenId !== null && m.openId === botOpenId;
  const colleagues = mentions.filter((m) => !isBot(m));
  const botKeys = mentions.filter(isBot).map((m) => m.key);
  if (chatType !== 'group') {
    // p2p: every message is for us. A stray @bot (identity already known) is dropped like in groups.
    return { kind: 'command', text: botKeys.length ? removeKeys(text, botKeys) : text, mentions: colleagues };
  }
  if (mentions.length === 0) return { kind: 'ignore', reason: 'no-mention' };
  if (botOpenId === null) return { kind: 'bot-unknown' };
  if (botKeys.length === 0) return { kind: 'ignore', reason: 'not-this-bot' };
  const otherKeys = colleagues.map((m) => m.key);
  const whole = removeKeys(text, botKeys);
  if (!startsCommand(commands, whole, otherKeys)) {
    // "请 @机器人 出库 螺丝 5": the lead-in before our mention was said to people.
    const first = botKeys.map((k) => text.search(keyPattern(k))).filter((i) => i >= 0).sort((a, b) => a - b)[0];
    if (first !== undefined) {
      const after = removeKeys(text.slice(first), botKeys);
      if (startsCommand(commands, after, otherKeys)) return { kind: 'command', text: after, mentions: colleagues };
    }
  }
  return { kind: 'command', text: whole, mentions: colleagues };
}

/**
 * Colleagues' placeholders in a command's text: kept for a command that takes a person (it
 * resolves them through ctx.mentions; placeholders before the command name are dropped, they
 * cannot be its parameter), removed for every other command (with @所有人 always). Returns the
 * text to run and the mentions dropped. `commands`: the app's registry.
 */
export function personMentions(text: string, mentions: Mention[], commands: CommandRegistry): { text: string; dropped: Mention[] } {
  const keys = mentions.map((m) => m.key);
  const bare = removeKeys(text, [...keys, MENTION_ALL]);
  const m = commands.match(tokenize(normalizeText(bare)));
  if (m.kind === 'command' && m.command.takesPerson) {
    const kept = removeKeys(text.replace(/^\s*(?:@_(?:user_\d+|all)\s*)+/, ''), [MENTION_ALL]);
    return { text: kept, dropped: mentions.filter((x) => !keyPattern(x.key).test(kept)) };
  }
  return { text: bare, dropped: mentions.filter((x) => keyPattern(x.key).test(text)) };
}

const warnedOffline = new WeakSet<object>();

function unknownUserText(openId: string): string {
  return [
    '你好！你还没有使用进销存助手的权限。',
    '请把下面这行发给管理员，由管理员发送「用户 授权 @你 仓管」（或其他角色）开通：',
    `用户 授权 ${openId} 仓管`,
    `你的 open_id：${openId}`,
  ].join('\n');
}

/** What a message's unit of work leaves for a redelivery of the same message. */
interface Handled {
  /** The answer to a redelivery (CommandContext.onRedelivery); undefined: say nothing. */
  redelivery?: string;
}

/** im.message.receive_v1 (see the file comment). Answers `{}`; throws (→ HTTP 500, Feishu redelivers) when the message cannot be judged yet. */
export async function handleMessage(ctx: EventContext): Promise<Record<string, unknown>> {
  const { deps, logger } = ctx;
  const commands = ctx.registries.commands;
  const ev = (ctx.payload.event ?? {}) as ReceiveEvent;
  const msg = ev.message;
  const openId = ev.sender?.sender_id?.open_id;
  if (!msg?.message_id || !openId) {
    logger.warn('message event without message_id or sender open_id; ignored');
    return {};
  }
  if (ev.sender?.sender_type && ev.sender.sender_type !== 'user') return {};
  const messageId = msg.message_id;
  const all: Mention[] = (msg.mentions ?? [])
    .filter((m) => typeof m.key === 'string')
    .map((m) => ({ key: m.key!, openId: m.id?.open_id, name: m.name }));

  const raw = messageText(msg.message_type, msg.content);
  // Only a group message with mentions needs to know who we are; p2p uses the identity if cached.
  let botOpenId: string | null = deps.feishu ? (cachedBotIdentity(deps.feishu)?.openId ?? null) : null;
  if (msg.chat_type === 'group' && all.length > 0 && botOpenId === null && deps.feishu) {
    botOpenId = (await botIdentity(deps.feishu, logger))?.openId ?? null;
  }
  const addressed = addressMessage(raw ?? '', msg.chat_type, all, botOpenId, commands);
  if (addressed.kind === 'ignore') {
    logger.debug({ chatType: msg.chat_type, reason: addressed.reason }, 'group message not addressed to the bot; ignored');
    return {};
  }
  if (addressed.kind === 'bot-unknown') {
    if (!deps.feishu) {
      if (!warnedOffline.has(deps)) {
        warnedOffline.add(deps);
        logger.warn('离线模式无法确认群消息是否 @ 了本机器人，群里带 @ 的消息一律忽略 / offline: bot open_id unknown, group messages with mentions are ignored');
      }
      return {};
    }
    // Nothing written: Feishu redelivers (15 s, 5 min, 1 h, 6 h) and we judge it again then.
    logger.warn({ messageId }, '暂时无法获取机器人 open_id，群消息稍后由飞书重推 / bot identity unknown; answering 500 so Feishu redelivers');
    throw new Error('bot identity unknown (GET /open-apis/bot/v3/info failed); group message left for redelivery');
  }
  let text: string;
  let notText = false;
  let mentions: Mention[] = addressed.mentions;
  if (raw === null) {
    // Images, files, stickers: in p2p say what we understand (a group image carries no mention).
    notText = true;
    text = '';
  } else {
    const p = personMentions(addressed.text, addressed.mentions, commands);
    text = p.text;
    if (p.dropped.length) {
      logger.debug({ dropped: p.dropped.map((m) => m.key) }, 'mentions not taken by the command; removed');
      mentions = addressed.mentions.filter((m) => !p.dropped.includes(m));
    }
  }

  const dedupeKey = dedupeKeyOf(ctx) ?? `msg:${messageId}`;
  let user: UserRow | null = null;
  let settings: SettingsReader | undefined;
  let disabled: ReadonlySet<string> = new Set();
  const claim: Claim<Handled> = {
    async claim(tx) {
      settings = settingsReader(tx, envSettingDefaults(deps), (key, err) => logger.warn({ key, err: String(err) }, 'stored setting no longer valid; default used'));
      // Dedupe row, the sender's users row and the switched-off modules in one round trip: the
      // settings read is pipelined behind the claim (both issued before either is awaited).
      const [c, off] = await Promise.all([claimInboundWithUser(tx, dedupeKey, ctx.eventType, openId), settings.get(disabledModulesSetting)]);
      if (!c.claimed) return { fresh: false, replay: { redelivery: redeliveryOf(await inboundResult(tx, dedupeKey)) } };
      user = c.user;
      disabled = new Set(off);
      return { fresh: true };
    },
    async settle(tx, handled) {
      // Only a command that asked for it (rare: 令牌 新建) pays for this statement.
      if (handled.redelivery) await storeInboundResult(tx, dedupeKey, { redelivery: handled.redelivery });
    },
  };
  const t0 = Date.now();
  const outcome = await gate(deps).run(() =>
    runUnitOfWork(deps, claim, async (uow) => {
      // The command's "remember the warehouse" UPDATE travels with the reply's insert (below).
      deferRememberWarehouse(uow.tx);
      const { outcome: out, sender } = await respond(uow, ctx, { openId, user, text, notText, mentions, messageId, dedupeKey, settings: settings!, disabled });
      // The last writes are sent ahead and the COMMIT follows them in the same round trip; the
      // unit checks them after COMMIT (a failed one turned it into a ROLLBACK) before anything
      // is kicked or acknowledged.
      for (const w of await sendRememberedWarehouse(uow.tx)) uow.awaitAtCommit(w);
      await uow.queueLast(replyItem(messageId, out.reply));
      // The sender's display name, read from Feishu after commit when missing or a week old
      // (src/people/contact-names.ts); sent ahead like the reply, so it costs no round trip.
      if (sender && deps.feishu && needsNameRefresh(sender, uow.now)) await uow.queueLast(userNameItem(sender, uow.now));
      for (const fn of out.afterCommit) uow.afterCommit(fn);
      return { redelivery: out.redelivery };
    }),
  );
  if (outcome.replayed) {
    logger.info({ messageId }, '重复推送，已忽略 / duplicate delivery ignored');
    const again = outcome.value.redelivery;
    // Once per message (its own outbox key), however often Feishu redelivers.
    if (again) await runUnitOfWork(deps, noClaim, (uow) => uow.queue(replyItem(messageId, again, `reply:${messageId}:redelivery`)));
    return {};
  }
  logger.info({ messageId, ms: Date.now() - t0 }, 'message handled');
  return {};
}

function redeliveryOf(kept: unknown): string | undefined {
  const r = (kept as { redelivery?: unknown } | null)?.redelivery;
  return typeof r === 'string' ? r : undefined;
}

async function respond(
  uow: UnitOfWork,
  ctx: EventContext,
  m: { openId: string; user: UserRow | null; text: string; notText: boolean; mentions: Mention[]; messageId: string; dedupeKey: string; settings: SettingsReader; disabled: ReadonlySet<string> },
): Promise<{ outcome: CommandOutcome; sender: UserRow | null }> {
  const { deps } = ctx;
  const say = (reply: string, sender: UserRow | null = null) => ({ outcome: { reply, afterCommit: [] }, sender });
  const client = deps.feishu;
  const who = await identify(uow.tx, m.openId, { adminOpenIds: deps.config.FEISHU_ADMIN_OPEN_IDS, row: m.user });
  if (who.kind === 'unknown') return say(unknownUserText(m.openId));
  if (who.kind === 'inactive') return say(`你的账号已停用。如需恢复，请联系管理员。你的 open_id：${m.openId}`);
  if (m.notText) return say('目前只能看懂文字命令。发送「帮助」查看所有命令。', who.user);
  const outcome = await runCommand(
    {
      tx: uow.tx,
      deps,
      actor: who.actor,
      logger: ctx.logger.child({ userId: who.actor.userId }),
      idempotencyKey: m.dedupeKey,
      mentions: m.mentions,
      now: uow.now,
      registries: ctx.registries,
      settings: m.settings,
      disabled: m.disabled,
      // Its own uuid (Feishu drops a duplicate send), never the reply's.
      replyDirect: client ? (text) => replyNotStored(client, m.messageId, text, { uuid: feishuUuid(`direct:${m.messageId}`), logger: ctx.logger }) : null,
    },
    m.text,
  );
  return { outcome, sender: who.user };
}

/**
 * From normalized text to a Reply: match a command of the app's registry, refuse a module that
 * is switched off, check the use case's permission, parse (the chat normaliser), run it as an
 * attempt of the message's unit of work (src/kernel/savepoint.ts). Domain errors and usage
 * errors become Chinese answers (and the attempt's rollback undoes the command's partial
 * writes); nothing here knows about inventory, and no SQL is sent from here.
 */
import type { Tx } from '../../db/types.js';
import type { AppDeps } from '../../src/deps.js';
import { DomainError, isDomainError } from '../../src/errors.js';
import { invoke, type Caller } from '../../src/kernel/invoke.js';
import { attempt } from '../../src/kernel/savepoint.js';
import type { SettingsReader } from '../../src/kernel/settings.js';
import type { Logger } from '../../src/log.js';
import { requirePermission, type Actor } from '../../src/people/roles.js';
import { moduleLabel } from '../../src/kernel/modules.js';
import { discardRememberedWarehouse } from '../../src/people/users.js';
import { pgErrorCode } from '../../src/shared/pg.js';
import { normalizeText, tokenize } from '../parse/normalize.js';
import type { BotRegistries } from '../registries.js';
import { UsageError, type CommandContext, type Mention, type RegisteredCommand, type Reply } from './registry.js';
import { explainError, renderDomainError } from './render.js';

export const MAX_COMMAND_CHARS = 1000;

function examples(c: RegisteredCommand): string[] {
  return Array.isArray(c.example) ? c.example : [c.example];
}

export function usageText(c: RegisteredCommand): string {
  return `用法：${c.usage}\n例如：${examples(c).join('\n　　　')}`;
}

function groupText(head: string, list: RegisteredCommand[]): string {
  return [`「${head}」需要子命令：`, ...list.map((c) => `• ${c.usage}\n  例：${examples(c)[0]}`)].join('\n');
}

/** "「采购」模块未开通，请联系管理员". */
export function moduleOffText(module: string): string {
  return `「${moduleLabel(module)}」模块未开通，请联系管理员`;
}

/** Errors that must abort the whole transaction so the caller can retry it (not a user error). */
function mustRetryWhole(e: unknown): boolean {
  const code = pgErrorCode(e);
  return code === '40001' || code === '40P01';
}

/** One message's command, as the message handler (bot/messages.ts) hands it over. */
export interface MessageCommand {
  /** The message's unit of work's transaction. */
  tx: Tx;
  deps: AppDeps;
  actor: Actor;
  logger: Logger;
  /** "msg:<message_id>" */
  idempotencyKey: string;
  mentions: Mention[];
  /** The unit's clock reading. */
  now: Date;
  registries: BotRegistries;
  /** The request's settings (read once per message). */
  settings: SettingsReader;
  /** Modules switched off for this request. */
  disabled: ReadonlySet<string>;
  /**
   * Send a reply of its own to the message now (after commit), never stored; null when there is
   * no Feishu client to send through (CommandContext.replySecret).
   */
  replyDirect: ((text: string) => Promise<void>) | null;
}

/** What a command produced: the reply to queue, and what only happens once it committed. */
export interface CommandOutcome {
  reply: Reply;
  /** Run after the message's unit commits (only when the command succeeded). */
  afterCommit: (() => void)[];
  /** What a redelivery of the message answers (CommandContext.onRedelivery), if anything. */
  redelivery?: string;
}

const answer = (reply: Reply): CommandOutcome => ({ reply, afterCommit: [] });

/** Run the command in `text` (see the file comment). Throws only what must rerun the whole unit (serialization failure, deadlock) or a broken connection. */
export async function runCommand(m: MessageCommand, text: string): Promise<CommandOutcome> {
  if (text.length > MAX_COMMAND_CHARS) {
    return answer(`消息太长（${text.length} 字），一条命令最多 ${MAX_COMMAND_CHARS} 字。请分开发送，例如：出库 A001 5`);
  }
  const tokens = tokenize(normalizeText(text));
  if (tokens.length === 0) return answer('你好！发送「帮助」查看所有命令。');
  const m0 = m.registries.commands.match(tokens);
  if (m0.kind === 'none') {
    const shown = tokens[0].length > 20 ? tokens[0].slice(0, 20) + '…' : tokens[0];
    return answer(`没有「${shown}」这个命令。发送「帮助」查看所有命令和例子。`);
  }
  const off = (c: RegisteredCommand) => c.module !== null && m.disabled.has(c.module);
  if (m0.kind === 'group') {
    const on = m0.commands.filter((c) => !off(c));
    return answer(on.length ? groupText(m0.head, on) : moduleOffText(m0.commands[0].module!));
  }
  const cmd = m0.command;
  if (off(cmd)) return answer(moduleOffText(cmd.module!));
  const useCase = cmd.useCase ? m.registries.useCases.require(cmd.useCase) : undefined;
  try {
    // Named as the use case is called everywhere (成本调整 needs the 红冲 permission: say 成本调整).
    if (cmd.permission) requirePermission(m.actor, cmd.permission, useCase?.label ?? cmd.name);
  } catch (e) {
    if (isDomainError(e)) return answer(renderDomainError(e));
    throw e;
  }
  let input: unknown;
  try {
    input = cmd.parse(m0.args, { actor: m.actor, mentions: m.mentions });
  } catch (e) {
    if (e instanceof UsageError) return answer(`格式不对：${e.message}\n${usageText(cmd)}`);
    if (isDomainError(e)) return answer(`${renderDomainError(e)}\n${usageText(cmd)}`);
    throw e;
  }
  const after: (() => void)[] = [];
  let redelivery: string | undefined;
  const caller: Caller = { actor: m.actor, idempotencyKey: m.idempotencyKey, logger: m.logger, now: m.now, settings: m.settings };
  const ctx: CommandContext = {
    tx: m.tx,
    deps: m.deps,
    actor: m.actor,
    logger: m.logger,
    idempotencyKey: m.idempotencyKey,
    mentions: m.mentions,
    now: m.now,
    caller,
    useCase,
    registries: m.registries,
    disabled: m.disabled,
    invoke<O>(raw: unknown, id?: string): Promise<O> {
      const u = id ? m.registries.useCases.require(id) : useCase;
      if (!u) throw new Error(`command "${cmd.name}" runs no use case; name one: ctx.invoke(input, id)`);
      return invoke(m.deps, m.tx, caller, u, raw) as Promise<O>;
    },
    afterCommit: (fn) => void after.push(fn),
    replySecret(text) {
      const send = m.replyDirect;
      if (!send) throw new DomainError('conflict', '离线模式（没有配置飞书应用）无法单独发送只显示一次的内容，所以没有执行。请配置 FEISHU_APP_ID / FEISHU_APP_SECRET 后再试。');
      after.push(() => m.deps.defer(send(text)));
    },
    onRedelivery: (t) => void (redelivery = t),
  };
  try {
    const reply = await attempt(m.tx, () => cmd.run(ctx, input));
    return { reply, afterCommit: after, redelivery };
  } catch (e) {
    // The attempt's rollback undid the command, including a remembered warehouse still waiting
    // to be sent, and nothing it asked for after commit may happen.
    discardRememberedWarehouse(m.tx);
    if (e instanceof UsageError) return answer(`格式不对：${e.message}\n${usageText(cmd)}`);
    if (isDomainError(e)) return answer(renderDomainError(e));
    if (mustRetryWhole(e)) throw e;
    // A constraint an input can fire becomes its Chinese message; a bug gets a reference to quote.
    const x = explainError(e, m.logger, cmd.name);
    return answer(x.domain ? renderDomainError(x.domain) : x.message);
  }
}

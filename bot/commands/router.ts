/**
 * From normalized text to a Reply: match a command of the app's registry, refuse a module that
 * is switched off, check the use case's permission, parse (the chat normaliser), run it as an
 * attempt of the message's unit of work (src/kernel/savepoint.ts). Domain errors and usage
 * errors become Chinese answers (and the attempt's rollback undoes the command's partial
 * writes); nothing here knows about inventory, and no SQL is sent from here. Words that are no
 * command get 你是不是想… (./suggest.ts) and run nothing; `<命令> 帮助` shows that command's help.
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
import { argsByLine } from '../parse/lines.js';
import { joinProductWords } from '../parse/product-words.js';
import type { BotRegistries } from '../registries.js';
import { UsageError, type CommandContext, type CommandRegistry, type Mention, type RegisteredCommand, type Reply } from './registry.js';
import { explainError, renderDomainError } from './render.js';
import { commandHelpText, HELP_WORDS } from './help.js';
import { suggestCommands, unknownCommandText } from './suggest.js';

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

/**
 * The answer to a message over MAX_COMMAND_CHARS, fitted to the command it starts with (read
 * from its first words only): how to split that command into messages that fit, with its own
 * examples; a generic hint when the start is no command.
 */
export function tooLongText(registry: CommandRegistry, text: string): string {
  const head = `消息太长（${text.length} 字），一条消息最多 ${MAX_COMMAND_CHARS} 字，没有执行任何操作。`;
  const m = registry.match(tokenize(normalizeText(text.slice(0, 200))).slice(0, 4));
  if (m.kind !== 'command') return `${head}请分成几条发送，每条一个命令，例如：出库 A001 5`;
  const c = m.command;
  const ex = examples(c).slice(0, 2);
  if (c.useCase && /^inventory\.(receive|issue|transfer)$/.test(c.useCase)) {
    // Its several-lines example (出库 螺丝 10；垫片 20) shows how one message holds many products.
    const lines = examples(c).find((e) => /；|\n/.test(e));
    return [`${head}「${c.name}」的商品多时，请分成几条消息发送，每条写一部分商品（一条消息一张单），例如：`, ex[0], ...(lines ? [lines] : ex.slice(1)), '也可以发「菜单」用卡片逐行录入。'].join('\n');
  }
  if (/备注|原因|remark/.test(c.usage)) return [`${head}「${c.name}」请缩短备注或原因后再发，例如：`, ...ex].join('\n');
  return [`${head}「${c.name}」的写法：${c.usage}`, `例如：${ex[0]}`].join('\n');
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
  if (text.length > MAX_COMMAND_CHARS) return answer(tooLongText(m.registries.commands, text));
  const normalized = normalizeText(text);
  const tokens = tokenize(normalized);
  if (tokens.length === 0) return answer('你好！发送「帮助」查看所有命令。');
  const m0 = m.registries.commands.match(tokens);
  if (m0.kind === 'none') {
    // Never run a guess: say what was probably meant and the line to send (bot/commands/suggest.ts).
    return answer(unknownCommandText(tokens[0], suggestCommands(m.registries.commands, normalized, tokens, { disabled: m.disabled })));
  }
  const off = (c: RegisteredCommand) => c.module !== null && m.disabled.has(c.module);
  if (m0.kind === 'group') {
    const on = m0.commands.filter((c) => !off(c));
    return answer(on.length ? groupText(m0.head, on) : moduleOffText(m0.commands[0].module!));
  }
  const cmd = m0.command;
  if (off(cmd)) return answer(moduleOffText(cmd.module!));
  // "出库 帮助": that command's help, not a product called 帮助.
  if (m0.args.length === 1 && HELP_WORDS.has(m0.args[0].toLowerCase())) return answer(commandHelpText(cmd, m.actor));
  const useCase = cmd.useCase ? m.registries.useCases.require(cmd.useCase) : undefined;
  try {
    // Named as the use case is called everywhere (成本调整 needs the 红冲 permission: say 成本调整).
    if (cmd.permission) requirePermission(m.actor, cmd.permission, useCase?.label ?? cmd.name);
  } catch (e) {
    if (isDomainError(e)) return answer(renderDomainError(e));
    throw e;
  }
  let input: unknown;
  // Line structure and product names are read before the synchronous parse (see the CommandSpec flags).
  let args = cmd.lines ? (argsByLine(text, tokens.length - m0.args.length) ?? m0.args) : m0.args;
  if (cmd.takesProduct) args = await joinProductWords(m.tx, args);
  try {
    input = cmd.parse(args, { actor: m.actor, mentions: m.mentions });
  } catch (e) {
    if (e instanceof UsageError) return answer(`格式不对：${e.message}\n${usageText(cmd)}`);
    if (isDomainError(e)) return answer(`${renderDomainError(e)}\n${usageText(cmd)}`);
    throw e;
  }
  const after: (() => void)[] = [];
  let redelivery: string | undefined;
  const caller: Caller = { actor: m.actor, idempotencyKey: m.idempotencyKey, logger: m.logger, now: m.now, settings: m.settings, input: 'human' };
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

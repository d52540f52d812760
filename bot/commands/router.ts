/**
 * From normalized text to a Reply: match a registered command, check its permission, parse,
 * run it in a savepoint. Domain errors and usage errors become Chinese answers (and the
 * savepoint undoes the command's partial writes); nothing here knows about inventory.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/types.js';
import { isDomainError } from '../../src/errors.js';
import { pgErrorCode } from '../../src/shared/pg.js';
import { sendAhead } from '../../src/shared/prepared.js';
import { requirePermission } from '../../src/people/roles.js';
import { discardRememberedWarehouse } from '../../src/people/users.js';
import { normalizeText, tokenize } from '../parse/normalize.js';
import { commands, UsageError, type CommandContext, type RegisteredCommand, type Reply } from './registry.js';
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

/** Errors that must abort the whole transaction so the caller can retry it (not a user error). */
function mustRetryWhole(e: unknown): boolean {
  const code = pgErrorCode(e);
  return code === '40001' || code === '40P01';
}

export async function runCommand(ctx: Omit<CommandContext, 'tx'> & { tx: Tx }, text: string): Promise<Reply> {
  if (text.length > MAX_COMMAND_CHARS) {
    return `消息太长（${text.length} 字），一条命令最多 ${MAX_COMMAND_CHARS} 字。请分开发送，例如：出库 A001 5`;
  }
  const tokens = tokenize(normalizeText(text));
  if (tokens.length === 0) return '你好！发送「帮助」查看所有命令。';
  const m = commands.match(tokens);
  if (m.kind === 'none') {
    const shown = tokens[0].length > 20 ? tokens[0].slice(0, 20) + '…' : tokens[0];
    return `没有「${shown}」这个命令。发送「帮助」查看所有命令和例子。`;
  }
  if (m.kind === 'group') return groupText(m.head, m.commands);
  const cmd = m.command;
  try {
    // Named as the user asked it (成本调整 needs the 红冲 permission: say 成本调整, not 红冲).
    if (cmd.permission) requirePermission(ctx.actor, cmd.permission, cmd.name);
  } catch (e) {
    if (isDomainError(e)) return renderDomainError(e);
    throw e;
  }
  let input: unknown;
  try {
    input = cmd.parse(m.args, { actor: ctx.actor, mentions: ctx.mentions });
  } catch (e) {
    if (e instanceof UsageError) return `格式不对：${e.message}\n${usageText(cmd)}`;
    if (isDomainError(e)) return `${renderDomainError(e)}\n${usageText(cmd)}`;
    throw e;
  }
  // A plain SAVEPOINT, never released: COMMIT releases it, and skipping RELEASE saves a round
  // trip while the posting still holds its row locks. Not awaited either: it is sent ahead and
  // the command's first statement follows it in the same write (sendAhead keeps the order), so
  // the savepoint costs the server a statement but the message no round trip.
  const savepoint = await sendAhead(ctx.tx, sql`savepoint jxc_cmd`, { prepare: false });
  try {
    const reply = await cmd.run(ctx, input);
    await savepoint.done;
    return reply;
  } catch (e) {
    await savepoint.done;
    await ctx.tx.execute(sql`rollback to savepoint jxc_cmd`);
    // The savepoint undid the command, including a remembered warehouse still waiting to be sent.
    discardRememberedWarehouse(ctx.tx);
    if (e instanceof UsageError) return `格式不对：${e.message}\n${usageText(cmd)}`;
    if (isDomainError(e)) return renderDomainError(e);
    if (mustRetryWhole(e)) throw e;
    // A constraint an input can fire becomes its Chinese message; a bug gets a reference to quote.
    const x = explainError(e, ctx.logger, cmd.name);
    return x.domain ? renderDomainError(x.domain) : x.message;
  }
}

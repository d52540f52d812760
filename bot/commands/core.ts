/** 帮助, and the bare 确认 / 取消 answers: chat-only commands (no use case). */
import { can, type Actor } from '../../src/people/roles.js';
import { command, type CommandRegistry, type CommandSpec, type RegisteredCommand } from './registry.js';

/**
 * 帮助: every visible command of the registry with its example; commands of a module switched
 * off are left out, commands the actor may not run are marked （无权限）.
 */
export function helpText(registry: CommandRegistry, actor: Actor, disabled: ReadonlySet<string>): string {
  const lines = ['进销存助手 · 命令一览（中文或英文都可以，数量可写「2箱」）：'];
  const allowed = (c: RegisteredCommand) => !c.permission || can(actor, c.permission);
  for (const c of registry.all()) {
    if (c.hidden || (c.module && disabled.has(c.module))) continue;
    const ex = Array.isArray(c.example) ? c.example[0] : c.example;
    const lock = allowed(c) ? '' : '（无权限）';
    lines.push(`• ${c.usage}${lock}\n  ${c.summary}。例：${ex}`);
  }
  lines.push('商品可以写编码、条码或名称（支持拼音首字母）；@仓库 省略时用默认仓库。');
  return lines.join('\n');
}

/**
 * 确认 / 取消 typed alone while a confirmation card is pending: an explanation, never a posting.
 * A bare word cannot say WHICH pending card it answers, and must never post something the user
 * cannot see; the card's buttons, or the original command with 确认, say exactly what is posted.
 */
const CONFIRM_HOW = '请点卡片上的「确认」按钮，或把原命令加上「确认」再发一次，例如：出库 螺丝 5000 确认';

export const coreCommands: readonly CommandSpec[] = [
  command({
    name: '帮助',
    aliases: ['help', '?', '？', '命令'],
    summary: '列出所有命令和例子',
    usage: '帮助',
    example: '帮助',
    parse: () => ({}),
    run: async (ctx) => helpText(ctx.registries.commands, ctx.actor, ctx.disabled),
  }),
  command({
    name: '确认',
    aliases: ['确定', 'confirm'],
    summary: '确认要点卡片按钮，或在原命令后加「确认」',
    usage: '确认',
    example: '出库 螺丝 5000 确认',
    hidden: true,
    parse: () => ({}),
    run: async () => `没有执行任何操作。${CONFIRM_HOW}`,
  }),
  command({
    name: '取消',
    aliases: ['cancel'],
    summary: '取消要点卡片上的「取消」按钮',
    usage: '取消',
    example: '取消',
    hidden: true,
    parse: () => ({}),
    run: async () => '没有执行任何操作。要取消，请点卡片上的「取消」按钮；不点「确认」就不会入账。要确认，' + CONFIRM_HOW.replace(/^请/, ''),
  }),
];

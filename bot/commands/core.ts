/** 帮助 (texts in ./help.ts), and the bare 确认 / 取消 answers: chat-only commands (no use case). */
import { command, type CommandSpec } from './registry.js';
import { helpText, topicHelpText } from './help.js';

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
    summary: '列出所有命令和例子；「帮助 <命令>」只看那一个命令的写法、例子和别名',
    usage: '帮助 [命令]',
    example: ['帮助', '帮助 出库', 'help stock'],
    parse: (args) => ({ topic: args }),
    run: async (ctx, { topic }) =>
      topic.length ? topicHelpText(ctx.registries.commands, topic, ctx.actor, ctx.disabled) : helpText(ctx.registries.commands, ctx.actor, ctx.disabled),
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

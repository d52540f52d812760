/** 帮助 and 用户 commands. */
import { can } from '../../src/people/roles.js';
import { commands, type RegisteredCommand } from './registry.js';

function helpText(actorCan: (c: RegisteredCommand) => boolean): string {
  const lines = ['进销存助手 · 命令一览（中文或英文都可以，数量可写「2箱」）：'];
  for (const c of commands.all()) {
    if (c.hidden) continue;
    const ex = Array.isArray(c.example) ? c.example[0] : c.example;
    const lock = actorCan(c) ? '' : '（无权限）';
    lines.push(`• ${c.usage}${lock}\n  ${c.summary}。例：${ex}`);
  }
  lines.push('商品可以写编码、条码或名称（支持拼音首字母）；@仓库 省略时用默认仓库。');
  return lines.join('\n');
}

commands.register('帮助', {
  aliases: ['help', '?', '？', '命令'],
  summary: '列出所有命令和例子',
  usage: '帮助',
  example: '帮助',
  parse: () => ({}),
  async run(ctx) {
    return helpText((c) => !c.permission || can(ctx.actor, c.permission));
  },
});


/**
 * 帮助 texts: the overview of every command (帮助) and one command in full (帮助 出库, 出库 帮助):
 * usage, summary and chat hint, every example, every other name it answers to (English ones
 * listed apart, for people who type `out` or `stock`). Pure functions over the registry.
 */
import { can, type Actor } from '../../src/people/roles.js';
import { moduleLabel } from '../../src/kernel/modules.js';
import { normalizeText, tokenize } from '../parse/normalize.js';
import { commandKey, type CommandRegistry, type RegisteredCommand } from './registry.js';
import { suggestCommands } from './suggest.js';
import { MAX_REPLY_CHARS } from '../reply.js';

/** Words that, after a command, ask for its help instead of running it (`出库 帮助`). */
export const HELP_WORDS: ReadonlySet<string> = new Set(['帮助', 'help', '?', '？', '用法', '怎么用']);

const examples = (c: RegisteredCommand): string[] => (Array.isArray(c.example) ? c.example : [c.example]);

/** The command's English names (`out`, `issue`, `user list`), in declaration order. */
export function englishNames(c: RegisteredCommand): string[] {
  return [c.name, ...(c.aliases ?? [])].filter((n) => /^[a-z][a-z ]*$/i.test(n));
}

/** Its other Chinese names (发货, 销售出库), without punctuation aliases. */
function chineseAliases(c: RegisteredCommand): string[] {
  return (c.aliases ?? []).filter((n) => /[\u3400-\u9fff]/.test(n));
}

/** One command in full (帮助 出库). `actor` marks a command they may not run. */
export function commandHelpText(c: RegisteredCommand, actor: Actor): string {
  const lines = [`「${c.name}」${c.brief}`, `用法：${c.usage}`];
  if (c.hint) lines.push(`说明：${c.hint}`);
  lines.push('例如：', ...examples(c).map((e) => `　${e}`));
  const zh = chineseAliases(c);
  const en = englishNames(c);
  if (zh.length) lines.push(`也可以写：${zh.join('、')}`);
  if (en.length) lines.push(`英文：${en.join('、')}`);
  if (c.permission && !can(actor, c.permission)) lines.push('（你的角色没有这个命令的权限，请联系管理员。）');
  return lines.join('\n');
}

/**
 * 帮助 <话题>: the command named by `words` (a name or alias, also glued or misspelled: the
 * closest one is shown and said so), the sub-commands of a group (帮助 盘点), or where to look.
 */
export function topicHelpText(registry: CommandRegistry, words: string[], actor: Actor, disabled: ReadonlySet<string>): string {
  const text = normalizeText(words.join(' '));
  const tokens = tokenize(text);
  const m = registry.match(tokens);
  const off = (c: RegisteredCommand) => c.module !== null && disabled.has(c.module);
  if (m.kind === 'command') {
    return off(m.command) ? `「${moduleLabel(m.command.module!)}」模块未开通，请联系管理员` : commandHelpText(m.command, actor);
  }
  if (m.kind === 'group' && tokens.length === 1) {
    const on = m.commands.filter((c) => !off(c));
    if (!on.length) return `「${moduleLabel(m.commands[0].module!)}」模块未开通，请联系管理员`;
    return [`「${m.head}」的命令：`, ...on.map((c) => `• ${c.usage}\n  ${c.brief}。例：${examples(c)[0]}`), `发送「帮助 ${on[0].name}」查看某一个的全部写法。`].join('\n');
  }
  const [s] = suggestCommands(registry, text, tokens, { disabled, limit: 1 });
  if (s && commandKey(s.line) === commandKey(s.key)) return `没有「${text}」这个命令，你是不是想看「${s.command.name}」？\n\n${commandHelpText(s.command, actor)}`;
  return `没有「${text}」这个命令。发送「帮助」查看所有命令。`;
}

/** A usage as the overview shows it: the first form only (alternatives and 多行 are in 帮助 <命令>). */
const firstForm = (usage: string) => usage.split(/；| \| /)[0];

/**
 * 帮助: every visible command of the registry with its English names and one example; commands
 * of a module switched off are left out, commands the actor may not run are marked （无权限）.
 * One line of summary each (the chat hints, other forms and all examples are in 帮助 <命令>);
 * if the list still outgrows one reply (MAX_REPLY_CHARS), the examples go first, so it is never
 * cut off in the middle.
 */
export function helpText(registry: CommandRegistry, actor: Actor, disabled: ReadonlySet<string>): string {
  const head = '进销存助手 · 命令一览（中文或英文都可以，数量可写「2箱」）：';
  const foot = ['商品可以写编码、条码或名称（支持拼音首字母）；@仓库 省略时用默认仓库。', '发送「帮助 出库」（或「出库 帮助」）查看某个命令的全部写法、例子和别名。'];
  const shown = registry.all().filter((c) => !c.hidden && !(c.module && disabled.has(c.module)));
  const render = (withExample: boolean) =>
    [
      head,
      ...shown.map((c) => {
        const lock = !c.permission || can(actor, c.permission) ? '' : '（无权限）';
        const en = englishNames(c).slice(0, 3);
        const ex = withExample ? `。例：${examples(c)[0]}` : '';
        return `• ${firstForm(c.usage)}${lock}${en.length ? `　英文：${en.join(' / ')}` : ''}\n  ${c.brief}${ex}`;
      }),
      ...foot,
    ].join('\n');
  const full = render(true);
  return full.length <= MAX_REPLY_CHARS ? full : render(false);
}

/** 用户 commands: the chat normalisers of people.grant-role and people.users (src/people/use-cases.ts). */
import { parseRole, roleLabel } from '../../src/people/users.js';
import type { UserView } from '../../src/people/use-cases.js';
import { roleChoicesText, type Role } from '../../src/people/roles.js';
import { command, UsageError, type CommandSpec, type Mention } from './registry.js';

/** "@_user_1" → the mentioned person; "ou_xxx" typed directly also works (from the unknown-user message). */
function resolvePerson(token: string | undefined, mentions: Mention[]): { openId: string; name?: string } {
  if (!token) throw new UsageError('缺少要授权的人，请 @ 他或写他的 open_id');
  const m = mentions.find((x) => x.key === token);
  if (m) {
    if (!m.openId) throw new UsageError(`无法识别 ${m.name ?? token} 的 open_id`);
    return { openId: m.openId, name: m.name };
  }
  if (/^ou_[A-Za-z0-9_-]+$/.test(token)) return { openId: token };
  throw new UsageError(`「${token}」不是一个 @ 提及。请在飞书里输入 @ 选择这个人（不要手打名字），或直接写他的 open_id（ou_ 开头）`);
}

export const userCommands: readonly CommandSpec[] = [
  command({
    name: '用户 授权',
    aliases: ['user grant', 'grant', '授权'],
    useCase: 'people.grant-role',
    takesPerson: true,
    usage: '用户 授权 @某人 <角色>',
    example: ['用户 授权 @张三 仓管', '用户 授权 ou_xxxxxxxx 销售'],
    parse(args, ctx) {
      if (args.length < 2) throw new UsageError('需要「@某人」和「角色」两项');
      const person = resolvePerson(args[0], ctx.mentions);
      const role = parseRole(args[1]);
      // Never a guess (老板 is not a role): the granted role decides what someone may do.
      if (!role) throw new UsageError(`没有「${args[1]}」这个角色，没有授权。角色只能是：${roleChoicesText()}`);
      if (args.length > 2) throw new UsageError(`多余的内容「${args.slice(2).join(' ')}」`);
      return { user: person.openId, role, ...(person.name && person.name !== person.openId ? { name: person.name } : {}) };
    },
    async run(ctx, input) {
      const { user, previousRole } = await ctx.invoke<{ user: UserView; previousRole: Role | null }>(input);
      const who = user.name ?? user.openId;
      const change = previousRole && previousRole !== input.role ? `（原为${roleLabel(previousRole)}）` : '';
      return `已授权：${who} → ${user.roleLabel}${change}。现在可以给我发消息了，发送「帮助」查看命令。`;
    },
  }),
  command({
    name: '用户 列表',
    aliases: ['user list', 'users', '用户'],
    useCase: 'people.users',
    usage: '用户 列表',
    example: '用户 列表',
    parse(args) {
      if (args.length) throw new UsageError(`多余的内容「${args.join(' ')}」`);
      return {};
    },
    async run(ctx, input) {
      const { items } = await ctx.invoke<{ items: UserView[] }>(input);
      if (items.length === 0) return '还没有用户。';
      const unnamed = items.filter((u) => !u.name).length;
      return [
        '用户列表：',
        // The open_id only where Feishu gave no name (src/people/contact-names.ts).
        ...items.map((u, i) => (u.name ? `${i + 1}. ${u.name} · ${u.roleLabel} · ${u.openId}` : `${i + 1}. ${u.openId} · ${u.roleLabel}`)),
        ...(unnamed
          ? [`（${unnamed} 位还没有名字：他们发消息后会从飞书通讯录读取；一直没有名字时，请在飞书开发者后台给应用开通「获取用户基本信息」权限并把通讯录权限范围包含他们，或授权时 @ 他。）`]
          : []),
      ].join('\n');
    },
  }),
];

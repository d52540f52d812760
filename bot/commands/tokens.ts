/**
 * 令牌 commands: REST API tokens, over tokens.create / tokens.list / tokens.revoke
 * (src/people/token-use-cases.ts; admins only — the use cases' permission).
 *
 * The plain token is shown ONCE and never stored: the reply queued in the outbox (and kept for
 * nobody) says the token was created and arrives separately; the token itself is sent as its
 * own reply straight after commit (ctx.replySecret: not in the outbox, not in processed_events,
 * not in the audit rows, not in logs). A redelivery of the same message answers that it was
 * created and is not shown again. If the separate message is lost, the admin revokes the token
 * and creates another — the reply says so.
 */
import type { CreatedToken, TokenView } from '../../src/people/tokens.js';
import { SCOPE_MODULES } from '../../src/people/tokens.js';
import { command, UsageError, type CommandSpec } from './registry.js';

/** Scopes as chat help explains them (the use case accepts these and the English forms). */
export const SCOPE_HELP = `范围写成「模块:读」或「模块:写」（写包含读），模块：${Object.values(SCOPE_MODULES).join('、')}，或 全部；英文也可以，例如 inventory:read、inventory:write、*:read。可写多个，用空格分开`;

/** What a redelivery of a 令牌 新建 message answers (the first answer already went out). */
export const TOKEN_REDELIVERY = '已创建，令牌不再显示，如遗失请撤销后重新创建';

function when(t: Date | string | null, timeZone: string): string {
  return t === null ? '—' : new Date(t).toLocaleString('zh-CN', { timeZone, hour12: false });
}

function tokenLine(t: TokenView, timeZone: string): string {
  const state = t.revokedAt ? `已撤销（${when(t.revokedAt, timeZone)}）` : `最近使用 ${when(t.lastUsedAt, timeZone)}`;
  return `#${t.id} ${t.name}（${t.prefix}）· ${t.scopeText} · 代表 ${t.userName ?? `用户 #${t.userId}`} · 创建于 ${when(t.createdAt, timeZone)} · ${state}`;
}

export const tokenCommands: readonly CommandSpec[] = [
  command({
    name: '令牌 新建',
    aliases: ['token create', 'token new', '新建令牌', '令牌 创建'],
    useCase: 'tokens.create',
    hint: `令牌单独发给你。${SCOPE_HELP}`,
    usage: '令牌 新建 <名称> <范围…>',
    example: ['令牌 新建 erp 库存:写', '令牌 新建 报表同步 库存:读 人员:读', '令牌 新建 sync inventory:write'],
    parse(args) {
      const [name, ...scopes] = args;
      if (!name) throw new UsageError(`缺少令牌名称和范围。${SCOPE_HELP}`);
      if (!scopes.length) throw new UsageError(`缺少范围。${SCOPE_HELP}`);
      return { name, scopes };
    },
    async run(ctx, input) {
      const r = await ctx.invoke<CreatedToken>(input);
      const t = r.token;
      // The same message's key again (cannot pass the message's own claim, but the use case
      // guards its key too): nothing new was created, nothing to show.
      if (r.secret === null) return `令牌「${t.name}」${TOKEN_REDELIVERY}（令牌 撤销 ${t.name}）。`;
      ctx.replySecret(`令牌「${t.name}」（只显示这一次，请立即复制保存）：\n${r.secret}`);
      ctx.onRedelivery(`令牌「${t.name}」${TOKEN_REDELIVERY}（令牌 撤销 ${t.name}）。`);
      return [
        `✅ 已创建令牌「${t.name}」（编号 ${t.id}，${t.prefix}）`,
        `范围：${t.scopeText}`,
        '令牌本身另发一条消息，只显示这一次，请立即复制保存；调用时放在请求头 Authorization: Bearer <令牌>。',
        `没有收到那条消息的话，请发「令牌 撤销 ${t.name}」后重新创建。`,
      ].join('\n');
    },
  }),
  command({
    name: '令牌 列表',
    aliases: ['token list', 'tokens', '令牌'],
    useCase: 'tokens.list',
    hint: '加「全部」连已撤销的一起列出',
    usage: '令牌 列表 [全部]',
    example: ['令牌 列表', '令牌 列表 全部'],
    parse(args) {
      const all = args.length === 1 && ['全部', 'all'].includes(args[0].toLowerCase());
      if (args.length && !all) throw new UsageError(`多余的内容「${args.join(' ')}」`);
      return { includeRevoked: all };
    },
    async run(ctx, input) {
      const { items } = await ctx.invoke<{ items: TokenView[] }>(input);
      if (!items.length) return '还没有令牌。新建请发：令牌 新建 erp 库存:写';
      return ['API 令牌（只显示开头几位）：', ...items.map((t) => tokenLine(t, ctx.deps.config.APP_TIMEZONE))].join('\n');
    },
  }),
  command({
    name: '令牌 撤销',
    aliases: ['token revoke', '撤销令牌', '令牌 删除'],
    useCase: 'tokens.revoke',
    hint: '写名称、编号或开头几位（jxc_AbCd1234）',
    usage: '令牌 撤销 <名称或编号>',
    example: ['令牌 撤销 erp', '令牌 撤销 3'],
    parse(args) {
      if (!args.length) throw new UsageError('缺少要撤销的令牌：写名称或编号（发「令牌 列表」查看）');
      if (args.length > 1) throw new UsageError(`多余的内容「${args.slice(1).join(' ')}」`);
      return { token: /^\d+$/.test(args[0]) ? Number(args[0]) : args[0] };
    },
    async run(ctx, input) {
      const { token: t } = await ctx.invoke<{ token: TokenView }>(input);
      return `✅ 已撤销令牌「${t.name}」（编号 ${t.id}，${t.prefix}），立即失效。`;
    },
  }),
];

/**
 * Chat side of the cards: `菜单` / `menu` answers with the menu card (a button for every
 * action the role allows). Other commands attach their own cards explicitly through
 * bot/cards/replies.ts (candidate picker, document, stock).
 */
import { commands } from '../commands/registry.js';
import { menuCard, menuLabels } from './forms.js';

commands.register('菜单', {
  aliases: ['menu', '卡片'],
  summary: '打开操作菜单卡片（按钮和表单）',
  usage: '菜单',
  example: '菜单',
  parse: () => ({}),
  async run(ctx) {
    const c = menuCard(ctx.actor, ctx.actor.name);
    return { text: `菜单：${menuLabels(ctx.actor).join(' / ')}`, card: c };
  },
});

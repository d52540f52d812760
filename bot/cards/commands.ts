/**
 * Chat side of the cards: `菜单` / `menu` answers with the menu card (a button for every entry
 * the role may use, modules switched off left out). Other commands attach their own cards
 * explicitly through bot/cards/replies.ts (candidate picker, document, stock).
 */
import { command, type CommandSpec } from '../commands/registry.js';
import { menuCard } from './menu.js';

/** The chat commands of the card adapter, as values (bot/registries.ts lists them). */
export const cardCommands: CommandSpec[] = [
  command({
    name: '菜单',
    aliases: ['menu', '卡片'],
    summary: '打开操作菜单卡片（按钮和表单）',
    usage: '菜单',
    example: '菜单',
    parse: () => ({}),
    async run(ctx) {
      const entries = ctx.registries.cards.menuFor(ctx.actor, ctx.disabled);
      return { text: `菜单：${entries.map((e) => e.label).join(' / ')}`, card: menuCard(entries, ctx.actor.name) };
    },
  }),
];

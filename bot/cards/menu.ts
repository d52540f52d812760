/**
 * The menu card: a button for every entry the user may use (registry.menuFor filters by
 * permission and by the modules switched off). Pure: the entries and the name are passed in.
 */
import { button, buttonRow, card, markdown, md, type Card, type El } from './card.js';
import type { MenuButton } from './registry.js';

export function menuCard(entries: readonly MenuButton[], name?: string | null): Card {
  const buttons = entries.map((m) => button(m.label, m.value, { type: m.type, width: 'fill' }));
  const rows: El[] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttonRow(buttons.slice(i, i + 2)));
  return card('进销存助手 · 菜单', 'blue', [
    markdown(`${name ? `${md(name)}，` : ''}你好！点按钮打开表单；也可以直接发文字命令，发送「帮助」查看全部命令。`),
    ...(rows.length ? rows : [markdown('你的角色暂时没有可用的操作，请联系管理员授权。')]),
  ]);
}

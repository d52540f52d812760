/**
 * The cards a flow asks with before it acts — the candidate picker, the unusual-entry
 * confirmation — and the answer to 取消. Pure: the one-time key is issued by the caller
 * (flows.ts) and passed in.
 */
import { formatFen, formatPrice, yuanToFen } from '../../src/shared/money.js';
import { productLabel, type ProductView } from '../../src/inventory/products.js';
import { button, buttonRow, card, markdown, md, value, type Card } from './card.js';
import { messageCard } from './views.js';

/** What the prompts show of a pending flow. */
export interface PendingView {
  /** The flow as users call it: 入库, 盘点录入. */
  label: string;
  /** The quantity as typed. */
  qty: string;
  /** The flow's input: a posting's first line (or the input itself) is described. */
  input: Record<string, unknown> & { lines?: Record<string, unknown>[] };
}

function describe(p: PendingView, product: Pick<ProductView, 'name' | 'sku' | 'model' | 'spec' | 'baseUnit'>): string {
  const line = (p.input.lines?.[0] ?? p.input) as Record<string, unknown>;
  const parts = [`**${p.label}**：${md(productLabel(product))}`, `**数量**：${md(String(line.qty))}`];
  if (line.batchNo) parts.push(`**批次**：${md(String(line.batchNo))}`);
  if (line.unitPrice !== undefined) parts.push(`**单价**：${md(String(line.unitPrice))} 元（按数量所写单位）`);
  if (line.unitCostFen !== undefined) parts.push(`**单价**：${formatPrice(String(line.unitCostFen))}/${md(product.baseUnit)}`);
  if (line.amount !== undefined) parts.push(`**金额**：${formatFen(yuanToFen(String(line.amount)))}`);
  return parts.join('\n');
}

/** "请确认：这笔数据不太寻常" with the entry, the reasons, and 确认 / 取消 carrying key `k`. */
export function confirmCard(p: PendingView, product: Pick<ProductView, 'name' | 'sku' | 'model' | 'spec' | 'baseUnit'>, reasons: string[], how: string, k: string): Card {
  return card('请确认：这笔数据不太寻常', 'orange', [
    markdown(describe(p, product)),
    markdown(`<font color="orange">${reasons.map((r) => `• ${md(r)}`).join('\n')}</font>\n\n${md(how)}`),
    buttonRow([button('确认', value('confirm', { k }), { type: 'primary_filled' }), button('取消', value('cancel', { k }), { type: 'default' })]),
  ]);
}

/** 「螺丝」对应多个商品: a button per candidate (value p = its id) and 取消, all carrying key `k`. */
export function pickerCard(p: PendingView, cands: Pick<ProductView, 'id' | 'name' | 'sku' | 'model' | 'spec'>[], query: string, k: string): Card {
  return card(`「${query.slice(0, 20)}」对应多个商品`, 'yellow', [
    markdown(`请选择要${p.label}的商品（数量 ${md(p.qty)}）：`),
    ...cands.map((x) => button(productLabel(x), value('pick', { k, p: x.id }), { type: 'default', width: 'fill' })),
    buttonRow([button('取消', value('cancel', { k }))]),
  ]);
}

export function cancelledCard(): Card {
  return messageCard('已取消', 'grey', '没有保存任何改动。', [buttonRow([button('菜单', value('menu'))])]);
}

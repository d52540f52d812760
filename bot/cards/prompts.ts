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

/** A typed unit price as people read it: "¥0.8/个", or "¥6.5（按数量所写单位）" when no unit is named. */
const typedPrice = (t: unknown): string => {
  const [yuan, unit] = String(t).split('/');
  return unit ? `¥${md(yuan)}/${md(unit)}` : `¥${md(yuan)}（按数量所写单位）`;
};

/** The price, amount or batch of one line, as the card states them ("，单价 ¥0.8/个"). */
function lineExtras(line: Record<string, unknown>, baseUnit: string): string[] {
  const out: string[] = [];
  if (line.batchNo) out.push(`批次 ${md(String(line.batchNo))}`);
  if (line.unitPrice !== undefined) out.push(`单价 ${typedPrice(line.unitPrice)}`);
  if (line.unitCostFen !== undefined) out.push(`单价 ${formatPrice(String(line.unitCostFen))}/${md(baseUnit)}`);
  if (line.amount !== undefined) out.push(`金额 ${formatFen(yuanToFen(String(line.amount)))}`);
  if (line.salePrice !== undefined) out.push(`售价 ${typedPrice(line.salePrice)}`);
  return out;
}

function describe(p: PendingView, product: Pick<ProductView, 'name' | 'sku' | 'model' | 'spec' | 'baseUnit'>): string {
  const lines = p.input.lines ?? [p.input];
  if (lines.length > 1) {
    // Every line of a multi-line entry: the reasons name their lines (第 2 行：…).
    return [
      `**${p.label}**：${lines.length} 行`,
      ...lines.map((l, i) => {
        const name = i === 0 ? productLabel(product) : String(l.product);
        return `${i + 1}. ${md(name)} × ${md(String(l.qty))}${lineExtras(l, product.baseUnit).map((x) => `，${x}`).join('')}`;
      }),
    ].join('\n');
  }
  const line = lines[0];
  const parts = [`**${p.label}**：${md(productLabel(product))}`, `**数量**：${md(String(line.qty))}`];
  for (const x of lineExtras(line, product.baseUnit)) {
    const [k, ...v] = x.split(' ');
    parts.push(`**${k}**：${v.join(' ')}`);
  }
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

/**
 * Read-only cards: posting summaries, the document view, stock query, low stock, the
 * processing / message cards. Pure functions of their input (no database, no clock, no random:
 * keys, times and the time zone are passed in); test/cards/renderers.test.ts snapshots them.
 */
import type { PostingLine, PostingResult } from '../../src/inventory/documents.js';
import { productLabel } from '../../src/inventory/products.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import type { ProductStock } from '../../src/inventory/queries.js';
import { PER_WAREHOUSE_NOTE, type LowStockReport } from '../../src/inventory/lowstock.js';
import { formatPrice, formatFen } from '../../src/shared/money.js';
import { button, buttonRow, card, hr, markdown, md, table, value, type Card, type El, type Template } from './card.js';
import type { CardAnswer } from './registry.js';
import { linePrice, postingTotalText, saleTotalText } from './echo.js';
import { postedProductText } from '../commands/render.js';

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-25 14:03" in time zone `tz` (IANA). */
export function formatTime(at: Date | string, tz: string): string {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    fmtCache.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(typeof at === 'string' ? new Date(at) : at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}`;
}

export function messageCard(title: string, template: Template, text: string, extra: El[] = []): Card {
  return card(title, template, [markdown(text), ...extra]);
}

/** The answer to a tap that is still being worked on; 刷新 looks the stored result up. */
export function processingCard(k?: string): Card {
  return card('处理中…', 'wathet', [
    markdown('正在处理，完成后这张卡片会自动更新为结果。\n请不要重复提交。'),
    ...(k ? [button('刷新结果', value('refresh', { k }), { type: 'default' })] : []),
  ]);
}

/** An answer as a card (for the delayed update, which cannot carry a toast). */
export function answerCard(a: CardAnswer): Card {
  if (a.card) return a.card;
  const t = a.toast;
  if (t?.type === 'error') return messageCard('未能完成', 'red', `${md(t.content)}\n\n没有保存任何改动，请重新发送「菜单」再试。`);
  return messageCard('已处理', 'green', md(t?.content ?? '完成'));
}

const KIND_TEMPLATE: Record<string, Template> = {
  purchase_receipt: 'green',
  production_receipt: 'green',
  opening: 'green',
  sales_issue: 'orange',
  internal_issue: 'orange',
  transfer: 'blue',
  stocktake: 'purple',
  reversal: 'red',
};

export interface SummaryOptions {
  /** Who posted (name or open_id). */
  who: string;
  /** IANA zone the posting time is shown in. */
  timeZone: string;
  /** A key for the 红冲 button, when the viewer may reverse. */
  reverseKey?: string;
  /** Title prefix, e.g. "入库成功". */
  title?: string;
  /** Form to open again ("继续录入"). */
  again?: string;
}

/** A posting as a use case returns it: cost fields absent for a role without cost.view. */
export type Posting = CostFiltered<PostingResult>;

const hasCost = (r: Posting): boolean => r.document.totalValueFen !== undefined;

function linesTable(r: Posting): El[] {
  // Name, SKU and the units behind qtyText are as posted (a later rename or pack size never rewrites them).
  // 单价/金额: what was understood (cards/echo.ts, the same as the chat reply) — only with costs.
  const costs = hasCost(r);
  const rows = r.lines.map((l) => {
    const qty = l.kind === 'cost_adjustment' ? '—' : l.qtyText;
    const cells = [md(l.kindLabel), md(postedProductText(l)), md(l.warehouseName), md(l.batchNo || '—'), md(qty)];
    if (costs && l.valueFen !== undefined) {
      const p = linePrice(l as PostingLine);
      // A value-only move (成本调整): no quantity or unit price to show ("0 个 | ¥0.01/个" misleads), a signed amount.
      if (l.kind === 'cost_adjustment') p.price = '—';
      const amount = l.kind === 'cost_adjustment' && !l.valueFen.startsWith('-') ? `+${p.amount}` : p.amount;
      cells.push(md(p.price), md(amount));
    } else if (costs) cells.push('—', '—');
    return `| ${cells.join(' | ')} |`;
  });
  const head = costs ? ['| 类型 | 商品 | 仓库 | 批次 | 数量 | 单价 | 金额 |', '|---|---|---|---|---|---|---|'] : ['| 类型 | 商品 | 仓库 | 批次 | 数量 |', '|---|---|---|---|---|'];
  const out: El[] = [];
  // Feishu renders at most 5 data rows per markdown table: chunk.
  for (let i = 0; i < rows.length && i < 20; i += 5) out.push(markdown([...head, ...rows.slice(i, i + 5)].join('\n')));
  if (rows.length > 20) out.push(markdown(`……共 ${rows.length} 行，发送「单据 ${md(r.document.docNo)}」查看全部。`));
  return out;
}

/** The read-only answer to a successful posting. */
export function postingSummaryCard(r: Posting, o: SummaryOptions): Card {
  const d = r.document;
  const title = `${o.title ?? `${d.kindLabel}成功`} · ${d.docNo}`;
  const sold = saleTotalText(r.lines);
  const head = [
    `**单号**：${md(d.docNo)}`,
    `**类型**：${md(d.kindLabel)}`,
    d.toWarehouseName ? `**仓库**：${md(d.warehouseName)} → ${md(d.toWarehouseName)}` : d.warehouseName ? `**仓库**：${md(d.warehouseName)}` : null,
    d.reversesDocNo ? `**红冲原单**：${md(d.reversesDocNo)}` : null,
    d.reversedByDocNo ? `**已被红冲**：${md(d.reversedByDocNo)}` : null,
    hasCost(r) ? `**合计金额**：${postingTotalText(r as PostingResult)}` : null,
    // A sales issue's selling price (src/inventory/sale-price.ts): 销售金额, 毛利 only with costs.
    sold ? `**销售金额**：${sold.replace(/^销售金额 /, '')}` : null,
    d.remark ? `**备注**：${md(d.remark)}` : null,
    `**经办**：${md(o.who)}　**时间**：${formatTime(d.recordedAt, o.timeZone)}`,
  ].filter(Boolean);
  const onHand = r.onHand.map((h) => `• ${md(h.name)}（${md(h.sku)}）在「${md(h.warehouseName)}」现有 **${md(h.qtyText)}**，全部仓库合计 ${md(h.totalQtyText)}`);
  const buttons: El[] = [];
  if (o.again) buttons.push(button('继续录入', value('open', { f: o.again }), { type: 'primary' }));
  buttons.push(button('菜单', value('menu'), { type: 'default' }));
  // Last, never where the 确认 of the card it replaces was: a second tap must not land on it.
  if (o.reverseKey) {
    buttons.push(
      button('红冲', value('reverse', { k: o.reverseKey }), {
        type: 'danger',
        confirm: { title: '确认红冲？', text: `将生成一张红冲单，抵消 ${d.docNo} 的全部库存变动。` },
      }),
    );
  }
  return card(title, KIND_TEMPLATE[d.kind] ?? 'green', [
    markdown(head.join('\n')),
    ...linesTable(r),
    ...(onHand.length ? [hr(), markdown(`**现有库存**\n${onHand.join('\n')}`)] : []),
    buttonRow(buttons),
  ], { summary: `${d.kindLabel} ${d.docNo}` });
}

/** 单据查询 result. */
export function documentCard(r: Posting, o: { who: string; timeZone: string; reverseKey?: string }): Card {
  const c = postingSummaryCard(r, { who: o.who, timeZone: o.timeZone, reverseKey: o.reverseKey, title: `单据 ${r.document.kindLabel}` });
  return c;
}

/**
 * The low-stock warnings of one product's stock, by the one definition (the service decided
 * each `low`): its total against its safety stock, each warehouse against its own.
 */
export function lowStateLines(s: { low: ProductStock['low']; product: { baseUnit: string } }): string[] {
  const u = s.product.baseUnit;
  const out: string[] = [];
  if (s.low.total.low) out.push(`⚠️ 低库存：全部仓库合计现有 ${s.low.total.qty} ${u} ≤ 安全库存 ${s.low.total.safetyStock} ${u}，请及时补货`);
  for (const w of s.low.warehouses) if (w.low) out.push(`⚠️ 低库存：「${w.warehouseName}」现有 ${w.qty} ${u} ≤ 分仓安全库存 ${w.safetyStock} ${u}`);
  return out;
}

/** "¥0.35 / 个": an average cost in fen per base unit, as yuan (up to 4 decimals). */
export function unitCostText(fenPerUnit: string, unit: string): string {
  return `${formatPrice(fenPerUnit)} / ${unit}`;
}

/**
 * 库存查询 result: the same facts as the text answer — on-hand quantity (现有), value at the
 * average cost, per warehouse and batch (each row's part of the exact total, allocated by
 * quantity in src/inventory/queries.ts: rows add up to the total shown), each batch's expiry,
 * the low-stock warnings (lowStateLines).
 * `scope`: the warehouse asked for (omitted: all warehouses).
 */
export function stockCard(s: CostFiltered<ProductStock>, o: { scope?: string | null } = {}): Card {
  const p = s.product;
  const costs = s.totalValueFen !== undefined && s.avgCost !== undefined;
  const label = productLabel(p);
  const where = `${o.scope ? `「${md(o.scope)}」` : '全部仓库'}${s.batchNo ? ` 批次 ${md(s.batchNo)}` : ''}`;
  // 现有 = on hand (no reservations yet, so nothing is 可用 apart from it).
  const head = [`**${md(label)}**`, `**现有**（${where}）：**${md(s.totalQtyText)}**`];
  if (costs) head.push(`**库存金额**：${formatFen(s.totalValueFen!)}（平均成本 ${md(unitCostText(s.avgCost!, p.baseUnit))}）`);
  // Warehouse subtotals only where the table cannot show them: a warehouse holding several batches.
  if (s.perWarehouse.length > 1 && s.rows.length > s.perWarehouse.length) head.push(...s.perWarehouse.map((w) => `• ${md(w.warehouseName)}：${md(w.qtyText)}${w.valueFen !== undefined ? ` · ${formatFen(w.valueFen)}` : ''}`));
  head.push(...lowStateLines(s).map((l) => `<font color="orange">${md(l)}</font>`));
  const els: El[] = [markdown(head.join('\n'))];
  if (s.rows.length) {
    const columns: { name: string; title: string; align?: 'right' }[] = [
      { name: 'wh', title: '仓库' },
      { name: 'batch', title: '批次' },
      { name: 'exp', title: '有效期' },
      { name: 'qty', title: '数量', align: 'right' },
    ];
    if (costs) columns.push({ name: 'value', title: '金额', align: 'right' });
    els.push(
      table(
        columns,
        s.rows.slice(0, 100).map((r) => ({ wh: r.warehouseName, batch: r.batchNo || '—', exp: r.expiresOn ? `${r.expiresOn}${r.expired ? '（已过期）' : ''}` : '—', qty: r.qtyText, ...(costs && r.valueFen !== undefined ? { value: formatFen(r.valueFen) } : {}) })),
      ),
    );
    if (s.rows.length > 100) els.push(markdown(`……共 ${s.rows.length} 行，只显示前 100 行。`));
  } else {
    els.push(markdown('目前没有库存。'));
  }
  els.push(buttonRow([button('再查一个', value('open', { f: 'stock' }), { type: 'primary' }), button('菜单', value('menu'))]));
  return card(`库存 · ${p.name}`.slice(0, 60), 'blue', els, { summary: `库存 ${p.sku} ${s.totalQtyText}` });
}

/** "已过期 3 天" / "今天到期" / "6 天后到期": how near a batch's expiry is (daysLeft from today). */
function expiryWords(daysLeft: number): string {
  if (daysLeft < 0) return `已过期 ${-daysLeft} 天`;
  if (daysLeft === 0) return '今天到期';
  return `${daysLeft} 天后到期`;
}

/**
 * 低库存: the same report as the chat answer (src/inventory/lowstock.ts, ONE definition stated on
 * the card): products low in total, warehouses low against their own safety stock, batches
 * expiring within the window or expired. `warehouse`: the warehouse asked for (its lists only).
 */
export function lowStockCard(r: LowStockReport, warehouse?: string): Card {
  const lines = warehouse ? r.perWarehouse : [...r.total, ...r.perWarehouse];
  const scope = warehouse ? `「${md(warehouse)}」` : '';
  const els: El[] = [markdown(`${scope}${md(r.rule)}`)];
  if (lines.length) {
    els.push(
      table(
        [
          { name: 'p', title: '商品' },
          { name: 'w', title: '范围' },
          { name: 'q', title: '现有', align: 'right' },
          { name: 's', title: '安全库存', align: 'right' },
          { name: 'g', title: '缺', align: 'right' },
        ],
        lines.slice(0, 100).map((l) => ({ p: `${l.name}（${l.sku}）`, w: l.warehouseName ?? '全部仓库合计', q: l.qtyText, s: `${l.safetyStock} ${l.baseUnit}`, g: `${l.shortfall} ${l.baseUnit}` })),
      ),
    );
  } else {
    els.push(markdown(`${scope}没有低库存的商品。`));
  }
  if (warehouse || r.perWarehouseJudged === 0) els.push(markdown(`<font color="grey">${md(PER_WAREHOUSE_NOTE)}</font>`));
  if (r.expiring.length) {
    els.push(hr(), markdown(`**临期批次**（${r.expiryWindowDays} 天内到期或已过期）`));
    els.push(
      table(
        [
          { name: 'p', title: '商品' },
          { name: 'b', title: '批次' },
          { name: 'w', title: '仓库' },
          { name: 'q', title: '现有', align: 'right' },
          { name: 'e', title: '有效期' },
        ],
        r.expiring.slice(0, 100).map((b) => ({ p: `${b.name}（${b.sku}）`, b: b.batchNo, w: b.warehouseName, q: b.qtyText, e: `${b.expiresOn}（${expiryWords(b.daysLeft)}）` })),
      ),
    );
  }
  els.push(buttonRow([button('菜单', value('menu'))]));
  const n = lines.length;
  return card(n ? `低库存 · ${n} 条` : '低库存', n || r.expiring.some((b) => b.expired) ? 'orange' : 'green', els, { summary: `低库存 ${n} 条` });
}

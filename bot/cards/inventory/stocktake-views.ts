/**
 * The stocktake cards, pure: the 盘点 card (count entry form, open stocktakes, start a new one),
 * the variance card (查看差异, with 过账 / 全盘), and the answer to a posting without variance.
 * Keys are issued by the caller (stocktake.ts) and passed in.
 */
import type { OpenStocktakeLine } from '../../../src/inventory/stocktake-list.js';
import type { StocktakeReport } from '../../../src/inventory/stocktake.js';
import type { CostFiltered } from '../../../src/inventory/use-cases/cost-visibility.js';
import { formatFen } from '../../../src/shared/money.js';
import { button, buttonRow, card, form, hr, input, markdown, md, multiSelect, select, submitButton, table, value, type Card, type El, type Option } from '../card.js';
import { backToMenu, productField, type ProductChoice, type WarehouseChoice } from '../forms.js';
import { messageCard } from '../views.js';

const yesNo = [{ label: '否', value: 'no' }, { label: '是', value: 'yes' }];

export interface StocktakeFormData {
  open: OpenStocktakeLine[];
  warehouses: WarehouseChoice;
  products: ProductChoice;
  /** Key of the count entry form (present when a stocktake is open). */
  countKey?: string;
  /** Key of the 开始盘点 form (present when a warehouse has no open stocktake). */
  openKey?: string;
  /** A line on top: what the last tap did ("已录入：…"). */
  notice?: string;
}

/** The 盘点 card: record counts into an open stocktake, see its variances, or start a new one. */
export function stocktakeFormView(d: StocktakeFormData): Card {
  const els: El[] = [];
  if (d.notice) els.push(markdown(`<font color="green">✓ ${md(d.notice)}</font>`));
  if (d.open.length && d.countKey) {
    const initial = d.open.find((s) => String(s.warehouseId) === d.warehouses.initial)?.id ?? d.open[0].id;
    els.push(
      markdown('**录入盘点数**：同一商品多次录入会累加（逐个货架清点）；录错了选「设为」或「减去」更正。按批次管理的商品请填批次号；没有录入的批次不调整，除非选「该商品已全部清点」。'),
      form('f_count', [
        ...select('stocktake', '盘点单', d.open.map((s) => ({ label: `${s.docNo} · ${s.warehouseName}（已录 ${s.entries} 条）`, value: String(s.id) })), { required: true, initial: String(initial) }),
        ...productField(d.products),
        input('qty', '实盘数量', { required: true, placeholder: '例如 18 或 1箱6个；0 表示没有', maxLength: 50 }),
        input('batch_no', '批次号（按批次管理的商品）', { maxLength: 64 }),
        ...select('mode', '录入方式', [
          { label: '累加（再清点到这么多）', value: 'add' },
          { label: '设为（累计改成这个数）', value: 'set' },
          { label: '减去（录多了）', value: 'subtract' },
        ], { initial: 'add' }),
        ...select('complete', '该商品已全部清点（没录入的批次按 0 计）', yesNo, { initial: 'no' }),
        ...select('new_batch', '账上没有的新批次（货架上新发现）', yesNo, { initial: 'no' }),
        submitButton('submit', '录入', { a: 'count.submit', k: d.countKey }),
      ]),
      hr(),
      markdown(d.open.map((s) => `• **${md(s.docNo)}**（${md(s.warehouseName)}）已录 ${s.entries} 条`).join('\n')),
    );
    for (const s of d.open) els.push(buttonRow([button(`查看差异 ${s.docNo}`, value('count.report', { s: s.id }))]));
  }
  const used = new Set(d.open.map((s) => String(s.warehouseId)));
  const free: Option[] = d.warehouses.options.filter((o) => !used.has(o.value));
  if (d.openKey && (free.length || !d.warehouses.options.length)) {
    els.push(
      hr(),
      markdown('**开始新的盘点**：选择仓库和范围（不选商品 = 全部商品）。'),
      form('f_count_open', [
        ...(free.length
          ? select('open_warehouse', '盘点仓库', free, { required: true, initial: free.some((o) => o.value === d.warehouses.initial) ? d.warehouses.initial : free[0].value })
          : [markdown('将盘点默认仓库「主仓库」。')]),
        ...(d.products && d.products.length ? multiSelect('open_products', '盘点范围（可多选，可选）', d.products) : []),
        submitButton('open_submit', '开始盘点', { a: 'stocktake.open.submit', k: d.openKey }),
      ]),
    );
  }
  els.push(backToMenu());
  return card('盘点', 'purple', els);
}

/**
 * 盘点差异: the report as a table, what posting will not change, 过账 (key `postKey`, absent
 * for those who may not post) and 全盘. Values absent from the report (a role without
 * cost.view) are not shown.
 */
export function varianceCard(rep: CostFiltered<StocktakeReport>, postKey: string | undefined, largeLines: number): Card {
  const st = rep.stocktake;
  const ub = rep.uncountedBatches;
  const ubSkus = [...new Set(ub.map((b) => b.sku))];
  const values = rep.totalGainFen !== undefined && rep.totalLossFen !== undefined ? `　**盘盈**：${formatFen(rep.totalGainFen)}　**盘亏**：${formatFen(rep.totalLossFen)}` : '';
  const els: El[] = [
    markdown(
      [
        `**盘点单**：${md(st.docNo)}　**仓库**：${md(st.warehouseName)}`,
        `**差异行**：${rep.lines.filter((l) => l.varianceQty !== '0').length} / ${rep.lines.length}${values}`,
        st.complete ? '**全盘**：范围内没有录入的商品和批次过账时按 0 计（表中「未盘，按 0 计」）。' : null,
        // What posting will NOT change, apart from the table: an absent count is not a zero count.
        ub.length
          ? `**未盘批次**：${ub.slice(0, 10).map((b) => `${md(b.name)}（${md(b.sku)}）批次 ${md(b.batchNo)} 账面 ${md(b.bookQty)}`).join('；')}${ub.length > 10 ? ' 等' : ''}，不调整（如已全部清点，请发「盘点 完成 ${md(ubSkus.length === 1 ? ubSkus[0] : '<商品>')}」或「全盘」）`
          : null,
        rep.uncounted.length ? `**未清点**：${rep.uncounted.slice(0, 10).map((u) => md(u.name)).join('、')}${rep.uncounted.length > 10 ? ' 等' : ''}（过账时不调整）` : null,
        rep.completeProducts.length && !st.complete ? `**已声明清点完成**：${rep.completeProducts.map((p) => md(p.name)).join('、')}（未录入的批次按 0 计）` : null,
        rep.moved.length ? `<font color="orange">开始盘点后有出入库：${rep.moved.map((m) => md(m.name)).join('、')}，账面数已变化。</font>` : null,
        rep.lines.length > largeLines ? `行数较多（${rep.lines.length} 行），过账将在后台完成，卡片会自动更新。` : null,
      ]
        .filter(Boolean)
        .join('\n'),
    ),
  ];
  if (rep.lines.length) {
    els.push(
      table(
        [
          { name: 'p', title: '商品' },
          { name: 'b', title: '批次' },
          { name: 'book', title: '账面', align: 'right' },
          { name: 'cnt', title: '实盘', align: 'right' },
          { name: 'd', title: '差异', align: 'right' },
        ],
        rep.lines.slice(0, 100).map((l) => ({ p: `${l.name}（${l.sku}）`, b: l.batchNo || '—', book: l.bookQty, cnt: l.assumedZero ? '未盘，按 0 计' : l.countedQty, d: l.varianceText })),
      ),
    );
  }
  const buttons: El[] = [];
  if (postKey) {
    buttons.push(
      button(rep.moved.length ? '强制过账' : '过账', value('stocktake.post', { k: postKey }), {
        type: 'primary_filled',
        confirm: { title: '确认过账？', text: `盘点单 ${st.docNo} 过账后按实盘数调整库存，不能修改（可红冲）。` },
      }),
    );
    if (st.complete) buttons.push(button('撤销全盘', value('stocktake.complete', { s: st.id, undo: 1 })));
    else if (ub.length || rep.uncounted.length) {
      buttons.push(
        button('全盘（未录入按 0 计）', value('stocktake.complete', { s: st.id }), {
          confirm: { title: '声明全盘？', text: `盘点单 ${st.docNo} 范围内没有录入的商品和批次，过账时都按 0 计（盘亏）。可以撤销。` },
        }),
      );
    }
  }
  buttons.push(button('继续录入', value('open', { f: 'stocktake' })), button('菜单', value('menu')));
  els.push(hr(), buttonRow(buttons));
  return card(`盘点差异 · ${st.docNo}`, 'purple', els);
}

/** A posted stocktake without any variance. */
export function noVarianceCard(st: { docNo: string; warehouseName: string }, who: string): Card {
  return messageCard(`盘点已过账 · ${st.docNo}`, 'green', `**${md(st.warehouseName)}** 实盘与账面一致，没有差异。\n**经办**：${md(who)}`, [buttonRow([button('菜单', value('menu'))])]);
}

/** A stocktake posting that failed after the callback was answered (nothing was posted). */
export function postFailedCard(message: string, s: number): Card {
  return messageCard('盘点过账未完成', 'red', md(message), [buttonRow([button('查看差异', value('count.report', { s })), button('菜单', value('menu'))])]);
}

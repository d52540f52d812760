/**
 * 流水 <商品> [期间] [@仓库] [页=N]: a product's ledger, by business time, with the opening
 * balance of the period first and the balance after every line — the chat wording of
 * inventory.moves (order 'time', src/inventory/listing.ts). Periods are read by
 * src/shared/periods.ts in the company time zone. Values are shown only when the use case
 * returned them (cost.view).
 */
import type { MoveBalance, MovePage } from '../../src/inventory/listing.js';
import type { ProductView } from '../../src/inventory/products.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import { formatFen } from '../../src/shared/money.js';
import { parsePeriod, periodRange, PERIOD_EXAMPLES, type PeriodSpec } from '../../src/shared/periods.js';
import { getAppTimezone, isoDay } from '../../src/shared/time.js';
import { formatTime } from '../cards/views.js';
import { oneWarehouse, parseArgs } from '../parse/args.js';
import { command, UsageError, type CommandSpec } from './registry.js';
import { tidyQty } from './render.js';

/** Lines per chat page. */
export const LEDGER_PAGE = 20;
/** The deepest page chat walks to (each page is one keyset read). */
const MAX_PAGE = 50;

/**
 * The period among `words` (the first word that reads as one), and the words left (the
 * product). A word meant as a date that is no date is refused with the reason.
 */
export function takePeriod(words: string[]): { period: PeriodSpec | null; word: string | null; rest: string[] } {
  for (let i = 0; i < words.length; i++) {
    let p: PeriodSpec | null;
    try {
      p = parsePeriod(words[i]);
    } catch (e) {
      throw new UsageError(`${e instanceof Error ? e.message : String(e)}。期间可写：${PERIOD_EXAMPLES}`);
    }
    if (p) return { period: p, word: words[i], rest: [...words.slice(0, i), ...words.slice(i + 1)] };
  }
  return { period: null, word: null, rest: words };
}

/** 页=N: a page number 1–50 (default 1). */
export function pageOption(v: string | undefined): number {
  if (v === undefined) return 1;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_PAGE) throw new UsageError(`页码「${v}」不对：写 1–${MAX_PAGE} 的整数，例如 页=2`);
  return n;
}

type Page = CostFiltered<MovePage>;

const signed = (qty: string, text: string) => (qty.startsWith('-') ? tidyQty(text) : `+${tidyQty(text)}`);
const bal = (b: MoveBalance | undefined) => (b ? tidyQty(b.qtyText) : '—');

export const ledgerCommands: readonly CommandSpec[] = [
  command({
    name: '流水',
    aliases: ['ledger', 'moves', '明细账', '出入库流水'],
    useCase: 'inventory.moves',
    hint: '按业务时间列出，先写期初结存，每行带结存',
    usage: '流水 <商品> [期间] [@仓库] [页=N]',
    example: ['流水 A001', '流水 A001 本月 @主仓库', '流水 螺丝M6 2026-11-01~2026-11-15', '流水 A001 近7天 页=2'],
    parse(args) {
      const a = parseArgs(args, { options: { 页: ['page', '页码'] } });
      if (a.mentions.length) throw new UsageError('流水不需要 @某人');
      const { period, word, rest } = takePeriod(a.positional);
      const product = rest.join(' ');
      if (!product) throw new UsageError(`请写商品，例如 流水 A001 本月（期间可写：${PERIOD_EXAMPLES}）`);
      if (product.length > 100) throw new UsageError('商品名太长');
      return { product, period, periodWord: word, warehouse: oneWarehouse(a.at), page: pageOption(a.options.get('页')) };
    },
    async run(ctx, { product, period, periodWord, warehouse, page }) {
      const p = await ctx.invoke<ProductView>({ product }, 'inventory.product-get');
      const tz = getAppTimezone();
      const range = period ? periodRange(period, isoDay(ctx.now, tz)) : null;
      const base = { product: p.id, ...(warehouse !== undefined ? { warehouse } : {}), ...(range ? { from: range.from, to: range.to } : {}), order: 'time', limit: LEDGER_PAGE };
      let r = await ctx.invoke<Page>(base);
      for (let n = 1; n < page; n++) {
        if (!r.nextCursor) return `流水只有 ${n} 页。`;
        r = await ctx.invoke<Page>({ ...base, cursor: r.nextCursor });
      }
      const scope = `${p.name}（${p.sku}）${warehouse ? ` @${warehouse}` : ' 全部仓库'}`;
      const out = [`📒 流水 ${scope} · ${range ? range.label : '全部'}${page > 1 ? ` · 第 ${page} 页` : ''}`];
      out.push(`${page > 1 ? '本页前结存' : '期初结存'}：${bal(r.opening)}`);
      if (!r.items.length) out.push(range ? '这段时间没有出入库。' : '还没有出入库。');
      for (const m of r.items) {
        // The line's own amount, next to its quantity: the running balance is a quantity (a value
        // per warehouse or batch is not kept), so the amount must not read as the 结存's.
        const value = m.valueFen === undefined ? '' : ` 金额 ${m.valueFen.startsWith('-') ? '' : '+'}${formatFen(m.valueFen)}`;
        const batch = m.batchNo ? ` 批次 ${m.batchNo}` : '';
        const qty = m.kind === 'cost_adjustment' ? '—' : signed(m.qty, m.qtyText);
        out.push(`${formatTime(m.businessTime, tz)} ${m.docNo} ${m.kindLabel} ${qty}${value} @${m.warehouseName}${batch} → 结存 ${bal(m.balanceAfter)}`);
      }
      if (r.nextCursor) {
        const again = ['流水', product, periodWord, warehouse ? `@${warehouse}` : null, `页=${page + 1}`].filter(Boolean).join(' ');
        out.push(`还有更多，下一页：${again}`);
      } else if (r.items.length) out.push(`期末结存：${bal(r.items[r.items.length - 1].balanceAfter)}`);
      return out.join('\n');
    },
  }),
];

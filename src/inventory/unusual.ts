/**
 * "Are you sure?" before posting a typo: a quantity far above what this product usually moves
 * (1000 typed for 100), a unit price far from its average cost — or, before the first receipt,
 * from the 进价 on file — (a price per 箱 typed where a price per 个 was meant), or a selling price
 * (出库 … 售价=) below the average cost or far from the 售价 on file. The rule lives here, once; every adapter asks it before posting and,
 * when it answers reasons, shows them and posts only after an explicit confirmation (cards: the
 * 确认 button; chat: the same card, or the command again with the word 确认).
 * Read-only (a Db or a Tx); thresholds come from the caller, and every caller reads them from
 * one place, the company setting `unusualEntrySetting` (default DEFAULT_UNUSUAL_SETTINGS): the
 * posting use cases through ctx.settings, chat and cards through bot/cards/settings.ts
 * unusualThresholds — so chat never asks about what REST posts, or the other way round.
 *
 * The posting use cases (use-cases/postings.ts) ask it themselves unless their input says
 * `confirm: true`, so REST is held like chat and cards; chat and the one-line form cards have
 * asked before they invoke (to show their confirmation card) and pass `confirm: true`; the
 * multi-line card (bot/cards/lines.ts) invokes without it and shows the use case's reasons.
 *
 * An issue or transfer that would take stock from an EXPIRED batch (named, or picked first by
 * FEFO) is held the same way (expiredBatchReasons): it may be meant (goods returned to the
 * supplier, scrapped), so it asks instead of refusing.
 */
import type { ReferenceOptions } from '../kernel/use-case.js';
import { z } from 'zod';
import type { Conn } from '../../db/types.js';
import { domainErrorWithFix, type DomainError } from '../errors.js';
import { defineSetting } from '../kernel/settings.js';
import type { Actor } from '../people/roles.js';
import { Dec } from '../shared/decimal.js';
import { formatPrice } from '../shared/money.js';
import { batchesOnHand, usualFacts, type BatchOnHand, type UsualFacts } from './history.js';
import { pickSequence } from './ledger.js';
import { getAppTimezone, isoDay } from '../shared/time.js';
import { atLine } from './line-errors.js';
import { receiptLineValue } from './prices.js';
import { type ProductView } from './products.js';
import { resolveProduct } from './product-lookup.js';
import type { IssueInput, ReceiptInput, TransferInput } from './schemas.js';
import { formatQty, parseQuantity } from './units.js';
import type { IssueKind } from './moves.js';
import { saleOfLine } from './sale-price.js';

export interface UnusualSettings {
  /** Unusual when qty > factor × the product's typical move of that kind. */
  unusualQtyFactor: number;
  /** How many recent moves make the "typical" move. */
  typicalMoves: number;
  /** Unusual when the unit price is more than this fraction away from the average cost (0.5 = 50 %). */
  priceDeviation: number;
}

export const DEFAULT_UNUSUAL_SETTINGS: UnusualSettings = { unusualQtyFactor: 10, typicalMoves: 20, priceDeviation: 0.5 };

/** The thresholds as a company setting (read by the posting use cases through ctx.settings). */
export const unusualEntrySetting = defineSetting<UnusualSettings>({
  key: 'inventory.unusual_entry',
  label: '异常录入提醒',
  schema: z.object({
    unusualQtyFactor: z.number().positive('倍数必须大于 0'),
    typicalMoves: z.number().int().min(1, '至少 1 笔').max(200, '最多 200 笔'),
    priceDeviation: z.number().positive('偏离比例必须大于 0'),
  }),
  default: DEFAULT_UNUSUAL_SETTINGS,
});

/**
 * The refusal of an unusual entry that was not confirmed: the reasons as chat lists them
 * (「请确认：这笔入库数据不太寻常。」 then 「• …」 per reason), nothing posted, and how to
 * confirm as data (details.fix { kind: 'confirm' }; each adapter words it). details.reasons: the
 * sentences.
 */
export function unusualEntryError(label: string, reasons: string[]): DomainError {
  return domainErrorWithFix('needs_confirmation', [`请确认：这笔${label}数据不太寻常。`, ...reasons.map((r) => `• ${r}`), '还没有记账。'].join('\n'), { kind: 'confirm' }, { reasons });
}

export interface UnusualEntry {
  product: Pick<ProductView, 'id' | 'baseUnit' | 'packUnit' | 'packFactor'>;
  /** Move kind whose history makes the typical quantity; null = no quantity check. */
  kind: string | null;
  /** Base units. */
  qtyBase: Dec;
  /** Fen per base unit (receipts with a price or amount); null/absent = no price check. */
  unitPriceFenPerBase?: Dec | null;
  /** A sales issue's selling price, fen per base unit (出库 … 售价=); null/absent = no sale check. */
  salePriceFenPerBase?: Dec | null;
}

/** The product's list prices (商品档案 进价 / 售价), fen per base unit: what an entry is compared with when nothing else is. */
export interface ListPrices {
  purchasePriceFen?: string | null;
  salePriceFen?: string | null;
}

/**
 * Why this entry is unusual, as Chinese sentences (empty: usual, post it), given the product's
 * usual facts (history.ts usualFacts). No history, or an average cost of 0, means nothing to
 * compare with: no reason.
 */
export function unusualReasons(e: UnusualEntry, facts: Pick<UsualFacts, 'typicalQty' | 'avgCost'>, s: UnusualSettings, list: ListPrices = {}): string[] {
  const reasons: string[] = [];
  const p = e.product;
  if (e.kind && facts.typicalQty !== null) {
    const typical = new Dec(facts.typicalQty);
    if (e.qtyBase.greaterThan(typical.times(s.unusualQtyFactor))) {
      reasons.push(`数量 ${formatQty(p, e.qtyBase)} 超过这个商品平时单次数量（约 ${formatQty(p, typical.toDecimalPlaces(2))}）的 ${s.unusualQtyFactor} 倍`);
    }
  }
  const limit = new Dec(s.priceDeviation).times(100);
  /** "与平均成本 ¥0.35/个 相差 99%（超过 50%）" when `price` is farther than the setting from `ref`. */
  const apart = (price: Dec, ref: Dec, refLabel: string): string | null => {
    const dev = price.minus(ref).abs().dividedBy(ref);
    if (!dev.greaterThan(s.priceDeviation)) return null;
    const refText = `${refLabel} ${formatPrice(ref)}/${p.baseUnit}`;
    // Ten times or more apart reads better as a multiple than as 499900%: a price per 盘 typed per 个.
    if (price.greaterThanOrEqualTo(ref.times(10))) return `是${refText} 的 ${price.dividedBy(ref).toDecimalPlaces(0).toFixed()} 倍（价格按数量所写的单位计：请核对是每${p.baseUnit}还是每包/每箱的价）`;
    if (ref.greaterThanOrEqualTo(price.times(10))) return `只有${refText} 的 1/${ref.dividedBy(price).toDecimalPlaces(0).toFixed()}（价格按数量所写的单位计：请核对是每${p.baseUnit}还是每包/每箱的价）`;
    return `与${refText} 相差 ${percentAbove(dev.times(100), limit)}%（超过 ${limit.toFixed()}%）`;
  };
  const positive = (fen: string | null | undefined): Dec | null => (fen != null && new Dec(fen).greaterThan(0) ? new Dec(fen) : null);
  if (e.unitPriceFenPerBase != null) {
    // The average cost when there is one; before the first receipt, the 进价 on file (a price per
    // 盘 typed as per 个 would otherwise become the average every later receipt is judged by).
    const avg = positive(facts.avgCost);
    const ref = avg ?? positive(list.purchasePriceFen);
    const why = ref && apart(e.unitPriceFenPerBase, ref, avg ? '平均成本' : '商品进价');
    if (why) reasons.push(`单价 ${formatPrice(e.unitPriceFenPerBase)}/${p.baseUnit} ${why}`);
  }
  if (e.salePriceFenPerBase != null) {
    const sale = e.salePriceFenPerBase;
    const avg = positive(facts.avgCost);
    const listSale = positive(list.salePriceFen);
    if (avg && sale.lessThan(avg)) {
      reasons.push(`售价 ${formatPrice(sale)}/${p.baseUnit} 低于平均成本 ${formatPrice(avg)}/${p.baseUnit}：这笔是亏本卖出`);
    }
    const why = listSale && apart(sale, listSale, '商品售价');
    if (why) reasons.push(`售价 ${formatPrice(sale)}/${p.baseUnit} ${why}`);
  }
  return reasons;
}

/**
 * A percentage known to exceed `threshold`, shown with as few decimals as still show that it
 * does: 73.4 → "73", but 50.15 over 50 → "50.2" (not "相差 50%（超过 50%）"), 50.04 → "50.04".
 */
export function percentAbove(pct: Dec, threshold: Dec): string {
  for (let dp = 0; dp < 6; dp++) {
    const shown = pct.toDecimalPlaces(dp);
    if (shown.greaterThan(threshold)) return shown.toFixed();
  }
  return pct.toDecimalPlaces(6).toFixed();
}

export type PostingFlow = 'receipt' | 'issue' | 'transfer';
type FlowInput = { receipt: ReceiptInput; issue: IssueInput; transfer: TransferInput };

/**
 * The unusual-entry check of a posting's input before it is posted: every line. Resolves each
 * line's product (an ambiguous name throws DomainError('ambiguous') with candidates, as the
 * posting would), reads the quantity and the price with the same rules as the service
 * (precision and unit errors throw the same DomainError; with several lines it names the line,
 * 「第 n 行：…」, as the posting does), and returns the FIRST line's product with the reasons
 * of all lines — with several lines each reason starts 「第 n 行：」, with one line it reads as
 * it always did. One line costs what it always did (a product lookup and one usualFacts
 * statement: chat's hot path); several lines cost that per line.
 */
export async function checkUnusualPosting<F extends PostingFlow>(
  conn: Conn,
  actor: Actor,
  flow: F,
  input: Omit<FlowInput[F], 'idempotencyKey'>,
  s: UnusualSettings,
  opts: ReferenceOptions = {},
): Promise<{ product: ProductView; reasons: string[] }> {
  const lines = input.lines as ReceiptInput['lines'];
  const count = lines.length;
  let first: ProductView | null = null;
  const reasons: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await checkLine(conn, actor, flow, input, lines[i], s, opts, i + 1, count);
    first ??= r.product;
    reasons.push(...(count > 1 ? r.reasons.map((x) => `第 ${i + 1} 行：${x}`) : r.reasons));
  }
  if (!first) throw new Error('checkUnusualPosting: a posting without lines (the schema requires one)');
  return { product: first, reasons };
}

/** One line of checkUnusualPosting: line `n` of `count` (errors name it when count > 1). */
async function checkLine<F extends PostingFlow>(
  conn: Conn,
  actor: Actor,
  flow: F,
  input: Omit<FlowInput[F], 'idempotencyKey'>,
  line: ReceiptInput['lines'][number],
  s: UnusualSettings,
  opts: ReferenceOptions,
  n: number,
  count: number,
): Promise<{ product: ProductView; reasons: string[] }> {
  let product: ProductView;
  let qtyBase: Dec;
  let price: Dec | null = null;
  let sale: Dec | null = null;
  try {
    // Matched like the posting will be (exact over REST): never a question about another product.
    product = await resolveProduct(conn, line.product, opts);
    if (flow === 'receipt') {
      const v = receiptLineValue(product, line.qty, { unitPrice: line.unitPrice, unitCostFen: line.unitCostFen, amountFen: line.amountFen == null ? null : BigInt(line.amountFen) });
      qtyBase = v.qtyBase;
      price = v.unitPriceFenPerBase;
    } else {
      qtyBase = new Dec(parseQuantity(product, line.qty));
      const salePrice = (line as { salePrice?: string }).salePrice;
      // A price the rule refuses (or on a 领用) is the posting's refusal, not a question: left to it.
      if (flow === 'issue' && salePrice) {
        const kind = (input as { kind?: IssueKind }).kind ?? 'sales_issue';
        if (kind === 'sales_issue') sale = saleOfLine(kind, product, line.qty, qtyBase, salePrice)?.perBase ?? null;
      }
    }
  } catch (e) {
    throw atLine(e, n, count);
  }
  const kind = flow === 'transfer' ? 'transfer_out' : ((input as { kind?: string }).kind ?? (flow === 'receipt' ? 'purchase_receipt' : 'sales_issue'));
  const from = input as { warehouse?: number | string; from?: number | string };
  const warehouse = flow === 'transfer' ? from.from : from.warehouse;
  const facts = await usualFacts(conn, actor, { productId: product.id, kind, moves: s.typicalMoves, warehouse });
  // More than is on hand will be refused by the posting with the stock it has (库存不足):
  // asking "are you sure?" first would only make the user confirm a refusal.
  if (flow !== 'receipt' && qtyBase.greaterThan(facts.onHand)) return { product, reasons: [] };
  const reasons = unusualReasons({ product, kind, qtyBase, unitPriceFenPerBase: price, salePriceFenPerBase: sale }, facts, s, product);
  if (flow !== 'receipt' && product.batchTracked) {
    const on = await batchesOnHand(conn, { productId: product.id, warehouse, timeZone: getAppTimezone() });
    const day = input.businessTime == null ? on.today : isoDayOf(input.businessTime);
    reasons.push(...expiredBatchReasons(product, on.rows, qtyBase, line.batchNo, day));
  }
  return { product, reasons };
}

/** "2026-11-25": the business day of a posting time (a Date, or what z.coerce.date reads) in the app's time zone. */
const isoDayOf = (t: unknown): string => isoDay(t instanceof Date ? t : new Date(String(t)));

/**
 * Issuing an EXPIRED batch asks first (issue 10 item 8): the named batch, or the batches the
 * posting would pick (the ledger's order, ledger.ts pickOrder: FEFO puts an expired batch
 * first), when one's expiry day is before the posting's business day `today` (it may still
 * leave on its last day). One sentence per expired batch; none when nothing picked is expired.
 * A batch that does not exist, or too little stock, is left to the posting (its own refusal).
 */
export function expiredBatchReasons(p: Pick<ProductView, 'baseUnit' | 'packUnit' | 'packFactor'>, rows: BatchOnHand[], qtyBase: Dec, batchNo: string | undefined, today: string): string[] {
  const expired = (r: BatchOnHand) => r.expiresOn !== null && r.expiresOn < today;
  const said = (r: BatchOnHand, q: Dec) => `批次「${r.batchNo}」已过期（到期 ${r.expiresOn}），这次要从它发出 ${formatQty(p, q)}`;
  if (batchNo !== undefined) {
    const r = rows.find((x) => x.batchNo === batchNo);
    return r && expired(r) ? [said(r, qtyBase)] : [];
  }
  // The ledger's own sequence: good batches first, expired ones only for what they do not cover.
  const order = pickSequence(rows, today);
  const out: string[] = [];
  let left = qtyBase;
  for (const r of order) {
    if (!left.greaterThan(0)) break;
    const take = Dec.min(new Dec(r.qty), left);
    left = left.minus(take);
    if (expired(r)) out.push(`${said(r, take)}：没有过期的库存不够这次出库（不够的部分只能从过期批次出）`);
  }
  return out;
}

/**
 * Stocktake (盘点). Open a count for a warehouse (all products or a list), record counted
 * quantities (entries add up: shelf by shelf, person by person), look at the variances, post.
 *
 * - One open stocktake per warehouse (checked under a per-warehouse advisory lock).
 * - The count's number (PD20261125-0001) is also the number of the document it posts.
 * - An absent count is not a zero count. Posting adjusts a product/batch only when it was
 *   counted (has entries; an entry may be 0) or when counting was declared complete:
 *     · per product (盘点 完成 <商品>, or the 完成 flag on an entry): its batches nobody counted
 *       count as 0 (written off);
 *     · for the whole stocktake (全盘, at opening, any time before posting, or with the posting):
 *       every product and batch in scope nobody counted counts as 0. For a whole-warehouse
 *       count that is every product with stock in the warehouse.
 *   Without a declaration, an uncounted batch of a counted product and an uncounted product are
 *   left as they are, and the variance view lists them apart (uncountedBatches / uncounted).
 * - Entries are append-only. A correction is an entry too: 减 (subtract) writes −qty and is
 *   refused when the product/batch total would go below 0; 设为 (set) writes the difference.
 * - Variances are computed at POSTING time against the locked balances (not the view's).
 *   A gain is valued at the moving average, or the purchase price when there is no average;
 *   a loss leaves by the issue rule (valuation.ts).
 * - A product that moved in this warehouse after the count opened (stock_moves.id >
 *   opened_at_move_id) makes the count suspect: posting is refused unless `force` is set.
 *   Under 全盘 of a whole warehouse every product of the warehouse is checked (an uncounted one
 *   would be written off).
 */
import { and, eq, sql } from 'drizzle-orm';
import { stocktakeEntries, stocktakes } from '../../db/schema.js';
import { execRows, type Conn, type Db, type Tx } from '../../db/types.js';
import { DomainError, domainErrorWithFixIn } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { writeAudit } from '../audit/index.js';
import { Dec, ZERO, qtyText } from '../shared/decimal.js';
import { findReplay, postMaybeEmpty, type EnsureRow } from './engine.js';
import type { PostingResult } from './documents.js';
import { nextDocNo } from '../kernel/numbering.js';
import { productLabel } from './products.js';
import { loadProductInfos, resolveProducts } from './resolve.js';
import {
  openStocktakeSchema,
  parseInput,
  postStocktakeSchema,
  recordCountSchema,
  stocktakeCompleteSchema,
  stocktakeRefSchema,
  type CountMode,
  type OpenStocktakeInput,
  type PostStocktakeInput,
  type RecordCountInput,
  type StocktakeCompleteInput,
} from './schemas.js';
import { formatQty, parseQuantity } from './units.js';
import { applyMove, emptyValuation, enteredCostRange, issueValue, receiptValue, type Valuation } from './valuation.js';
import { resolveWarehouse } from './warehouses.js';
import type { ReferenceOptions } from '../kernel/use-case.js';
import type { ProductInfo } from './ledger.js';
import { businessTimeOr } from './business-time.js';

export interface StocktakeView {
  id: number;
  docNo: string;
  warehouseId: number;
  warehouseName: string;
  status: 'open' | 'posted' | 'cancelled';
  productIds: number[] | null;
  openedAt: string;
  openedAtMoveId: number;
  postedDocId: number | null;
  postedAt: string | null;
  /** 全盘: everything in scope nobody counted counts as 0 at posting. */
  complete: boolean;
  /** Products declared complete one by one: their uncounted batches count as 0. */
  completeProductIds: number[];
}

export interface VarianceLine {
  productId: number;
  sku: string;
  name: string;
  batchNo: string;
  bookQty: string;
  countedQty: string;
  /** counted − book; + gain (盘盈), − loss (盘亏). */
  varianceQty: string;
  varianceText: string;
  /** Estimated value of the variance at the current average, fen (posting recomputes it). */
  varianceValueFen: string;
  /**
   * Nobody counted this batch/product: it counts as 0 only because the product (or the whole
   * stocktake, 全盘) was declared complete. Views say so, so a write-off is never a surprise.
   */
  assumedZero: boolean;
}

export interface UncountedBatch {
  productId: number;
  sku: string;
  name: string;
  batchNo: string;
  bookQty: string;
}

export interface StocktakeReport {
  stocktake: StocktakeView;
  /** What posting would adjust (counted, or uncounted but declared complete), per product/batch. */
  lines: VarianceLine[];
  /**
   * Batches on the books of a COUNTED product that nobody counted, the product not declared
   * complete: not adjusted when posting (an absent count is not a zero count).
   */
  uncountedBatches: UncountedBatch[];
  /** In scope, with stock on the books, no entry, not declared complete: not adjusted when posting. */
  uncounted: { productId: number; sku: string; name: string; bookQty: string }[];
  /** Products declared complete (盘点 完成 <商品>). */
  completeProducts: { productId: number; sku: string; name: string }[];
  /** Moved in this warehouse after the count opened: posting needs `force`. */
  moved: { productId: number; sku: string; name: string }[];
  totalGainFen: string;
  totalLossFen: string;
}

type StRow = typeof stocktakes.$inferSelect;

async function view(conn: Conn, st: StRow): Promise<StocktakeView> {
  const [w] = await execRows<{ name: string }>(conn, sql`select name from warehouses where id = ${st.warehouseId}`);
  return {
    id: st.id,
    docNo: st.docNo,
    warehouseId: st.warehouseId,
    warehouseName: w?.name ?? '',
    status: st.status as StocktakeView['status'],
    productIds: st.productIds ?? null,
    openedAt: st.openedAt.toISOString(),
    openedAtMoveId: Number(st.openedAtMoveId),
    postedDocId: st.postedDocId,
    postedAt: st.postedAt ? st.postedAt.toISOString() : null,
    complete: st.complete,
    completeProductIds: completeIds(st),
  };
}

function completeIds(st: StRow): number[] {
  return Array.isArray(st.completeProductIds) ? st.completeProductIds.map(Number) : [];
}

const inScope = (st: StRow, productId: number) => !st.productIds || st.productIds.includes(productId);

async function loadStocktake(conn: Conn, ref: number | string, lock = false): Promise<StRow> {
  const cond = typeof ref === 'number' ? eq(stocktakes.id, ref) : eq(stocktakes.docNo, ref.trim().toUpperCase());
  const q = conn.select().from(stocktakes).where(cond);
  const [st] = lock ? await q.for('update') : await q;
  if (!st) throw new DomainError('not_found', `找不到盘点单「${ref}」。`, { stocktake: ref });
  return st;
}

function requireOpen(st: StRow): void {
  if (st.status !== 'open') {
    throw new DomainError('conflict', `盘点单 ${st.docNo} 已${st.status === 'posted' ? '过账' : '取消'}，不能再修改。`, { docNo: st.docNo, status: st.status });
  }
}

/** Per-warehouse lock key: opening two counts of one warehouse at once cannot both succeed. */
const STOCKTAKE_LOCK = 0x4a5354;

/**
 * Open a count. `complete: true` declares 全盘 from the start (everything in scope nobody counts
 * is written off at posting). `opts.now` dates its number (PD<day>-…; default: the database's
 * clock), `opts.timeZone` decides that day (default APP_TIMEZONE). Errors: conflict (the
 * warehouse already has an open count).
 */
export async function openStocktake(db: Conn, actor: Actor, input: OpenStocktakeInput, opts: { now?: Date; timeZone?: string } & ReferenceOptions = {}): Promise<StocktakeView> {
  const data = parseInput(openStocktakeSchema, input);
  requirePermission(actor, 'stock.count');
  const wh = await resolveWarehouse(db, data.warehouse, { createDefault: true, actor, references: opts.references });
  const productIds = data.products?.length ? [...new Set((await resolveProducts(db, data.products, opts)).map((p) => p.id))].sort((a, b) => a - b) : null;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${STOCKTAKE_LOCK}, ${wh.id})`);
    const [open] = await tx.select().from(stocktakes).where(and(eq(stocktakes.warehouseId, wh.id), eq(stocktakes.status, 'open')));
    if (open) {
      throw new DomainError('conflict', `「${wh.name}」已有进行中的盘点 ${open.docNo}，请先过账或取消它。`, { docNo: open.docNo, stocktakeId: open.id });
    }
    // The watermark for "moved after the count opened". A posting still in flight right now
    // gets an id below it and is not flagged; the variance is computed against the balances
    // locked at posting time anyway, so the count is never applied to a stale book quantity.
    const [{ max }] = await execRows<{ max: string | number }>(tx, sql`select coalesce(max(id), 0) as max from stock_moves`);
    const docNo = await nextDocNo(tx, 'PD', await businessTimeOr(tx, opts.now), opts.timeZone);
    const [st] = await tx
      .insert(stocktakes)
      .values({ docNo, warehouseId: wh.id, productIds, openedBy: actor.userId, openedAtMoveId: Number(max), complete: data.complete })
      .returning();
    await writeAudit(tx, actor, { action: 'open', entity: 'stocktake', entityId: st.docNo, after: st });
    return view(tx, st);
  });
}

export interface RecordCountResult {
  stocktake: StocktakeView;
  productId: number;
  sku: string;
  name: string;
  batchNo: string;
  mode: CountMode;
  /** The entry written, base units, signed (a subtract is negative; a set is the difference). */
  entryQty: string;
  /** The product/batch total before this entry, base units. */
  previousQty: string;
  /** The running total after it, base units, and as text with units. */
  countedQty: string;
  countedText: string;
  /** The product is (now) declared complete, or the whole stocktake is (全盘). */
  complete: boolean;
}

/**
 * Record a counted quantity of one product/batch (qty may be 0: "looked, none here").
 * mode add (default) appends qty; subtract appends −qty; set appends the difference to the
 * current total. The total may never go below 0: refused (invalid_input) with nothing written.
 * `complete: true` also declares the product complete (its uncounted batches count as 0).
 * The stocktake row is locked, so concurrent entries of one count are serialised and the
 * "never below 0" check holds.
 */
export async function recordCount(db: Conn, actor: Actor, input: RecordCountInput, opts: ReferenceOptions = {}): Promise<RecordCountResult> {
  const data = parseInput(recordCountSchema, input);
  requirePermission(actor, 'stock.count');
  const st0 = await loadStocktake(db, data.stocktake);
  requireOpen(st0);
  const [p] = await resolveProducts(db, [data.product], opts);
  if (!inScope(st0, p.id)) {
    throw new DomainError('invalid_input', `${productLabel(p)} 不在盘点单 ${st0.docNo} 的范围内。`, { productId: p.id });
  }
  // Units and decimal places are the product's own (units.ts); 减 0 would change nothing.
  const qty = new Dec(parseQuantity(p, data.qty, { allowZero: data.mode !== 'subtract' }));
  let batchNo = '';
  if (p.batchTracked) {
    if (!data.batchNo) throw new DomainError('invalid_input', `${productLabel(p)} 按批次管理，请注明盘点的批次号，例如：盘点 录入 ${p.sku} 8 批次=20260101。`);
    batchNo = data.batchNo;
  } else if (data.batchNo) throw new DomainError('invalid_input', `「${p.name}」不按批次管理，请不要填写批次号。要记批号和有效期，请在商品档案里开启「批次管理」（第一次出入库之前才能开启）。`);
  return db.transaction(async (tx) => {
    const st = await loadStocktake(tx, st0.id, true);
    requireOpen(st);
    const [{ total }] = await execRows<{ total: string }>(
      tx,
      sql`select coalesce(sum(e.qty), 0)::text as total from stocktake_entries e join batches b on b.id = e.batch_id
          where e.stocktake_id = ${st.id} and e.product_id = ${p.id} and b.batch_no = ${batchNo}`,
    );
    const before = new Dec(total);
    if (p.batchTracked && !data.newBatch && before.isZero()) await requireKnownBatch(tx, p, st.warehouseId, batchNo);
    const entry = data.mode === 'add' ? qty : data.mode === 'subtract' ? qty.negated() : qty.minus(before);
    const after = before.plus(entry);
    if (after.isNegative()) {
      const where = batchNo ? `批次 ${batchNo} ` : '';
      throw new DomainError(
        'invalid_input',
        `「${p.name}」${where}累计实盘 ${formatQty(p, before)}，不能减 ${formatQty(p, qty)}：累计实盘不能小于 0。要改成正确的数，请用「设为」，例如：盘点 录入 ${p.sku} 设为 ${qtyText(before)}${batchNo ? ` 批次=${batchNo}` : ''}。`,
        { productId: p.id, batchNo, countedQty: qtyText(before), subtract: qtyText(qty) },
      );
    }
    // A batch found on the shelf but unknown to the books is created here (FIFO key: now).
    await tx.execute(sql`insert into batches (product_id, batch_no) values (${p.id}, ${batchNo}) on conflict do nothing`);
    const [b] = await execRows<{ id: number }>(tx, sql`select id from batches where product_id = ${p.id} and batch_no = ${batchNo}`);
    const [row] = await tx.insert(stocktakeEntries).values({ stocktakeId: st.id, productId: p.id, batchId: b.id, qty: qtyText(entry), actorId: actor.userId }).returning();
    let cur = st;
    if (data.complete && !completeIds(st).includes(p.id)) cur = await setCompleteIds(tx, st, [...completeIds(st), p.id]);
    await writeAudit(tx, actor, { action: 'count', entity: 'stocktake', entityId: st.docNo, after: { ...row, mode: data.mode, complete: data.complete } });
    return {
      stocktake: await view(tx, cur),
      productId: p.id,
      sku: p.sku,
      name: p.name,
      batchNo,
      mode: data.mode,
      entryQty: qtyText(entry),
      previousQty: qtyText(before),
      countedQty: qtyText(after),
      countedText: formatQty(p, after),
      complete: cur.complete || completeIds(cur).includes(p.id),
    };
  });
}

/**
 * A batch counted for the first time in this stocktake must be in the books of the warehouse
 * (a balance row, even at 0), unless the user said it is new (newBatch). Why: 批次=2503C typed
 * for 2503B would otherwise post a gain in a phantom batch and leave the real one uncounted.
 */
async function requireKnownBatch(tx: Tx, p: ProductInfo, warehouseId: number, batchNo: string): Promise<void> {
  const rows = await execRows<{ batch_no: string; qty: string }>(
    tx,
    sql`select bt.batch_no, sb.qty::text as qty from stock_balances sb join batches bt on bt.id = sb.batch_id
        where sb.product_id = ${p.id} and sb.warehouse_id = ${warehouseId} order by bt.batch_no`,
  );
  if (rows.some((r) => r.batch_no === batchNo)) return;
  const held = rows.filter((r) => new Dec(r.qty).greaterThan(0)).map((r) => `${r.batch_no}（${formatQty(p, r.qty)}）`);
  throw new DomainError(
    'invalid_input',
    `账上没有${productLabel(p)}的批次「${batchNo}」（本仓现有批次：${held.join('、') || '无'}）。请检查批次号；如确实是新发现的批次，请加「新批次」，例如：盘点 录入 ${p.sku} 5 批次=${batchNo} 新批次。`,
    { productId: p.id, batchNo, knownBatches: rows.map((r) => r.batch_no) },
  );
}

async function setCompleteIds(tx: Tx, st: StRow, ids: number[]): Promise<StRow> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const [row] = await tx.update(stocktakes).set({ completeProductIds: sorted }).where(eq(stocktakes.id, st.id)).returning();
  return row;
}

/**
 * Declare counting complete (or withdraw it with complete: false): for one product, whose
 * batches nobody counted then count as 0 at posting, or without a product for the whole
 * stocktake (全盘). Nothing moves until posting; the variance view shows the write-offs.
 * Errors: not_found, conflict (not open), invalid_input (product out of scope).
 */
export async function setStocktakeComplete(
  db: Conn,
  actor: Actor,
  input: StocktakeCompleteInput,
  opts: ReferenceOptions = {},
): Promise<{ stocktake: StocktakeView; product: { id: number; sku: string; name: string } | null; complete: boolean }> {
  const data = parseInput(stocktakeCompleteSchema, input);
  requirePermission(actor, 'stock.count');
  const p = data.product === undefined ? null : (await resolveProducts(db, [data.product], opts))[0];
  return db.transaction(async (tx) => {
    const st = await loadStocktake(tx, data.stocktake, true);
    requireOpen(st);
    let row: StRow;
    if (p) {
      if (!inScope(st, p.id)) throw new DomainError('invalid_input', `${productLabel(p)} 不在盘点单 ${st.docNo} 的范围内。`, { productId: p.id });
      const ids = completeIds(st).filter((i) => i !== p.id);
      row = await setCompleteIds(tx, st, data.complete ? [...ids, p.id] : ids);
    } else {
      [row] = await tx.update(stocktakes).set({ complete: data.complete }).where(eq(stocktakes.id, st.id)).returning();
    }
    await writeAudit(tx, actor, {
      action: data.complete ? 'complete' : 'incomplete',
      entity: 'stocktake',
      entityId: st.docNo,
      before: { complete: st.complete, completeProductIds: completeIds(st) },
      after: { complete: row.complete, completeProductIds: completeIds(row) },
    });
    return { stocktake: await view(tx, row), product: p ? { id: p.id, sku: p.sku, name: p.name } : null, complete: data.complete };
  });
}

/** product → batchNo → counted total (only product/batches with at least one entry). */
async function countedTotals(conn: Conn, st: StRow): Promise<Map<number, Map<string, Dec>>> {
  const rows = await execRows<{ product_id: number; batch_no: string; qty: string }>(
    conn,
    sql`select e.product_id, b.batch_no, sum(e.qty)::text as qty from stocktake_entries e join batches b on b.id = e.batch_id
        where e.stocktake_id = ${st.id} group by e.product_id, b.batch_no order by e.product_id, b.batch_no`,
  );
  const out = new Map<number, Map<string, Dec>>();
  for (const r of rows) {
    const m = out.get(r.product_id) ?? new Map<string, Dec>();
    m.set(r.batch_no, new Dec(r.qty));
    out.set(r.product_id, m);
  }
  return out;
}

/**
 * The one rule of what posting does to a product's batches, used by the view and the posting:
 * a counted batch goes to its count; an uncounted one goes to 0 when the product is complete
 * (target 0, assumedZero) and is left alone otherwise (target null).
 */
function batchTargets(book: Map<string, Dec>, counted: Map<string, Dec> | undefined, complete: boolean): { batchNo: string; book: Dec; target: Dec | null; assumedZero: boolean }[] {
  const batchNos = [...new Set([...book.keys(), ...(counted?.keys() ?? [])])].sort();
  return batchNos.map((bn) => {
    const bq = book.get(bn) ?? ZERO;
    const cq = counted?.get(bn);
    if (cq !== undefined) return { batchNo: bn, book: bq, target: cq, assumedZero: false };
    return { batchNo: bn, book: bq, target: complete ? ZERO : null, assumedZero: complete };
  });
}

/**
 * Products posting adjusts: counted ones, those declared complete and, under 全盘, every product
 * in scope with stock in the warehouse. Sorted ids.
 */
async function productsInPlay(conn: Conn, st: StRow, counted: Map<number, unknown>, complete: boolean): Promise<number[]> {
  const ids = new Set<number>(counted.keys());
  for (const i of completeIds(st)) if (inScope(st, i)) ids.add(i);
  if (complete) {
    const rows = await execRows<{ product_id: number }>(
      conn,
      sql`select distinct product_id from stock_balances where warehouse_id = ${st.warehouseId} and qty <> 0
          ${st.productIds ? sql`and product_id in (${sql.join(st.productIds.map((i) => sql`${i}::int`), sql`, `)})` : sql``}`,
    );
    for (const r of rows) ids.add(r.product_id);
    for (const i of st.productIds ?? []) ids.add(i);
  }
  return [...ids].sort((a, b) => a - b);
}

const productComplete = (st: StRow, complete: boolean, productId: number) => complete || completeIds(st).includes(productId);

async function movedSince(conn: Conn, st: StRow, productIds: number[] | null): Promise<{ productId: number; sku: string; name: string }[]> {
  if (productIds && productIds.length === 0) return [];
  const rows = await execRows<{ id: number; sku: string; name: string }>(
    conn,
    sql`select distinct p.id, p.sku, p.name from stock_moves m join products p on p.id = m.product_id
        where m.warehouse_id = ${st.warehouseId} and m.id > ${Number(st.openedAtMoveId)}
        ${productIds ? sql`and m.product_id in (${sql.join(productIds.map((i) => sql`${i}::int`), sql`, `)})` : sql``}
        order by p.id`,
  );
  return rows.map((r) => ({ productId: r.id, sku: r.sku, name: r.name }));
}

/**
 * Book vs counted per product/batch, with the variance valued at today's average. Lists apart
 * what posting will NOT change: uncounted batches of counted products, uncounted products.
 */
export async function stocktakeReport(db: Conn, actor: Actor, ref: number | string): Promise<StocktakeReport> {
  requirePermission(actor, 'stock.view');
  const st = await loadStocktake(db, parseInput(stocktakeRefSchema, ref));
  const counted = await countedTotals(db, st);
  const book = await execRows<{ product_id: number; batch_no: string; qty: string }>(
    db,
    sql`select b.product_id, bt.batch_no, b.qty::text as qty
        from stock_balances b join batches bt on bt.id = b.batch_id
        where b.warehouse_id = ${st.warehouseId}
        ${st.productIds ? sql`and b.product_id in (${sql.join(st.productIds.map((i) => sql`${i}::int`), sql`, `)})` : sql``}
        order by b.product_id, b.batch_id`,
  );
  const bookBy = new Map<number, Map<string, Dec>>();
  for (const r of book) {
    const m = bookBy.get(r.product_id) ?? new Map<string, Dec>();
    m.set(r.batch_no, new Dec(r.qty));
    bookBy.set(r.product_id, m);
  }
  const inPlay = await productsInPlay(db, st, counted, st.complete);
  const allIds = [...new Set([...inPlay, ...bookBy.keys()])];
  const infos = new Map((await loadProductInfos(db, allIds)).map((p) => [p.id, p]));
  // The preview values each line as the posting will (Ledger receive/issue, in the same order,
  // each line applied before the next, cost range included), so it shows the amounts to the fen.
  const vals = new Map<number, Valuation>();
  if (inPlay.length) {
    const vr = await execRows<{ product_id: number; qty: string; value_fen: string; avg_cost: string; min_cost: string | null; max_cost: string | null }>(
      db,
      sql`select product_id, qty::text as qty, value_fen::text as value_fen, avg_cost::text as avg_cost, min_cost::text as min_cost, max_cost::text as max_cost
          from stock_valuations where product_id in (${sql.join(inPlay.map((i) => sql`${i}::int`), sql`, `)})`,
    );
    for (const r of vr) {
      vals.set(r.product_id, {
        qty: new Dec(r.qty),
        valueFen: BigInt(r.value_fen),
        avgCost: new Dec(r.avg_cost),
        minCost: r.min_cost == null ? null : new Dec(r.min_cost),
        maxCost: r.max_cost == null ? null : new Dec(r.max_cost),
      });
    }
  }
  const lines: VarianceLine[] = [];
  const uncountedBatches: UncountedBatch[] = [];
  let gain = 0n;
  let loss = 0n;
  for (const pid of inPlay) {
    const p = infos.get(pid)!;
    let v: Valuation = vals.get(pid) ?? emptyValuation();
    for (const t of batchTargets(bookBy.get(pid) ?? new Map(), counted.get(pid), productComplete(st, st.complete, pid))) {
      if (t.target === null) {
        if (!t.book.isZero()) uncountedBatches.push({ productId: pid, sku: p.sku, name: p.name, batchNo: t.batchNo, bookQty: qtyText(t.book) });
        continue;
      }
      const diff = t.target.minus(t.book);
      if (diff.isZero() && t.book.isZero()) continue;
      let value = 0n;
      if (diff.greaterThan(0)) {
        value = receiptValue(diff, gainCost(p, v.avgCost));
        v = applyMove(v, diff, value, enteredCostRange(diff, value));
      } else if (diff.lessThan(0)) {
        value = -issueValue(v, diff.negated());
        v = applyMove(v, diff, value);
      }
      if (value > 0n) gain += value;
      else loss += value;
      lines.push({
        productId: pid,
        sku: p.sku,
        name: p.name,
        batchNo: t.batchNo,
        bookQty: qtyText(t.book),
        countedQty: qtyText(t.target),
        varianceQty: qtyText(diff),
        varianceText: formatQty(p, diff),
        varianceValueFen: value.toString(),
        assumedZero: t.assumedZero,
      });
    }
  }
  const played = new Set(inPlay);
  const uncounted: StocktakeReport['uncounted'] = [];
  for (const [pid, batches] of bookBy) {
    if (played.has(pid)) continue;
    const total = [...batches.values()].reduce((s, q) => s.plus(q), ZERO);
    const p = infos.get(pid)!;
    if (!total.isZero()) uncounted.push({ productId: pid, sku: p.sku, name: p.name, bookQty: qtyText(total) });
  }
  const completeProducts = completeIds(st)
    .map((i) => infos.get(i))
    .filter((p): p is ProductInfo => Boolean(p))
    .map((p) => ({ productId: p.id, sku: p.sku, name: p.name }));
  return {
    stocktake: await view(db, st),
    lines,
    uncountedBatches,
    uncounted,
    completeProducts,
    moved: await movedSince(db, st, st.productIds),
    totalGainFen: gain.toString(),
    totalLossFen: loss.toString(),
  };
}

/** Gain valuation: the moving average, or the purchase price when there is none. */
function gainCost(p: ProductInfo, avg: Dec): Dec {
  if (avg.greaterThan(0)) return avg;
  return new Dec(p.purchasePriceFen ?? 0);
}

function movedMessage(st: StRow, moved: { sku: string; name: string }[]): DomainError {
  return domainErrorWithFixIn(
    'stale',
    { kind: 'force' },
    (w) => `盘点 ${st.docNo} 开始后，以下商品在本仓库有出入库，账面数已变化：${moved.map((m) => `${m.name}（${m.sku}）`).join('、')}。请核对后重新清点这些商品；确认无误要照常过账，${w}。`,
    { docNo: st.docNo, moved },
  );
}

export interface PostStocktakeResult {
  stocktake: StocktakeView;
  /** The PD document with the variance moves; null when nothing differed. */
  posting: PostingResult | null;
}

/**
 * Post the count: one PD document with a gain/loss move per adjusted batch (see the file
 * comment for what is adjusted). `complete: true` declares 全盘 with the posting (stored on
 * the stocktake). Errors: stale (moved since opening, without force), conflict (not open).
 */
export async function postStocktake(db: Conn, actor: Actor, input: PostStocktakeInput): Promise<PostStocktakeResult> {
  const data = parseInput(postStocktakeSchema, input);
  requirePermission(actor, 'stock.count');
  const replay = await findReplay(db, data.idempotencyKey, 'stocktake');
  if (replay) {
    const st = await loadStocktake(db, replay.document.docNo);
    return { stocktake: await view(db, st), posting: replay };
  }
  const st = await loadStocktake(db, data.stocktake);
  // Posted without any variance (no document to replay): posting again answers the same.
  if (st.status === 'posted' && st.postedDocId == null) return { stocktake: await view(db, st), posting: null };
  requireOpen(st);
  const complete = st.complete || data.complete;
  const counted = await countedTotals(db, st);
  const inPlay = await productsInPlay(db, st, counted, complete);
  const infos = new Map((await loadProductInfos(db, inPlay)).map((p) => [p.id, p]));
  const wh = await resolveWarehouse(db, st.warehouseId);
  const ensure: EnsureRow[] = [...counted].flatMap(([pid, batches]) => [...batches.keys()].map((bn) => ({ productId: pid, warehouseId: st.warehouseId, batchNo: bn })));
  const businessTime = await businessTimeOr(db, data.businessTime);
  const posting = await postMaybeEmpty(db, actor, {
    kind: 'stocktake',
    idempotencyKey: data.idempotencyKey,
    docNo: st.docNo,
    warehouseId: st.warehouseId,
    businessTime,
    remark: `盘点 ${st.docNo}`,
    sourceType: 'stocktake',
    sourceId: st.id,
    products: infos,
    warehouseNames: new Map([[wh.id, wh.name]]),
    ensure,
    lockPairs: inPlay.map((pid): [number, number] => [pid, st.warehouseId]),
    allowEmpty: true,
    async plan(ledger, tx: Tx) {
      // Checked under the balance locks: no move can slip in between this check and the post.
      // 全盘 of a whole warehouse writes off whatever nobody counted: every product is checked.
      const watch = complete && !st.productIds ? null : inPlay.concat(st.productIds ?? []);
      const moved = await movedSince(tx, st, watch);
      if (moved.length && !data.force) throw movedMessage(st, moved);
      // Lines are numbered by the products that change, from 1 (a product without variance has no line).
      let lineNo = 0;
      for (const pid of inPlay) {
        const p = infos.get(pid)!;
        const movesBefore = ledger.moves.length;
        const line = lineNo + 1;
        const book = new Map(ledger.rows(pid, st.warehouseId).map((r) => [r.batchNo, r.qty]));
        for (const t of batchTargets(book, counted.get(pid), productComplete(st, complete, pid))) {
          if (t.target === null) continue;
          const diff = t.target.minus(t.book);
          if (diff.greaterThan(0)) {
            const value = receiptValue(diff, gainCost(p, ledger.valuation(pid).avgCost));
            ledger.receive(line, 'stocktake_gain', pid, st.warehouseId, t.batchNo, diff, value);
          } else if (diff.lessThan(0)) {
            ledger.issue(line, 'stocktake_loss', pid, st.warehouseId, diff.negated(), t.batchNo);
          }
        }
        if (ledger.moves.length > movesBefore) lineNo = line;
      }
    },
    async after(tx, doc) {
      const done = await tx
        .update(stocktakes)
        .set({ status: 'posted', postedDocId: doc?.id ?? null, postedAt: sql`now()`, complete })
        .where(and(eq(stocktakes.id, st.id), eq(stocktakes.status, 'open')))
        .returning();
      if (!done.length) throw new DomainError('conflict', `盘点单 ${st.docNo} 已被他人过账或取消。`, { docNo: st.docNo });
      await writeAudit(tx, actor, {
        action: 'post',
        entity: 'stocktake',
        entityId: st.docNo,
        before: { status: 'open' },
        after: { status: 'posted', postedDocId: doc?.id ?? null, force: data.force, complete, completeProductIds: completeIds(st) },
      });
    },
  });
  const after = await loadStocktake(db, st.id);
  return { stocktake: await view(db, after), posting };
}

export async function cancelStocktake(db: Conn, actor: Actor, ref: number | string): Promise<StocktakeView> {
  requirePermission(actor, 'stock.count');
  return db.transaction(async (tx) => {
    const st = await loadStocktake(tx, parseInput(stocktakeRefSchema, ref), true);
    requireOpen(st);
    const [row] = await tx.update(stocktakes).set({ status: 'cancelled' }).where(eq(stocktakes.id, st.id)).returning();
    await writeAudit(tx, actor, { action: 'cancel', entity: 'stocktake', entityId: st.docNo, before: { status: 'open' }, after: { status: 'cancelled' } });
    return view(tx, row);
  });
}

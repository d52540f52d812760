/**
 * Stocktake (盘点). Open a count for a warehouse (all products or a list), record counted
 * quantities (entries add up: shelf by shelf, person by person), look at the variances, post.
 *
 * - One open stocktake per warehouse (checked under a per-warehouse advisory lock).
 * - The count's number (PD20261125-0001) is also the number of the document it posts.
 * - Only products with at least one entry are adjusted; in-scope products nobody counted are
 *   reported as uncounted and left alone (an empty count is not a count of zero). Within a
 *   counted product, a batch on the books that nobody counted is counted as 0.
 * - Variances are computed at POSTING time against the locked balances (not the view's).
 *   A gain is valued at the moving average, or the purchase price when there is no average;
 *   a loss leaves by the issue rule (valuation.ts).
 * - A product that moved in this warehouse after the count opened (stock_moves.id >
 *   opened_at_move_id) makes the count suspect: posting is refused unless `force` is set.
 */
import { and, eq, sql } from 'drizzle-orm';
import { stocktakeEntries, stocktakes } from '../../db/schema.js';
import { execRows, type Conn, type Db, type Tx } from '../../db/types.js';
import { DomainError } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { writeAudit } from '../audit/index.js';
import { Dec, ZERO, qtyText } from '../shared/decimal.js';
import { findReplay, postMaybeEmpty, type EnsureRow } from './engine.js';
import type { PostingResult } from './documents.js';
import { nextDocNo } from './numbering.js';
import { productLabel } from './products.js';
import { loadProductInfos, resolveProducts } from './resolve.js';
import {
  openStocktakeSchema,
  parseInput,
  postStocktakeSchema,
  recordCountSchema,
  stocktakeRefSchema,
  type OpenStocktakeInput,
  type PostStocktakeInput,
  type RecordCountInput,
} from './schemas.js';
import { formatQty, parseQuantity } from './units.js';
import { issueValue, receiptValue } from './valuation.js';
import { resolveWarehouse } from './warehouses.js';
import type { ProductInfo } from './ledger.js';

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
}

export interface StocktakeReport {
  stocktake: StocktakeView;
  lines: VarianceLine[];
  /** In scope, with stock on the books, but no entry: not adjusted when posting. */
  uncounted: { productId: number; sku: string; name: string; bookQty: string }[];
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
  };
}

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

export async function openStocktake(db: Db, actor: Actor, input: OpenStocktakeInput): Promise<StocktakeView> {
  const data = parseInput(openStocktakeSchema, input);
  requirePermission(actor, 'stock.count');
  const wh = await resolveWarehouse(db, data.warehouse, { createDefault: true });
  const productIds = data.products?.length ? [...new Set((await resolveProducts(db, data.products)).map((p) => p.id))].sort((a, b) => a - b) : null;
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
    const docNo = await nextDocNo(tx, 'PD', new Date());
    const [st] = await tx
      .insert(stocktakes)
      .values({ docNo, warehouseId: wh.id, productIds, openedBy: actor.userId, openedAtMoveId: Number(max) })
      .returning();
    await writeAudit(tx, actor, { action: 'open', entity: 'stocktake', entityId: st.docNo, after: st });
    return view(tx, st);
  });
}

/** Record a counted quantity (may be 0); returns the running total for that product/batch. */
export async function recordCount(db: Db, actor: Actor, input: RecordCountInput): Promise<{ stocktake: StocktakeView; productId: number; batchNo: string; countedQty: string; countedText: string }> {
  const data = parseInput(recordCountSchema, input);
  requirePermission(actor, 'stock.count');
  const st0 = await loadStocktake(db, data.stocktake);
  requireOpen(st0);
  const [p] = await resolveProducts(db, [data.product]);
  if (st0.productIds && !st0.productIds.includes(p.id)) {
    throw new DomainError('invalid_input', `${productLabel(p)} 不在盘点单 ${st0.docNo} 的范围内。`, { productId: p.id });
  }
  const qty = parseQuantity(p, data.qty, { allowZero: true });
  let batchNo = '';
  if (p.batchTracked) {
    if (!data.batchNo) throw new DomainError('invalid_input', `${productLabel(p)} 按批次管理，请注明盘点的批次号。`);
    batchNo = data.batchNo;
  } else if (data.batchNo) throw new DomainError('invalid_input', `「${p.name}」不按批次管理，请不要填写批次号。`);
  return db.transaction(async (tx) => {
    const st = await loadStocktake(tx, st0.id, true);
    requireOpen(st);
    // A batch found on the shelf but unknown to the books is created here (FIFO key: now).
    await tx.execute(sql`insert into batches (product_id, batch_no) values (${p.id}, ${batchNo}) on conflict do nothing`);
    const [b] = await execRows<{ id: number }>(tx, sql`select id from batches where product_id = ${p.id} and batch_no = ${batchNo}`);
    const [entry] = await tx.insert(stocktakeEntries).values({ stocktakeId: st.id, productId: p.id, batchId: b.id, qty, actorId: actor.userId }).returning();
    await writeAudit(tx, actor, { action: 'count', entity: 'stocktake', entityId: st.docNo, after: entry });
    const [{ total }] = await execRows<{ total: string }>(
      tx,
      sql`select coalesce(sum(qty), 0)::text as total from stocktake_entries where stocktake_id = ${st.id} and product_id = ${p.id} and batch_id = ${b.id}`,
    );
    return { stocktake: await view(tx, st), productId: p.id, batchNo, countedQty: qtyText(total), countedText: formatQty(p, total) };
  });
}

interface Counted {
  product: ProductInfo;
  /** batchNo → counted qty */
  batches: Map<string, Dec>;
}

async function countedProducts(conn: Conn, st: StRow): Promise<Counted[]> {
  const rows = await execRows<{ product_id: number; batch_no: string; qty: string }>(
    conn,
    sql`select e.product_id, b.batch_no, sum(e.qty)::text as qty from stocktake_entries e join batches b on b.id = e.batch_id
        where e.stocktake_id = ${st.id} group by e.product_id, b.batch_no order by e.product_id, b.batch_no`,
  );
  const infos = new Map((await loadProductInfos(conn, [...new Set(rows.map((r) => r.product_id))])).map((p) => [p.id, p]));
  const out = new Map<number, Counted>();
  for (const r of rows) {
    const c = out.get(r.product_id) ?? { product: infos.get(r.product_id)!, batches: new Map<string, Dec>() };
    c.batches.set(r.batch_no, new Dec(r.qty));
    out.set(r.product_id, c);
  }
  return [...out.values()];
}

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

/** Book vs counted per product/batch, with the variance valued at today's average. */
export async function stocktakeReport(db: Conn, actor: Actor, ref: number | string): Promise<StocktakeReport> {
  requirePermission(actor, 'stock.view');
  const st = await loadStocktake(db, parseInput(stocktakeRefSchema, ref));
  const counted = await countedProducts(db, st);
  const book = await execRows<{ product_id: number; sku: string; name: string; batch_no: string; qty: string; vq: string | null; vv: string | null; avg: string | null }>(
    db,
    sql`select b.product_id, p.sku, p.name, bt.batch_no, b.qty::text as qty, v.qty::text as vq, v.value_fen::text as vv, v.avg_cost::text as avg
        from stock_balances b join products p on p.id = b.product_id join batches bt on bt.id = b.batch_id
        left join stock_valuations v on v.product_id = b.product_id
        where b.warehouse_id = ${st.warehouseId}
        ${st.productIds ? sql`and b.product_id in (${sql.join(st.productIds.map((i) => sql`${i}::int`), sql`, `)})` : sql``}
        order by b.product_id, b.batch_id`,
  );
  const countedIds = new Set(counted.map((c) => c.product.id));
  const lines: VarianceLine[] = [];
  let gain = 0n;
  let loss = 0n;
  const vals = new Map<number, { q: Dec; v: bigint; avg: Dec }>();
  for (const r of book) vals.set(r.product_id, { q: new Dec(r.vq ?? 0), v: BigInt(r.vv ?? 0), avg: new Dec(r.avg ?? 0) });
  const missingVals = counted.filter((c) => !vals.has(c.product.id)).map((c) => c.product.id);
  if (missingVals.length) {
    const vr = await execRows<{ product_id: number; qty: string; value_fen: string; avg_cost: string }>(
      db,
      sql`select product_id, qty::text as qty, value_fen::text as value_fen, avg_cost::text as avg_cost from stock_valuations
          where product_id in (${sql.join(missingVals.map((i) => sql`${i}::int`), sql`, `)})`,
    );
    for (const r of vr) vals.set(r.product_id, { q: new Dec(r.qty), v: BigInt(r.value_fen), avg: new Dec(r.avg_cost) });
  }
  for (const c of counted) {
    const p = c.product;
    const bookBatches = new Map<string, Dec>(book.filter((b) => b.product_id === p.id).map((b) => [b.batch_no, new Dec(b.qty)]));
    const batchNos = [...new Set([...bookBatches.keys(), ...c.batches.keys()])].sort();
    const v = vals.get(p.id) ?? { q: ZERO, v: 0n, avg: ZERO };
    for (const bn of batchNos) {
      const bq = bookBatches.get(bn) ?? ZERO;
      const cq = c.batches.get(bn) ?? ZERO;
      const diff = cq.minus(bq);
      if (diff.isZero() && bq.isZero()) continue;
      let value = 0n;
      if (diff.greaterThan(0)) value = receiptValue(diff, gainCost(p, v.avg));
      else if (diff.lessThan(0)) value = -issueValue({ qty: v.q, valueFen: v.v, avgCost: v.avg }, diff.negated());
      if (value > 0n) gain += value;
      else loss += value;
      lines.push({
        productId: p.id,
        sku: p.sku,
        name: p.name,
        batchNo: bn,
        bookQty: qtyText(bq),
        countedQty: qtyText(cq),
        varianceQty: qtyText(diff),
        varianceText: formatQty(p, diff),
        varianceValueFen: value.toString(),
      });
    }
  }
  const uncountedMap = new Map<number, { productId: number; sku: string; name: string; bookQty: Dec }>();
  for (const b of book) {
    if (countedIds.has(b.product_id)) continue;
    const u = uncountedMap.get(b.product_id) ?? { productId: b.product_id, sku: b.sku, name: b.name, bookQty: ZERO };
    u.bookQty = u.bookQty.plus(b.qty);
    uncountedMap.set(b.product_id, u);
  }
  return {
    stocktake: await view(db, st),
    lines,
    uncounted: [...uncountedMap.values()].filter((u) => !u.bookQty.isZero()).map((u) => ({ ...u, bookQty: qtyText(u.bookQty) })),
    moved: await movedSince(db, st, st.productIds),
    totalGainFen: gain.toString(),
    totalLossFen: loss.toString(),
  };
}

/** Gain valuation: the moving average, or the purchase price when there is none. */
function gainCost(p: ProductInfo, avg: Dec): Dec {
  if (avg.greaterThan(0)) return avg;
  return new Dec((p.purchasePriceFen ?? 0n).toString());
}

function movedMessage(st: StRow, moved: { sku: string; name: string }[]): DomainError {
  return new DomainError(
    'stale',
    `盘点 ${st.docNo} 开始后，以下商品在本仓库有出入库，账面数已变化：${moved.map((m) => `${m.name}（${m.sku}）`).join('、')}。请核对后重新清点这些商品；确认无误要照常过账，请选择「强制过账」（force）。`,
    { docNo: st.docNo, moved },
  );
}

export interface PostStocktakeResult {
  stocktake: StocktakeView;
  /** The PD document with the variance moves; null when nothing differed. */
  posting: PostingResult | null;
}

export async function postStocktake(db: Db, actor: Actor, input: PostStocktakeInput): Promise<PostStocktakeResult> {
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
  const counted = await countedProducts(db, st);
  const wh = await resolveWarehouse(db, st.warehouseId);
  const ensure: EnsureRow[] = counted.flatMap((c) => [...c.batches.keys()].map((bn) => ({ productId: c.product.id, warehouseId: st.warehouseId, batchNo: bn })));
  const businessTime = data.businessTime ?? new Date();
  const posting = await postMaybeEmpty(db, actor, {
    kind: 'stocktake',
    idempotencyKey: data.idempotencyKey,
    docNo: st.docNo,
    warehouseId: st.warehouseId,
    businessTime,
    remark: `盘点 ${st.docNo}`,
    sourceType: 'stocktake',
    sourceId: st.id,
    products: new Map(counted.map((c) => [c.product.id, c.product])),
    warehouseNames: new Map([[wh.id, wh.name]]),
    ensure,
    lockPairs: counted.map((c): [number, number] => [c.product.id, st.warehouseId]),
    allowEmpty: true,
    async plan(ledger, tx: Tx) {
      // Checked under the balance locks: no move can slip in between this check and the post.
      const moved = await movedSince(tx, st, counted.map((c) => c.product.id).concat(st.productIds ?? []));
      if (moved.length && !data.force) throw movedMessage(st, moved);
      let lineNo = 0;
      for (const c of counted) {
        lineNo++;
        const p = c.product;
        const rows = ledger.rows(p.id, st.warehouseId);
        const batchNos = [...new Set([...rows.map((r) => r.batchNo), ...c.batches.keys()])].sort();
        for (const bn of batchNos) {
          const book = rows.find((r) => r.batchNo === bn)?.qty ?? ZERO;
          const diff = (c.batches.get(bn) ?? ZERO).minus(book);
          if (diff.greaterThan(0)) {
            const value = receiptValue(diff, gainCost(p, ledger.valuation(p.id).avgCost));
            ledger.receive(lineNo, 'stocktake_gain', p.id, st.warehouseId, bn, diff, value);
          } else if (diff.lessThan(0)) {
            ledger.issue(lineNo, 'stocktake_loss', p.id, st.warehouseId, diff.negated(), bn);
          }
        }
      }
    },
    async after(tx, doc) {
      const done = await tx
        .update(stocktakes)
        .set({ status: 'posted', postedDocId: doc?.id ?? null, postedAt: new Date() })
        .where(and(eq(stocktakes.id, st.id), eq(stocktakes.status, 'open')))
        .returning();
      if (!done.length) throw new DomainError('conflict', `盘点单 ${st.docNo} 已被他人过账或取消。`, { docNo: st.docNo });
      await writeAudit(tx, actor, { action: 'post', entity: 'stocktake', entityId: st.docNo, before: { status: 'open' }, after: { status: 'posted', postedDocId: doc?.id ?? null, force: data.force } });
    },
  });
  const after = await loadStocktake(db, st.id);
  return { stocktake: await view(db, after), posting };
}

export async function cancelStocktake(db: Db, actor: Actor, ref: number | string): Promise<StocktakeView> {
  requirePermission(actor, 'stock.count');
  return db.transaction(async (tx) => {
    const st = await loadStocktake(tx, parseInput(stocktakeRefSchema, ref), true);
    requireOpen(st);
    const [row] = await tx.update(stocktakes).set({ status: 'cancelled' }).where(eq(stocktakes.id, st.id)).returning();
    await writeAudit(tx, actor, { action: 'cancel', entity: 'stocktake', entityId: st.docNo, before: { status: 'open' }, after: { status: 'cancelled' } });
    return view(tx, row);
  });
}


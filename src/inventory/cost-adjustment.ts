/**
 * Cost adjustment (成本调整 / 调价, document TZ): correct the VALUE of the stock on hand without
 * moving goods — when a receipt's price was wrong and part of the goods has already moved (so a
 * 红冲 of the receipt is refused or would misstate COGS), or when a product's average is simply
 * wrong (including a value left behind by the old reversal bug: 0 units worth −¥20.00).
 *
 * Two ways to say what is right:
 * - against a PRODUCT: its new average unit cost (fen per base unit, ≤ 6 decimals) → the value
 *   on hand becomes round-half-up(Q × cost); or the new total value of what is on hand.
 * - against a RECEIPT (RK/SC/QC): the unit price it should have had. Only the goods of that
 *   receipt still on hand are revalued, and they are counted FIRST-IN-FIRST-OUT, the order the
 *   ledger picks batches in (ledger.ts pick): per batch (the implicit batch '' for products
 *   without batch tracking) and per warehouse where the receipt put goods,
 *       on hand from r = clamp(on hand now − Σ qty of the entries into that same batch/warehouse
 *                             AFTER r, 0, the qty r put there)
 *   summed over the receipt's rows. Entries are receipts, stocktake gains, reversals of issues
 *   and losses…; an entry that was itself reversed does not count (nor does its reversal: a
 *   reversed receipt never happened for this purpose). The difference is
 *       round-half-up((correct − original unit cost) × that qty)
 *   posted as cost_adjustment moves on exactly the batch/warehouse rows holding those goods,
 *   split by their quantities with allocate() so the parts add up. Quantities stay exact.
 *   TRANSFERS (调拨): goods of the receipt moved to another warehouse are followed. The count is
 *   done by replaying the product's moves since the receipt as FIFO queues per batch/warehouse
 *   (receiptOnHand): an exit takes the oldest goods of its row, a transfer takes the oldest goods
 *   of the source row and appends them — in their order, still marked as the receipt's — to the
 *   destination row (a reversed transfer moves them back the same way); what is on hand at the
 *   end is the newest goods of each row. Without transfers this is exactly the formula above;
 *   with them, the receipt's goods are revalued in the warehouse where they are now.
 *   Decision: FIFO attribution, NOT the moving-average share used before (k = receipt qty ×
 *   Π (Q after ÷ Q before)): the share ignored batches (it revalued a 生产入库 batch that never
 *   came from the receipt) and reversals (after 入库 100 @¥0.01, 入库 100 @¥0.05, 出库 50, 红冲 of
 *   the second receipt, all 50 left come from the first, the share said 25). Note that the
 *   COGS already posted stays as posted (moving average), so after an adjustment the average
 *   can lie below every receipt price (5 @¥2 + 5 @¥10, 出库 3 at ¥6, correcting the ¥10 receipt
 *   to ¥3 revalues its 5 units still on hand: −¥35.00, ¥42.00 → ¥7.00); the resulting average
 *   counts as entered, so the valuation rules hold.
 *
 * Rules: needs 'stock.reverse' (it corrects posted values like a reversal); refused when nothing
 * is on hand — except a product whose quantity is 0 but value is not (a database written before
 * the valuation rules): that adjustment sets the value to 0; refused when the result would be
 * negative or when nothing would change. The stated cost — and the average it results in —
 * count as ENTERED costs (valuation.ts), so the rules hold afterwards by construction. The
 * difference is posted as 'cost_adjustment' moves (qty 0) split with allocate(), so its parts
 * add up: over the rows holding the product by quantity, or — against a receipt — over the rows
 * holding the receipt's goods by those goods' quantity. Each adjustment against a receipt is
 * computed from the receipt's ORIGINAL price (a second one does not see the first). Idempotent by key like every posting; audited
 * (action 'cost_adjust').
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn, type Db, type Tx } from '../../db/types.js';
import { DomainError, domainErrorWithFixIn } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec, ZERO, costText, qtyText, roundFen } from '../shared/decimal.js';
import { formatFen } from '../shared/money.js';
import type { PostingResult } from './documents.js';
import { findReplay, post, type EnsureRow } from './engine.js';
import type { BalanceRow, Ledger } from './ledger.js';
import { DOC_PERMISSION, RECEIPT_KINDS } from './moves.js';
import { productLabel } from './products.js';
import { resolveProduct } from './product-lookup.js';
import { toInfo } from './resolve.js';
import { costAdjustmentInputSchema, parseInput, type CostAdjustmentInput } from './schemas.js';
import { formatQty } from './units.js';
import { resolveWarehouse } from './warehouses.js';
import type { ReferenceOptions } from '../kernel/use-case.js';
import { businessTimeOr } from './business-time.js';

export interface CostAdjustmentSide {
  /** Whole fen. */
  valueFen: string;
  /** Fen per base unit, 6 decimals; null at quantity 0. */
  avgCost: string | null;
}

export interface CostAdjustmentResult {
  posting: PostingResult;
  product: { id: number; sku: string; name: string; baseUnit: string };
  /** On hand in all warehouses, base units (unchanged by the adjustment). */
  qty: string;
  qtyText: string;
  before: CostAdjustmentSide;
  after: CostAdjustmentSide;
  /** after − before, whole fen (the document's total). */
  diffFen: string;
  /** The cost stated (fen per base unit): the new average, the correct receipt price; null for a repair to 0. */
  unitCostFen: string | null;
  /** Against a receipt: which, its original unit cost and the part still on hand that was revalued. */
  receipt: {
    docNo: string;
    qty: string;
    /** Fen per base unit the receipt stood at before this adjustment (its price, or its last 成本调整's). */
    originalUnitCost: string;
    revaluedQty: string;
  } | null;
  replayed: boolean;
}

const avgOf = (qty: Dec, value: bigint): string | null => (qty.greaterThan(0) ? costText(new Dec(value.toString()).dividedBy(qty)) : null);

/**
 * Post a 成本调整 (see the file comment). Errors: invalid_input (bad input, nothing to change,
 * negative result), not_found (product / receipt), conflict (nothing on hand, receipt reversed
 * or wholly issued, a several-product receipt without the product), forbidden.
 */
export async function adjustCost(db: Conn, actor: Actor, input: CostAdjustmentInput, opts: ReferenceOptions = {}): Promise<CostAdjustmentResult> {
  const data = parseInput(costAdjustmentInputSchema, input);
  requirePermission(actor, DOC_PERMISSION.cost_adjustment, '成本调整');
  const replay = await findReplay(db, data.idempotencyKey, 'cost_adjustment');
  if (replay) return replayResult(db, replay);

  // ── what is being corrected ──
  let receipt: { id: number; docNo: string; moves: { id: number; qty: Dec; value: bigint }[]; correctedCost: Dec | null } | null = null;
  let productRef = data.product;
  if (data.docNo) {
    const [d] = await execRows<{ id: number; doc_no: string; kind: string; reversed_by: string | null }>(
      db,
      sql`select d.id, d.doc_no, d.kind, r.doc_no as reversed_by from documents d left join documents r on r.id = d.reversed_by_doc_id where d.doc_no = ${data.docNo}`,
    );
    if (!d) throw new DomainError('not_found', `找不到入库单「${data.docNo}」。单号形如 RK20261125-0001，可用「单据 <单号>」查看。`, { docNo: data.docNo });
    if (!(RECEIPT_KINDS as readonly string[]).includes(d.kind)) throw new DomainError('invalid_input', `「${d.doc_no}」不是入库单，只能按入库单（RK/SC/QC）调整成本。`, { docNo: d.doc_no });
    if (d.reversed_by) throw new DomainError('conflict', `入库单「${d.doc_no}」已被红冲（${d.reversed_by}），它的货已不在库存里，无需调整成本。`, { docNo: d.doc_no });
    const mv = await execRows<{ id: string | number; product_id: number; sku: string; qty: string; value_fen: string }>(
      db,
      sql`select m.id, m.product_id, p.sku, m.qty::text as qty, m.value_fen::text as value_fen from stock_moves m join products p on p.id = m.product_id
          where m.document_id = ${d.id} order by m.id`,
    );
    const skus = [...new Map(mv.map((m) => [m.product_id, m.sku])).entries()];
    let pid: number;
    if (productRef !== undefined) {
      const p = await resolveProduct(db, productRef, { includeArchived: true, references: opts.references });
      if (!skus.some(([id]) => id === p.id)) throw new DomainError('invalid_input', `入库单「${d.doc_no}」里没有商品「${p.name}」（${p.sku}）。这张单的商品：${skus.map(([, s]) => s).join('、')}。`, { docNo: d.doc_no });
      pid = p.id;
    } else if (skus.length === 1) pid = skus[0][0];
    else {
      throw domainErrorWithFixIn(
        'invalid_input',
        { kind: 'cost_adjust_request', docNo: d.doc_no, product: skus[0][1], unitPrice: '2.5' },
        (w) => `入库单「${d.doc_no}」有多个商品（${skus.map(([, s]) => s).join('、')}），请写明调整哪一个，例如：${w}`,
        { docNo: d.doc_no },
      );
    }
    productRef = pid;
    // A receipt corrected before is at the price of its last 成本调整, not its original one: a
    // second correction (¥1.01 → ¥1.02) moves the value by the difference once, never twice.
    const [last] = await execRows<{ unit_cost: string }>(
      db,
      sql`select m.unit_cost::text as unit_cost from stock_moves m join documents a on a.id = m.document_id
          where a.kind = 'cost_adjustment' and a.source_type = 'document' and a.source_id = ${d.id} and m.product_id = ${pid}
          order by m.id desc limit 1`,
    );
    receipt = {
      id: d.id,
      docNo: d.doc_no,
      moves: mv.filter((m) => m.product_id === pid).map((m) => ({ id: Number(m.id), qty: new Dec(m.qty), value: BigInt(m.value_fen) })),
      correctedCost: last ? new Dec(last.unit_cost) : null,
    };
  }
  const product = await resolveProduct(db, productRef!, { includeArchived: typeof productRef === 'number', references: opts.references });
  const info = toInfo(product);
  const pid = product.id;
  const held = await execRows<{ warehouse_id: number; name: string }>(
    db,
    sql`select distinct b.warehouse_id, w.name from stock_balances b join warehouses w on w.id = b.warehouse_id where b.product_id = ${pid}`,
  );
  const ensure: EnsureRow[] = [];
  const warehouseNames = new Map(held.map((h) => [h.warehouse_id, h.name]));
  if (!held.length) {
    // A valuation with no balance row at all (only a legacy repair can get here): the move needs a place.
    const wh = await resolveWarehouse(db, undefined, { createDefault: true, actor });
    warehouseNames.set(wh.id, wh.name);
    ensure.push({ productId: pid, warehouseId: wh.id, batchNo: '' });
  }
  const label = productLabel(info);
  const stated = data.unitCostFen === undefined ? null : new Dec(data.unitCostFen);
  let before = { qty: ZERO, valueFen: 0n };
  let afterValue = 0n;
  // Set inside plan() (under the locks); `as` keeps TypeScript from narrowing them to null.
  let entered = null as Dec | null;
  let revalued = null as Dec | null;
  let onRows: { row: BalanceRow; weight: Dec }[] | undefined;

  const posting = await post(db, actor, {
    kind: 'cost_adjustment',
    idempotencyKey: data.idempotencyKey,
    warehouseId: null,
    businessTime: await businessTimeOr(db, data.businessTime),
    remark: data.reason ?? (receipt ? `成本调整 ${receipt.docNo}` : null),
    sourceType: receipt ? 'document' : null,
    sourceId: receipt?.id ?? null,
    products: new Map([[pid, info]]),
    warehouseNames,
    ensure,
    lockPairs: [...warehouseNames.keys()].map((w): [number, number] => [pid, w]),
    auditAction: 'cost_adjust',
    async plan(ledger, tx) {
      const v = ledger.valuation(pid);
      before = { qty: v.qty, valueFen: v.valueFen };
      let delta: bigint;
      if (v.qty.isZero()) {
        if (v.valueFen === 0n) {
          throw new DomainError('conflict', `${label} 目前没有库存，无需成本调整；以后入库按实际单价记账即可。`, { productId: pid });
        }
        // The one adjustment allowed at quantity 0: a value left behind (before the rules) goes to 0.
        delta = -v.valueFen;
      } else if (receipt) {
        const qr = receipt.moves.reduce((s, m) => s.plus(m.qty), ZERO);
        const vr = receipt.moves.reduce((s, m) => s + m.value, 0n);
        const rows = await receiptOnHand(tx, ledger, pid, receipt.id, receipt.moves[0].id);
        const k = rows.reduce((s, r) => s.plus(r.weight), ZERO);
        if (k.isZero()) {
          throw domainErrorWithFixIn(
            'conflict',
            { kind: 'cost_adjust_request', product: info.sku, unitPrice: '<新单价>' },
            (w) => `入库单「${receipt!.docNo}」的货已经全部出库，现有库存里没有这张单的货，无法按单调整。要改现有库存的单价，请发「${w}」。`,
            { docNo: receipt.docNo },
          );
        }
        revalued = k;
        entered = stated!;
        onRows = rows;
        const current = receipt.correctedCost ?? new Dec(vr.toString()).dividedBy(qr);
        delta = roundFen(stated!.minus(current).times(k));
      } else {
        const target = data.totalValueFen ?? roundFen(v.qty.times(stated!));
        entered = stated ?? new Dec(target.toString()).dividedBy(v.qty).toDecimalPlaces(6, Dec.ROUND_HALF_UP);
        delta = target - v.valueFen;
      }
      if (delta === 0n) {
        throw new DomainError('invalid_input', `${label} 按这个单价调整后金额不变（${formatFen(v.valueFen)}），无需调整。`, { productId: pid });
      }
      afterValue = v.valueFen + delta;
      if (afterValue < 0n) {
        throw domainErrorWithFixIn(
          'invalid_input',
          { kind: 'cost_adjust_request', product: info.sku, unitPrice: '<新单价>' },
          (w) => `调整后 ${label} 的库存金额为负（${formatFen(afterValue)}），不能这样调整。要直接设定现有库存的单价，请发「${w}」。`,
          { productId: pid, afterValueFen: afterValue.toString() },
        );
      }
      const fallback = [...warehouseNames.keys()].map((w) => ledger.rows(pid, w)[0]).find(Boolean) ?? null;
      const shown = entered ?? ZERO;
      ledger.adjustValue(1, pid, delta, shown, entered ? { min: entered, max: entered } : null, fallback, onRows);
    },
  });
  return {
    posting,
    product: { id: pid, sku: info.sku, name: info.name, baseUnit: info.baseUnit },
    qty: qtyText(before.qty),
    qtyText: formatQty(info, before.qty),
    before: { valueFen: before.valueFen.toString(), avgCost: avgOf(before.qty, before.valueFen) },
    after: { valueFen: afterValue.toString(), avgCost: avgOf(before.qty, afterValue) },
    diffFen: (afterValue - before.valueFen).toString(),
    unitCostFen: entered == null ? null : costText(entered),
    receipt: receipt
      ? (() => {
          const qr = receipt.moves.reduce((s, m) => s.plus(m.qty), ZERO);
          const vr = receipt.moves.reduce((s, m) => s + m.value, 0n);
          const current = receipt.correctedCost ?? new Dec(vr.toString()).dividedBy(qr);
          return { docNo: receipt.docNo, qty: qtyText(qr), originalUnitCost: costText(current), revaluedQty: qtyText(revalued ?? ZERO) };
        })()
      : null,
    replayed: false,
  };
}

/** A run of goods in one batch/warehouse row, oldest first; `mine`: the receipt's goods. */
interface Seg {
  qty: Dec;
  mine: boolean;
}

/**
 * The goods of receipt `receiptDocId` still on hand, per locked balance row (see the file
 * comment): the product's moves since the receipt's first move are replayed as FIFO queues per
 * batch/warehouse — entries append, exits take the oldest, a transfer (or a reversed transfer)
 * carries the oldest goods of its source row, marks kept, to the end of its destination row.
 * An entry that was reversed, and its reversal, are left out (as if never posted). What is on
 * hand now (the locked ledger rows) is the NEWEST goods of each queue. Exact decimals; rows
 * holding none of the receipt's goods are omitted. Read under the posting's locks.
 */
async function receiptOnHand(tx: Tx, ledger: Ledger, productId: number, receiptDocId: number, firstMoveId: number): Promise<{ row: BalanceRow; weight: Dec }[]> {
  // A reversed entry (receipt, gain, returned goods…) and the reversal of an entry: both left out.
  const cancelled = sql`((m.qty > 0 and m.kind not in ('transfer_in', 'reversal') and exists (select 1 from stock_moves x where x.reverses_move_id = m.id))
      or (m.kind = 'reversal' and o.qty > 0 and o.kind not in ('transfer_in', 'reversal')))`;
  const before = await execRows<{ warehouse_id: number; batch_id: number; qty: string }>(
    tx,
    sql`select m.warehouse_id, m.batch_id, sum(m.qty)::text as qty from stock_moves m left join stock_moves o on o.id = m.reverses_move_id
        where m.product_id = ${productId} and m.id < ${firstMoveId} and m.qty <> 0 and not ${cancelled}
        group by m.warehouse_id, m.batch_id`,
  );
  const since = await execRows<{ id: string | number; document_id: number; kind: string; okind: string | null; warehouse_id: number; batch_id: number; qty: string }>(
    tx,
    sql`select m.id, m.document_id, m.kind, o.kind as okind, m.warehouse_id, m.batch_id, m.qty::text as qty
        from stock_moves m left join stock_moves o on o.id = m.reverses_move_id
        where m.product_id = ${productId} and m.id >= ${firstMoveId} and m.qty <> 0 and not ${cancelled}
        order by m.id`,
  );
  const queues = new Map<string, Seg[]>();
  const queue = (w: number, b: number) => {
    const k = `${w}:${b}`;
    let q = queues.get(k);
    if (!q) queues.set(k, (q = []));
    return q;
  };
  const append = (q: Seg[], qty: Dec, mine: boolean) => {
    if (qty.lessThanOrEqualTo(0)) return;
    const last = q[q.length - 1];
    if (last && last.mine === mine) last.qty = last.qty.plus(qty);
    else q.push({ qty, mine });
  };
  // Takes up to `qty` oldest goods; a queue short of goods (only after left-out entries) gives what it has.
  const take = (q: Seg[], qty: Dec): Seg[] => {
    const out: Seg[] = [];
    let left = qty;
    while (left.greaterThan(0) && q.length) {
      const n = Dec.min(q[0].qty, left);
      out.push({ qty: n, mine: q[0].mine });
      q[0].qty = q[0].qty.minus(n);
      if (q[0].qty.isZero()) q.shift();
      left = left.minus(n);
    }
    return out;
  };
  for (const b of before) append(queue(b.warehouse_id, b.batch_id), new Dec(b.qty), false);

  const isLeg = (k: string | null) => k === 'transfer_in' || k === 'transfer_out';
  // Transfer legs pair up within their document by batch and quantity (out/in, or a reversal's in/out).
  let doc: number | null = null;
  let legs: { w: number; b: number; qty: Dec }[] = [];
  const flushLegs = () => {
    const outs = legs.filter((l) => l.qty.isNegative());
    const ins = legs.filter((l) => l.qty.greaterThan(0));
    for (const o of outs) {
      const moved = take(queue(o.w, o.b), o.qty.negated());
      const i = ins.findIndex((x) => x.b === o.b && x.qty.equals(o.qty.negated()));
      if (i < 0) continue; // cannot happen for a posted transfer; the goods just left
      const [dest] = ins.splice(i, 1);
      const q = queue(dest.w, dest.b);
      let got = ZERO;
      for (const m of moved) {
        append(q, m.qty, m.mine);
        got = got.plus(m.qty);
      }
      append(q, dest.qty.minus(got), false);
    }
    for (const x of ins) append(queue(x.w, x.b), x.qty, false);
    legs = [];
  };
  for (const m of since) {
    if (m.document_id !== doc) {
      flushLegs();
      doc = m.document_id;
    }
    const qty = new Dec(m.qty);
    if (isLeg(m.kind) || (m.kind === 'reversal' && isLeg(m.okind))) legs.push({ w: m.warehouse_id, b: m.batch_id, qty });
    else if (qty.greaterThan(0)) append(queue(m.warehouse_id, m.batch_id), qty, m.document_id === receiptDocId);
    else take(queue(m.warehouse_id, m.batch_id), qty.negated());
  }
  flushLegs();

  const out: { row: BalanceRow; weight: Dec }[] = [];
  for (const w of [...new Set([...queues.keys()].map((k) => Number(k.split(':')[0])))].sort((a, b) => a - b)) {
    for (const row of ledger.rows(productId, w)) {
      const q = queues.get(`${w}:${row.batchId}`);
      if (!q || row.qty.lessThanOrEqualTo(0)) continue;
      // On hand now = the newest goods of the queue.
      let left = row.qty;
      let mine = ZERO;
      for (let i = q.length - 1; i >= 0 && left.greaterThan(0); i--) {
        const n = Dec.min(q[i].qty, left);
        if (q[i].mine) mine = mine.plus(n);
        left = left.minus(n);
      }
      if (mine.greaterThan(0)) out.push({ row, weight: mine });
    }
  }
  return out;
}

/** The result of an adjustment already posted under this key: before/after from the ledger. */
async function replayResult(db: Conn, posting: PostingResult): Promise<CostAdjustmentResult> {
  const pid = posting.lines[0]?.productId;
  const [s] = await execRows<{ qty: string; value: string; sku: string; name: string; base_unit: string; pack_unit: string | null; pack_factor: string | null; src: string | null }>(
    db,
    sql`select coalesce(sum(m.qty), 0)::text as qty, coalesce(sum(m.value_fen), 0)::text as value, p.sku, p.name, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor,
          (select doc_no from documents where id = ${posting.document.sourceId ?? null}::int) as src
        from products p left join stock_moves m on m.product_id = p.id
          and m.id < (select min(id) from stock_moves where document_id = ${posting.document.id})
        where p.id = ${pid} group by p.id`,
  );
  const qty = new Dec(s.qty);
  const beforeV = BigInt(s.value);
  const diff = BigInt(posting.document.totalValueFen);
  const unit = posting.lines[0]?.unitCost;
  return {
    posting,
    product: { id: pid, sku: s.sku, name: s.name, baseUnit: s.base_unit },
    qty: qtyText(qty),
    qtyText: formatQty({ baseUnit: s.base_unit, packUnit: s.pack_unit, packFactor: s.pack_factor }, qty),
    before: { valueFen: beforeV.toString(), avgCost: avgOf(qty, beforeV) },
    after: { valueFen: (beforeV + diff).toString(), avgCost: avgOf(qty, beforeV + diff) },
    diffFen: diff.toString(),
    unitCostFen: unit && !new Dec(unit).isZero() ? unit : null,
    receipt: s.src ? { docNo: s.src, qty: '', originalUnitCost: '', revaluedQty: '' } : null,
    replayed: true,
  };
}

/**
 * Cost adjustment (成本调整 / 调价, document TZ): correct the VALUE of the stock on hand without
 * moving goods — when a receipt's price was wrong and part of the goods has already moved (so a
 * 红冲 of the receipt is refused or would misstate COGS), or when a product's average is simply
 * wrong (including a value left behind by the old reversal bug: 0 units worth −¥20.00).
 *
 * Two ways to say what is right:
 * - against a PRODUCT: its new average unit cost (fen per base unit, ≤ 6 decimals) → the value
 *   on hand becomes round-half-up(Q × cost); or the new total value of what is on hand.
 * - against a RECEIPT (RK/SC/QC): the unit price it should have had. Only the part of that
 *   receipt still on hand is revalued. Under the moving average every issue takes the same
 *   share of everything on hand, so the part of a receipt still on hand is
 *       k = receipt qty × Π (after each later exit) (Q after ÷ Q before)     (0 once Q hits 0)
 *   and the difference is round-half-up((correct − original cost) × k). Decision: NOT
 *   (correct − original) × min(receipt qty, on hand) — that over-corrects once goods moved:
 *   5 @¥2 + 5 @¥10, 出库 3, correcting the ¥10 receipt to ¥3 would take ¥35 off ¥42 for 7 units
 *   (¥1/unit, below every cost that entered), where the share rule takes ¥24.50 (¥2.50/unit
 *   after rounding, what the books would show had the price been right from the start, up to
 *   the COGS already posted, which stays as posted).
 *
 * Rules: needs 'stock.reverse' (it corrects posted values like a reversal); refused when nothing
 * is on hand — except a product whose quantity is 0 but value is not (a database written before
 * the valuation rules): that adjustment sets the value to 0; refused when the result would be
 * negative or when nothing would change. The stated cost — and the average it results in —
 * count as ENTERED costs (valuation.ts), so the rules hold afterwards by construction. The
 * difference is posted as 'cost_adjustment' moves (qty 0) split over the rows holding the
 * product with allocate(), so its parts add up. Idempotent by key like every posting; audited
 * (action 'cost_adjust').
 */
import { sql } from 'drizzle-orm';
import { execRows, type Db, type Tx } from '../../db/types.js';
import { DomainError } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec, ZERO, costText, qtyText, roundFen } from '../shared/decimal.js';
import { formatFen } from '../shared/money.js';
import type { PostingResult } from './documents.js';
import { findReplay, post, type EnsureRow } from './engine.js';
import { DOC_PERMISSION, RECEIPT_KINDS } from './moves.js';
import { productLabel, resolveProduct } from './products.js';
import { toInfo } from './resolve.js';
import { costAdjustmentInputSchema, parseInput, type CostAdjustmentInput } from './schemas.js';
import { formatQty } from './units.js';
import { resolveWarehouse } from './warehouses.js';

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
  receipt: { docNo: string; qty: string; originalUnitCost: string; revaluedQty: string } | null;
  replayed: boolean;
}

const avgOf = (qty: Dec, value: bigint): string | null => (qty.greaterThan(0) ? costText(new Dec(value.toString()).dividedBy(qty)) : null);

/**
 * Post a 成本调整 (see the file comment). Errors: invalid_input (bad input, nothing to change,
 * negative result), not_found (product / receipt), conflict (nothing on hand, receipt reversed
 * or wholly issued, a several-product receipt without the product), forbidden.
 */
export async function adjustCost(db: Db, actor: Actor, input: CostAdjustmentInput): Promise<CostAdjustmentResult> {
  const data = parseInput(costAdjustmentInputSchema, input);
  requirePermission(actor, DOC_PERMISSION.cost_adjustment);
  const replay = await findReplay(db, data.idempotencyKey, 'cost_adjustment');
  if (replay) return replayResult(db, replay);

  // ── what is being corrected ──
  let receipt: { id: number; docNo: string; moves: { id: number; qty: Dec; value: bigint }[] } | null = null;
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
      const p = await resolveProduct(db, productRef, { includeArchived: true });
      if (!skus.some(([id]) => id === p.id)) throw new DomainError('invalid_input', `入库单「${d.doc_no}」里没有商品「${p.name}」（${p.sku}）。这张单的商品：${skus.map(([, s]) => s).join('、')}。`, { docNo: d.doc_no });
      pid = p.id;
    } else if (skus.length === 1) pid = skus[0][0];
    else {
      throw new DomainError('invalid_input', `入库单「${d.doc_no}」有多个商品（${skus.map(([, s]) => s).join('、')}），请写明调整哪一个，例如：成本调整 ${d.doc_no} ${skus[0][1]} 2.5`, { docNo: d.doc_no });
    }
    productRef = pid;
    receipt = { id: d.id, docNo: d.doc_no, moves: mv.filter((m) => m.product_id === pid).map((m) => ({ id: Number(m.id), qty: new Dec(m.qty), value: BigInt(m.value_fen) })) };
  }
  const product = await resolveProduct(db, productRef!, { includeArchived: typeof productRef === 'number' });
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
    const wh = await resolveWarehouse(db, undefined, { createDefault: true });
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

  const posting = await post(db, actor, {
    kind: 'cost_adjustment',
    idempotencyKey: data.idempotencyKey,
    warehouseId: null,
    businessTime: data.businessTime ?? new Date(),
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
        const last = receipt.moves[receipt.moves.length - 1].id;
        const qr = receipt.moves.reduce((s, m) => s.plus(m.qty), ZERO);
        const vr = receipt.moves.reduce((s, m) => s + m.value, 0n);
        const share = await survivingShare(tx, pid, last);
        const k = Dec.min(qr.times(share), v.qty);
        if (k.isZero()) {
          throw new DomainError('conflict', `入库单「${receipt.docNo}」的货已经全部出库，现有库存里没有这张单的货，无法按单调整。要改现有库存的单价，请发「成本调整 ${info.sku} <新单价>」。`, { docNo: receipt.docNo });
        }
        revalued = k;
        entered = stated!;
        delta = roundFen(stated!.times(k).minus(new Dec(vr.toString()).times(k).dividedBy(qr)));
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
        throw new DomainError(
          'invalid_input',
          `调整后 ${label} 的库存金额为负（${formatFen(afterValue)}），不能这样调整。要直接设定现有库存的单价，请发「成本调整 ${info.sku} <新单价>」。`,
          { productId: pid, afterValueFen: afterValue.toString() },
        );
      }
      const fallback = [...warehouseNames.keys()].map((w) => ledger.rows(pid, w)[0]).find(Boolean) ?? null;
      const shown = entered ?? ZERO;
      ledger.adjustValue(1, pid, delta, shown, entered ? { min: entered, max: entered } : null, fallback);
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
          return { docNo: receipt.docNo, qty: qtyText(qr), originalUnitCost: costText(new Dec(vr.toString()).dividedBy(qr)), revaluedQty: qtyText(revalued ?? ZERO) };
        })()
      : null,
    replayed: false,
  };
}

/**
 * The share (0…1) of what a receipt brought in that is still on hand under the moving average:
 * after its last move, every exit of q out of Q keeps (Q − q)/Q of everything, entries keep all;
 * once the quantity reaches 0 nothing of it is left. Transfer legs (and their reversals) move
 * goods between warehouses only and are skipped. Read under the posting's locks.
 */
async function survivingShare(tx: Tx, productId: number, lastReceiptMoveId: number): Promise<Dec> {
  const [q0] = await execRows<{ q: string }>(
    tx,
    sql`select coalesce(sum(qty), 0)::text as q from stock_moves where product_id = ${productId} and id <= ${lastReceiptMoveId}`,
  );
  const later = await execRows<{ qty: string; kind: string; okind: string | null }>(
    tx,
    sql`select m.qty::text as qty, m.kind, o.kind as okind from stock_moves m left join stock_moves o on o.id = m.reverses_move_id
        where m.product_id = ${productId} and m.id > ${lastReceiptMoveId} order by m.id`,
  );
  const xfer = (k: string | null) => k === 'transfer_in' || k === 'transfer_out';
  let q = new Dec(q0.q);
  let share = new Dec(1);
  for (const m of later) {
    if (xfer(m.kind) || xfer(m.okind)) continue;
    const d = new Dec(m.qty);
    if (d.isNegative()) {
      const next = q.plus(d);
      share = q.greaterThan(0) && next.greaterThan(0) ? share.times(next).dividedBy(q) : ZERO;
      q = next;
    } else q = q.plus(d);
    if (share.isZero()) break;
  }
  return share;
}

/** The result of an adjustment already posted under this key: before/after from the ledger. */
async function replayResult(db: Db, posting: PostingResult): Promise<CostAdjustmentResult> {
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

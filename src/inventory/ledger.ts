/**
 * The in-memory half of a posting. After the balance and valuation rows a document touches are
 * locked (posting.ts), a Ledger holds their current values and turns the document's intent
 * (receive, issue, transfer, reverse) into signed moves, checking every rule on the way:
 * no balance may go negative, issues are valued at the moving average (valuation.ts), FIFO
 * picks batches by first receipt time; each product's valuation carries the range of entered
 * costs that keeps its value inside the valuation rules (valuation.ts R1–R3), and a change of
 * value alone is a 'cost_adjustment' move. Nothing here touches the database.
 */
import { DomainError } from '../errors.js';
import { Dec, ZERO } from '../shared/decimal.js';
import { RetryTransaction } from '../shared/pg.js';
import type { MoveKind } from './moves.js';
import { formatQty } from './units.js';
import { allocate } from '../shared/allocate.js';
import { applyMove, emptyValuation, enteredCostRange, issueValue, unitCostOf, valueWithinRules, widen, type CostRange, type Valuation } from './valuation.js';
import { productLabel } from './products.js';

export interface ProductInfo {
  id: number;
  sku: string;
  name: string;
  model: string | null;
  spec: string | null;
  baseUnit: string;
  packUnit: string | null;
  packFactor: string | null;
  batchTracked: boolean;
  /** Fen per base unit, ≤ 6 decimals, as text (numeric(24,6)); null = no purchase price set. */
  purchasePriceFen: string | null;
  /** Decimal places a quantity may have; null = the base unit's default (units.ts). */
  qtyDecimals?: number | null;
  /** The product's own unit words {alias: unit} (units.ts unitRole). */
  unitAliases?: Readonly<Record<string, string>> | null;
  archived: boolean;
}

export interface BalanceRow {
  productId: number;
  warehouseId: number;
  batchId: number;
  batchNo: string;
  receivedAt: Date;
  /** The batch's expiry day ("2027-06-30"), null when none was entered: the FEFO key. */
  expiresOn?: string | null;
  qty: Dec;
}

/** What the pick order reads of a batch row. */
type PickKey = Pick<BalanceRow, 'expiresOn' | 'receivedAt' | 'batchId'>;

/**
 * The order an issue without a named batch takes stock in (FEFO, then FIFO): batches with an
 * expiry date first, the earliest expiry first — goods that spoil must leave before they do;
 * then batches without one, by first receipt time (FIFO: an undated batch does not spoil, so
 * it waits behind every dated one); ties by receipt time, then batch id (older batch first).
 * Expiry days are ISO text, so text order is date order. Used by issues and transfers alike
 * (both pick through Ledger.pick).
 */
export function pickOrder(a: PickKey, b: PickKey): number {
  const ea = a.expiresOn ?? null;
  const eb = b.expiresOn ?? null;
  if (ea !== eb) {
    if (ea === null) return 1;
    if (eb === null) return -1;
    return ea < eb ? -1 : 1;
  }
  return a.receivedAt.getTime() - b.receivedAt.getTime() || a.batchId - b.batchId;
}

/**
 * The batches an issue without a named batch takes, in order, on business day `today` (ISO,
 * "2026-11-30"): batches still good first (pickOrder), then expired ones (expiry day before
 * `today`; a batch may leave on its last day). An expired batch is taken only when the good
 * ones do not cover the quantity — and then the posting asks first (unusual.ts
 * expiredBatchReasons, which walks this same sequence). Without `today`, pickOrder alone.
 */
export function pickSequence<R extends PickKey>(rows: readonly R[], today?: string): R[] {
  const sorted = [...rows].sort(pickOrder);
  if (!today) return sorted;
  const expired = (r: R) => r.expiresOn != null && r.expiresOn < today;
  return [...sorted.filter((r) => !expired(r)), ...sorted.filter(expired)];
}

export interface PlannedMove {
  lineNo: number;
  kind: MoveKind;
  productId: number;
  warehouseId: number;
  batchId: number;
  batchNo: string;
  /** Signed, base unit. */
  qty: Dec;
  unitCost: Dec;
  /** Signed fen. */
  valueFen: bigint;
  reversesMoveId: number | null;
  /** The quantity as the user wrote it ("2箱3个"), snapshotted on the move. */
  enteredQty?: string | null;
  /** The unit price the user gave, fen per base unit, snapshotted on the move. */
  enteredUnitPrice?: Dec | null;
  /** A sales issue's selling price, fen per base unit (sale-price.ts); null/absent: none given. */
  salePrice?: Dec | null;
  /** This move's share of the line's sale amount, whole fen (sale-price.ts stampSale). */
  saleAmountFen?: bigint | null;
}

const key = (p: number, w: number) => `${p}:${w}`;

export class Ledger {
  readonly moves: PlannedMove[] = [];
  private readonly byPair = new Map<string, BalanceRow[]>();
  /** Products whose valuation changed (transfers leave it alone). */
  readonly valuationTouched = new Set<number>();

  constructor(
    readonly products: Map<number, ProductInfo>,
    balances: BalanceRow[],
    readonly valuations: Map<number, Valuation>,
    readonly warehouseNames: Map<number, string>,
    /** The posting's business day (ISO, company time zone): expired batches are picked last (pickSequence). */
    readonly today?: string,
  ) {
    for (const b of balances) {
      const k = key(b.productId, b.warehouseId);
      const list = this.byPair.get(k) ?? [];
      list.push(b);
      this.byPair.set(k, list);
    }
    // Pick order (FEFO, then FIFO): see pickOrder.
    for (const list of this.byPair.values()) list.sort(pickOrder);
  }

  product(id: number): ProductInfo {
    const p = this.products.get(id);
    if (!p) throw new Error(`product ${id} not loaded`);
    return p;
  }

  valuation(productId: number): Valuation {
    return this.valuations.get(productId) ?? emptyValuation();
  }

  rows(productId: number, warehouseId: number): BalanceRow[] {
    return this.byPair.get(key(productId, warehouseId)) ?? [];
  }

  /** On hand in one warehouse (all batches). */
  onHand(productId: number, warehouseId: number): Dec {
    return this.rows(productId, warehouseId).reduce((s, r) => s.plus(r.qty), ZERO);
  }

  /** The locked row for a batch; a missing row means a concurrent insert we did not see: retry. */
  rowFor(productId: number, warehouseId: number, batchNo: string): BalanceRow {
    const r = this.rows(productId, warehouseId).find((x) => x.batchNo === batchNo);
    if (!r) throw new RetryTransaction(`balance row ${productId}/${warehouseId}/${batchNo} not locked`);
    return r;
  }

  private push(m: Omit<PlannedMove, 'batchNo'>, row: BalanceRow): void {
    row.qty = row.qty.plus(m.qty);
    if (row.qty.isNegative()) throw new Error('bug: balance would go negative after checks');
    this.moves.push({ ...m, batchNo: row.batchNo });
  }

  /** `entered`: the cost range this move brings in (valuation.ts), null for an exit. */
  private valuate(productId: number, qty: Dec, valueFen: bigint, entered: CostRange | null = null): void {
    this.valuations.set(productId, applyMove(this.valuation(productId), qty, valueFen, entered));
    this.valuationTouched.add(productId);
  }

  /**
   * What earlier lines of this document take out of a product's stock in a warehouse (and
   * batch): the part of the on-hand the refused line can no longer have. Base units, ≥ 0.
   */
  private takenBefore(lineNo: number, productId: number, warehouseId: number, batchNo?: string): Dec {
    return this.moves
      .filter((m) => m.lineNo < lineNo && m.productId === productId && m.warehouseId === warehouseId && m.qty.isNegative() && (batchNo === undefined || m.batchNo === batchNo))
      .reduce((s, m) => s.minus(m.qty), ZERO);
  }

  /**
   * The insufficient_stock refusal. With `lineNo` (1-based line of the document): a line after
   * the first is named (「第 2 行：」), and what earlier lines of the same document already took
   * is said (「（本单前面的行已占用 150 个）」, details.takenByEarlierLines), since `available` is
   * what is left after them — not what the stock list shows.
   */
  insufficient(productId: number, warehouseId: number, requested: Dec, available: Dec, batchNo?: string, lineNo?: number): DomainError {
    const p = this.product(productId);
    const wh = this.warehouseNames.get(warehouseId) ?? `#${warehouseId}`;
    const where = batchNo ? `「${wh}」批次「${batchNo}」` : `「${wh}」`;
    const taken = lineNo === undefined ? ZERO : this.takenBefore(lineNo, productId, warehouseId, batchNo);
    const line = lineNo !== undefined && (lineNo > 1 || taken.greaterThan(0)) ? `第 ${lineNo} 行：` : '';
    // 现有 = on hand (可用 is reserved for on hand − reserved, once sales orders reserve stock).
    const onHand = taken.greaterThan(0) ? `现有 ${formatQty(p, available.plus(taken))}（本单前面的行已占用 ${formatQty(p, taken)}，还剩 ${formatQty(p, available)}）` : `现有 ${formatQty(p, available)}`;
    return new DomainError(
      'insufficient_stock',
      `${line}库存不足：${productLabel(p)} 在${where}${onHand}，本次需要 ${formatQty(p, requested)}。请减少数量，或先入库/调拨后再试。`,
      {
        productId,
        sku: p.sku,
        warehouseId,
        warehouse: wh,
        batchNo: batchNo ?? null,
        available: available.toFixed(),
        requested: requested.toFixed(),
        baseUnit: p.baseUnit,
        packUnit: p.packUnit,
        ...(lineNo !== undefined ? { line: lineNo, takenByEarlierLines: taken.toFixed() } : {}),
      },
    );
  }

  /** Receive `qty` (> 0) into one batch with a known value. */
  receive(lineNo: number, kind: MoveKind, productId: number, warehouseId: number, batchNo: string, qty: Dec, valueFen: bigint): void {
    const row = this.rowFor(productId, warehouseId, batchNo);
    this.push({ lineNo, kind, productId, warehouseId, batchId: row.batchId, qty, unitCost: unitCostOf(qty, valueFen), valueFen, reversesMoveId: null }, row);
    this.valuate(productId, qty, valueFen, enteredCostRange(qty, valueFen));
  }

  /**
   * Which batches an outgoing qty comes from: the named one, or FEFO/FIFO (pickOrder). Throws
   * insufficient_stock, or not_found (details.reason 'no_such_batch') for a batch this warehouse
   * never held.
   */
  private pick(lineNo: number, productId: number, warehouseId: number, qty: Dec, batchNo?: string): { row: BalanceRow; qty: Dec }[] {
    const rows = this.rows(productId, warehouseId);
    if (batchNo !== undefined) {
      const row = rows.find((r) => r.batchNo === batchNo);
      // No balance row: the batch was never in this warehouse — "no such batch", not 库存不足
      // (the engine names the product's batches: engine.ts explainMissingBatch).
      if (!row) throw noSuchBatch(this.product(productId), warehouseId, this.warehouseNames.get(warehouseId) ?? `#${warehouseId}`, batchNo, lineNo);
      const avail = row.qty;
      if (avail.lessThan(qty)) throw this.insufficient(productId, warehouseId, qty, avail, batchNo, lineNo);
      return [{ row, qty }];
    }
    const total = rows.reduce((s, r) => s.plus(r.qty), ZERO);
    if (total.lessThan(qty)) throw this.insufficient(productId, warehouseId, qty, total, undefined, lineNo);
    const out: { row: BalanceRow; qty: Dec }[] = [];
    let left = qty;
    for (const row of pickSequence(rows, this.today)) {
      if (left.isZero()) break;
      if (row.qty.lessThanOrEqualTo(0)) continue;
      const take = Dec.min(row.qty, left);
      out.push({ row, qty: take });
      left = left.minus(take);
    }
    return out;
  }

  /** Issue `qty` (> 0) at the moving average; the value leaves the valuation (COGS). */
  issue(lineNo: number, kind: MoveKind, productId: number, warehouseId: number, qty: Dec, batchNo?: string): void {
    for (const part of this.pick(lineNo, productId, warehouseId, qty, batchNo)) {
      const v = this.valuation(productId);
      const value = issueValue(v, part.qty);
      this.push({ lineNo, kind, productId, warehouseId, batchId: part.row.batchId, qty: part.qty.negated(), unitCost: v.avgCost, valueFen: -value, reversesMoveId: null }, part.row);
      this.valuate(productId, part.qty.negated(), -value);
    }
  }

  /**
   * Move `qty` between warehouses, batch by batch, valued by the issue rule against the
   * product's total; the product's valuation itself is unchanged (the value only changes place).
   */
  transfer(lineNo: number, productId: number, from: number, to: number, qty: Dec, batchNo?: string): void {
    const v = this.valuation(productId);
    let q = v.qty;
    let value = v.valueFen;
    for (const part of this.pick(lineNo, productId, from, qty, batchNo)) {
      // No cost range: a leg's share is informational (the product's valuation does not change).
      const legValue = issueValue({ qty: q, valueFen: value, avgCost: v.avgCost }, part.qty);
      // Running remainder so that transferring everything moves exactly the whole value.
      q = q.minus(part.qty);
      value -= legValue;
      const dest = this.rowFor(productId, to, part.row.batchNo);
      this.push({ lineNo, kind: 'transfer_out', productId, warehouseId: from, batchId: part.row.batchId, qty: part.qty.negated(), unitCost: v.avgCost, valueFen: -legValue, reversesMoveId: null }, part.row);
      this.push({ lineNo, kind: 'transfer_in', productId, warehouseId: to, batchId: dest.batchId, qty: part.qty, unitCost: v.avgCost, valueFen: legValue, reversesMoveId: null }, dest);
    }
  }

  /**
   * The exact opposite of a posted move (same batch, same unit cost, negated value).
   * Transfer legs net to zero per product, so they leave the valuation alone as well.
   */
  reverse(
    lineNo: number,
    original: { id: number; kind: string; productId: number; warehouseId: number; batchId: number; qty: Dec; unitCost: Dec; valueFen: bigint; salePrice?: Dec | null; saleAmountFen?: bigint | null },
  ): void {
    const row = this.rows(original.productId, original.warehouseId).find((r) => r.batchId === original.batchId);
    if (!row) throw new RetryTransaction('reversal row not locked');
    const qty = original.qty.negated();
    if (row.qty.plus(qty).isNegative()) {
      throw this.insufficient(original.productId, original.warehouseId, qty.negated(), row.qty, row.batchNo || undefined, lineNo);
    }
    this.push({ lineNo, kind: 'reversal', productId: original.productId, warehouseId: original.warehouseId, batchId: original.batchId, qty, unitCost: original.unitCost, valueFen: -original.valueFen, reversesMoveId: original.id,
      // A reversed sale takes its sales amount back too: sales figures net to zero, like the value.
      ...(original.saleAmountFen == null ? {} : { salePrice: original.salePrice ?? null, saleAmountFen: -original.saleAmountFen }) }, row);
    if (original.kind !== 'transfer_out' && original.kind !== 'transfer_in') {
      // Goods coming back (an issue or a loss reversed) enter at the cost they left with.
      this.valuate(original.productId, qty, -original.valueFen, qty.greaterThan(0) ? enteredCostRange(qty, -original.valueFen) : null);
    }
  }

  /**
   * Replace a product's cost range: a reversal sets the range of the entries that REMAIN
   * (reversal.ts remainingCostRanges) before taking its entries out.
   */
  setCostRange(productId: number, range: CostRange | null): void {
    const v = this.valuation(productId);
    this.valuations.set(productId, { ...v, minCost: v.qty.greaterThan(0) ? (range?.min ?? null) : null, maxCost: v.qty.greaterThan(0) ? (range?.max ?? null) : null });
  }

  /** Rows of a product holding stock, in every locked warehouse (FIFO order per warehouse). */
  private onHandRows(productId: number): BalanceRow[] {
    const out: BalanceRow[] = [];
    for (const [k, list] of [...this.byPair.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (k.startsWith(`${productId}:`)) out.push(...list.filter((r) => r.qty.greaterThan(0)));
    }
    return out.sort((a, b) => a.warehouseId - b.warehouseId);
  }

  /**
   * Post a value-only change of `deltaFen` to a product as 'cost_adjustment' moves (qty 0),
   * split over the rows holding stock by quantity with allocate() so the parts add up to the
   * delta; with nothing on hand, one move on `fallback`. `entered` widens the cost range (a
   * 成本调整 enters its cost; a reversal's correction enters none). `unitCost` is what the
   * moves show: the stated cost, or the resulting average. `on`: post on exactly these rows,
   * split by these weights instead (a 成本调整 against a receipt: the rows still holding its goods).
   */
  adjustValue(lineNo: number, productId: number, deltaFen: bigint, unitCost: Dec, entered: CostRange | null, fallback: BalanceRow | null, on?: { row: BalanceRow; weight: Dec }[]): void {
    if (deltaFen === 0n) return;
    const rows = on?.length ? on.map((x) => x.row) : this.onHandRows(productId);
    const targets = rows.length ? rows : fallback ? [fallback] : [];
    if (!targets.length) throw new RetryTransaction(`no balance row of product ${productId} locked for a cost adjustment`);
    const parts = allocate(deltaFen, on?.length ? on.map((x) => x.weight) : targets.map((r) => r.qty));
    targets.forEach((row, i) => {
      if (parts[i] === 0n) return;
      this.push({ lineNo, kind: 'cost_adjustment', productId, warehouseId: row.warehouseId, batchId: row.batchId, qty: ZERO, unitCost, valueFen: parts[i], reversesMoveId: null }, row);
    });
    const v = this.valuation(productId);
    const resulting = v.qty.greaterThan(0) ? enteredCostRange(v.qty, v.valueFen + deltaFen) : null;
    this.valuate(productId, ZERO, deltaFen, entered ? widen(entered, resulting) : null);
  }

  /**
   * After a reversal's opposite moves: bring the product back inside the valuation rules
   * (valuation.ts valueWithinRules) and post the difference as an explicit cost adjustment on
   * the same document. Returns the difference (0: the rules held, nothing posted).
   */
  restoreRules(lineNo: number, productId: number, fallback: BalanceRow | null): bigint {
    const v = this.valuation(productId);
    const delta = valueWithinRules(v) - v.valueFen;
    if (delta === 0n) return 0n;
    const after = { ...v, valueFen: v.valueFen + delta };
    const avg = v.qty.greaterThan(0) ? new Dec(after.valueFen.toString()).dividedBy(v.qty).toDecimalPlaces(6, Dec.ROUND_HALF_UP) : ZERO;
    this.adjustValue(lineNo, productId, delta, avg, null, fallback);
    return delta;
  }

  /** The locked balance row of a batch by id (a reversal's fallback for a correction with nothing on hand). */
  rowById(productId: number, warehouseId: number, batchId: number): BalanceRow | null {
    return this.rows(productId, warehouseId).find((r) => r.batchId === batchId) ?? null;
  }
}

/**
 * The refusal of a named batch the warehouse never held: DomainError('not_found') with
 * details.reason 'no_such_batch' (engine.ts adds the product's batches to the message).
 */
export function noSuchBatch(p: ProductInfo, warehouseId: number, warehouse: string, batchNo: string, lineNo?: number): DomainError {
  const line = lineNo !== undefined && lineNo > 1 ? `第 ${lineNo} 行：` : '';
  return new DomainError('not_found', `${line}没有批次「${batchNo}」：${productLabel(p)} 在「${warehouse}」没有这个批次。`, {
    reason: 'no_such_batch',
    productId: p.id,
    sku: p.sku,
    warehouseId,
    warehouse,
    batchNo,
    ...(lineNo !== undefined ? { line: lineNo } : {}),
  });
}

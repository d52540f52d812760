/**
 * Receipts (采购入库 RK, 生产入库 SC, 期初 QC), issues (销售出库 CK, 领用 LY) and transfers
 * (调拨 DB: one document, two legs per batch, atomic). Each validates its input with the
 * exported zod schema, checks the permission, resolves names to ids outside the transaction,
 * and hands a PostSpec to the engine.
 */
import { forLine } from './line-errors.js';
import { sql } from 'drizzle-orm';
import { execRows, type Conn, type Db } from '../../db/types.js';
import { DomainError } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec } from '../shared/decimal.js';
import { dayKey } from '../shared/time.js';
import { findReplay, post, type EnsureRow } from './engine.js';
import type { PostingResult } from './documents.js';
import { DOC_PERMISSION } from './moves.js';
import { resolveProducts } from './resolve.js';
import { parseInput, receiptInputSchema, transferInputSchema, type ReceiptInput, type TransferInput } from './schemas.js';
import { issueWithSaleInputSchema, saleOfLine, stampSale, type IssueWithSaleInput } from './sale-price.js';
import { parseQuantity } from './units.js';
import { receiptValue } from './valuation.js';
import { fastIssue, plainQty } from './fastissue.js';
import { resolveWarehouse } from './warehouses.js';
import type { ReferenceOptions } from '../kernel/use-case.js';
import type { Ledger, ProductInfo } from './ledger.js';
import { receiptLineValue } from './prices.js';
import { businessTimeOr } from './business-time.js';

/**
 * Snapshot what the user typed on the moves a line just planned: the quantity as written
 * ("2箱") and the entered unit price in fen per base unit. Ledger methods append moves, so the
 * line's moves are the ones after `from`.
 */
function stampEntered(ledger: Ledger, from: number, enteredQty: string, enteredUnitPrice: Dec | null = null): void {
  for (const m of ledger.moves.slice(from)) {
    m.enteredQty = enteredQty;
    m.enteredUnitPrice = enteredUnitPrice;
  }
}

/** The header fields every posting copies from its input: key, time, remark, what it fulfils, with whom. */
function headerOf(
  data: { idempotencyKey: string; remark: string | null; source?: { type: string; id: number }; party?: { type: string; id: number } },
  businessTime: Date,
) {
  return {
    idempotencyKey: data.idempotencyKey,
    businessTime,
    remark: data.remark,
    sourceType: data.source?.type,
    sourceId: data.source?.id,
    partyType: data.party?.type,
    partyId: data.party?.id,
  };
}

/** The batch a line refers to: '' for products without batch tracking (one implicit batch). */
function batchFor(p: ProductInfo, batchNo: string | undefined, fallback: string | undefined): string | undefined {
  if (!p.batchTracked) {
    if (batchNo) throw new DomainError('invalid_input', `「${p.name}」不按批次管理，请不要填写批次号。要记批号和有效期，请在商品档案里开启「批次管理」（第一次出入库之前才能开启）。`);
    return '';
  }
  return batchNo || fallback;
}

/**
 * Post a receipt. Each line's value (prices.ts receiptLineValue, THE price rule): amountFen if
 * given; else the typed unitPrice per the unit the quantity was written in (2箱 @6.5 = ¥13.00);
 * else qty × unitCostFen (fen per base unit); else qty × the product's purchase price; else
 * qty × the current average cost (0 for a new product). Amounts are round-half-up to the fen.
 * Batch-tracked products without a batch number get the business day as batch (20261125).
 * The moves keep the quantity as written and the entered price per base unit.
 */
export async function postReceipt(db: Conn, actor: Actor, input: ReceiptInput, opts: ReferenceOptions = {}): Promise<PostingResult> {
  const data = parseInput(receiptInputSchema, input);
  requirePermission(actor, DOC_PERMISSION[data.kind]);
  const replay = await findReplay(db, data.idempotencyKey, data.kind);
  if (replay) return replay;
  const businessTime = await businessTimeOr(db, data.businessTime);
  const wh = await resolveWarehouse(db, data.warehouse, { createDefault: true, actor, references: opts.references });
  const prods = await resolveProducts(db, data.lines.map((l) => l.product), opts);
  const lines = data.lines.map((l, i) => {
    const p = prods[i];
    return forLine(i + 1, data.lines.length, () => {
      const v = receiptLineValue(p, l.qty, { unitPrice: l.unitPrice, unitCostFen: l.unitCostFen, amountFen: l.amountFen });
      return { lineNo: i + 1, p, qty: v.qtyBase, v, batchNo: batchFor(p, l.batchNo, dayKey(businessTime))!, l };
    });
  });
  const ensure: EnsureRow[] = lines.map((x) => ({ productId: x.p.id, warehouseId: wh.id, batchNo: x.batchNo, receivedAt: businessTime, expiresOn: x.l.expiresOn ?? null }));
  return post(db, actor, {
    kind: data.kind,
    ...headerOf(data, businessTime),
    warehouseId: wh.id,
    products: new Map(prods.map((p) => [p.id, p])),
    warehouseNames: new Map([[wh.id, wh.name]]),
    ensure,
    lockPairs: lines.map((x) => [x.p.id, wh.id]),
    plan(ledger) {
      for (const x of lines) {
        let value: bigint;
        if (x.v.amountFen !== null) value = x.v.amountFen;
        else if (x.p.purchasePriceFen != null) value = receiptValue(x.qty, new Dec(x.p.purchasePriceFen));
        else value = receiptValue(x.qty, ledger.valuation(x.p.id).avgCost);
        if (value < 0n) throw new DomainError('invalid_input', `第 ${x.lineNo} 行金额不能为负数。`);
        const from = ledger.moves.length;
        ledger.receive(x.lineNo, data.kind, x.p.id, wh.id, x.batchNo, x.qty, value);
        stampEntered(ledger, from, x.v.enteredQty, x.v.enteredUnitPrice);
      }
    },
  });
}

/**
 * Post an issue (sales or internal). Lines without a batch are picked FIFO by receipt date. A
 * sales issue's line may carry its selling price (`salePrice`, sale-price.ts), stored on its moves.
 */
export async function postIssue(db: Conn, actor: Actor, input: IssueWithSaleInput, opts: ReferenceOptions = {}): Promise<PostingResult> {
  const data = parseInput(issueWithSaleInputSchema, input);
  requirePermission(actor, DOC_PERMISSION[data.kind]);
  // The most frequent posting takes the one-statement path (fastissue.ts) when it can: one line
  // of a product given by id or SKU, a plain WHOLE quantity, the default warehouse or one given
  // by id. The statement does not know the product's decimal places (units.ts), and a whole
  // number satisfies every unit; a fraction takes the general path, which checks them. A selling
  // price takes the general path too (the price rule needs the product's units).
  const only = data.lines.length === 1 && data.lines[0].salePrice === undefined ? data.lines[0] : null;
  const fastRef = only && (typeof only.product === 'number' || typeof only.product === 'string') ? only.product : null;
  const plain = only && fastRef != null && !only.batchNo && (typeof data.warehouse === 'number' || data.warehouse === undefined) ? plainQty(only.qty) : null;
  const fastQty = plain && /^\d+$/.test(plain) ? plain : null;
  // Read once: the fast path and the general path below post at the same time.
  const businessTime = await businessTimeOr(db, data.businessTime);
  if (only && fastQty) {
    const r = await fastIssue(db, actor, {
      kind: data.kind,
      product: fastRef!,
      warehouseId: data.warehouse as number | undefined,
      qty: fastQty,
      enteredQty: String(only.qty).trim(),
      ...headerOf(data, businessTime),
    });
    if (r) return r;
  }
  const replay = await findReplay(db, data.idempotencyKey, data.kind);
  if (replay) return replay;
  const wh = await resolveWarehouse(db, data.warehouse, { createDefault: true, actor, references: opts.references });
  const prods = await resolveProducts(db, data.lines.map((l) => l.product), opts);
  const lines = data.lines.map((l, i) =>
    forLine(i + 1, data.lines.length, () => {
      const qty = new Dec(parseQuantity(prods[i], l.qty));
      return { lineNo: i + 1, p: prods[i], qty, entered: String(l.qty).trim(), batchNo: batchFor(prods[i], l.batchNo, undefined), sale: saleOfLine(data.kind, prods[i], l.qty, qty, l.salePrice) };
    }),
  );
  return post(db, actor, {
    kind: data.kind,
    ...headerOf(data, businessTime),
    warehouseId: wh.id,
    products: new Map(prods.map((p) => [p.id, p])),
    warehouseNames: new Map([[wh.id, wh.name]]),
    ensure: [],
    lockPairs: lines.map((x) => [x.p.id, wh.id]),
    plan(ledger) {
      for (const x of lines) {
        const from = ledger.moves.length;
        ledger.issue(x.lineNo, data.kind, x.p.id, wh.id, x.qty, x.p.batchTracked ? x.batchNo : undefined);
        stampEntered(ledger, from, x.entered);
        stampSale(ledger, from, x.sale);
      }
    },
  });
}

/**
 * Transfer between warehouses: one DB document; per batch an out leg and an in leg with the
 * same value, so the product's total qty and value never change.
 */
export async function postTransfer(db: Conn, actor: Actor, input: TransferInput, opts: ReferenceOptions = {}): Promise<PostingResult> {
  const data = parseInput(transferInputSchema, input);
  requirePermission(actor, DOC_PERMISSION.transfer);
  const replay = await findReplay(db, data.idempotencyKey, 'transfer');
  if (replay) return replay;
  const businessTime = await businessTimeOr(db, data.businessTime);
  const from = await resolveWarehouse(db, data.from, { createDefault: true, actor, references: opts.references });
  const to = await resolveWarehouse(db, data.to, opts);
  if (from.id === to.id) {
    // One warehouse given: it is the destination, and the source defaulted to the same one.
    // Saying "the same warehouse" would blame a choice the user never made.
    if (data.from === undefined) {
      throw new DomainError(
        'invalid_input',
        `只写了一个仓库「${to.name}」，它被当作调入仓库，而调出仓库默认也是它。请写成：调拨 <商品> <数量> @调出仓库 @调入仓库，例如 调拨 ${data.lines[0]?.product ?? 'A001'} 10 @${to.name} @另一个仓库。`,
        { warehouse: to.name, missing: 'from' },
      );
    }
    throw new DomainError('invalid_input', `调出和调入仓库相同（${from.name}），请选择不同的仓库。`);
  }
  const prods = await resolveProducts(db, data.lines.map((l) => l.product), opts);
  const lines = data.lines.map((l, i) =>
    forLine(i + 1, data.lines.length, () => ({ lineNo: i + 1, p: prods[i], qty: new Dec(parseQuantity(prods[i], l.qty)), entered: String(l.qty).trim(), batchNo: batchFor(prods[i], l.batchNo, undefined) })),
  );
  // Destination rows for every batch the source holds (FIFO may pick any of them).
  const ensure: EnsureRow[] = [];
  for (const x of lines) {
    if (!x.p.batchTracked) ensure.push({ productId: x.p.id, warehouseId: to.id, batchNo: '' });
    else if (x.batchNo) ensure.push({ productId: x.p.id, warehouseId: to.id, batchNo: x.batchNo });
  }
  const tracked = lines.filter((x) => x.p.batchTracked && !x.batchNo).map((x) => x.p.id);
  if (tracked.length) {
    const rows = await execRows<{ product_id: number; batch_no: string; received_at: string | Date }>(
      db,
      sql`select b.product_id, bt.batch_no, bt.received_at from stock_balances b join batches bt on bt.id = b.batch_id
          where b.warehouse_id = ${from.id} and b.qty > 0 and b.product_id in (${sql.join(tracked.map((t) => sql`${t}::int`), sql`, `)})`,
    );
    for (const r of rows) ensure.push({ productId: r.product_id, warehouseId: to.id, batchNo: r.batch_no, receivedAt: new Date(r.received_at) });
  }
  return post(db, actor, {
    kind: 'transfer',
    idempotencyKey: data.idempotencyKey,
    warehouseId: from.id,
    toWarehouseId: to.id,
    businessTime,
    remark: data.remark,
    products: new Map(prods.map((p) => [p.id, p])),
    warehouseNames: new Map([
      [from.id, from.name],
      [to.id, to.name],
    ]),
    ensure,
    lockPairs: lines.flatMap((x): [number, number][] => [
      [x.p.id, from.id],
      [x.p.id, to.id],
    ]),
    plan(ledger) {
      for (const x of lines) {
        const at = ledger.moves.length;
        ledger.transfer(x.lineNo, x.p.id, from.id, to.id, x.qty, x.p.batchTracked ? x.batchNo : undefined);
        stampEntered(ledger, at, x.entered);
      }
    },
  });
}

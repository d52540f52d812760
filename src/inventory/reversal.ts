/**
 * Reversal (红冲): the only way to correct a posted document. A reversal document (HC…) posts
 * the exact opposite of every original move — same batch, same unit cost, negated value, not
 * today's average — so the ledger nets to zero for that document. Rules:
 * - needs 'stock.reverse'; once per document (documents_reverses_once unique partial index,
 *   plus the guarded link update); a reversal itself cannot be reversed, nor can a 成本调整
 *   (TZ: correct it with another 成本调整 — it has no goods to take back);
 * - refused when it would make any balance negative (received goods already issued);
 * - VALUE WHEN STOCK HAS MOVED SINCE (decided for issue 8; purchase returns will follow it):
 *   the reversed quantity leaves at its ORIGINAL cost only while the valuation rules still hold
 *   afterwards (valuation.ts R1–R3). Example: 入库 5 @¥2, 入库 5 @¥10 (average ¥6), 出库 5
 *   (takes ¥30), 红冲 the second receipt: −5 at ¥10 = −¥50 would leave 0 units worth −¥20.
 *   Instead the product is brought back inside the rules — quantity 0 → value 0; otherwise the
 *   value is clamped into [⌊Q·min⌋, ⌈Q·max⌉] of the costs that REMAIN entered since the
 *   quantity was last 0 (the reversed entries no longer count: remainingCostRanges) — and the
 *   difference is posted on the same HC document as an explicit 'cost_adjustment' move
 *   (成本调整 +¥20.00 in the example), split over the rows on hand so its parts add up. It is
 *   in the ledger, in the reply, and later in COGS and finance: never absorbed silently.
 *   Reversing an issue, a stocktake loss or a transfer brings goods back at the cost they left
 *   with (an entry into the range) or moves none, so the rules hold without a correction; the
 *   same check runs for every reversal all the same.
 * - both documents link to each other (reverses_doc_id / reversed_by_doc_id): the one update
 *   ever made to a posted row, in the reversal's own transaction.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn, type Db, type Tx } from '../../db/types.js';
import { DomainError, domainErrorWithFixIn, isDomainError } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec } from '../shared/decimal.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../shared/pg.js';
import { findReplay, post } from './engine.js';
import type { PostingResult } from './documents.js';
import type { ProductInfo } from './ledger.js';
import { DOC_KIND_LABEL, MOVE_KIND_LABEL, RECEIPT_KINDS, type DocKind, type MoveKind } from './moves.js';
import { productLabel } from './products.js';
import { loadProductInfos } from './resolve.js';
import { formatQty } from './units.js';
import { parseInput, reversalInputSchema, type ReversalInput } from './schemas.js';
import { enteredCostRange, widen, type CostRange } from './valuation.js';
import { businessTimeOr } from './business-time.js';

/**
 * Whether a posted document can still be reversed (offer the 红冲 button only then): not a
 * reversal itself, not a 成本调整 (it moved no goods: another adjustment corrects it), and not
 * reversed already. The service enforces the same rules with a message (reverseDocument).
 */
export function isReversible(d: { kind: string; reversedByDocId: number | null }): boolean {
  return d.kind !== 'reversal' && d.kind !== 'cost_adjustment' && !d.reversedByDocId;
}

export async function reverseDocument(db: Conn, actor: Actor, input: ReversalInput): Promise<PostingResult> {
  const data = parseInput(reversalInputSchema, input);
  requirePermission(actor, 'stock.reverse');
  const replay = await findReplay(db, data.idempotencyKey, 'reversal');
  if (replay) return replay;
  const docNo = data.docNo.toUpperCase();
  const [orig] = await execRows<{ id: number; doc_no: string; kind: string; warehouse_id: number | null; to_warehouse_id: number | null; reversed_by: string | null }>(
    db,
    sql`select d.id, d.doc_no, d.kind, d.warehouse_id, d.to_warehouse_id, r.doc_no as reversed_by
        from documents d left join documents r on r.id = d.reversed_by_doc_id where d.doc_no = ${docNo}`,
  );
  if (!orig) throw new DomainError('not_found', `找不到单据「${data.docNo}」。单号形如 RK20261125-0001。`, { docNo: data.docNo });
  if (orig.kind === 'reversal') throw new DomainError('conflict', `「${orig.doc_no}」本身是红冲单，不能再红冲。如需恢复，请重新录入原单据。`, { docNo: orig.doc_no });
  if (orig.reversed_by) throw alreadyReversed(orig.doc_no, orig.reversed_by);
  if (orig.kind === 'cost_adjustment') {
    throw domainErrorWithFixIn(
      'conflict',
      { kind: 'cost_adjust_request', product: '<商品>', unitPrice: '<单价>' },
      (w) => `「${orig.doc_no}」是成本调整单，不能红冲：它没有可退回的货物。要改回原来的金额，请再做一次成本调整，例如「${w}」。`,
      { docNo: orig.doc_no },
    );
  }
  const moves = await execRows<{ id: number | string; kind: string; product_id: number; warehouse_id: number; batch_id: number; qty: string; unit_cost: string; value_fen: string; sale_price: string | null; sale_amount_fen: string | null; sku: string | null; product_name: string | null; base_unit: string | null; pack_unit: string | null; pack_factor: string | null }>(
    db,
    sql`select id, kind, product_id, warehouse_id, batch_id, qty::text as qty, unit_cost::text as unit_cost, value_fen::text as value_fen,
               sale_price::text as sale_price, sale_amount_fen::text as sale_amount_fen, sku, product_name, base_unit, pack_unit, pack_factor::text as pack_factor
        from stock_moves where document_id = ${orig.id} order by id`,
  );
  const whRows = await execRows<{ id: number; name: string }>(
    db,
    sql`select id, name from warehouses where id in (select distinct warehouse_id from stock_moves where document_id = ${orig.id})`,
  );
  // Archived products can still be reversed (the reversal restores history, not new business).
  const pids = [...new Set(moves.map((m) => m.product_id))];
  const prods = await loadProductInfos(db, pids);
  // A correction is split over every row holding the product: lock those warehouses too.
  const held = await execRows<{ product_id: number; warehouse_id: number; name: string }>(
    db,
    sql`select distinct b.product_id, b.warehouse_id, w.name from stock_balances b join warehouses w on w.id = b.warehouse_id
        where b.qty > 0 and b.product_id in (${sql.join(pids.map((p) => sql`${p}::int`), sql`, `)})`,
  );
  for (const h of held) if (!whRows.some((w) => w.id === h.warehouse_id)) whRows.push({ id: h.warehouse_id, name: h.name });
  const reversedIds = new Set(moves.map((m) => Number(m.id)));
  const businessTime = await businessTimeOr(db, data.businessTime);
  try {
    const result = await post(db, actor, {
      kind: 'reversal',
      idempotencyKey: data.idempotencyKey,
      warehouseId: orig.warehouse_id,
      toWarehouseId: orig.to_warehouse_id,
      businessTime,
      remark: data.reason ?? `红冲 ${orig.doc_no}`,
      reversesDocId: orig.id,
      sourceType: 'document',
      sourceId: orig.id,
      products: new Map(prods.map((p) => [p.id, p])),
      warehouseNames: new Map(whRows.map((w) => [w.id, w.name])),
      ensure: [],
      lockPairs: [...moves.map((m): [number, number] => [m.product_id, m.warehouse_id]), ...held.map((h): [number, number] => [h.product_id, h.warehouse_id])],
      auditAction: 'reverse',
      async plan(ledger, tx) {
        // Re-read under the balance locks: a concurrent reversal of the same document that
        // committed while we waited must win cleanly (already_reversed, not a stock error).
        const [now] = await execRows<{ by: string | null }>(
          tx,
          sql`select r.doc_no as by from documents d left join documents r on r.id = d.reversed_by_doc_id where d.id = ${orig.id}`,
        );
        if (now?.by) throw alreadyReversed(orig.doc_no, now.by);
        // The entries this document made no longer count as entered (read under the locks).
        const valued = [...new Set(moves.filter((m) => !isTransferLeg(m.kind)).map((m) => m.product_id))];
        const remaining = await remainingCostRanges(tx, valued, reversedIds);
        for (const pid of valued) ledger.setCostRange(pid, remaining.get(pid) ?? null);
        moves.forEach((m, i) =>
          ledger.reverse(i + 1, {
            id: Number(m.id),
            kind: m.kind,
            productId: m.product_id,
            warehouseId: m.warehouse_id,
            batchId: m.batch_id,
            qty: new Dec(m.qty),
            unitCost: new Dec(m.unit_cost),
            valueFen: BigInt(m.value_fen),
            salePrice: m.sale_price == null ? null : new Dec(m.sale_price),
            saleAmountFen: m.sale_amount_fen == null ? null : BigInt(m.sale_amount_fen),
          }),
        );
        // Then keep the rules: an explicit 成本调整 move on this document where needed.
        valued.forEach((pid, i) => {
          const first = moves.find((m) => m.product_id === pid)!;
          ledger.restoreRules(moves.length + 1 + i, pid, ledger.rowById(pid, first.warehouse_id, first.batch_id));
        });
      },
      async after(tx, doc) {
        const linked = await execRows<{ id: number }>(
          tx,
          sql`update documents set reversed_by_doc_id = ${doc!.id} where id = ${orig.id} and reversed_by_doc_id is null returning id`,
        );
        if (!linked.length) throw alreadyReversed(orig.doc_no, null);
      },
    });
    result.document.reversesDocNo = orig.doc_no;
    // The reply reads as the lines it reverses did (the engine stores that snapshot, engine.ts):
    // names and pack size as posted then, not as the product is today.
    for (const line of result.lines) {
      const m = line.kind === 'reversal' ? moves[line.lineNo - 1] : undefined;
      if (!m?.base_unit) continue;
      const unit = { baseUnit: m.base_unit, packUnit: m.pack_unit, packFactor: m.pack_factor };
      Object.assign(line, { sku: m.sku ?? line.sku, name: m.product_name ?? line.name, ...unit, qtyText: formatQty(unit, line.qty) });
    }
    return result;
  } catch (e) {
    if (pgErrorCode(e) === UNIQUE_VIOLATION && (pgConstraint(e) ?? '').includes('reverses_once')) throw alreadyReversed(orig.doc_no, null);
    // The ledger's "请减少数量" does not apply: a reversal's quantity is the document's.
    if (isDomainError(e) && e.code === 'insufficient_stock') throw await reversalShortOfStock(db, orig, prods, e);
    throw e;
  }
}

const isTransferLeg = (kind: string | null) => kind === 'transfer_out' || kind === 'transfer_in';

/**
 * Per product: the range of the unit costs that entered since its quantity was last 0 and are
 * still entered — not reversed since, and not among `excluding` (the moves being reversed now).
 * The same sentences as valuation.ts and verify.ts's replay: an entry is a move adding goods
 * (receipt, gain, reversal of an issue or loss: value ÷ qty, outward to 6 dp), or a 成本调整
 * document's moves (their unit cost, and the average right after the document). Transfer legs
 * (and their reversals) neither enter nor count towards the quantity.
 */
export async function remainingCostRanges(conn: Tx | Db, productIds: number[], excluding: Set<number>): Promise<Map<number, CostRange>> {
  const out = new Map<number, CostRange>();
  if (!productIds.length) return out;
  const rows = await execRows<{ id: string | number; product_id: number; kind: string; dkind: string; qty: string; value_fen: string; unit_cost: string; run_q: string; run_v: string; last_in_doc: boolean }>(
    conn,
    sql`with m as (
          select sm.id, sm.document_id, sm.product_id, sm.kind, sm.qty, sm.value_fen, sm.unit_cost, d.kind as dkind,
                 (sm.kind in ('transfer_in', 'transfer_out') or coalesce(o.kind in ('transfer_in', 'transfer_out'), false)) as xfer,
                 exists (select 1 from stock_moves x where x.reverses_move_id = sm.id) as reversed
          from stock_moves sm join documents d on d.id = sm.document_id left join stock_moves o on o.id = sm.reverses_move_id
          where sm.product_id in (${sql.join(productIds.map((p) => sql`${p}::int`), sql`, `)})),
        r as (
          select m.*, sum(case when xfer then 0 else qty end) over w as run_q, sum(case when xfer then 0 else value_fen end) over w as run_v,
                 id = max(id) over (partition by document_id, product_id) as last_in_doc
          from m window w as (partition by product_id order by id)),
        z as (select product_id, max(id) as z from r where run_q = 0 and not xfer group by product_id)
        select r.id, r.product_id, r.kind, r.dkind, r.qty::text as qty, r.value_fen::text as value_fen, r.unit_cost::text as unit_cost,
               r.run_q::text as run_q, r.run_v::text as run_v, r.last_in_doc
        from r left join z on z.product_id = r.product_id
        where r.id > coalesce(z.z, 0) and not r.xfer and not r.reversed
          and (r.qty > 0 or (r.kind = 'cost_adjustment' and r.dkind = 'cost_adjustment'))
        order by r.id`,
  );
  for (const r of rows) {
    if (excluding.has(Number(r.id))) continue;
    let entry: CostRange | null;
    if (r.kind === 'cost_adjustment') {
      const c = new Dec(r.unit_cost);
      entry = { min: c, max: c };
      const q = new Dec(r.run_q);
      if (r.last_in_doc && q.greaterThan(0)) entry = widen(entry, enteredCostRange(q, BigInt(r.run_v)));
    } else entry = enteredCostRange(new Dec(r.qty), BigInt(r.value_fen));
    const range = widen(out.get(r.product_id), entry);
    if (range) out.set(r.product_id, range);
  }
  return out;
}

/**
 * A reversal refused for stock (the goods it would take back have left since): the ledger's
 * insufficient_stock error (details productId / warehouseId / available / requested) rewritten
 * for a reversal — which documents took the goods since (exits of that product and warehouse
 * after the original, not themselves reversed; at most 5 named) and the ways out: for a receipt
 * a 成本调整 when only the price was wrong, or reversing the later issues first. Read outside the
 * failed transaction: it only explains, nothing is written. Same code, so adapters treat it alike.
 */
async function reversalShortOfStock(
  db: Conn,
  orig: { id: number; doc_no: string; kind: string },
  prods: ProductInfo[],
  e: DomainError,
): Promise<DomainError> {
  const d = e.details ?? {};
  const pid = Number(d.productId);
  const wid = Number(d.warehouseId);
  const p = prods.find((x) => x.id === pid);
  if (!p || !Number.isFinite(wid)) {
    return new DomainError('insufficient_stock', `不能红冲「${orig.doc_no}」：它的货已部分出库，红冲后库存会为负。没有保存任何改动。`, { ...d, docNo: orig.doc_no });
  }
  const later = await execRows<{ doc_no: string; kind: string; qty: string }>(
    db,
    sql`select d.doc_no, min(sm.kind) as kind, (-sum(sm.qty))::text as qty
        from stock_moves sm join documents d on d.id = sm.document_id
        where sm.product_id = ${pid} and sm.warehouse_id = ${wid} and sm.qty < 0 and sm.document_id <> ${orig.id}
          and sm.id > (select coalesce(max(id), 0) from stock_moves where document_id = ${orig.id})
          and not exists (select 1 from stock_moves x where x.reverses_move_id = sm.id)
        group by d.id, d.doc_no order by min(sm.id)`,
  );
  const isReceipt = (RECEIPT_KINDS as readonly string[]).includes(orig.kind);
  const kindLabel = DOC_KIND_LABEL[orig.kind as DocKind] ?? '单据';
  const wh = String(d.warehouse ?? `#${wid}`);
  const batch = d.batchNo ? `批次「${String(d.batchNo)}」` : '';
  const shown = later.slice(0, 5).map((m) => `${m.doc_no}（${MOVE_KIND_LABEL[m.kind as MoveKind] ?? m.kind}）${formatQty(p, m.qty)}`);
  const since = later.length
    ? `之后出库：${shown.join('；')}${later.length > 5 ? ` 等 ${later.length} 张` : ''}。`
    : '';
  const head =
    `不能红冲「${orig.doc_no}」：这张${isReceipt ? '入库单' : `${kindLabel}单`}的货已部分出库，红冲后库存会为负。` +
    `${productLabel(p)}在「${wh}」${batch}现有 ${formatQty(p, String(d.available ?? '0'))}，红冲要退回 ${formatQty(p, String(d.requested ?? '0'))}。${since}`;
  const fix = { kind: 'reverse_later_first', docNo: orig.doc_no, firstLater: later[0]?.doc_no ?? '<出库单号>', receipt: isReceipt } as const;
  return domainErrorWithFixIn('insufficient_stock', fix, (way) => `${head}\n${way}没有保存任何改动。`, {
    ...d,
    docNo: orig.doc_no,
    laterDocs: later.map((m) => m.doc_no),
  });
}

function alreadyReversed(docNo: string, by: string | null): DomainError {
  return new DomainError('already_reversed', `单据「${docNo}」已经红冲过${by ? `（红冲单 ${by}）` : ''}，每张单据只能红冲一次。`, { docNo, reversedBy: by });
}


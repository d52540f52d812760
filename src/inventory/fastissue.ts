/**
 * The hot path: a single-line issue of a product without batch tracking, given by id or exact
 * SKU, with a plain quantity. It is the most frequent posting (every sale), so it is ONE SQL
 * statement — no pre-reads, no BEGIN/COMMIT of its own — that does what engine.ts does in five steps:
 *
 *   idempotency check → lock the balance row, THEN the valuation row (the global lock order:
 *   the valuation CTE waits on the balance CTE) → check qty → value the issue → claim the doc
 *   number (a sequence value, no lock) → insert document, move, audit → apply the deltas.
 *
 * A statement is atomic, and READ COMMITTED row locks re-read the latest committed row, so the
 * concurrency guarantees are those of the general path. The valuation arithmetic is the same
 * rule as valuation.ts, computed EXACTLY in SQL with integer division (`div` truncates, no
 * rounding of intermediate digits):
 *   issue value  = V                                   when q = Q
 *                = sign(V)·⌊(2|V|·q' + Q') / (2Q')⌋    otherwise (q' = q·10⁶, Q' = Q·10⁶: integers)
 *   then clamped into [V − ⌈(Q−q)·max⌉, V − ⌊(Q−q)·min⌋] ∩ [0, V] (valuation.ts issueValue:
 *   what stays keeps the valuation rules; min/max = the entered-cost range, reset to null
 *   when the issue empties the product)
 *   new average  = round-half-up((V − v)/(Q − q), 6 dp) when Q − q > 0, else the old average.
 *
 * Document number: a sequence value claimed in the statement after the stock check (see
 * numbering.ts), so it takes no lock and a refused issue leaves no gap. The day's base is read
 * in the statement; on the day's first issue it is missing, the statement writes nothing, and
 * it runs again once dayBase() has recorded it.
 *
 * Works on a root Db (autocommit: the statement is the transaction) and inside a caller's
 * transaction (the bot's message transaction: dedupe row, posting and reply commit together).
 *
 * Batch picking (FEFO/FIFO, ledger.ts pickOrder) does not arise here: the statement takes only
 * products without batch tracking, whose stock is the one implicit batch ''. A batch-tracked
 * product (the only kind with batches to order and expiry days to warn about, unusual.ts
 * expiredBatchReasons) always takes the general path.
 *
 * Anything the statement cannot decide (unknown or archived product, a product text that is not
 * exactly one SKU, batch-tracked, no such or default warehouse) returns `null` and the caller takes the general path, which produces the
 * proper error or handles the case.
 */
import { sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Conn } from '../../db/types.js';
import { execPrepared } from '../shared/prepared.js';
import type { Actor } from '../people/roles.js';
import { Dec, costText, qtyText } from '../shared/decimal.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION, withRetry } from '../shared/pg.js';
import { dayKey } from '../shared/time.js';
import { findReplay } from './engine.js';
import { DOC_KIND_LABEL, DOC_PREFIX, MOVE_KIND_LABEL, type IssueKind } from './moves.js';
import { baseSql, dayBase, docNoExpr, nextvalSql } from '../kernel/numbering.js';
import type { PostingResult } from './documents.js';
import { formatQty } from './units.js';
import { Ledger } from './ledger.js';

export interface FastIssue {
  kind: IssueKind;
  /** The product: an id, or text that is taken only as an exact SKU (see productCte). */
  product: number | string;
  warehouseId: number | undefined;
  /** Base-unit decimal text, > 0, ≤ 6 decimals. */
  qty: string;
  /** The quantity as the user wrote it (snapshot on the move), if it came from a person. */
  enteredQty?: string | null;
  idempotencyKey: string;
  businessTime: Date;
  remark: string | null;
  sourceType?: string | null;
  sourceId?: number | null;
  partyType?: string | null;
  partyId?: number | null;
}

/** A plain number ("3", 3, "0.5"): no unit to resolve against the product. */
export function plainQty(q: string | number): string | null {
  const s = String(q).trim();
  if (!/^\d+(\.\d{1,6})?$/.test(s)) return null;
  const d = new Dec(s);
  return d.greaterThan(0) && d.lessThan('1e14') ? qtyText(d) : null;
}

interface Row {
  dup_id: number | null;
  vbad: number;
  has_p: number;
  has_base: number;
  pid: number | null;
  wid: number | null;
  wname: string | null;
  sku: string | null;
  name: string | null;
  model: string | null;
  spec: string | null;
  base_unit: string | null;
  pack_unit: string | null;
  pack_factor: string | null;
  bq: string | null;
  doc_id: number | null;
  doc_no: string | null;
  created_at: string | Date | null;
  iv: string | null;
  avg: string | null;
  new_bq: string | null;
  new_vq: string | null;
  guard: number;
}

/**
 * The product CTE `p`: by id; by text only when it is the unique active product with that SKU
 * (case-insensitive) — resolveProduct's first rule, so both paths agree. Anything else (a
 * barcode, a name, an ambiguous SKU) gives no row and the general path resolves it.
 */
function productCte(ref: number | string) {
  const cols = sql`id, sku, name, model, spec, base_unit, pack_unit, pack_factor::text as pack_factor, batch_tracked`;
  if (typeof ref === 'number') return sql`p as (select ${cols} from products where id = ${ref}::int and archived_at is null and not batch_tracked)`;
  return sql`cand as (select ${cols} from products where lower(sku) = lower(${ref.trim()}::text) and archived_at is null),
      p as (select * from cand where not batch_tracked and (select count(*) from cand) = 1)`;
}

/** Post it, or return null when the general path must decide. Throws insufficient_stock. */
export async function fastIssue(db: Conn, actor: Actor, f: FastIssue): Promise<PostingResult | null> {
  const prefix = DOC_PREFIX[f.kind];
  const day = dayKey(f.businessTime);
  const bt = f.businessTime.toISOString();
  const q = sql`${f.qty}::numeric`;
  const negQty = qtyText(new Dec(f.qty).negated());
  const pid = sql`(select id from p)`;
  const run = () =>
    execPrepared<Row>(
      db,
      sql`with
      dup as (select id from documents where idempotency_key = ${f.idempotencyKey}),
      ${productCte(f.product)},
      w as (select id, name from warehouses
            where id = coalesce(${f.warehouseId ?? null}::int, (select id from warehouses where is_default)) and not archived),
      bt as (select id from batches where product_id = ${pid} and batch_no = ''),
      base as (select ${baseSql(prefix, day)} as base),
      b as materialized (select sb.qty from stock_balances sb
            where sb.product_id = ${pid} and sb.warehouse_id = (select id from w) and sb.batch_id = (select id from bt)
              and not exists (select 1 from dup) and exists (select 1 from p) and (select base from base) is not null
            for update),
      -- a value already outside the rules (a database written before they were enforced) is
      -- left to the general path, which refuses with the repair hint (engine.ts)
      v as materialized (select qty, value_fen, avg_cost, min_cost, max_cost from stock_valuations
            where product_id = ${pid} and exists (select 1 from b) and value_fen >= 0 for update),
      vbad as (select 1 from stock_valuations where product_id = ${pid} and value_fen < 0),
      -- the issue value, clamped so what stays keeps the rules (valuation.ts issueValue):
      -- least/greatest skip NULL bounds (no cost range known)
      ok as (select b.qty as bq, v.qty as vq, v.value_fen as vv, v.avg_cost as avg,
               greatest(0, least(v.value_fen,
                 least(v.value_fen - floor((v.qty - ${q}) * v.min_cost),
                   greatest(v.value_fen - ceil((v.qty - ${q}) * v.max_cost),
                     case when ${q} = v.qty then v.value_fen
                          else (sign(v.value_fen) * div(2 * abs(v.value_fen::numeric) * (${q} * 1000000) + v.qty * 1000000, 2 * v.qty * 1000000)) end))))::bigint as iv
             from b, v where b.qty >= ${q}),
      did as (select nextval(pg_get_serial_sequence('documents', 'id'))::int as id from ok),
      -- the number: claimed only when the issue goes through (no lock, see numbering.ts)
      seq as (select ${nextvalSql(prefix)} - base.base as n from ok, base),
      d as (insert into documents (id, doc_no, kind, warehouse_id, actor_id, business_time, remark, idempotency_key,
                                   source_type, source_id, party_type, party_id, total_value_fen)
            select did.id, ${docNoExpr(prefix, day, sql`seq.n`)}, ${f.kind}, w.id, ${actor.userId}::int, ${bt}::timestamptz, ${f.remark}::text,
                   ${f.idempotencyKey}, ${f.sourceType ?? null}::text, ${f.sourceId ?? null}::int, ${f.partyType ?? null}::text, ${f.partyId ?? null}::int, -ok.iv
            from did, seq, ok, w
            returning id, doc_no, created_at),
      m as (insert into stock_moves (document_id, line_no, kind, product_id, warehouse_id, batch_id, qty, unit_cost, value_fen, actor_id, business_time,
                                     sku, product_name, base_unit, pack_unit, pack_factor, entered_qty)
            select did.id, 1, ${f.kind}, ${pid}, w.id, bt.id, -${q}, ok.avg, -ok.iv, ${actor.userId}::int, ${bt}::timestamptz,
                   p.sku, p.name, p.base_unit, p.pack_unit, p.pack_factor::numeric, ${f.enteredQty ?? null}::text
            from did, ok, w, bt, p
            returning id),
      ub as (update stock_balances sb set qty = sb.qty - ${q}, updated_at = now(), last_move_id = m.id
             from m, w, bt where sb.product_id = ${pid} and sb.warehouse_id = w.id and sb.batch_id = bt.id
             returning sb.qty),
      uv as (update stock_valuations sv set qty = sv.qty - ${q}, value_fen = sv.value_fen - ok.iv, updated_at = now(),
               avg_cost = case when ok.vq - ${q} > 0
                 then sign(ok.vv - ok.iv) * div(2 * abs((ok.vv - ok.iv)::numeric) * 1000000000000 + (ok.vq - ${q}) * 1000000, 2 * (ok.vq - ${q}) * 1000000) / 1000000
                 else ok.avg end,
               -- the entered-cost range resets when the product's quantity reaches 0
               min_cost = case when ok.vq - ${q} > 0 then sv.min_cost end,
               max_cost = case when ok.vq - ${q} > 0 then sv.max_cost end
             from ok where sv.product_id = ${pid}
             returning sv.qty),
      au as (insert into audit_log (actor_id, action, entity, entity_id, after)
             select ${actor.userId}::int, 'post', 'document', d.doc_no,
                    jsonb_build_object('kind', ${f.kind}::text, 'warehouseId', w.id, 'toWarehouseId', null, 'reversesDocId', null,
                      'idempotencyKey', ${f.idempotencyKey}::text, 'totalValueFen', (-ok.iv)::text,
                      'moves', jsonb_build_array(jsonb_build_object('p', ${pid}, 'w', w.id, 'b', '', 'q', ${negQty}::text, 'v', (-ok.iv)::text, 'k', ${f.kind}::text)))
             from d, ok, w
             returning 1)
      select (select id from dup) as dup_id, (select count(*) from vbad)::int as vbad, (select count(*) from p)::int as has_p, (select count(*) from base where base is not null)::int as has_base,
             (select id from w) as wid, (select name from w) as wname,
             p.id as pid, p.sku, p.name, p.model, p.spec, p.base_unit, p.pack_unit, p.pack_factor,
             (select qty::text from b) as bq,
             (select iv::text from ok) as iv, (select avg::text from ok) as avg,
             (select qty::text from ub) as new_bq, (select qty::text from uv) as new_vq,
             -- a row-count mismatch can only be a bug: abort the whole statement (nothing commits)
             case when (select count(*) from ok) = (select count(*) from ub) and (select count(*) from ok) = (select count(*) from uv)
                       and (select count(*) from ok) = (select count(*) from au) then 0
                  else ('inventory fast path: row count mismatch ' || (select count(*) from ub))::int end as guard,
             (select id from d) as doc_id, (select doc_no from d) as doc_no, (select created_at from d) as created_at
      from (select 1) one left join p on true`,
    );
  const inTx = db instanceof PgTransaction;
  let rows: Row[];
  try {
    rows = await (inTx ? run() : withRetry(run));
    // The day's first issue: record the day's numbering base, then post for real.
    if (rows[0].has_base === 0 && rows[0].has_p && rows[0].dup_id == null) {
      await dayBase(db, prefix, day);
      rows = await (inTx ? run() : withRetry(run));
    }
  } catch (e) {
    // A concurrent twin (same key) committed first. Outside a transaction, answer with its
    // result. Inside one the statement error has aborted the caller's transaction; the caller's
    // own dedupe claim (bot: processed_events, taken first) is what keeps twins apart there.
    if (!inTx && pgErrorCode(e) === UNIQUE_VIOLATION && (pgConstraint(e) ?? '').includes('idempotency')) return findReplay(db, f.idempotencyKey, f.kind);
    throw e;
  }
  const r = rows[0];
  if (r.dup_id != null) return findReplay(db, f.idempotencyKey, f.kind);
  if (!r.has_p || r.wid == null) return null;
  const product = {
    id: r.pid!,
    sku: r.sku!,
    name: r.name!,
    model: r.model,
    spec: r.spec,
    baseUnit: r.base_unit!,
    packUnit: r.pack_unit,
    // Canonical text like every other output ("5", not numeric's "5.000000").
    packFactor: r.pack_factor == null ? null : qtyText(r.pack_factor),
    batchTracked: false,
    purchasePriceFen: null,
    archived: false,
  };
  if (r.doc_id == null) {
    if (r.vbad) return null;
    // Not posted: the only reason left is quantity (no balance row = nothing on hand).
    const ledger = new Ledger(new Map([[product.id, product]]), [], new Map(), new Map([[r.wid, r.wname!]]));
    const err = ledger.insufficient(product.id, r.wid, new Dec(f.qty), new Dec(r.bq ?? 0));
    // Our own twin (same key) may have just taken the stock: then answer with its result.
    const replay = await findReplay(db, f.idempotencyKey, f.kind);
    if (replay) return replay;
    throw err;
  }
  const createdAt = r.created_at instanceof Date ? r.created_at : new Date(r.created_at!);
  const valueFen = (-BigInt(r.iv!)).toString();
  return {
    document: {
      id: r.doc_id,
      docNo: r.doc_no!,
      kind: f.kind,
      kindLabel: DOC_KIND_LABEL[f.kind],
      warehouseId: r.wid,
      warehouseName: r.wname,
      toWarehouseId: null,
      toWarehouseName: null,
      actorId: actor.userId,
      businessTime: bt,
      recordedAt: createdAt.toISOString(),
      remark: f.remark,
      totalValueFen: valueFen,
      reversesDocId: null,
      reversesDocNo: null,
      reversedByDocId: null,
      reversedByDocNo: null,
      sourceType: f.sourceType ?? null,
      sourceId: f.sourceId ?? null,
      partyType: f.partyType ?? null,
      partyId: f.partyId ?? null,
    },
    lines: [
      {
        lineNo: 1,
        kind: f.kind,
        kindLabel: MOVE_KIND_LABEL[f.kind],
        productId: product.id,
        sku: product.sku,
        name: product.name,
        baseUnit: product.baseUnit,
        warehouseId: r.wid,
        warehouseName: r.wname!,
        batchNo: '',
        qty: negQty,
        qtyText: formatQty(product, negQty),
        unitCost: costText(r.avg!),
        valueFen,
        packUnit: product.packUnit,
        packFactor: product.packFactor,
        enteredQty: f.enteredQty ?? null,
        enteredUnitPrice: null,
      },
    ],
    onHand: [
      {
        productId: product.id,
        sku: product.sku,
        name: product.name,
        warehouseId: r.wid,
        warehouseName: r.wname!,
        qty: qtyText(r.new_bq!),
        qtyText: formatQty(product, r.new_bq!),
        totalQty: qtyText(r.new_vq!),
        totalQtyText: formatQty(product, r.new_vq!),
      },
    ],
    replayed: false,
  };
}

/**
 * The posting engine: every stock document (receipt, issue, transfer, stocktake, reversal)
 * goes through `post()`, which is one READ COMMITTED transaction:
 *
 *  1. ensure   – create missing batches and balance/valuation rows for what is RECEIVED
 *                (INSERT … ON CONFLICT DO NOTHING, rows in key order), one statement.
 *  2. lock     – SELECT … FOR UPDATE every balance row of each touched (product, warehouse),
 *                ordered by (product_id, warehouse_id, batch_id); then the valuation rows
 *                ordered by product_id. Everyone locks in this one global order
 *                (balances → valuations), so postings cannot deadlock, and
 *                READ COMMITTED re-reads a row after waiting for its lock, so the check below
 *                sees the latest committed quantity: 200 issues of 1 against 100 → 100 win.
 *  3. plan     – the Ledger (ledger.ts) computes the moves and refuses negative stock.
 *  4. write    – ONE data-modifying statement: claim the document number (a sequence value,
 *                no lock: numbering.ts), insert the document, its moves, apply the balance
 *                deltas, the valuation deltas and the audit row. The number is claimed after
 *                the plan's checks, so a refused posting leaves no gap.
 *
 * Idempotency: a key already used returns the first result (replayed: true) and writes
 * nothing. Two concurrent postings with one key: the loser's document insert hits the unique
 * index, its transaction rolls back, and it returns the winner's result.
 */
import { sql, type SQL } from 'drizzle-orm';
import { execRows, type Conn, type Db, type Tx } from '../../db/types.js';
import { DomainError, domainErrorWithFix, isDomainError } from '../errors.js';
import type { Actor } from '../people/roles.js';
import { auditJson } from '../audit/index.js';
import { Dec, costText, qtyText } from '../shared/decimal.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION, withRetry } from '../shared/pg.js';
import { dayKey, isoDay } from '../shared/time.js';
import { Ledger, type BalanceRow, type ProductInfo } from './ledger.js';
import { DOC_KIND_LABEL, DOC_PREFIX, MOVE_KIND_LABEL, type DocKind } from './moves.js';
import { dayBase, docNoExpr, nextvalSql } from '../kernel/numbering.js';
import { loadPostingResult, type OnHand, type PostingResult } from './documents.js';
import { formatQty } from './units.js';
import { costTolerance, ruleBreach, type Valuation } from './valuation.js';
import { productLabel } from './products.js';
import { formatFen } from '../shared/money.js';

export interface EnsureRow {
  productId: number;
  warehouseId: number;
  batchNo: string;
  /** FIFO key of a new batch (default: now). */
  receivedAt?: Date;
  expiresOn?: string | null;
}

export interface PostSpec {
  kind: DocKind;
  idempotencyKey: string;
  warehouseId: number | null;
  toWarehouseId?: number | null;
  businessTime: Date;
  remark?: string | null;
  sourceType?: string | null;
  sourceId?: number | null;
  partyType?: string | null;
  partyId?: number | null;
  reversesDocId?: number | null;
  /** Preassigned number (a stocktake posts under its own PD number). */
  docNo?: string;
  products: Map<number, ProductInfo>;
  warehouseNames: Map<number, string>;
  /** Rows that must exist before locking (receiving side). */
  ensure: EnsureRow[];
  /** (product, warehouse) pairs whose balance rows are locked and given to the ledger. */
  lockPairs: [number, number][];
  /** Turn the intent into moves on the locked state. May throw DomainError. */
  plan(ledger: Ledger, tx: Tx): void | Promise<void>;
  /** Extra statements inside the same transaction after the write (e.g. link a reversal). */
  after?(tx: Tx, doc: { id: number; docNo: string } | null): Promise<void>;
  /** Audit action name (default 'post'). */
  auditAction?: string;
  /** A plan with no moves is fine (a stocktake without variances): `after(tx, null)` runs, result null. */
  allowEmpty?: boolean;
}

const cmpPair = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

function uniqPairs(pairs: [number, number][]): [number, number][] {
  return [...new Map(pairs.map((p) => [`${p[0]}:${p[1]}`, p])).values()].sort(cmpPair);
}

/** A replay must be of the same kind of posting; anything else is a misuse of the key. */
function checkReplayKind(r: PostingResult, kind: DocKind, key: string): PostingResult {
  if (r.document.kind !== kind) {
    throw new DomainError('conflict', `幂等键「${key}」已用于另一张单据 ${r.document.docNo}（${r.document.kindLabel}），不能用于${DOC_KIND_LABEL[kind]}。`, {
      docNo: r.document.docNo,
    });
  }
  return r;
}

export async function findReplay(conn: Db | Tx, key: string, kind: DocKind): Promise<PostingResult | null> {
  const r = await loadPostingResult(conn, { key }, true);
  return r ? checkReplayKind(r, kind, key) : null;
}

/**
 * The valuation rules (valuation.ts R1–R3) hold for every product a plan touched. The ledger
 * keeps them by construction (clamped issues, reversal corrections); a breach here means the
 * product's stored value was already wrong (a database written before the rules were enforced),
 * and posting on top of it would hide it: refuse and say how to repair it (成本调整).
 * R3 is checked with verify's tolerance (⌈Q × 0.000001⌉ fen: costs are stored to 6 decimals).
 */
function checkValuationRules(ledger: Ledger, before: Map<number, Valuation>): void {
  for (const pid of ledger.valuationTouched) {
    const v = ledger.valuation(pid);
    const breach = ruleBreach(v, costTolerance(v.qty));
    if (!breach) continue;
    const p = ledger.product(pid);
    const was = before.get(pid);
    const wasText = was ? `（本次之前：数量 ${formatQty(p, was.qty)}，金额 ${formatFen(was.valueFen)}）` : '';
    // The way out (a 成本调整) as data: chat names the command, REST the request.
    throw domainErrorWithFix(
      'conflict',
      `${productLabel(p)} 的库存金额不符合估值规则：过账后数量 ${formatQty(p, v.qty)}，金额 ${formatFen(v.valueFen)}${wasText}。这通常是旧数据里的错误金额，`,
      { kind: 'cost_adjustment', product: { sku: p.sku } },
      { productId: pid, sku: p.sku, breach, qty: v.qty.toFixed(), valueFen: v.valueFen.toString() },
    );
  }
}

/**
 * A named batch the warehouse never held (ledger.ts noSuchBatch), said with what exists: where
 * the batch is when another warehouse holds it, else the product's batches with stock (where,
 * how much, expiry) — "没有批次 X（该商品的批次：…）", never 库存不足. Read only when refused,
 * so a posting that goes through pays nothing for it.
 */
async function explainMissingBatch(tx: Tx, e: DomainError): Promise<DomainError> {
  const d = e.details ?? {};
  const batchNo = String(d.batchNo);
  const rows = await execRows<{ batch_no: string; expires_on: string | null; warehouse: string | null; qty: string | null }>(
    tx,
    sql`select bt.batch_no, bt.expires_on, w.name as warehouse, sum(b.qty)::text as qty
        from batches bt left join stock_balances b on b.batch_id = bt.id and b.qty > 0 left join warehouses w on w.id = b.warehouse_id
        where bt.product_id = ${Number(d.productId)}::int and bt.batch_no <> ''
        group by bt.id, bt.batch_no, bt.expires_on, w.id, w.name
        order by bt.expires_on nulls last, bt.received_at, bt.id, w.id`,
  );
  const where = (r: (typeof rows)[number]) => (r.warehouse ? `${r.warehouse} ${new Dec(r.qty ?? 0).toFixed()}` : '无库存');
  const exp = (r: (typeof rows)[number]) => (r.expires_on ? `，到期 ${r.expires_on}` : '');
  const line = typeof d.line === 'number' && d.line > 1 ? `第 ${d.line} 行：` : '';
  const elsewhere = rows.filter((r) => r.batch_no === batchNo && r.warehouse);
  let message: string;
  if (elsewhere.length) {
    message = `${line}「${String(d.warehouse)}」没有批次「${batchNo}」的库存；这个批次在：${elsewhere.map((r) => `${r.warehouse} ${new Dec(r.qty ?? 0).toFixed()}`).join('、')}。请改写 @仓库，或先调拨。`;
  } else {
    // One entry per batch: every warehouse holding it, then its expiry.
    const held = new Map<string, (typeof rows)[number][]>();
    for (const r of rows) if (r.warehouse && r.batch_no !== batchNo) held.set(r.batch_no, [...(held.get(r.batch_no) ?? []), r]);
    const names = [...held.values()].map((rs) => `${rs[0].batch_no}（${rs.map(where).join('、')}${exp(rs[0])}）`);
    const list = names.length ? names.slice(0, 10).join('、') + (names.length > 10 ? ` 等 ${names.length} 个` : '') : '暂无有库存的批次';
    message = `${line}没有批次「${batchNo}」（该商品的批次：${list}）。请核对批号，或不写批次按到期先出。`;
  }
  return new DomainError('not_found', message, { ...d, batches: rows.filter((r) => r.warehouse).map((r) => ({ batchNo: r.batch_no, warehouse: r.warehouse, qty: new Dec(r.qty ?? 0).toFixed(), expiresOn: r.expires_on })) });
}

/** Post a document (see the file comment). Callers check for a replay first (findReplay). */
export async function post(db: Conn, actor: Actor, spec: PostSpec): Promise<PostingResult> {
  const r = await postMaybeEmpty(db, actor, spec);
  if (!r) throw new DomainError('invalid_input', '这张单据没有任何库存变动。');
  return r;
}

export async function postMaybeEmpty(db: Conn, actor: Actor, spec: PostSpec): Promise<PostingResult | null> {
  try {
    return await withRetry(() => db.transaction((tx) => postInTx(tx, actor, spec)));
  } catch (e) {
    // Lost an idempotency race, or the same event delivered twice concurrently: the first
    // posting won; return its result. (Also covers insufficient stock caused by our own twin.)
    const lostRace =
      (pgErrorCode(e) === UNIQUE_VIOLATION && (pgConstraint(e) ?? '').includes('idempotency')) ||
      (isDomainError(e) && e.code === 'insufficient_stock');
    if (lostRace) {
      const r = await findReplay(db, spec.idempotencyKey, spec.kind);
      if (r) return r;
    }
    throw e;
  }
}

async function postInTx(tx: Tx, actor: Actor, spec: PostSpec): Promise<PostingResult | null> {
  const day = dayKey(spec.businessTime);
  const prefix = DOC_PREFIX[spec.kind];
  // 0. the day's numbering base (a plain read; on the day's first posting it is recorded, which
  //    may wait for a concurrent first posting — so before any row lock is taken)
  const base = spec.docNo ? 0 : await dayBase(tx, prefix, day);

  // 1. ensure rows on the receiving side (sorted: concurrent inserts never wait in a cycle)
  if (spec.ensure.length) {
    const ens = [...new Map(spec.ensure.map((e) => [`${e.productId}:${e.warehouseId}:${e.batchNo}`, e])).values()].sort(
      (a, b) => a.productId - b.productId || a.warehouseId - b.warehouseId || (a.batchNo < b.batchNo ? -1 : a.batchNo > b.batchNo ? 1 : 0),
    );
    const vals = sql.join(
      ens.map((e) => sql`(${e.productId}::int, ${e.warehouseId}::int, ${e.batchNo}::text, ${(e.receivedAt ?? spec.businessTime).toISOString()}::timestamptz, ${e.expiresOn ?? null}::text)`),
      sql`, `,
    );
    const pids = [...new Set(ens.map((e) => e.productId))].sort((a, b) => a - b);
    await tx.execute(sql`with v(p, w, bn, ra, ex) as (values ${vals}),
      nb as (
        insert into batches (product_id, batch_no, received_at, expires_on)
        select distinct on (p, bn) p, bn, ra, ex from v order by p, bn
        on conflict (product_id, batch_no) do nothing
        returning id, product_id, batch_no),
      allb as (
        select id, product_id, batch_no from nb
        union
        select b.id, b.product_id, b.batch_no from batches b join v on b.product_id = v.p and b.batch_no = v.bn),
      ib as (
        insert into stock_balances (product_id, warehouse_id, batch_id)
        select v.p, v.w, allb.id from v join allb on allb.product_id = v.p and allb.batch_no = v.bn
        order by 1, 2, 3
        on conflict do nothing returning 1),
      iv as (
        insert into stock_valuations (product_id)
        select unnest(${sql.raw(`array[${pids.join(',')}]::int[]`)}) order by 1
        on conflict do nothing returning 1)
      select (select count(*) from ib) + (select count(*) from iv) as n`);
  }

  // 2. lock, in the global order
  const pairs = uniqPairs(spec.lockPairs);
  const balances = pairs.length
    ? (
        await execRows<{ product_id: number; warehouse_id: number; batch_id: number; batch_no: string; received_at: string | Date; expires_on: string | null; qty: string }>(
          tx,
          sql`select b.product_id, b.warehouse_id, b.batch_id, bt.batch_no, bt.received_at, bt.expires_on, b.qty::text as qty
            from stock_balances b join batches bt on bt.id = b.batch_id
            where (b.product_id, b.warehouse_id) in (${sql.join(pairs.map(([p, w]) => sql`(${p}::int, ${w}::int)`), sql`, `)})
            order by b.product_id, b.warehouse_id, b.batch_id
            for update of b`,
        )
      ).map(
        (r): BalanceRow => ({
          productId: r.product_id,
          warehouseId: r.warehouse_id,
          batchId: r.batch_id,
          batchNo: r.batch_no,
          receivedAt: r.received_at instanceof Date ? r.received_at : new Date(r.received_at),
          expiresOn: r.expires_on,
          qty: new Dec(r.qty),
        }),
      )
    : [];
  const pids = [...new Set(pairs.map((p) => p[0]))].sort((a, b) => a - b);
  const valuations = new Map<number, Valuation>();
  if (pids.length) {
    const rows = await execRows<{ product_id: number; qty: string; value_fen: string; avg_cost: string; min_cost: string | null; max_cost: string | null }>(
      tx,
      sql`select product_id, qty::text as qty, value_fen::text as value_fen, avg_cost::text as avg_cost, min_cost::text as min_cost, max_cost::text as max_cost
          from stock_valuations where product_id in (${sql.join(pids.map((p) => sql`${p}::int`), sql`, `)})
          order by product_id for update`,
    );
    for (const r of rows) {
      valuations.set(r.product_id, {
        qty: new Dec(r.qty),
        valueFen: BigInt(r.value_fen),
        avgCost: new Dec(r.avg_cost),
        minCost: r.min_cost == null ? null : new Dec(r.min_cost),
        maxCost: r.max_cost == null ? null : new Dec(r.max_cost),
      });
    }
  }
  const before = new Map([...valuations].map(([k, v]) => [k, v]));

  // 3. plan
  const ledger = new Ledger(spec.products, balances, valuations, spec.warehouseNames, isoDay(spec.businessTime));
  try {
    await spec.plan(ledger, tx);
  } catch (e) {
    throw isDomainError(e) && e.details?.reason === 'no_such_batch' ? await explainMissingBatch(tx, e) : e;
  }
  checkValuationRules(ledger, before);
  if (!ledger.moves.length) {
    if (!spec.allowEmpty) throw new DomainError('invalid_input', '这张单据没有任何库存变动。');
    if (spec.after) await spec.after(tx, null);
    return null;
  }

  // 4. write: one statement
  const moves = ledger.moves;
  const total = moves.reduce((s, m) => s + m.valueFen, 0n);
  const bt = spec.businessTime.toISOString();
  const moveValues = sql.join(
    moves.map(
      (m, i) =>
        sql`(${i}::int, ${m.lineNo}::int, ${m.kind}::text, ${m.productId}::int, ${m.warehouseId}::int, ${m.batchId}::int, ${qtyText(m.qty)}::numeric, ${costText(m.unitCost)}::numeric, ${m.valueFen.toString()}::bigint, ${m.reversesMoveId}::bigint, ${m.enteredQty ?? null}::text, ${m.enteredUnitPrice == null ? null : costText(m.enteredUnitPrice)}::numeric, ${m.salePrice == null ? null : costText(m.salePrice)}::numeric, ${m.saleAmountFen == null ? null : m.saleAmountFen.toString()}::bigint)`,
    ),
    sql`, `,
  );
  const deltas = new Map<string, { p: number; w: number; b: number; q: Dec }>();
  for (const m of moves) {
    const k = `${m.productId}:${m.warehouseId}:${m.batchId}`;
    const d = deltas.get(k) ?? { p: m.productId, w: m.warehouseId, b: m.batchId, q: new Dec(0) };
    d.q = d.q.plus(m.qty);
    deltas.set(k, d);
  }
  const balValues = sql.join(
    [...deltas.values()].map((d) => sql`(${d.p}::int, ${d.w}::int, ${d.b}::int, ${qtyText(d.q)}::numeric)`),
    sql`, `,
  );
  const valRows: SQL[] = [];
  for (const pid of [...ledger.valuationTouched].sort((a, b) => a - b)) {
    const now = ledger.valuation(pid);
    const was = before.get(pid) ?? { qty: new Dec(0), valueFen: 0n, avgCost: new Dec(0) };
    // qty and value as deltas; average and cost range as they now are (the row is locked).
    valRows.push(
      sql`(${pid}::int, ${qtyText(now.qty.minus(was.qty))}::numeric, ${(now.valueFen - was.valueFen).toString()}::bigint, ${costText(now.avgCost)}::numeric, ${now.minCost == null ? null : costText(now.minCost)}::numeric, ${now.maxCost == null ? null : costText(now.maxCost)}::numeric)`,
    );
  }
  const auditAfter = {
    kind: spec.kind,
    warehouseId: spec.warehouseId,
    toWarehouseId: spec.toWarehouseId ?? null,
    reversesDocId: spec.reversesDocId ?? null,
    idempotencyKey: spec.idempotencyKey,
    totalValueFen: total.toString(),
    moves: moves.map((m) => ({ p: m.productId, w: m.warehouseId, b: m.batchNo, q: qtyText(m.qty), v: m.valueFen.toString(), k: m.kind })),
  };
  const docNo = spec.docNo ? sql`${spec.docNo}::text` : docNoExpr(prefix, day, sql`seq.n`);
  const seqCte = spec.docNo ? sql`seq as (select 0 as n)` : sql`seq as (select ${nextvalSql(prefix)} - ${base}::bigint as n)`;
  const [written] = await execRows<{ id: number; doc_no: string; created_at: string | Date; nb: number; nv: number }>(
    tx,
    sql`with ${seqCte},
      d as (
        insert into documents (doc_no, kind, warehouse_id, to_warehouse_id, actor_id, business_time, remark, idempotency_key,
                               reverses_doc_id, source_type, source_id, party_type, party_id, total_value_fen)
        select ${docNo}, ${spec.kind}, ${spec.warehouseId}::int, ${spec.toWarehouseId ?? null}::int, ${actor.userId}::int, ${bt}::timestamptz,
               ${spec.remark ?? null}::text, ${spec.idempotencyKey}, ${spec.reversesDocId ?? null}::int, ${spec.sourceType ?? null}::text,
               ${spec.sourceId ?? null}::int, ${spec.partyType ?? null}::text, ${spec.partyId ?? null}::int, ${total.toString()}::bigint
        from seq
        returning id, doc_no, created_at),
      mv(i, line_no, kind, p, w, b, q, c, v, r, eq, ep, sp, sa) as (values ${moveValues}),
      m as (
        insert into stock_moves (document_id, line_no, kind, product_id, warehouse_id, batch_id, qty, unit_cost, value_fen, actor_id, business_time, reverses_move_id,
                                 sku, product_name, base_unit, pack_unit, pack_factor, entered_qty, entered_unit_price, sale_price, sale_amount_fen)
        select d.id, mv.line_no, mv.kind, mv.p, mv.w, mv.b, mv.q, mv.c, mv.v, ${actor.userId}::int, ${bt}::timestamptz, mv.r,
               coalesce(om.sku, pr.sku), coalesce(om.product_name, pr.name), coalesce(om.base_unit, pr.base_unit),
               case when om.id is null then pr.pack_unit else om.pack_unit end,
               case when om.id is null then pr.pack_factor else om.pack_factor end, mv.eq, mv.ep, mv.sp, mv.sa
        -- a reversal line reads as the line it reverses did (names and pack size as posted then)
        from d, mv join products pr on pr.id = mv.p left join stock_moves om on om.id = mv.r order by mv.i
        returning id, product_id, warehouse_id, batch_id),
      bd(p, w, b, q) as (values ${balValues}),
      ub as (
        update stock_balances sb set qty = sb.qty + bd.q, updated_at = now(),
          last_move_id = (select max(m.id) from m where m.product_id = bd.p and m.warehouse_id = bd.w and m.batch_id = bd.b)
        from bd where sb.product_id = bd.p and sb.warehouse_id = bd.w and sb.batch_id = bd.b
        returning 1)
      ${valRows.length ? sql`, uv as (
        update stock_valuations sv set qty = sv.qty + x.q, value_fen = sv.value_fen + x.v, avg_cost = x.a, min_cost = x.mn, max_cost = x.mx, updated_at = now()
        from (values ${sql.join(valRows, sql`, `)}) as x(p, q, v, a, mn, mx)
        where sv.product_id = x.p
        returning 1)` : sql``},
      au as (
        insert into audit_log (actor_id, action, entity, entity_id, after)
        select ${actor.userId}::int, ${spec.auditAction ?? 'post'}, 'document', d.doc_no, ${JSON.stringify(auditJson(auditAfter))}::jsonb from d
        returning 1)
      select d.id, d.doc_no, d.created_at, (select count(*) from ub)::int as nb,
        ${valRows.length ? sql`(select count(*) from uv)::int` : sql`0`} as nv from d`,
  );
  // Every row written was locked above; a count mismatch is a bug, never a user error.
  if (Number(written.nb) !== deltas.size) throw new Error(`bug: updated ${written.nb} balance rows, expected ${deltas.size}`);
  if (Number(written.nv) !== valRows.length) throw new Error(`bug: updated ${written.nv} valuation rows, expected ${valRows.length}`);
  if (spec.after) await spec.after(tx, { id: written.id, docNo: written.doc_no });

  // 5. result, from what we hold (no extra reads on the hot path)
  const lines = moves.map((m) => {
    const p = ledger.product(m.productId);
    return {
      lineNo: m.lineNo,
      kind: m.kind,
      kindLabel: MOVE_KIND_LABEL[m.kind],
      productId: m.productId,
      sku: p.sku,
      name: p.name,
      baseUnit: p.baseUnit,
      warehouseId: m.warehouseId,
      warehouseName: spec.warehouseNames.get(m.warehouseId) ?? '',
      batchNo: m.batchNo,
      qty: qtyText(m.qty),
      qtyText: formatQty(p, m.qty),
      unitCost: costText(m.unitCost),
      valueFen: m.valueFen.toString(),
      packUnit: p.packUnit,
      packFactor: p.packFactor,
      enteredQty: m.enteredQty ?? null,
      enteredUnitPrice: m.enteredUnitPrice == null ? null : costText(m.enteredUnitPrice),
      // Only on a sales issue's line with a selling price (sale-price.ts), as documents.ts reads it back.
      ...(m.salePrice == null ? {} : { salePrice: costText(m.salePrice), saleAmountFen: String(m.saleAmountFen ?? 0n) }),
    };
  });
  const seen = new Set<string>();
  const onHand: OnHand[] = [];
  for (const m of moves) {
    const k = `${m.productId}:${m.warehouseId}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const p = ledger.product(m.productId);
    const qty = ledger.onHand(m.productId, m.warehouseId);
    const totalQty = ledger.valuation(m.productId).qty;
    onHand.push({
      productId: p.id,
      sku: p.sku,
      name: p.name,
      warehouseId: m.warehouseId,
      warehouseName: spec.warehouseNames.get(m.warehouseId) ?? '',
      qty: qtyText(qty),
      qtyText: formatQty(p, qty),
      totalQty: qtyText(totalQty),
      totalQtyText: formatQty(p, totalQty),
    });
  }
  const createdAt = written.created_at instanceof Date ? written.created_at : new Date(written.created_at);
  return {
    document: {
      id: written.id,
      docNo: written.doc_no,
      kind: spec.kind,
      kindLabel: DOC_KIND_LABEL[spec.kind],
      warehouseId: spec.warehouseId,
      warehouseName: spec.warehouseId == null ? null : spec.warehouseNames.get(spec.warehouseId) ?? null,
      toWarehouseId: spec.toWarehouseId ?? null,
      toWarehouseName: spec.toWarehouseId == null ? null : spec.warehouseNames.get(spec.toWarehouseId) ?? null,
      actorId: actor.userId,
      businessTime: spec.businessTime.toISOString(),
      recordedAt: createdAt.toISOString(),
      remark: spec.remark ?? null,
      totalValueFen: total.toString(),
      reversesDocId: spec.reversesDocId ?? null,
      reversesDocNo: null,
      reversedByDocId: null,
      reversedByDocNo: null,
      sourceType: spec.sourceType ?? null,
      sourceId: spec.sourceId ?? null,
      partyType: spec.partyType ?? null,
      partyId: spec.partyId ?? null,
    },
    lines,
    onHand,
    replayed: false,
  };
}


/**
 * Read side of posted documents: the shapes every posting returns and `getDocument` shows.
 * JSON-safe on purpose (quantities and fen as strings): adapters serialise them as they are.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { DomainError } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { costText, qtyText } from '../shared/decimal.js';
import { DOC_KIND_LABEL, MOVE_KIND_LABEL, type DocKind, type MoveKind } from './moves.js';
import { formatQty } from './units.js';

export interface DocumentView {
  id: number;
  docNo: string;
  kind: DocKind;
  kindLabel: string;
  warehouseId: number | null;
  warehouseName: string | null;
  toWarehouseId: number | null;
  toWarehouseName: string | null;
  actorId: number | null;
  businessTime: string;
  recordedAt: string;
  remark: string | null;
  /** Sum of the moves' signed values, fen. */
  totalValueFen: string;
  reversesDocId: number | null;
  reversesDocNo: string | null;
  reversedByDocId: number | null;
  reversedByDocNo: string | null;
  sourceType: string | null;
  sourceId: number | null;
  partyType: string | null;
  partyId: number | null;
}

/**
 * One move of a document. `sku`, `name`, `baseUnit` and the pack unit/factor behind `qtyText`
 * are the product AS POSTED (stock_moves snapshot columns): a later rename or new pack size
 * never rewrites history (issue 8, class 7).
 */
export interface PostingLine {
  lineNo: number;
  kind: MoveKind;
  kindLabel: string;
  productId: number;
  sku: string;
  name: string;
  baseUnit: string;
  warehouseId: number;
  warehouseName: string;
  batchNo: string;
  /** Signed, base unit ("-3", "48"). */
  qty: string;
  /** "48 个（2 箱）" */
  qtyText: string;
  /** Fen per base unit. */
  unitCost: string;
  /** Signed fen: receipts +, issues − (COGS). */
  valueFen: string;
  /** The pack unit and factor the line was posted with (null: none), for echoing prices per pack. */
  packUnit?: string | null;
  packFactor?: string | null;
  /** The quantity as the user wrote it ("2箱"), null when not typed by a person. */
  enteredQty?: string | null;
  /** The unit price the user gave, fen per base unit (6 decimals), null when none was typed. */
  enteredUnitPrice?: string | null;
  /**
   * A sales issue's selling price, fen per base unit (6 decimals), and this move's sale amount in
   * whole fen (sale-price.ts). Present only when a 售价 was given; not a cost (every role sees it).
   */
  salePrice?: string;
  saleAmountFen?: string;
  /** The product's name / SKU today, present only when it was renamed since posting (`name`/`sku` are as posted). */
  currentName?: string;
  currentSku?: string;
}

export interface OnHand {
  productId: number;
  sku: string;
  name: string;
  warehouseId: number;
  warehouseName: string;
  /** On hand in this warehouse after the posting, base unit. */
  qty: string;
  qtyText: string;
  /** On hand in all warehouses. */
  totalQty: string;
  totalQtyText: string;
}

export interface PostingResult {
  document: DocumentView;
  lines: PostingLine[];
  onHand: OnHand[];
  /** True when the idempotency key was seen before: nothing was written, this is the first result. */
  replayed: boolean;
}

/** A documents row as the header queries select it (joined warehouse and linked document numbers). */
export interface DocRow {
  id: number;
  doc_no: string;
  kind: DocKind;
  warehouse_id: number | null;
  wh_name: string | null;
  to_warehouse_id: number | null;
  to_wh_name: string | null;
  actor_id: number | null;
  business_time: string | Date;
  created_at: string | Date;
  remark: string | null;
  total_value_fen: string | number | bigint;
  reverses_doc_id: number | null;
  reverses_doc_no: string | null;
  reversed_by_doc_id: number | null;
  reversed_by_doc_no: string | null;
  source_type: string | null;
  source_id: number | null;
  party_type: string | null;
  party_id: number | null;
}

const iso = (v: string | Date) => (v instanceof Date ? v : new Date(v)).toISOString();

/** A header row → the document as every output shows it (getDocument, postings, listings). */
export function docView(r: DocRow): DocumentView {
  return {
    id: r.id,
    docNo: r.doc_no,
    kind: r.kind,
    kindLabel: DOC_KIND_LABEL[r.kind] ?? r.kind,
    warehouseId: r.warehouse_id,
    warehouseName: r.wh_name,
    toWarehouseId: r.to_warehouse_id,
    toWarehouseName: r.to_wh_name,
    actorId: r.actor_id,
    businessTime: iso(r.business_time),
    recordedAt: iso(r.created_at),
    remark: r.remark,
    totalValueFen: String(r.total_value_fen),
    reversesDocId: r.reverses_doc_id,
    reversesDocNo: r.reverses_doc_no,
    reversedByDocId: r.reversed_by_doc_id,
    reversedByDocNo: r.reversed_by_doc_no,
    sourceType: r.source_type,
    sourceId: r.source_id,
    partyType: r.party_type,
    partyId: r.party_id,
  };
}

/**
 * Load a document with its moves, plus current on-hand of what it touched. Lines show the
 * product as it was posted (see PostingLine); on-hand is today's stock in today's units.
 */
export async function loadPostingResult(conn: Conn, where: { id: number } | { docNo: string } | { key: string }, replayed: boolean): Promise<PostingResult | null> {
  const cond =
    'id' in where ? sql`d.id = ${where.id}` : 'docNo' in where ? sql`d.doc_no = ${where.docNo}` : sql`d.idempotency_key = ${where.key}`;
  const docs = await execRows<DocRow>(
    conn,
    sql`select d.id, d.doc_no, d.kind, d.warehouse_id, w.name as wh_name, d.to_warehouse_id, tw.name as to_wh_name, d.actor_id,
          d.business_time, d.created_at, d.remark, d.total_value_fen::text as total_value_fen, d.reverses_doc_id, r.doc_no as reverses_doc_no,
          d.reversed_by_doc_id, rb.doc_no as reversed_by_doc_no, d.source_type, d.source_id, d.party_type, d.party_id
        from documents d
        left join warehouses w on w.id = d.warehouse_id
        left join warehouses tw on tw.id = d.to_warehouse_id
        left join documents r on r.id = d.reverses_doc_id
        left join documents rb on rb.id = d.reversed_by_doc_id
        where ${cond}`,
  );
  if (!docs.length) return null;
  const doc = docView(docs[0]);
  const moves = await execRows<{
    line_no: number; kind: MoveKind; product_id: number; sku: string; name: string; base_unit: string; pack_unit: string | null; pack_factor: string | null;
    warehouse_id: number; wh_name: string; batch_no: string; qty: string; unit_cost: string; value_fen: string;
    entered_qty: string | null; entered_unit_price: string | null; sale_price: string | null; sale_amount_fen: string | null; cur_sku: string; cur_name: string;
  }>(
    conn,
    // The product as posted (snapshot columns: written by every posting, backfilled by migration
    // 0004), never as it is now; the product row only fills a row the backfill could not reach.
    sql`select m.line_no, m.kind, m.product_id, coalesce(m.sku, p.sku) as sku, coalesce(m.product_name, p.name) as name,
          coalesce(m.base_unit, p.base_unit) as base_unit,
          case when m.base_unit is null then p.pack_unit else m.pack_unit end as pack_unit,
          (case when m.base_unit is null then p.pack_factor else m.pack_factor end)::text as pack_factor,
          p.sku as cur_sku, p.name as cur_name,
          m.warehouse_id, w.name as wh_name, b.batch_no, m.qty::text as qty, m.unit_cost::text as unit_cost, m.value_fen::text as value_fen,
          m.entered_qty, m.entered_unit_price::text as entered_unit_price, m.sale_price::text as sale_price, m.sale_amount_fen::text as sale_amount_fen
        from stock_moves m join products p on p.id = m.product_id join warehouses w on w.id = m.warehouse_id join batches b on b.id = m.batch_id
        where m.document_id = ${doc.id} order by m.id`,
  );
  const lines: PostingLine[] = moves.map((m) => {
    const units = { baseUnit: m.base_unit, packUnit: m.pack_unit, packFactor: m.pack_factor };
    return {
      lineNo: m.line_no,
      kind: m.kind,
      kindLabel: MOVE_KIND_LABEL[m.kind] ?? m.kind,
      productId: m.product_id,
      sku: m.sku,
      name: m.name,
      baseUnit: m.base_unit,
      warehouseId: m.warehouse_id,
      warehouseName: m.wh_name,
      batchNo: m.batch_no,
      qty: qtyText(m.qty),
      qtyText: formatQty(units, m.qty),
      unitCost: costText(m.unit_cost),
      valueFen: String(m.value_fen),
      packUnit: units.packUnit,
      packFactor: units.packFactor == null ? null : qtyText(units.packFactor),
      enteredQty: m.entered_qty,
      enteredUnitPrice: m.entered_unit_price == null ? null : costText(m.entered_unit_price),
      ...(m.sale_price == null ? {} : { salePrice: costText(m.sale_price), saleAmountFen: String(m.sale_amount_fen ?? '0') }),
      // Absent (not null) unless renamed: a replay's lines equal the posting's own result.
      ...(m.cur_name !== m.name ? { currentName: m.cur_name } : {}),
      ...(m.cur_sku !== m.sku ? { currentSku: m.cur_sku } : {}),
    };
  });
  const onHand = await currentOnHand(conn, lines);
  return { document: doc, lines, onHand, replayed };
}

/** Current on-hand for each (product, warehouse) in `lines`, plus each product's total. */
export async function currentOnHand(conn: Conn, lines: { productId: number; warehouseId: number }[]): Promise<OnHand[]> {
  const pairs = [...new Map(lines.map((l) => [`${l.productId}:${l.warehouseId}`, l])).values()];
  if (!pairs.length) return [];
  const rows = await execRows<{ product_id: number; warehouse_id: number; sku: string; name: string; base_unit: string; pack_unit: string | null; pack_factor: string | null; wh_name: string; qty: string; total: string }>(
    conn,
    sql`select v.p as product_id, v.w as warehouse_id, p.sku, p.name, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor, w.name as wh_name,
          coalesce((select sum(qty) from stock_balances b where b.product_id = v.p and b.warehouse_id = v.w), 0)::text as qty,
          coalesce((select sum(qty) from stock_balances b where b.product_id = v.p), 0)::text as total
        from (values ${sql.join(pairs.map((l) => sql`(${l.productId}::int, ${l.warehouseId}::int)`), sql`, `)}) as v(p, w)
        join products p on p.id = v.p join warehouses w on w.id = v.w`,
  );
  const order = new Map(pairs.map((l, i) => [`${l.productId}:${l.warehouseId}`, i]));
  return rows
    .sort((a, b) => order.get(`${a.product_id}:${a.warehouse_id}`)! - order.get(`${b.product_id}:${b.warehouse_id}`)!)
    .map((r) => {
      const units = { baseUnit: r.base_unit, packUnit: r.pack_unit, packFactor: r.pack_factor };
      return {
        productId: r.product_id,
        sku: r.sku,
        name: r.name,
        warehouseId: r.warehouse_id,
        warehouseName: r.wh_name,
        qty: qtyText(r.qty),
        qtyText: formatQty(units, r.qty),
        totalQty: qtyText(r.total),
        totalQtyText: formatQty(units, r.total),
      };
    });
}

/** A posted document by number (RK20261125-0001), with its lines. */
export async function getDocument(conn: Conn, actor: Actor, docNo: string): Promise<PostingResult> {
  requirePermission(actor, 'stock.view');
  const r = await loadPostingResult(conn, { docNo: docNo.trim().toUpperCase() }, false);
  if (!r) throw new DomainError('not_found', `找不到单据「${docNo}」。单号形如 RK20261125-0001。`, { docNo });
  return r;
}


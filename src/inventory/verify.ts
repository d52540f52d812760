/**
 * The ledger's invariants, checked against a live database (`npm run verify`, and the
 * property tests after every generated sequence). Each check is one query returning the
 * offending rows; an empty result means the invariant holds.
 *
 *  1. balance_matches_ledger   stock_balances.qty = Σ stock_moves.qty per (product, warehouse, batch)
 *  2. no_negative_balance      no stock_balances.qty < 0
 *  3. valuation_qty            stock_valuations.qty = Σ stock_moves.qty per product
 *  4. valuation_value          stock_valuations.value_fen = Σ stock_moves.value_fen per product
 *  5. valuation_nonnegative    no stock_valuations.qty < 0
 *  6. reversal_links           A.reverses_doc_id = B ⇔ B.reversed_by_doc_id = A; reversals are not reversed
 *  7. reversal_nets_zero       a reversed document and its reversal sum to zero qty/value per product/warehouse/batch
 *  8. document_total           documents.total_value_fen = Σ of its moves' value_fen
 *  9. transfer_balanced        a transfer's moves net to zero qty and value per product
 */
import { sql, type SQL } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';

export interface Violation {
  check: string;
  message: string;
  row: Record<string, unknown>;
}

export interface VerifyReport {
  ok: boolean;
  violations: Violation[];
  summary: { products: number; warehouses: number; documents: number; moves: number; balances: number; totalValueFen: string };
}

const CHECKS: { name: string; message: string; query: SQL }[] = [
  {
    name: 'balance_matches_ledger',
    message: '库存余额与流水合计不符 / balance differs from the ledger sum',
    query: sql`select coalesce(b.product_id, m.product_id) as product_id, coalesce(b.warehouse_id, m.warehouse_id) as warehouse_id,
                 coalesce(b.batch_id, m.batch_id) as batch_id, b.qty::text as balance, m.qty::text as ledger
               from stock_balances b
               full join (select product_id, warehouse_id, batch_id, sum(qty) as qty from stock_moves group by 1, 2, 3) m
                 on m.product_id = b.product_id and m.warehouse_id = b.warehouse_id and m.batch_id = b.batch_id
               where coalesce(b.qty, 0) <> coalesce(m.qty, 0)`,
  },
  {
    name: 'no_negative_balance',
    message: '库存余额为负 / negative balance',
    query: sql`select product_id, warehouse_id, batch_id, qty::text as qty from stock_balances where qty < 0`,
  },
  {
    name: 'valuation_qty',
    message: '估值数量与流水合计不符 / valuation qty differs from the ledger sum',
    query: sql`select coalesce(v.product_id, m.product_id) as product_id, v.qty::text as valuation, m.qty::text as ledger
               from stock_valuations v full join (select product_id, sum(qty) as qty from stock_moves group by 1) m on m.product_id = v.product_id
               where coalesce(v.qty, 0) <> coalesce(m.qty, 0)`,
  },
  {
    name: 'valuation_value',
    message: '估值金额与流水金额合计不符 / valuation value differs from the ledger sum',
    query: sql`select coalesce(v.product_id, m.product_id) as product_id, v.value_fen::text as valuation, m.value::text as ledger
               from stock_valuations v full join (select product_id, sum(value_fen) as value from stock_moves group by 1) m on m.product_id = v.product_id
               where coalesce(v.value_fen, 0) <> coalesce(m.value, 0)`,
  },
  {
    name: 'valuation_nonnegative',
    message: '估值数量为负 / negative valuation qty',
    query: sql`select product_id, qty::text as qty from stock_valuations where qty < 0`,
  },
  {
    name: 'reversal_links',
    message: '红冲单与原单互链不一致 / reversal links are not mutual',
    query: sql`select d.id, d.doc_no, d.kind, d.reverses_doc_id, d.reversed_by_doc_id from documents d
               left join documents o on o.id = d.reverses_doc_id
               left join documents r on r.id = d.reversed_by_doc_id
               where (d.reverses_doc_id is not null and (o.id is null or o.reversed_by_doc_id is distinct from d.id or d.kind <> 'reversal'))
                  or (d.reversed_by_doc_id is not null and (r.id is null or r.reverses_doc_id is distinct from d.id))
                  or (d.kind = 'reversal' and (d.reverses_doc_id is null or d.reversed_by_doc_id is not null))`,
  },
  {
    name: 'reversal_nets_zero',
    message: '红冲后原单未抵消为零 / a reversed document does not net to zero',
    query: sql`select d.doc_no, m.product_id, m.warehouse_id, m.batch_id, sum(m.qty)::text as qty, sum(m.value_fen)::text as value
               from documents d join stock_moves m on m.document_id in (d.id, d.reversed_by_doc_id)
               where d.reversed_by_doc_id is not null
               group by d.doc_no, m.product_id, m.warehouse_id, m.batch_id
               having sum(m.qty) <> 0 or sum(m.value_fen) <> 0`,
  },
  {
    name: 'document_total',
    message: '单据金额与明细合计不符 / document total differs from its moves',
    query: sql`select d.doc_no, d.total_value_fen::text as total, coalesce(s.v, 0)::text as moves
               from documents d left join (select document_id, sum(value_fen) as v from stock_moves group by 1) s on s.document_id = d.id
               where d.total_value_fen <> coalesce(s.v, 0)`,
  },
  {
    name: 'transfer_balanced',
    message: '调拨单调出与调入不平 / transfer legs do not balance',
    query: sql`select d.doc_no, m.product_id, sum(m.qty)::text as qty, sum(m.value_fen)::text as value
               from documents d join stock_moves m on m.document_id = d.id where d.kind = 'transfer'
               group by d.doc_no, m.product_id having sum(m.qty) <> 0 or sum(m.value_fen) <> 0`,
  },
];

export const INVARIANTS = CHECKS.map((c) => ({ name: c.name, message: c.message }));

export async function verifyInventory(db: Conn): Promise<VerifyReport> {
  const violations: Violation[] = [];
  for (const c of CHECKS) {
    for (const row of await execRows(db, c.query)) violations.push({ check: c.name, message: c.message, row });
  }
  const [s] = await execRows<{ products: number; warehouses: number; documents: number; moves: number; balances: number; value: string }>(
    db,
    sql`select (select count(*) from products)::int as products, (select count(*) from warehouses)::int as warehouses,
               (select count(*) from documents)::int as documents, (select count(*) from stock_moves)::int as moves,
               (select count(*) from stock_balances)::int as balances,
               (select coalesce(sum(value_fen), 0) from stock_valuations)::text as value`,
  );
  return {
    ok: violations.length === 0,
    violations,
    summary: { products: s.products, warehouses: s.warehouses, documents: s.documents, moves: s.moves, balances: s.balances, totalValueFen: s.value },
  };
}

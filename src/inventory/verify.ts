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
 *  7. reversal_nets_zero       a reversed document and its reversal sum to zero qty/value per product/warehouse/batch,
 *                              not counting the reversal's 成本调整 (cost_adjustment) moves: those are the
 *                              explained difference that keeps the valuation rules (reversal.ts)
 *  8. document_total           documents.total_value_fen = Σ of its moves' value_fen
 *  9. transfer_balanced        a transfer's moves net to zero qty and value per product
 * The valuation rules (valuation.ts R1–R3):
 * 10. valuation_value_nonnegative   no stock_valuations.value_fen < 0                       (R1, now)
 * 11. zero_qty_zero_value           stock_valuations.qty = 0 ⇒ value_fen = 0                 (R2, now)
 * 12. valuation_cost_range          min_cost/max_cost null exactly when qty = 0, min ≤ max, the stored
 *                                   value within ⌊qty·min⌋ … ⌈qty·max⌉ (± tolerance), and the stored
 *                                   range within the range replayed from the ledger (± 0.000001)
 * 13. average_within_entered_costs  REPLAY: the ledger per product in move-id order, the rules checked
 *                                   after every document (every moment a reader could see): value ≥ 0,
 *                                   qty 0 ⇒ value 0, ⌊Q·min⌋ − tol ≤ value ≤ ⌈Q·max⌉ + tol with [min, max]
 *                                   the range of the costs that entered since qty was last 0 (the
 *                                   sentences of valuation.ts, recomputed from the moves — not read from
 *                                   stock_valuations). A breach stays reported until a later 成本调整 of
 *                                   that product (the repair of a database written before the rules).
 * Tolerance: tol = ⌈Q × 0.000001⌉ fen — a unit cost is stored with 6 decimals of a fen, so a
 * range or an average read back can be off by up to 0.0000005 fen per unit. Everything written
 * since the rules exist lies inside the exact band; the tolerance only absorbs that storage
 * precision (e.g. migration 0004, which set min = max = the stored average of stock on hand).
 */
import { sql, type SQL } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { Dec } from '../shared/decimal.js';
import { costTolerance, enteredCostRange, ruleBreach, widen, type CostRange } from './valuation.js';

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
               from documents d join stock_moves m on m.document_id in (d.id, d.reversed_by_doc_id) and m.kind <> 'cost_adjustment'
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
  {
    name: 'valuation_value_nonnegative',
    message: '库存金额为负 / negative stock value',
    query: sql`select product_id, qty::text as qty, value_fen::text as value from stock_valuations where value_fen < 0`,
  },
  {
    name: 'zero_qty_zero_value',
    message: '数量为 0 但金额不为 0 / zero quantity with a value',
    query: sql`select product_id, value_fen::text as value from stock_valuations where qty = 0 and value_fen <> 0`,
  },
  {
    name: 'valuation_cost_range',
    message: '成本区间与数量/金额不一致 / stored cost range inconsistent with qty or value',
    query: sql`select product_id, qty::text as qty, value_fen::text as value, min_cost::text as min, max_cost::text as max
               from stock_valuations
               where (qty = 0 and (min_cost is not null or max_cost is not null))
                  or (qty > 0 and (min_cost is null or max_cost is null or min_cost > max_cost
                      or value_fen < floor(qty * min_cost) - ceil(qty * 0.000001)
                      or value_fen > ceil(qty * max_cost) + ceil(qty * 0.000001)))`,
  },
];

const RANGE_CHECK = CHECKS.find((c) => c.name === 'valuation_cost_range')!;
const REPLAY_CHECK = {
  name: 'average_within_entered_costs',
  message: '库存金额超出已入库成本区间（或为负、零数量有金额）/ value outside the entered-cost range (or negative, or value at zero qty)',
};

export const INVARIANTS = [...CHECKS, REPLAY_CHECK].map((c) => ({ name: c.name, message: c.message }));

interface ReplayState {
  q: Dec;
  v: bigint;
  /** Entries still counted, by move id: receipts/gains/returns and 成本调整 costs. */
  entries: Map<number, CostRange>;
  range: CostRange | null;
  docId: number | null;
  docNo: string | null;
  docKind: string | null;
  breaches: Record<string, unknown>[];
}

const isTransferLeg = (k: string | null) => k === 'transfer_in' || k === 'transfer_out';
const PAGE = 5000;

/**
 * Replay the ledger (invariant 13; the sentences of valuation.ts). Moves are read in id order
 * in pages, so memory is per product, not per move. Returns the breaches and the replayed range
 * of every product (for invariant 12).
 */
async function replayValuations(db: Conn): Promise<{ breaches: Record<string, unknown>[]; ranges: Map<number, { q: Dec; range: CostRange | null }> }> {
  const states = new Map<number, ReplayState>();
  const finish = (pid: number, s: ReplayState) => {
    if (s.docId == null) return;
    if (s.docKind === 'cost_adjustment') {
      // A 成本调整 enters the average it results in, and repairs what broke before it.
      // It is an entry like the others (keyed by the document, apart from move ids), so a later
      // reversal of some other entry recomputes the range without dropping it (reversal.ts agrees).
      if (s.q.greaterThan(0)) {
        const avg = enteredCostRange(s.q, s.v);
        s.entries.set(-s.docId, avg);
        s.range = widen(s.range, avg);
      }
      s.breaches = [];
    }
    const breach = ruleBreach({ qty: s.q, valueFen: s.v, avgCost: new Dec(0), minCost: s.range?.min ?? null, maxCost: s.range?.max ?? null }, costTolerance(s.q));
    if (breach) {
      s.breaches.push({
        product_id: pid,
        after_doc: s.docNo,
        breach,
        qty: s.q.toFixed(),
        value: s.v.toString(),
        min_cost: s.range?.min.toFixed() ?? null,
        max_cost: s.range?.max.toFixed() ?? null,
      });
    }
  };
  let after = 0;
  for (;;) {
    const rows = await execRows<{ id: string | number; document_id: number; doc_no: string; dkind: string; product_id: number; kind: string; okind: string | null; reverses_move_id: string | number | null; qty: string; value_fen: string; unit_cost: string }>(
      db,
      sql`select m.id, m.document_id, d.doc_no, d.kind as dkind, m.product_id, m.kind, o.kind as okind, m.reverses_move_id,
                 m.qty::text as qty, m.value_fen::text as value_fen, m.unit_cost::text as unit_cost
          from stock_moves m join documents d on d.id = m.document_id left join stock_moves o on o.id = m.reverses_move_id
          where m.id > ${after} order by m.id limit ${PAGE}`,
    );
    for (const r of rows) {
      const id = Number(r.id);
      after = id;
      let s = states.get(r.product_id);
      if (!s) {
        s = { q: new Dec(0), v: 0n, entries: new Map(), range: null, docId: null, docNo: null, docKind: null, breaches: [] };
        states.set(r.product_id, s);
      }
      if (isTransferLeg(r.kind) || isTransferLeg(r.okind)) continue; // value changes place, not amount
      if (s.docId !== r.document_id) {
        finish(r.product_id, s);
        s.docId = r.document_id;
        s.docNo = r.doc_no;
        s.docKind = r.dkind;
      }
      const qty = new Dec(r.qty);
      const value = BigInt(r.value_fen);
      const reversed = r.reverses_move_id == null ? null : Number(r.reverses_move_id);
      if (reversed != null && s.entries.delete(reversed)) s.range = [...s.entries.values()].reduce<CostRange | null>((a, e) => widen(a, e), null);
      s.q = s.q.plus(qty);
      s.v += value;
      let entry: CostRange | null = null;
      if (qty.greaterThan(0)) entry = enteredCostRange(qty, value);
      else if (r.kind === 'cost_adjustment' && r.dkind === 'cost_adjustment') entry = { min: new Dec(r.unit_cost), max: new Dec(r.unit_cost) };
      if (entry) {
        s.entries.set(id, entry);
        s.range = widen(s.range, entry);
      }
      if (s.q.lessThanOrEqualTo(0)) {
        s.entries.clear();
        s.range = null;
      }
    }
    if (rows.length < PAGE) break;
  }
  const breaches: Record<string, unknown>[] = [];
  const ranges = new Map<number, { q: Dec; range: CostRange | null }>();
  for (const [pid, s] of states) {
    finish(pid, s);
    breaches.push(...s.breaches);
    ranges.set(pid, { q: s.q, range: s.range });
  }
  return { breaches, ranges };
}

export async function verifyInventory(db: Conn): Promise<VerifyReport> {
  const violations: Violation[] = [];
  for (const c of CHECKS) {
    for (const row of await execRows(db, c.query)) violations.push({ check: c.name, message: c.message, row });
  }
  const replay = await replayValuations(db);
  for (const row of replay.breaches) violations.push({ check: REPLAY_CHECK.name, message: REPLAY_CHECK.message, row });
  // The stored range must lie within the replayed one (± one unit of the 6th decimal).
  const eps = new Dec('0.000001');
  const stored = await execRows<{ product_id: number; qty: string; min: string | null; max: string | null }>(
    db,
    sql`select product_id, qty::text as qty, min_cost::text as min, max_cost::text as max from stock_valuations where qty > 0 and min_cost is not null and max_cost is not null`,
  );
  for (const r of stored) {
    const rr = replay.ranges.get(r.product_id)?.range;
    if (rr && new Dec(r.min!).greaterThanOrEqualTo(rr.min.minus(eps)) && new Dec(r.max!).lessThanOrEqualTo(rr.max.plus(eps))) continue;
    violations.push({
      check: RANGE_CHECK.name,
      message: RANGE_CHECK.message,
      row: { product_id: r.product_id, qty: r.qty, min: r.min, max: r.max, replayed_min: rr?.min.toFixed() ?? null, replayed_max: rr?.max.toFixed() ?? null },
    });
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

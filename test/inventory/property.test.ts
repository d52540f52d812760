/**
 * Property test: random sequences of receipts, issues, transfers, stocktakes and reversals
 * run against the services AND against a small reference model written here from the rules'
 * sentences (not from src/). After every sequence: each operation succeeded or was refused
 * exactly when the model says, quantities, values and average costs agree, and every
 * invariant of src/inventory/verify.ts holds.
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import DecimalJs from 'decimal.js';
import { sql } from 'drizzle-orm';
import { describeDb, truncateAll } from '../helpers/db.js';
import { execRows } from '../../db/types.js';
import { DomainError } from '../../src/errors.js';
import {
  createProduct,
  createWarehouse,
  openStocktake,
  postIssue,
  postReceipt,
  postStocktake,
  postTransfer,
  recordCount,
  reverseDocument,
  verifyInventory,
} from '../../src/inventory/index.js';
import { admin } from './helpers.js';

const D = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_UP });
type D = InstanceType<typeof D>;
/** Round half away from zero to whole fen. */
const fen = (x: D) => BigInt(x.toDecimalPlaces(0, D.ROUND_HALF_UP).toFixed(0));

type Op =
  | { t: 'receive'; p: number; w: number; qty: number; cost: string; batch: number }
  | { t: 'issue'; p: number; w: number; qty: number }
  | { t: 'transfer'; p: number; from: number; qty: number }
  | { t: 'count'; p: number; w: number; counted: number; split: boolean }
  | { t: 'reverse'; doc: number };

const NP = 3; // product 0, 1 plain; product 2 batch-tracked
const NW = 2;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('receive' as const), p: fc.nat(NP - 1), w: fc.nat(NW - 1), qty: fc.integer({ min: 1, max: 20 }), cost: fc.oneof(fc.integer({ min: 0, max: 500 }).map(String), fc.constantFrom('0.5', '12.345', '99.999', '1.005')), batch: fc.nat(2) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('issue' as const), p: fc.nat(NP - 1), w: fc.nat(NW - 1), qty: fc.integer({ min: 1, max: 15 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('transfer' as const), p: fc.nat(NP - 1), from: fc.nat(NW - 1), qty: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('count' as const), p: fc.nat(1), w: fc.nat(NW - 1), counted: fc.integer({ min: 0, max: 25 }), split: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reverse' as const), doc: fc.nat(50) }) },
);

interface MMove { p: number; w: number; batch: string; qty: D; value: bigint; transfer: boolean }
interface MDoc { docNo: string; kind: string; moves: MMove[]; reversed: boolean }

class Model {
  bal = new Map<string, D>();
  val = Array.from({ length: NP }, () => ({ q: new D(0), v: 0n, avg: new D(0) }));
  batchOrder = Array.from({ length: NP }, () => [] as string[]);
  docs: MDoc[] = [];
  constructor(readonly purchasePrice: bigint[]) {}
  k(p: number, w: number, b: string) { return `${p}|${w}|${b}`; }
  get(p: number, w: number, b: string) { return this.bal.get(this.k(p, w, b)) ?? new D(0); }
  add(p: number, w: number, b: string, q: D) { this.bal.set(this.k(p, w, b), this.get(p, w, b).plus(q)); }
  /** Average = value / qty to 6 decimals while qty > 0; kept at qty 0. */
  apply(p: number, q: D, v: bigint) {
    const s = this.val[p];
    s.q = s.q.plus(q);
    s.v += v;
    if (s.q.greaterThan(0)) s.avg = new D(s.v.toString()).div(s.q).toDecimalPlaces(6, D.ROUND_HALF_UP);
  }
  /** round-half-up(V × q / Q); all of V when q = Q. */
  issueValue(V: bigint, Q: D, q: D) { return q.equals(Q) ? V : fen(new D(V.toString()).times(q).div(Q)); }
  available(p: number, w: number) { return this.batchOrder[p].reduce((s, b) => s.plus(this.get(p, w, b)), new D(0)); }
  fifo(p: number, w: number, qty: D) {
    const parts: { b: string; q: D }[] = [];
    let left = qty;
    for (const b of this.batchOrder[p]) {
      if (left.isZero()) break;
      const have = this.get(p, w, b);
      if (have.lessThanOrEqualTo(0)) continue;
      const take = D.min(have, left);
      parts.push({ b, q: take });
      left = left.minus(take);
    }
    return parts;
  }
  ensureBatch(p: number, b: string) { if (!this.batchOrder[p].includes(b)) this.batchOrder[p].push(b); }
}

describeDb('inventory property: random sequences agree with a reference model', (t) => {
  it('quantities, values and averages agree; invariants hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 20 }), async (ops) => {
        await truncateAll(t.db);
        const w = [await createWarehouse(t.db, admin, { name: '仓A' }), await createWarehouse(t.db, admin, { name: '仓B' })];
        const price = [0n, 77n, 5n];
        const ps = [
          await createProduct(t.db, admin, { name: '甲件', sku: 'P0' }),
          await createProduct(t.db, admin, { name: '乙件', sku: 'P1', purchasePriceFen: 77 }),
          await createProduct(t.db, admin, { name: '丙件', sku: 'P2', batchTracked: true, purchasePriceFen: 5 }),
        ];
        const m = new Model(price);
        let n = 0;
        const key = () => `prop-${++n}`;
        for (const op of ops) {
          const outcome = await run(op);
          if (outcome) throw new Error(`op ${JSON.stringify(op)}: ${outcome}`);
        }
        // Final comparison: every balance and every valuation.
        const bals = await execRows<{ p: number; w: number; b: string; qty: string }>(
          t.db,
          sql`select sb.product_id as p, sb.warehouse_id as w, bt.batch_no as b, sb.qty::text as qty from stock_balances sb join batches bt on bt.id = sb.batch_id`,
        );
        for (const r of bals) expect(`${r.p}|${r.w}|${r.b}=${new D(r.qty).toFixed()}`).toBe(`${r.p}|${r.w}|${r.b}=${m.get(r.p - 1, r.w - 1, r.b).toFixed()}`);
        for (const [k, q] of m.bal) if (!q.isZero()) expect(bals.some((r) => `${r.p - 1}|${r.w - 1}|${r.b}` === k)).toBe(true);
        const vals = await execRows<{ p: number; qty: string; v: string; avg: string }>(t.db, sql`select product_id as p, qty::text as qty, value_fen::text as v, avg_cost::text as avg from stock_valuations`);
        for (const r of vals) {
          const s = m.val[r.p - 1];
          expect({ p: r.p, q: new D(r.qty).toFixed(), v: r.v, avg: new D(r.avg).toFixed() }).toEqual({ p: r.p, q: s.q.toFixed(), v: s.v.toString(), avg: s.avg.toFixed() });
        }
        const report = await verifyInventory(t.db);
        expect(report.violations).toEqual([]);

        /** Run one op on both; return a description of a disagreement, or null. */
        async function run(op: Op): Promise<string | null> {
          const refused = (e: unknown, code: string) => e instanceof DomainError && e.code === code;
          if (op.t === 'receive') {
            const tracked = op.p === 2;
            const b = tracked ? ['A', 'B', 'C'][op.batch] : '';
            const q = new D(op.qty);
            const value = fen(q.times(op.cost));
            const r = await postReceipt(t.db, admin, { warehouse: w[op.w].id, idempotencyKey: key(), lines: [{ product: ps[op.p].id, qty: op.qty, unitCostFen: op.cost, batchNo: tracked ? b : undefined }] });
            if (r.lines[0].valueFen !== value.toString()) return `receipt value ${r.lines[0].valueFen} ≠ model ${value}`;
            m.ensureBatch(op.p, b);
            m.add(op.p, op.w, b, q);
            m.apply(op.p, q, value);
            m.docs.push({ docNo: r.document.docNo, kind: 'receipt', moves: [{ p: op.p, w: op.w, batch: b, qty: q, value, transfer: false }], reversed: false });
            return null;
          }
          if (op.t === 'issue') {
            const q = new D(op.qty);
            const ok = m.available(op.p, op.w).greaterThanOrEqualTo(q);
            try {
              const r = await postIssue(t.db, admin, { warehouse: w[op.w].id, idempotencyKey: key(), lines: [{ product: ps[op.p].id, qty: op.qty }] });
              if (!ok) return 'issue succeeded, model says insufficient';
              const moves: MMove[] = [];
              for (const part of m.fifo(op.p, op.w, q)) {
                const s = m.val[op.p];
                const v = m.issueValue(s.v, s.q, part.q);
                m.add(op.p, op.w, part.b, part.q.negated());
                m.apply(op.p, part.q.negated(), -v);
                moves.push({ p: op.p, w: op.w, batch: part.b, qty: part.q.negated(), value: -v, transfer: false });
              }
              const got = r.lines.map((l) => `${l.batchNo}:${l.qty}:${l.valueFen}`).join(',');
              const want = moves.map((x) => `${x.batch}:${x.qty.toFixed()}:${x.value}`).join(',');
              if (got !== want) return `issue lines ${got} ≠ model ${want}`;
              m.docs.push({ docNo: r.document.docNo, kind: 'issue', moves, reversed: false });
              return null;
            } catch (e) {
              if (!ok && refused(e, 'insufficient_stock')) return null;
              throw e;
            }
          }
          if (op.t === 'transfer') {
            const to = 1 - op.from;
            const q = new D(op.qty);
            const ok = m.available(op.p, op.from).greaterThanOrEqualTo(q);
            try {
              const r = await postTransfer(t.db, admin, { from: w[op.from].id, to: w[to].id, idempotencyKey: key(), lines: [{ product: ps[op.p].id, qty: op.qty }] });
              if (!ok) return 'transfer succeeded, model says insufficient';
              const s = m.val[op.p];
              let Q = s.q;
              let V = s.v;
              const moves: MMove[] = [];
              for (const part of m.fifo(op.p, op.from, q)) {
                const v = m.issueValue(V, Q, part.q);
                Q = Q.minus(part.q);
                V -= v;
                m.add(op.p, op.from, part.b, part.q.negated());
                m.add(op.p, to, part.b, part.q);
                moves.push({ p: op.p, w: op.from, batch: part.b, qty: part.q.negated(), value: -v, transfer: true });
                moves.push({ p: op.p, w: to, batch: part.b, qty: part.q, value: v, transfer: true });
              }
              const got = r.lines.map((l) => `${l.batchNo}:${l.qty}:${l.valueFen}`).join(',');
              const want = moves.map((x) => `${x.batch}:${x.qty.toFixed()}:${x.value}`).join(',');
              if (got !== want) return `transfer lines ${got} ≠ model ${want}`;
              m.docs.push({ docNo: r.document.docNo, kind: 'transfer', moves, reversed: false });
              return null;
            } catch (e) {
              if (!ok && refused(e, 'insufficient_stock')) return null;
              throw e;
            }
          }
          if (op.t === 'count') {
            const st = await openStocktake(t.db, admin, { warehouse: w[op.w].id, products: [ps[op.p].id] });
            if (op.split && op.counted > 1) {
              const half = Math.floor(op.counted / 2);
              await recordCount(t.db, admin, { stocktake: st.id, product: ps[op.p].id, qty: half });
              await recordCount(t.db, admin, { stocktake: st.id, product: ps[op.p].id, qty: op.counted - half });
            } else await recordCount(t.db, admin, { stocktake: st.id, product: ps[op.p].id, qty: op.counted });
            const r = await postStocktake(t.db, admin, { stocktake: st.id, idempotencyKey: key(), force: true });
            const book = m.get(op.p, op.w, '');
            const diff = new D(op.counted).minus(book);
            if (diff.isZero()) return r.posting === null ? null : 'stocktake posted moves without a variance';
            const s = m.val[op.p];
            let v: bigint;
            if (diff.greaterThan(0)) v = fen(diff.times(s.avg.greaterThan(0) ? s.avg : new D(m.purchasePrice[op.p].toString())));
            else v = -m.issueValue(s.v, s.q, diff.negated());
            m.ensureBatch(op.p, '');
            m.add(op.p, op.w, '', diff);
            m.apply(op.p, diff, v);
            const got = r.posting!.lines.map((l) => `${l.qty}:${l.valueFen}`).join(',');
            if (got !== `${diff.toFixed()}:${v}`) return `stocktake lines ${got} ≠ model ${diff}:${v}`;
            m.docs.push({ docNo: r.posting!.document.docNo, kind: 'stocktake', moves: [{ p: op.p, w: op.w, batch: '', qty: diff, value: v, transfer: false }], reversed: false });
            return null;
          }
          // reverse
          if (!m.docs.length) return null;
          const d = m.docs[op.doc % m.docs.length];
          let expectErr: string | null = d.kind === 'reversal' ? 'conflict' : d.reversed ? 'already_reversed' : null;
          if (!expectErr) {
            const trial = new Map(m.bal);
            for (const mv of d.moves) {
              const k = m.k(mv.p, mv.w, mv.batch);
              const next = (trial.get(k) ?? new D(0)).minus(mv.qty);
              if (next.isNegative()) expectErr = 'insufficient_stock';
              trial.set(k, next);
            }
          }
          try {
            const r = await reverseDocument(t.db, admin, { docNo: d.docNo, idempotencyKey: key() });
            if (expectErr) return `reversal succeeded, model says ${expectErr}`;
            for (const mv of d.moves) {
              m.add(mv.p, mv.w, mv.batch, mv.qty.negated());
              if (!mv.transfer) m.apply(mv.p, mv.qty.negated(), -mv.value);
            }
            d.reversed = true;
            const got = r.lines.map((l) => `${l.qty}:${l.valueFen}`).join(',');
            const want = d.moves.map((x) => `${x.qty.negated().toFixed()}:${-x.value}`).join(',');
            if (got !== want) return `reversal lines ${got} ≠ model ${want}`;
            m.docs.push({ docNo: r.document.docNo, kind: 'reversal', moves: [], reversed: false });
            return null;
          } catch (e) {
            if (expectErr && refused(e, expectErr)) return null;
            throw e;
          }
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
  });
});

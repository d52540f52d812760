/**
 * Concurrency on real Postgres (PGlite is single-connection, so these are only registered on
 * the postgres backend): lock order and READ COMMITTED re-reads make the outcome exact.
 */
import { expect, it } from 'vitest';
import { describeDb } from '../helpers/db.js';
import { DomainError } from '../../src/errors.js';
import { adjustCost, getStock, postIssue, postReceipt, postTransfer, reverseDocument } from '../../src/inventory/index.js';
import { admin, clerk, expectClean, key, product, receive, warehouse } from './helpers.js';

describeDb(
  'inventory concurrency',
  (t) => {
    it('registers on every backend (the heavy cases below only on postgres)', () => {
      expect(['pglite', 'postgres']).toContain(t.backend);
    });
    if (t.backend === 'postgres') {
      it('200 concurrent issues of 1 against 100 in stock: exactly 100 succeed, 100 refused, balance 0', async () => {
        const p = await product(t.db, { name: '最后一批' });
        await receive(t.db, p.id, 100, 250);
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) => postIssue(t.db, clerk, { idempotencyKey: key(`c${i}`), lines: [{ product: p.id, qty: 1 }] })),
        );
        const ok = results.filter((r) => r.status === 'fulfilled');
        const refused = results.filter((r) => r.status === 'rejected');
        for (const r of refused) {
          const e = (r as PromiseRejectedResult).reason;
          expect(e).toBeInstanceOf(DomainError);
          expect((e as DomainError).code).toBe('insufficient_stock');
        }
        expect(ok.length).toBe(100);
        expect(refused.length).toBe(100);
        const s = await getStock(t.db, clerk, { product: p.id });
        expect(s.totalQty).toBe('0');
        expect(s.totalValueFen).toBe('0');
        // Every issue took 250 fen: 100 × 250 = the whole value received.
        const total = ok.reduce((sum, r) => sum + BigInt((r as PromiseFulfilledResult<Awaited<ReturnType<typeof postIssue>>>).value.lines[0].valueFen), 0n);
        expect(total).toBe(-25000n);
        await expectClean(t.db);
      });

      it('multi-line documents with lines in opposite orders never deadlock (receipts, issues, transfers)', async () => {
        const ps = await Promise.all(['甲', '乙', '丙', '丁'].map((n) => product(t.db, { name: `对向${n}` })));
        const w1 = await warehouse(t.db, '东仓', true);
        const w2 = await warehouse(t.db, '西仓');
        for (const p of ps) {
          await receive(t.db, p.id, 1000, 10, w1.id);
          await receive(t.db, p.id, 1000, 10, w2.id);
        }
        const fwd = ps.map((p) => ({ product: p.id, qty: 1 }));
        const rev = [...fwd].reverse();
        const jobs: Promise<unknown>[] = [];
        for (let i = 0; i < 40; i++) {
          const lines = i % 2 ? fwd : rev;
          jobs.push(postIssue(t.db, clerk, { warehouse: w1.id, idempotencyKey: key(`i${i}`), lines }));
          jobs.push(postTransfer(t.db, clerk, { from: i % 2 ? w1.id : w2.id, to: i % 2 ? w2.id : w1.id, idempotencyKey: key(`t${i}`), lines }));
          jobs.push(postReceipt(t.db, clerk, { warehouse: i % 2 ? w2.id : w1.id, idempotencyKey: key(`r${i}`), lines: lines.map((l) => ({ ...l, unitCostFen: 12 })) }));
        }
        const results = await Promise.allSettled(jobs);
        const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
        expect(failures).toEqual([]);
        await expectClean(t.db);
      });

      it('receipt reversals, cost adjustments, issues (both paths) and transfers racing on one product keep the valuation rules at every moment', async () => {
        const p = await product(t.db, { name: '估值并发' });
        const w1 = await warehouse(t.db, '南仓', true);
        const w2 = await warehouse(t.db, '北仓');
        const rks = [];
        for (let i = 0; i < 8; i++) rks.push(await receive(t.db, p.id, 5, i % 2 ? 1000 : 100, i % 3 ? w1.id : w2.id));
        const jobs: Promise<unknown>[] = [];
        for (let i = 0; i < 16; i++) {
          jobs.push(postIssue(t.db, clerk, { warehouse: i % 2 ? w1.id : w2.id, idempotencyKey: key(`vi${i}`), lines: [{ product: p.id, qty: i % 4 < 2 ? 1 : '1个' }] }));
          if (i < rks.length) jobs.push(reverseDocument(t.db, admin, { docNo: rks[i].document.docNo, idempotencyKey: key(`vr${i}`) }));
          if (i % 4 === 0) jobs.push(adjustCost(t.db, admin, { product: p.id, unitCostFen: String(300 + i), idempotencyKey: key(`va${i}`) }));
          if (i % 5 === 0) jobs.push(postTransfer(t.db, clerk, { from: w1.id, to: w2.id, idempotencyKey: key(`vt${i}`), lines: [{ product: p.id, qty: 2 }] }));
        }
        const results = await Promise.allSettled(jobs);
        for (const r of results) {
          if (r.status === 'fulfilled') continue;
          const e = r.reason as DomainError;
          // refused for want of stock, or an adjustment with nothing (left) to change — never a broken rule
          expect(e, String(e)).toBeInstanceOf(DomainError);
          expect(['insufficient_stock', 'invalid_input', 'conflict']).toContain(e.code);
          if (e.code === 'conflict') expect(e.message).toContain('没有库存');
        }
        await expectClean(t.db);
      });

      it('the same idempotency key posted concurrently writes once and everyone gets that result', async () => {
        const p = await product(t.db, { name: '幂等并发' });
        await receive(t.db, p.id, 10, 100);
        const k = key('same');
        const results = await Promise.all(Array.from({ length: 10 }, () => postIssue(t.db, clerk, { idempotencyKey: k, lines: [{ product: p.id, qty: 3 }] })));
        expect(new Set(results.map((r) => r.document.docNo)).size).toBe(1);
        expect(results.filter((r) => !r.replayed).length).toBe(1);
        const s = await getStock(t.db, clerk, { product: p.id });
        expect(s.totalQty).toBe('7');
        await expectClean(t.db);
      });
    }
  },
  { max: 20 },
);

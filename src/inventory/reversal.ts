/**
 * Reversal (红冲): the only way to correct a posted document. A reversal document (HC…) posts
 * the exact opposite of every original move — same batch, same unit cost, negated value, not
 * today's average — so the ledger nets to zero for that document. Rules:
 * - needs 'stock.reverse'; once per document (documents_reverses_once unique partial index,
 *   plus the guarded link update); a reversal itself cannot be reversed;
 * - refused when it would make any balance negative (received goods already issued);
 * - both documents link to each other (reverses_doc_id / reversed_by_doc_id): the one update
 *   ever made to a posted row, in the reversal's own transaction.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { DomainError } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec } from '../shared/decimal.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../shared/pg.js';
import { findReplay, post } from './engine.js';
import type { PostingResult } from './documents.js';
import { loadProductInfos } from './resolve.js';
import { parseInput, reversalInputSchema, type ReversalInput } from './schemas.js';

export async function reverseDocument(db: Db, actor: Actor, input: ReversalInput): Promise<PostingResult> {
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
  const moves = await execRows<{ id: number | string; kind: string; product_id: number; warehouse_id: number; batch_id: number; qty: string; unit_cost: string; value_fen: string }>(
    db,
    sql`select id, kind, product_id, warehouse_id, batch_id, qty::text as qty, unit_cost::text as unit_cost, value_fen::text as value_fen
        from stock_moves where document_id = ${orig.id} order by id`,
  );
  const whRows = await execRows<{ id: number; name: string }>(
    db,
    sql`select id, name from warehouses where id in (select distinct warehouse_id from stock_moves where document_id = ${orig.id})`,
  );
  // Archived products can still be reversed (the reversal restores history, not new business).
  const prods = await loadProductInfos(db, [...new Set(moves.map((m) => m.product_id))]);
  try {
    const result = await post(db, actor, {
      kind: 'reversal',
      idempotencyKey: data.idempotencyKey,
      warehouseId: orig.warehouse_id,
      toWarehouseId: orig.to_warehouse_id,
      businessTime: data.businessTime ?? new Date(),
      remark: data.reason ?? `红冲 ${orig.doc_no}`,
      reversesDocId: orig.id,
      sourceType: 'document',
      sourceId: orig.id,
      products: new Map(prods.map((p) => [p.id, p])),
      warehouseNames: new Map(whRows.map((w) => [w.id, w.name])),
      ensure: [],
      lockPairs: moves.map((m): [number, number] => [m.product_id, m.warehouse_id]),
      auditAction: 'reverse',
      async plan(ledger, tx) {
        // Re-read under the balance locks: a concurrent reversal of the same document that
        // committed while we waited must win cleanly (already_reversed, not a stock error).
        const [now] = await execRows<{ by: string | null }>(
          tx,
          sql`select r.doc_no as by from documents d left join documents r on r.id = d.reversed_by_doc_id where d.id = ${orig.id}`,
        );
        if (now?.by) throw alreadyReversed(orig.doc_no, now.by);
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
          }),
        );
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
    return result;
  } catch (e) {
    if (pgErrorCode(e) === UNIQUE_VIOLATION && (pgConstraint(e) ?? '').includes('reverses_once')) throw alreadyReversed(orig.doc_no, null);
    throw e;
  }
}

function alreadyReversed(docNo: string, by: string | null): DomainError {
  return new DomainError('already_reversed', `单据「${docNo}」已经红冲过${by ? `（红冲单 ${by}）` : ''}，每张单据只能红冲一次。`, { docNo, reversedBy: by });
}


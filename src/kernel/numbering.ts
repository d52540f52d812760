/**
 * Document numbers: PREFIX + business day (APP timezone) + '-' + counter (4 digits, more when
 * needed), e.g. RK20261125-0001.
 *
 * The rule: within one prefix and business day, numbers are unique and increase in the order
 * they were claimed. They are NOT gap-free: a posting that claimed a number and then rolled back
 * leaves a gap (like most ERPs' 出入库单). Postings claim the number last, after every stock
 * check, so a gap needs a failure after the checks — rare.
 *
 * Why not a counter row: a `doc_sequences` counter per prefix and day, incremented in the
 * posting, holds its row lock to COMMIT — through the bot's outbox insert and the commit's WAL
 * flush — so every posting of the day serialised on that one row. Instead each prefix has a
 * Postgres SEQUENCE (migration 0001, schema.ts): nextval() is non-transactional and never waits.
 * The day's number is `nextval − base`, where `base` is the sequence value just before the
 * day's first claim, recorded once per prefix and day in doc_sequences.
 *
 * Why that is unique: a base is read from the sequence when its row is inserted; every claim of
 * that day reads the (committed, or its own) row first and calls nextval afterwards, so its
 * value is greater than the base, and distinct values give distinct numbers. A base row whose
 * transaction rolls back numbered nothing that survived (its documents rolled back with it).
 * A back-dated posting to a day long past gets a larger number than that day's last one —
 * still unique and increasing, just not dense.
 */
import { sql, type SQL } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { dayKey } from '../shared/time.js';

/**
 * THE list of document-number prefixes, for every document type of every domain. A domain
 * adds its documents here (and the matching `doc_no_<prefix>` sequence in db/schema.ts, which
 * test/kernel/numbering.test.ts checks against this list both ways). A prefix is a numbering
 * series, not a stock kind: a purchase order is numbered without pretending to move stock.
 */
export const DOCUMENT_NUMBER_PREFIXES = {
  // inventory (stock documents; src/inventory/moves.ts maps its kinds onto these)
  RK: '入库单',
  SC: '生产入库单',
  QC: '期初单',
  CK: '出库单',
  LY: '领用单',
  DB: '调拨单',
  PD: '盘点单',
  HC: '红冲单',
  TZ: '成本调整单',
  // purchasing, sales, finance
  CG: '采购订单',
  XS: '销售订单',
  FK: '付款单',
  SK: '收款单',
} as const;
export type DocumentNumberPrefix = keyof typeof DOCUMENT_NUMBER_PREFIXES;

const PREFIXES = new Set<string>(Object.keys(DOCUMENT_NUMBER_PREFIXES));

/** The Postgres sequence of a prefix. Throws for a prefix not declared above (a programming error). */
export function sequenceName(prefix: string): string {
  if (!PREFIXES.has(prefix)) throw new Error(`no document-number sequence for prefix ${prefix}`);
  return `doc_no_${prefix.toLowerCase()}`;
}

/** SQL expression claiming the next value of the prefix's sequence (never waits on a lock). */
export function nextvalSql(prefix: string): SQL {
  return sql`nextval(${sequenceName(prefix)}::regclass)`;
}

/** SQL subquery: the day's base, or NULL when the day has no row yet (see dayBase). */
export function baseSql(prefix: string, day: string): SQL {
  return sql`(select base from doc_sequences where prefix = ${prefix} and day = ${day})`;
}

/**
 * The day's base, recording it on the first claim of the day. Call it BEFORE taking row locks:
 * the first claim of a day may wait for a concurrent first claim to commit.
 */
export async function dayBase(conn: Conn, prefix: string, day: string): Promise<number> {
  const seq = sql.identifier(sequenceName(prefix));
  for (let attempt = 1; ; attempt++) {
    // One statement: our own insert shows in `ins`, a row committed before the statement in
    // the plain select. A row committed by a concurrent first claim while we waited on it
    // shows in neither (statement snapshot): then look again with a new statement.
    const [r] = await execRows<{ base: string | number }>(
      conn,
      sql`with ins as (
            insert into doc_sequences (prefix, day, base)
            select ${prefix}, ${day}, case when is_called then last_value else last_value - 1 end from ${seq}
            on conflict (prefix, day) do nothing
            returning base)
          select base from ins union all select base from doc_sequences where prefix = ${prefix} and day = ${day}`,
    );
    if (r && r.base != null) return Number(r.base);
    if (attempt >= 10) throw new Error(`doc_sequences: no base for ${prefix} ${day}`);
  }
}

/** SQL expression formatting a counter column `n` into the document number. */
export function docNoExpr(prefix: string, day: string, n: SQL): SQL {
  return sql`${prefix + day + '-'} || case when ${n} < 10000 then lpad(${n}::text, 4, '0') else ${n}::text end`;
}

export function formatDocNo(prefix: string, day: string, n: number): string {
  return `${prefix}${day}-${n < 10000 ? String(n).padStart(4, '0') : String(n)}`;
}

/**
 * Claim the next number now, for documents numbered when they are created (a stocktake when the
 * count opens; purchase and sales orders). `at` is the business time; `timeZone` decides its day.
 */
export async function nextDocNo(tx: Conn, prefix: DocumentNumberPrefix, at: Date, timeZone?: string): Promise<string> {
  const day = dayKey(at, timeZone);
  const base = await dayBase(tx, prefix, day);
  const [r] = await execRows<{ n: string | number }>(tx, sql`select ${nextvalSql(prefix)} - ${base}::bigint as n`);
  return formatDocNo(prefix, day, Number(r.n));
}

/**
 * Document numbers: PREFIX + business day (APP timezone) + '-' + 4-digit counter, e.g.
 * RK20261125-0001. One doc_sequences row per prefix and day, incremented with an upsert; the
 * row lock it takes is held to commit, so numbers are gap-free and in commit order per day.
 * The posting path takes it LAST (after balance and valuation locks) to keep that hot lock short.
 */
import { sql, type SQL } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { dayKey } from '../shared/time.js';

/** SQL returning one row `n`: the counter value just claimed. */
export function claimSeqSql(prefix: string, day: string): SQL {
  return sql`insert into doc_sequences (prefix, day, next) values (${prefix}, ${day}, 2)
    on conflict (prefix, day) do update set next = doc_sequences.next + 1
    returning next - 1 as n`;
}

/** SQL expression formatting a counter column `n` into the document number. */
export function docNoExpr(prefix: string, day: string, n: SQL): SQL {
  return sql`${prefix + day + '-'} || case when ${n} < 10000 then lpad(${n}::text, 4, '0') else ${n}::text end`;
}

export function formatDocNo(prefix: string, day: string, n: number): string {
  return `${prefix}${day}-${n < 10000 ? String(n).padStart(4, '0') : String(n)}`;
}

/** Claim the next number now (used by stocktakes, whose number is given when the count opens). */
export async function nextDocNo(tx: Conn, prefix: string, at: Date): Promise<string> {
  const day = dayKey(at);
  const [r] = await execRows<{ n: number }>(tx, claimSeqSql(prefix, day));
  return formatDocNo(prefix, day, Number(r.n));
}

/**
 * The business time of a posting whose caller gave none. Use cases always pass one (ctx.now:
 * the clock injected through deps, so tests can pin it); a direct service caller without one
 * gets the DATABASE's clock, never the process's `new Date()` — services own no clock.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';

/** `given`, else the database's now() (whole milliseconds; one round trip). */
export async function businessTimeOr(conn: Conn, given: Date | undefined): Promise<Date> {
  if (given) return given;
  const [r] = await execRows<{ ms: string }>(conn, sql`select floor(extract(epoch from now()) * 1000)::bigint::text as ms`);
  return new Date(Number(r.ms));
}

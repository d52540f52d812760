/**
 * A cron run is claimed once per (job, slot) in cron_claims, so several instances (Node
 * replicas, or Node beside Workers) firing the same trigger run the job once: the daily digest
 * is sent once, not once per instance.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';

/** The slot of a run: the minute it was scheduled for, in UTC (`2026-11-25T01:00`). */
export function cronSlot(at: Date): string {
  return at.toISOString().slice(0, 16);
}

/** True if this caller won the run of `job` for `slot`. */
export async function claimCronRun(conn: Conn, job: string, slot: string, claimedBy: string): Promise<boolean> {
  const rows = await execRows<{ job: string }>(
    conn,
    sql`insert into cron_claims (job, slot, claimed_by) values (${job}, ${slot}, ${claimedBy})
        on conflict (job, slot) do nothing returning job`,
  );
  return rows.length > 0;
}

export async function finishCronRun(conn: Conn, job: string, slot: string): Promise<void> {
  await conn.execute(sql`update cron_claims set finished_at = now() where job = ${job} and slot = ${slot}`);
}

/** Claims older than `days` are history nobody reads. */
export async function pruneCronClaims(conn: Conn, days = 30): Promise<number> {
  const rows = await execRows<{ n: number }>(
    conn,
    sql`with d as (delete from cron_claims where claimed_at < now() - ${days} * interval '1 day' returning 1) select count(*)::int as n from d`,
  );
  return rows[0]?.n ?? 0;
}

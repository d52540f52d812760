/**
 * The inbox side of exactly-once: an inbound effect (Feishu message, event, card action, REST
 * Idempotency-Key) is claimed by inserting its key into processed_events IN THE SAME
 * transaction as the effect. A redelivery finds the key and does nothing; two concurrent
 * deliveries serialise on the primary key and the loser sees "already processed".
 * Keys: `msg:<message_id>` for im.message.receive_v1 (Feishu's advice: event_id can change
 * between redeliveries of one message), `evt:<event_id>` for other events.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';

/** True if this call claimed the key (first delivery); false if it was processed before. */
export async function claimInbound(conn: Conn, key: string, kind: string): Promise<boolean> {
  const rows = await execRows<{ key: string }>(
    conn,
    sql`insert into processed_events (key, kind) values (${key}, ${kind}) on conflict (key) do nothing returning key`,
  );
  return rows.length > 0;
}

/** Forget keys older than the redelivery window (Feishu retries for ~7 h; we keep 7 days). */
export async function pruneInbound(conn: Conn, olderThanDays = 7): Promise<number> {
  const rows = await execRows<{ n: number }>(
    conn,
    sql`with d as (delete from processed_events where created_at < now() - ${olderThanDays} * interval '1 day' returning 1) select count(*)::int as n from d`,
  );
  return rows[0]?.n ?? 0;
}

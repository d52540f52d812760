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
import type { UserRow } from '../people/users.js';
import { jsonText } from '../shared/json.js';

/** True if this call claimed the key (first delivery); false if it was processed before. */
export async function claimInbound(conn: Conn, key: string, kind: string): Promise<boolean> {
  const rows = await execRows<{ key: string }>(
    conn,
    sql`insert into processed_events (key, kind) values (${key}, ${kind}) on conflict (key) do nothing returning key`,
  );
  return rows.length > 0;
}

/**
 * claimInbound for a message, and in the same round trip the sender's users row (null when
 * unknown; undefined when the key was already claimed). The bot does both first in every
 * message transaction, so one statement instead of two.
 */
export async function claimInboundWithUser(conn: Conn, key: string, kind: string, openId: string): Promise<{ claimed: boolean; user: UserRow | null }> {
  const [r] = await execRows<{ claimed: number; id: number | null; name: string | null; name_fetched_at: string | Date | null; role: string; active: boolean; last_warehouse_id: number | null; created_at: string | Date; updated_at: string | Date }>(
    conn,
    sql`with c as (insert into processed_events (key, kind) values (${key}, ${kind}) on conflict (key) do nothing returning key)
        select (select count(*) from c)::int as claimed, u.id, u.name, u.name_fetched_at, u.role, u.active, u.last_warehouse_id, u.created_at, u.updated_at
        from (select 1) one left join users u on u.open_id = ${openId}`,
  );
  const at = (v: string | Date) => (v instanceof Date ? v : new Date(v));
  const user: UserRow | null =
    r.id == null
      ? null
      : { id: r.id, openId, name: r.name, nameFetchedAt: r.name_fetched_at == null ? null : at(r.name_fetched_at), role: r.role, active: r.active, lastWarehouseId: r.last_warehouse_id, createdAt: at(r.created_at), updatedAt: at(r.updated_at) };
  return { claimed: r.claimed > 0, user };
}

/**
 * claimInbound for effects that keep their answer in the key's row (REST Idempotency-Key):
 * claims `key` with `initial` as its result, or returns the stored result when it was claimed
 * before (after waiting for a concurrent claimer to commit or roll back: the insert waits on
 * its row lock, and a rollback lets this call claim it).
 */
export async function claimInboundKeepingResult(conn: Conn, key: string, kind: string, initial: unknown): Promise<{ claimed: true } | { claimed: false; result: unknown }> {
  const inserted = await execRows<{ key: string }>(
    conn,
    sql`insert into processed_events (key, kind, result) values (${key}, ${kind}, ${jsonText(initial)}::jsonb) on conflict (key) do nothing returning key`,
  );
  if (inserted.length) return { claimed: true };
  return { claimed: false, result: await inboundResult(conn, key) };
}

/**
 * The answer kept with a key (null when it has none, or the key is unknown), for a Claim whose
 * replay must say more than "already done". Only what may be shown again belongs there —
 * never a shown-once secret.
 */
export async function inboundResult(conn: Conn, key: string): Promise<unknown> {
  // As text, parsed here: the same on both drivers, whatever JSON value (object, string) it holds.
  const [row] = await execRows<{ result: string | null }>(conn, sql`select result::text as result from processed_events where key = ${key}`);
  return row?.result == null ? null : JSON.parse(row.result);
}

/** Store the answer of a claimed key (same transaction as the effect). */
export async function storeInboundResult(conn: Conn, key: string, result: unknown): Promise<void> {
  await conn.execute(sql`update processed_events set result = ${jsonText(result)}::jsonb where key = ${key}`);
}

/** Forget keys older than the redelivery window (Feishu retries for ~7 h; we keep 7 days). */
export async function pruneInbound(conn: Conn, olderThanDays = 7): Promise<number> {
  const rows = await execRows<{ n: number }>(
    conn,
    sql`with d as (delete from processed_events where created_at < now() - ${olderThanDays} * interval '1 day' returning 1) select count(*)::int as n from d`,
  );
  return rows[0]?.n ?? 0;
}

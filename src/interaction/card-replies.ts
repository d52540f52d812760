/**
 * Answers to card callbacks, kept per Feishu event_id so a redelivery gets the same answer.
 *
 * Why: Feishu retries a card.action.trigger it did not see answered (same event_id), and the
 * user must see the card we sent the first time, not a second run of the action (which, for
 * a used key, would answer "已经提交过了" instead of the card). The answers share the inbox
 * table processed_events with src/outbox/inbox.ts (key prefix `card:`), so its pruning covers
 * them too.
 */
import { sql } from 'drizzle-orm';
import { execRows, type Conn } from '../../db/types.js';
import { jsonText } from '../shared/json.js';

/** The processed_events key of a card callback. */
export const cardReplyKey = (eventId: string) => `card:${eventId}`;

/** The answer stored for this callback event, or null on its first delivery. */
export async function storedCardReply(conn: Conn, eventId: string): Promise<Record<string, unknown> | null> {
  const rows = await execRows<{ result: unknown }>(conn, sql`select result from processed_events where key = ${cardReplyKey(eventId)}`);
  if (!rows.length) return null;
  const r = rows[0].result;
  // postgres.js may hand jsonb back as text; PGlite parses it.
  return (typeof r === 'string' ? JSON.parse(r) : r) as Record<string, unknown>;
}

/** Store the answer for redeliveries. The first stored answer wins (concurrent redeliveries). */
export async function rememberCardReply(conn: Conn, eventId: string, response: Record<string, unknown>): Promise<void> {
  await conn.execute(
    sql`insert into processed_events (key, kind, result) values (${cardReplyKey(eventId)}, 'card.action', ${jsonText(response)}::jsonb) on conflict (key) do nothing`,
  );
}

/**
 * Colleagues' display names from Feishu's contact API (issue 10 item 6), cached in users.name
 * with users.name_fetched_at. The open_id is only the fallback for a user whose name Feishu will
 * not tell us (the app lacks the contact scope, or the user is outside its contact range).
 *
 * Feishu is never called inside a transaction: a refresh is an outbox row (op 'user_name',
 * src/outbox/user-name.ts delivers it after the commit that queued it, with the outbox's retry
 * and backoff), so a slow or absent Feishu never holds a message's transaction or its locks.
 *
 * When a name is due (needsNameRefresh):
 * - never fetched and no name: now (the first message of a colleague, or a grant by open_id);
 * - a name from an @mention or typed by an admin, never fetched: a week after it was stored —
 *   the mention carried the name Feishu shows, so it counts until then;
 * - fetched: a week after the last read, so a renamed colleague shows the new name within a
 *   week. A read Feishu refused counts as a read (the open_id shows meanwhile): asking again on
 *   every message would spend the API quota on an answer that only an admin can change.
 */
import { sql } from 'drizzle-orm';
import type { Conn } from '../../db/types.js';
import { enqueueOutbox, type OutboxItem } from '../outbox/index.js';

/** How long a cached name (or a refused read) is trusted before Feishu is asked again. */
export const NAME_TTL_MS = 7 * 24 * 3600_000;

/** What a refresh needs to know of a users row. */
export interface NamedUser {
  openId: string;
  name: string | null;
  nameFetchedAt: Date | null;
  updatedAt: Date;
}

/** Is the user's name missing or older than NAME_TTL_MS at `now`? (see the file comment) */
export function needsNameRefresh(u: NamedUser, now: Date): boolean {
  const since = u.nameFetchedAt ?? (u.name ? u.updatedAt : null);
  return since === null || now.getTime() - new Date(since).getTime() > NAME_TTL_MS;
}

/**
 * The outbox row that reads the user's name from Feishu. Keyed by the read it follows (the
 * previous name_fetched_at, or "never") and the UTC day: however many messages a colleague sends
 * before a read lands, one read is queued; the next one is due only after that read (a week
 * later); a read that failed for good is tried again the next day.
 */
export function userNameItem(u: Pick<NamedUser, 'openId' | 'nameFetchedAt'>, now: Date): OutboxItem {
  const after = u.nameFetchedAt ? new Date(u.nameFetchedAt).toISOString() : 'never';
  const dedupeKey = `user-name:${u.openId}:${after}:${now.toISOString().slice(0, 10)}`;
  return { kind: 'user_name', dedupeKey, payload: { op: 'user_name', openId: u.openId } };
}

/** Queue a name read in the caller's transaction (delivered after commit by the drain). */
export async function queueNameRefresh(conn: Conn, u: Pick<NamedUser, 'openId' | 'nameFetchedAt'>, now: Date): Promise<void> {
  await enqueueOutbox(conn, userNameItem(u, now));
}

/**
 * Record what Feishu answered for `openId`: its name, or null when Feishu refused (no scope, not
 * in the contact range) — the name already stored (from a mention) is kept then. Either way
 * name_fetched_at = `now`, which starts the NAME_TTL_MS wait. One statement, outside any
 * business transaction (the outbox delivery runs it after the HTTP call).
 */
export async function recordFetchedName(conn: Conn, openId: string, name: string | null, now: Date): Promise<void> {
  const clean = name?.trim() ? name.trim().slice(0, 100) : null;
  await conn.execute(
    sql`update users set name = coalesce(${clean}::text, name), name_fetched_at = ${now.toISOString()}::timestamptz,
          updated_at = case when ${clean}::text is distinct from name then now() else updated_at end
        where open_id = ${openId}`,
  );
}

/**
 * One-time keys embedded in rendered cards (card_tokens).
 *
 * Why: Feishu redelivers a callback it did not see answered (same event_id), and people tap a
 * submit button twice. Every card that can post carries a fresh key in its button's callback
 * value; the posting transaction locks the key row, posts, and stores the answer (the summary
 * card) in the same row before commit. A second use of the key finds `consumed_at` set and
 * gets the stored answer back: the same summary card, no second posting.
 *
 * `context` holds what the server must remember between two cards (the parsed input waiting
 * for 确认, the pending action of a candidate picker) so nothing trusted travels through the
 * client. Keys live 7 days (a card nobody submitted is harmless; an old one answers "expired").
 *
 * The card layer (bot/cards) renders and reads these; this module is the only one that touches
 * the table. The transactions that spend a key are in ./spend-card-token.ts.
 */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { cardTokens } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { jsonSafe } from '../shared/json.js';

export const CARD_TOKEN_TTL_MS = 7 * 24 * 3600_000;

/** A key row as stored: `context` and `result` are whatever the card layer put there. */
export type CardToken = typeof cardTokens.$inferSelect;

/** 128 random bits, hex; the leading 'k' keeps it from ever looking like a number in JSON. */
export function newCardToken(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return 'k' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Create a key for a card about to be rendered. */
export async function issueCardToken(conn: Conn, kind: string, userId: number | null, context: unknown = null): Promise<string> {
  const token = newCardToken();
  await conn.insert(cardTokens).values({ token, kind, userId, context: jsonSafe(context) as object | null });
  return token;
}

/** Read without locking (validation happens before the posting transaction). */
export async function peekCardToken(conn: Conn, token: string): Promise<CardToken | null> {
  const [row] = await conn.select().from(cardTokens).where(eq(cardTokens.token, token)).limit(1);
  return row ?? null;
}

/**
 * Lock the key row for the rest of the transaction. A concurrent second tap waits here until
 * the first commits, then sees it consumed.
 */
export async function lockCardToken(conn: Conn, token: string): Promise<CardToken | null> {
  const [row] = await conn.select().from(cardTokens).where(eq(cardTokens.token, token)).for('update');
  return row ?? null;
}

/** Mark consumed with the answer a second use should get. */
export async function consumeCardToken(conn: Conn, token: string, result: unknown): Promise<void> {
  await conn
    .update(cardTokens)
    .set({ consumedAt: sql`now()`, result: jsonSafe(result) as object })
    .where(eq(cardTokens.token, token));
}

/** Replace the stored answer of a consumed key (a deferred posting finished). */
export async function setCardTokenResult(conn: Conn, token: string, result: unknown): Promise<void> {
  await conn.update(cardTokens).set({ result: jsonSafe(result) as object }).where(eq(cardTokens.token, token));
}

/** Make a consumed key usable again (a deferred posting failed: nothing was posted under it). */
export async function releaseCardToken(conn: Conn, token: string): Promise<void> {
  await conn.update(cardTokens).set({ consumedAt: null, result: null }).where(eq(cardTokens.token, token));
}

export function isCardTokenExpired(row: Pick<CardToken, 'createdAt'>, now: Date): boolean {
  return now.getTime() - row.createdAt.getTime() > CARD_TOKEN_TTL_MS;
}

/** Housekeeping: unconsumed keys older than the TTL (consumed ones keep answering replays). */
export async function purgeExpiredCardTokens(conn: Conn, now: Date): Promise<void> {
  await conn.delete(cardTokens).where(and(lt(cardTokens.createdAt, new Date(now.getTime() - CARD_TOKEN_TTL_MS)), isNull(cardTokens.consumedAt)));
}

/**
 * Close this user's open 确认 cards whose pending entry `matches` — the entry was just posted
 * another way (the chat command again with 确认): a later tap on such a card answers with
 * `result` instead of posting the same entry a second time. Keys of other users, other kinds,
 * consumed or expired keys are left alone. Returns how many were closed.
 */
export async function settleConfirmations(conn: Conn, userId: number, now: Date, matches: (context: unknown) => boolean, result: unknown): Promise<number> {
  const open = await conn
    .select()
    .from(cardTokens)
    .where(and(eq(cardTokens.kind, 'confirm'), eq(cardTokens.userId, userId), isNull(cardTokens.consumedAt)))
    .for('update');
  let n = 0;
  for (const row of open) {
    if (isCardTokenExpired(row, now) || !matches(row.context)) continue;
    await consumeCardToken(conn, row.token, result);
    n++;
  }
  return n;
}

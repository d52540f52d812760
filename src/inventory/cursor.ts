/**
 * Keyset cursors for list queries. A cursor is the key of the last row of a page (its sort
 * key: ids, in the list's order) and the list it belongs to, opaque to clients (base64url of
 * JSON): a cursor of one list given to another is refused, never misread. The next page reads
 * rows AFTER that key, so a row inserted between two page requests never shifts what the next
 * page returns: no row is shown twice and none that existed is skipped (an OFFSET would do both).
 */
import { DomainError } from '../errors.js';

const VERSION = 1;

function toBase64Url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  return atob(text.replace(/-/g, '+').replace(/_/g, '/'));
}

/** The cursor of list `list` after a row whose sort key is `key` (non-negative safe integers). */
export function encodeCursor(list: string, key: readonly number[]): string {
  return toBase64Url(JSON.stringify([VERSION, list, ...key]));
}

/**
 * The key a cursor of `list` carries, or null without a cursor. `arity`: how many parts the
 * list's key has. Errors: invalid_input (a cursor that is not one of ours, or from another list).
 */
export function decodeCursor(cursor: string | undefined | null, list: string, arity: number): number[] | null {
  if (cursor == null || cursor === '') return null;
  let parts: unknown;
  try {
    parts = JSON.parse(fromBase64Url(cursor));
  } catch {
    parts = null;
  }
  const ok =
    Array.isArray(parts) &&
    parts.length === arity + 2 &&
    parts[0] === VERSION &&
    parts[1] === list &&
    parts.slice(2).every((p) => Number.isSafeInteger(p) && (p as number) >= 0);
  if (!ok) throw new DomainError('invalid_input', '输入有误：「翻页游标」无效。请原样使用上一页返回的 nextCursor，或不带游标从第一页开始。', { cursor });
  return (parts as number[]).slice(2);
}

/** A page: up to `limit` items, and the cursor of the next page (null: this was the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Cut a page from `rows` read with `limit + 1` (one more than shown tells whether more
 * follow): the rows to show, and the cursor of the next page (the key of the last row shown).
 */
export function cutPage<R>(rows: R[], limit: number, list: string, keyOf: (r: R) => number[]): { rows: R[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  const more = rows.length > limit && shown.length > 0;
  return { rows: shown, nextCursor: more ? encodeCursor(list, keyOf(shown[shown.length - 1])) : null };
}

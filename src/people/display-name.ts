/**
 * How a person is named on documents and cards ("经办：张三"). Read-only.
 * Users granted by open_id alone have no name yet, so the open_id stands in; a user id we do
 * not know (should not happen: documents reference users) still shows as #id rather than failing.
 */
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';

/** Name, else open_id, else #id; '系统' for work done by the system itself (userId null). */
export async function userDisplayName(conn: Conn, userId: number | null): Promise<string> {
  if (userId == null) return '系统';
  const [u] = await conn.select({ name: users.name, openId: users.openId }).from(users).where(eq(users.id, userId)).limit(1);
  return u?.name ?? u?.openId ?? `#${userId}`;
}

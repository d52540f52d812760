/**
 * Audit log: who did what to which entity, with before/after snapshots. Written with the
 * caller's transaction handle so an audit row exists exactly when the change it describes
 * committed (never one without the other).
 */
import { auditLog } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import type { Actor } from '../people/roles.js';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/** JSON-safe copy: bigint → string, Date → ISO (jsonb cannot hold either as is). */
export function auditJson(v: unknown): unknown {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
}

export async function writeAudit(tx: Conn, actor: Actor, e: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actorId: actor.userId,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId == null ? null : String(e.entityId),
    before: auditJson(e.before) as object | null,
    after: auditJson(e.after) as object | null,
  });
}

/**
 * Audit log: who did what to which entity, with before/after snapshots. Written with the
 * caller's transaction handle so an audit row exists exactly when the change it describes
 * committed (never one without the other).
 */
import { auditLog } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import type { Actor } from '../people/roles.js';
import { jsonSafe } from '../shared/json.js';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/** JSON-safe copy for an audit row (src/shared/json.ts: bigint → string, Date → ISO). */
export const auditJson = jsonSafe;

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

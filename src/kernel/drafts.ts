/**
 * Drafts: a document saved but not posted (a purchase order filled in over several cards, a
 * sales order waiting for the customer's yes). A draft belongs to the use case that will post
 * it (`kind` = that use case's id) and to its owner; only the owner (or the system) loads it.
 * Posting reads the draft and marks it posted in the same unit of work as the posting, so a
 * draft is posted at most once: `markPosted` refuses a draft that is no longer a draft.
 */
import { and, eq } from 'drizzle-orm';
import { drafts } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../people/roles.js';
import { jsonSafe } from '../shared/json.js';

export interface Draft<T = unknown> {
  id: number;
  kind: string;
  ownerId: number | null;
  data: T;
  status: 'draft' | 'posted' | 'discarded';
  postedRef: string | null;
  updatedAt: Date;
}

/** The drafts of one unit of work: bound to its transaction, actor and clock. */
export interface Drafts {
  /** Create (no id) or replace the data of the actor's own open draft. Returns its id. */
  save<T>(kind: string, data: T, id?: number): Promise<number>;
  /** The actor's open draft of `kind`; DomainError('not_found') otherwise. */
  load<T>(kind: string, id: number): Promise<Draft<T>>;
  /** Mark posted with the posted document's number; DomainError('conflict') if already posted or discarded. */
  markPosted(kind: string, id: number, postedRef: string): Promise<void>;
  discard(kind: string, id: number): Promise<void>;
}

const ownerOf = (actor: Actor) => actor.userId;

function notFound(id: number): DomainError {
  return new DomainError('not_found', `没有找到草稿 #${id}（可能已过账、已删除，或不是你的草稿）。`, { draftId: id });
}

/** Drafts over `conn` (the unit of work's transaction) for `actor`, timestamps from `now`. */
export function draftsOf(conn: Conn, actor: Actor, now: Date): Drafts {
  const mine = (kind: string, id: number) =>
    and(eq(drafts.id, id), eq(drafts.kind, kind), actor.userId === null ? undefined : eq(drafts.ownerId, actor.userId));
  const open = async <T>(kind: string, id: number): Promise<Draft<T>> => {
    const [row] = await conn.select().from(drafts).where(mine(kind, id)).for('update');
    if (!row) throw notFound(id);
    return { ...row, data: row.data as T };
  };
  return {
    async save(kind, data, id) {
      const json = jsonSafe(data) as object;
      if (id === undefined) {
        const [row] = await conn.insert(drafts).values({ kind, ownerId: ownerOf(actor), data: json, createdAt: now, updatedAt: now }).returning({ id: drafts.id });
        return row.id;
      }
      const d = await open(kind, id);
      if (d.status !== 'draft') throw new DomainError('conflict', `草稿 #${id} 已${d.status === 'posted' ? `过账（${d.postedRef}）` : '删除'}，不能再修改。`, { draftId: id });
      await conn.update(drafts).set({ data: json, updatedAt: now }).where(eq(drafts.id, id));
      return id;
    },
    async load(kind, id) {
      const d = await open(kind, id);
      if (d.status !== 'draft') throw notFound(id);
      return d as never;
    },
    async markPosted(kind, id, postedRef) {
      const d = await open(kind, id);
      if (d.status !== 'draft') throw new DomainError('conflict', `草稿 #${id} 已${d.status === 'posted' ? `过账（${d.postedRef}）` : '删除'}。`, { draftId: id });
      await conn.update(drafts).set({ status: 'posted', postedRef, updatedAt: now }).where(eq(drafts.id, id));
    },
    async discard(kind, id) {
      const d = await open(kind, id);
      if (d.status !== 'draft') throw notFound(id);
      await conn.update(drafts).set({ status: 'discarded', updatedAt: now }).where(eq(drafts.id, id));
    },
  };
}

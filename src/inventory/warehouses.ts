/**
 * Warehouses. Exactly one is the default (a partial unique index enforces it): the first one
 * created, or 主仓库 created on the spot when a posting needs a warehouse and none exists.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { warehouses } from '../../db/schema.js';
import { execRows, type Conn } from '../../db/types.js';
import { DomainError } from '../errors.js';
import { SYSTEM_ACTOR, requirePermission, type Actor } from '../people/roles.js';
import { writeAudit } from '../audit/index.js';
import { createWarehouseSchema, parseInput, type CreateWarehouseInput } from './schemas.js';
import type { ReferenceOptions } from '../kernel/use-case.js';
import { MAX_ID, idOfDigits } from './product-lookup.js';

export interface WarehouseView {
  id: number;
  code: string;
  name: string;
  isDefault: boolean;
  archived: boolean;
}

const view = (w: typeof warehouses.$inferSelect): WarehouseView => ({
  id: w.id,
  code: w.code,
  name: w.name,
  isDefault: w.isDefault,
  archived: w.archived,
});

export const DEFAULT_WAREHOUSE_NAME = '主仓库';

/** Create a warehouse; the first one (or makeDefault) becomes the default. */
export async function createWarehouse(db: Conn, actor: Actor, input: CreateWarehouseInput): Promise<WarehouseView> {
  requirePermission(actor, 'warehouse.manage');
  const data = parseInput(createWarehouseSchema, input);
  return db.transaction(async (tx) => {
    // Serialise warehouse creation: code numbering and "first becomes default" need a stable view.
    await tx.execute(sql`select pg_advisory_xact_lock(${0x4a5857})`);
    const clash = await tx.select().from(warehouses).where(eq(warehouses.name, data.name));
    if (clash.length) throw new DomainError('conflict', `仓库「${data.name}」已存在，换个名字吧。`, { warehouseId: clash[0].id });
    const [{ n, hasDefault }] = await execRows<{ n: number; hasDefault: boolean }>(
      tx,
      sql`select count(*)::int as n, coalesce(bool_or(is_default), false) as "hasDefault" from warehouses`,
    );
    const code = data.code ?? `WH${String(n + 1).padStart(2, '0')}`;
    if (data.code) {
      const c = await tx.select().from(warehouses).where(eq(warehouses.code, code));
      if (c.length) throw new DomainError('conflict', `仓库编码「${code}」已被「${c[0].name}」使用。`);
    }
    const makeDefault = data.makeDefault || !hasDefault;
    if (makeDefault) await tx.update(warehouses).set({ isDefault: false }).where(eq(warehouses.isDefault, true));
    const [row] = await tx.insert(warehouses).values({ code, name: data.name, isDefault: makeDefault }).returning();
    await writeAudit(tx, actor, { action: 'create', entity: 'warehouse', entityId: row.id, after: row });
    return view(row);
  });
}

export async function listWarehouses(db: Conn, actor: Actor, opts: { includeArchived?: boolean } = {}): Promise<WarehouseView[]> {
  requirePermission(actor, 'stock.view');
  const rows = await db
    .select()
    .from(warehouses)
    .where(opts.includeArchived ? undefined : eq(warehouses.archived, false))
    .orderBy(asc(warehouses.id));
  return rows.map(view);
}

/** The default warehouse, or null when none exists yet (reads never create one). */
export async function getDefaultWarehouse(db: Conn): Promise<WarehouseView | null> {
  const [w] = await db.select().from(warehouses).where(eq(warehouses.isDefault, true));
  return w ? view(w) : null;
}

/**
 * The default warehouse, creating 主仓库 when there is none (inside the posting's transaction,
 * so the first receipt of a fresh install just works). ON CONFLICT DO NOTHING covers the race
 * of two first postings: the loser reads the winner's row. A warehouse created here is audited
 * like one created by hand (action 'create', by `actor`: the person whose posting needed it),
 * in the same statement as the insert, so neither exists without the other.
 */
export async function ensureDefaultWarehouse(tx: Conn, actor: Actor = SYSTEM_ACTOR): Promise<WarehouseView> {
  const found = await getDefaultWarehouse(tx);
  if (found) return found;
  const [{ n }] = await execRows<{ n: number }>(tx, sql`select count(*)::int as n from warehouses`);
  await tx.execute(sql`with w as (
      insert into warehouses (code, name, is_default)
      values (${`WH${String(n + 1).padStart(2, '0')}`}, ${DEFAULT_WAREHOUSE_NAME}, true) on conflict do nothing
      returning id, code, name, is_default, archived, created_at)
    insert into audit_log (actor_id, action, entity, entity_id, after)
    select ${actor.userId}::int, 'create', 'warehouse', w.id::text,
      jsonb_build_object('id', w.id, 'code', w.code, 'name', w.name, 'isDefault', w.is_default, 'archived', w.archived, 'createdAt', w.created_at, 'implicit', true)
    from w`);
  const again = await getDefaultWarehouse(tx);
  if (again) return again;
  // 主仓库 exists but is not the default: make it the default.
  const [promoted] = await tx.update(warehouses).set({ isDefault: true }).where(and(eq(warehouses.name, DEFAULT_WAREHOUSE_NAME))).returning();
  if (promoted) await writeAudit(tx, actor, { action: 'make_default', entity: 'warehouse', entityId: promoted.id, before: { isDefault: false }, after: { isDefault: true } });
  const last = await getDefaultWarehouse(tx);
  if (!last) throw new DomainError('conflict', '无法确定默认仓库，请先新建一个仓库。');
  return last;
}

/**
 * A warehouse by id, code or name; undefined → the default (created if needed when
 * `createDefault`, audited as created by `actor`). An archived warehouse is refused
 * (conflict) unless `includeArchived` (reads of history). Unknown → not_found listing the
 * warehouses (`details.candidates`). Text is an exact code (any case) or name in every mode;
 * the exact modes (REST) accept a name in any letter case, and 'exact-or-id' reads digits that
 * match no code as an id (see ReferenceMode).
 */
export async function resolveWarehouse(
  conn: Conn,
  ref: number | string | undefined,
  opts: { createDefault?: boolean; actor?: Actor; includeArchived?: boolean } & ReferenceOptions = {},
): Promise<WarehouseView> {
  if (ref === undefined) {
    if (opts.createDefault) return ensureDefaultWarehouse(conn, opts.actor);
    const d = await getDefaultWarehouse(conn);
    if (!d) throw new DomainError('not_found', '还没有仓库。请先新建仓库（例如「主仓库」）。');
    return d;
  }
  const mode = opts.references ?? 'search';
  const text = typeof ref === 'string' ? ref.trim() : '';
  const byId = (id: number) => (id >= 1 && id <= MAX_ID ? conn.select().from(warehouses).where(eq(warehouses.id, id)) : Promise.resolve([]));
  let rows =
    typeof ref === 'number'
      ? await byId(ref)
      : await execRows<typeof warehouses.$inferSelect>(
          conn,
          mode === 'search'
            ? sql`select id, code, name, is_default as "isDefault", archived from warehouses
                  where lower(code) = lower(${ref}) or name = ${ref} order by (name = ${ref}) desc, id limit 1`
            : sql`select id, code, name, is_default as "isDefault", archived from warehouses
                  where lower(code) = lower(${text}) or lower(name) = lower(${text}) order by (lower(code) = lower(${text})) desc, id limit 1`,
        );
  const digits = mode === 'exact-or-id' && !rows.length ? idOfDigits(text) : null;
  if (digits !== null) rows = await byId(digits);
  if (!rows.length) {
    const all = await conn.select({ id: warehouses.id, code: warehouses.code, name: warehouses.name }).from(warehouses).where(eq(warehouses.archived, false)).orderBy(asc(warehouses.id));
    const hint = mode === 'search' ? '' : '接口只接受 id（整数）、仓库编码或完整名称。';
    throw new DomainError('not_found', `找不到仓库「${ref}」。${hint}现有仓库：${all.map((w) => (mode === 'search' ? w.name : `${w.name}（${w.code}）`)).join('、') || '（无）'}。`, { warehouse: ref, candidates: all });
  }
  const w = rows[0];
  if (w.archived && !opts.includeArchived) throw new DomainError('conflict', `仓库「${w.name}」已停用。`);
  return view(w);
}

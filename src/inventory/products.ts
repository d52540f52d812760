/**
 * Products (master data). Resolution from what people type is src/inventory/product-lookup.ts.
 * SKU is unique, barcode unique when given (database constraints; we turn their violations
 * into Chinese messages). Archiving hides a product from search and postings but keeps its
 * history; it is refused while stock is on hand.
 */
import { eq, sql } from 'drizzle-orm';
import { products, stockMoves, stockValuations } from '../../db/schema.js';
import { execRows, type Conn, type Db, type Tx } from '../../db/types.js';
import { DomainError, domainErrorWithFix, domainErrorWithFixIn } from '../errors.js';
import { requirePermission, type Actor } from '../people/roles.js';
import type { ReferenceMode, ReferenceOptions } from '../kernel/use-case.js';
import { writeAudit } from '../audit/index.js';
import { pgConstraint, pgErrorCode, UNIQUE_VIOLATION } from '../shared/pg.js';
import { Dec, costText, qtyText } from '../shared/decimal.js';
import { buildSearchText } from './search.js';
import { resolveProduct } from './product-lookup.js';
import { baseUnitChangeFix, formatQty, qtyDecimalsOf } from './units.js';
import { archiveProductSchema, createProductSchema, parseInput, updateProductSchema, type CreateProductInput, type UpdateProductInput } from './schemas.js';

export type ProductRow = typeof products.$inferSelect;

/** What services return: JSON-safe (fen as strings), units included for formatting. */
export interface ProductView {
  id: number;
  sku: string;
  barcode: string | null;
  name: string;
  model: string | null;
  spec: string | null;
  category: string | null;
  /** Other names people use (别名), found like the name. */
  aliases: string[];
  /** The product's own unit words: {alias: one of its units} (units.ts unitRole). */
  unitAliases: Record<string, string>;
  baseUnit: string;
  packUnit: string | null;
  packFactor: string | null;
  /** Fen per BASE unit, up to 6 decimals, canonical text ("35", "0.2" = ¥0.002). */
  purchasePriceFen: string | null;
  salePriceFen: string | null;
  /** Decimal places a quantity may have (0–6); null = the base unit's default (units.ts). */
  qtyDecimals: number | null;
  safetyStock: string;
  leadTimeDays: number;
  preferredSupplierId: number | null;
  batchTracked: boolean;
  archived: boolean;
  /** Only on an update that changed nothing (every field already had the given value). */
  unchanged?: true;
}

export function productView(p: ProductRow): ProductView {
  return {
    id: p.id,
    sku: p.sku,
    barcode: p.barcode,
    name: p.name,
    model: p.model,
    spec: p.spec,
    category: p.category,
    aliases: jsonOf<string[]>(p.aliases, []),
    unitAliases: jsonOf<Record<string, string>>(p.unitAliases, {}),
    baseUnit: p.baseUnit,
    packUnit: p.packUnit,
    packFactor: p.packFactor == null ? null : qtyText(p.packFactor),
    purchasePriceFen: p.purchasePriceFen == null ? null : costText(String(p.purchasePriceFen)),
    salePriceFen: p.salePriceFen == null ? null : costText(String(p.salePriceFen)),
    qtyDecimals: p.qtyDecimals ?? null,
    safetyStock: qtyText(p.safetyStock),
    leadTimeDays: p.leadTimeDays,
    preferredSupplierId: p.preferredSupplierId,
    batchTracked: p.batchTracked,
    archived: p.archivedAt != null,
  };
}

/** A jsonb value as stored (drivers hand back parsed JSON; raw SQL may hand back text). */
function jsonOf<T>(v: unknown, empty: T): T {
  if (v == null) return empty;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** Text as a name is compared for "already says it": lower case, no spaces, × / x / * alike. */
const plainWords = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, '').replace(/[×✕*]/g, 'x');

/**
 * "螺丝 M6 不锈钢": name, model and spec, without a model or spec the name already contains
 * (螺丝M3×8 with spec M3x8 → "螺丝M3×8"; case, spaces and × / x / * do not matter).
 */
export function productTitle(p: Pick<ProductView, 'name' | 'model' | 'spec'>): string {
  const name = plainWords(p.name);
  const extra = [p.model, p.spec].filter((x): x is string => Boolean(x) && !name.includes(plainWords(x!)));
  return [p.name, ...new Set(extra)].join(' ');
}

/** "螺丝 M6 不锈钢（P00001）": productTitle, then the SKU. */
export function productLabel(p: Pick<ProductView, 'name' | 'model' | 'spec' | 'sku'>): string {
  return `${productTitle(p)}（${p.sku}）`;
}

/**
 * The product's aliases (别名) must each name it alone: none may be another product's SKU,
 * name or alias, and its own name and SKU may not be another product's alias — otherwise 出库
 * <alias> would have two products to choose from. Compared case-insensitively and trimmed, among
 * products not archived. DomainError('conflict') naming the other product; nothing saved.
 * Aliases equal to the product's own name or SKU are dropped (they add nothing).
 */
async function checkAliases(tx: Tx, self: { id: number | null; sku: string; name: string; aliases: string[] }): Promise<string[]> {
  const own = new Set([self.sku, self.name].map((x) => x.trim().toLowerCase()));
  const aliases = self.aliases.filter((a) => !own.has(a.trim().toLowerCase()));
  const words = [...own, ...aliases.map((a) => a.trim().toLowerCase())];
  const list = sql.join(words.map((w) => sql`${w}`), sql`, `);
  const aliasList = aliases.length ? sql.join(aliases.map((a) => sql`${a.trim().toLowerCase()}`), sql`, `) : null;
  const rows = await execRows<{ sku: string; name: string; hit: string; what: string }>(
    tx,
    sql`select p.sku, p.name, a.alias as hit, 'alias' as what from products p cross join lateral jsonb_array_elements_text(p.aliases) a(alias)
        where p.archived_at is null and p.id <> ${self.id ?? 0}::int and lower(trim(a.alias)) in (${list})
        ${aliasList ? sql`union all select p.sku, p.name, p.sku as hit, 'sku' as what from products p where p.archived_at is null and p.id <> ${self.id ?? 0}::int and lower(p.sku) in (${aliasList})
        union all select p.sku, p.name, p.name as hit, 'name' as what from products p where p.archived_at is null and p.id <> ${self.id ?? 0}::int and lower(trim(p.name)) in (${aliasList})` : sql``}
        limit 1`,
  );
  const hit = rows[0];
  if (!hit) return aliases;
  const of = `商品「${hit.name}」（${hit.sku}）`;
  const word = hit.what === 'alias' ? `${of}的别名` : hit.what === 'sku' ? `${of}的编码` : `${of}的名称`;
  const mine = aliases.find((a) => a.trim().toLowerCase() === hit.hit.trim().toLowerCase());
  const message = mine
    ? `别名「${mine}」已是${word}，不能再作「${self.name}」的别名：一个词只能指一个商品。请换一个别名。没有保存任何改动。`
    : `「${hit.hit}」已是${of}的别名，不能再作「${self.name}」的名称或编码：一个词只能指一个商品。请换一个，或先改掉那个别名。没有保存任何改动。`;
  throw new DomainError('conflict', message, { alias: hit.hit, other: { sku: hit.sku, name: hit.name } });
}

/**
 * Unit aliases ({pcs: 个}) must each point at one of the product's units, and may not be one of
 * its units themselves. DomainError('invalid_input') naming the units; nothing saved.
 */
function checkUnitAliases(p: { name: string; baseUnit: string; packUnit: string | null }, unitAliases: Record<string, string>): void {
  const units = [p.baseUnit, p.packUnit].filter((u): u is string => Boolean(u));
  const lower = units.map((u) => u.toLowerCase());
  for (const [alias, unit] of Object.entries(unitAliases)) {
    if (lower.includes(alias.toLowerCase())) throw new DomainError('invalid_input', `单位别名「${alias}」就是「${p.name}」的单位，不用再设别名。没有保存任何改动。`);
    if (!lower.includes(unit.toLowerCase())) {
      throw new DomainError('invalid_input', `单位别名「${alias}:${unit}」：「${p.name}」没有单位「${unit}」（它的单位是 ${units.join('、')}），别名只能指向这些单位，例如 ${alias}:${units[0]}。没有保存任何改动。`);
    }
  }
}

function uniqueViolationMessage(e: unknown, sku?: string | null, barcode?: string | null): DomainError | null {
  if (pgErrorCode(e) !== UNIQUE_VIOLATION) return null;
  const c = pgConstraint(e) ?? '';
  if (c.includes('barcode')) return new DomainError('conflict', `条码「${barcode}」已被其他商品使用。`, { barcode });
  return new DomainError('conflict', `SKU「${sku}」已存在，请换一个编码。`, { sku });
}

/**
 * Pack unit and factor together, not the base unit, > 0 — and, when `precision` is given, the
 * factor must be a quantity of the base unit the product can hold: 1 箱 = 2.5 个 under whole 个
 * would make every 箱 entry a refused fraction (入库 1箱 → 2.5 个 不行). Updates pass
 * `precision` only when pack, base unit or decimal places change, so an old product is not
 * blocked on an unrelated edit.
 */
function checkPack(
  packUnit: string | null | undefined,
  packFactor: string | null | undefined,
  baseUnit: string,
  precision?: { qtyDecimals: number | null | undefined },
): void {
  if (Boolean(packUnit) !== Boolean(packFactor)) {
    throw new DomainError('invalid_input', '包装单位和换算数量要一起填写，例如 包装单位「箱」，1 箱 = 24 个。');
  }
  if (packUnit && packUnit === baseUnit) throw new DomainError('invalid_input', `包装单位不能和基本单位相同（${baseUnit}）。`);
  if (packFactor && !new Dec(packFactor).greaterThan(0)) throw new DomainError('invalid_input', '换算数量必须大于 0。');
  if (packUnit && packFactor && precision) {
    const dp = qtyDecimalsOf({ baseUnit, qtyDecimals: precision.qtyDecimals ?? null });
    const f = new Dec(packFactor);
    if (f.decimalPlaces() > dp) {
      const rule = dp === 0 ? `「${baseUnit}」按整数计，1 ${packUnit} 只能等于整数${baseUnit}` : `「${baseUnit}」最多 ${dp} 位小数，1 ${packUnit} 最多等于 ${dp} 位小数的${baseUnit}`;
      // The example and the decimals are a fix (details.fix): chat says 包装=箱:3 / 小数位=1, REST the fields.
      const fix = { kind: 'pack_precision', packUnit, packFactor: qtyText(f.toDecimalPlaces(dp, Dec.ROUND_UP)), baseUnit, qtyDecimals: Math.min(f.decimalPlaces(), 6) } as const;
      throw domainErrorWithFixIn(
        'invalid_input',
        fix,
        (w) => `${rule}（收到 ${qtyText(f)}）。请写成${dp === 0 ? '整数' : `最多 ${dp} 位小数`}，${w}。没有保存任何改动。`,
        { packUnit, packFactor: qtyText(f), baseUnit, qtyDecimals: dp },
      );
    }
  }
}

/**
 * Fewer decimal places than stock on hand has: refused (DomainError invalid_input), naming the
 * quantity and the fraction to clear — otherwise 292.5 米 under 小数位=0 leaves 0.5 米 that no
 * entry can ever issue or count. Checks every balance row (per warehouse and batch) and the
 * product's total (stock_valuations).
 */
async function refuseFractionalStock(tx: Tx, before: ProductRow, next: ProductRow): Promise<void> {
  const dp = qtyDecimalsOf(next);
  if (dp >= qtyDecimalsOf(before)) return;
  const rows = await execRows<{ qty: string; warehouse: string; batch_no: string }>(
    tx,
    sql`select b.qty::text as qty, w.name as warehouse, bt.batch_no from stock_balances b
        join warehouses w on w.id = b.warehouse_id join batches bt on bt.id = b.batch_id
        where b.product_id = ${before.id} and b.qty <> 0 order by w.id, bt.id`,
  );
  const bad = rows.filter((r) => new Dec(r.qty).decimalPlaces() > dp);
  const [val] = await tx.select().from(stockValuations).where(eq(stockValuations.productId, before.id));
  const totalBad = val != null && new Dec(val.qty).decimalPlaces() > dp;
  if (!bad.length && !totalBad) return;
  const u = before.baseUnit;
  const where = (r: { warehouse: string; batch_no: string }) => `${r.warehouse}${r.batch_no ? ` 批次 ${r.batch_no}` : ''}`;
  const held = bad.length ? bad.map((r) => `${qtyText(r.qty)} ${u}（${where(r)}）`).join('、') : `${qtyText(val!.qty)} ${u}`;
  const places = Math.max(...bad.map((r) => new Dec(r.qty).decimalPlaces()), totalBad ? new Dec(val!.qty).decimalPlaces() : 0);
  const target = dp === 0 ? '整数' : `最多 ${dp} 位小数`;
  const first = bad[0];
  const example = first
    ? `，例如 出库 ${before.sku} ${qtyText(new Dec(first.qty).minus(new Dec(first.qty).toDecimalPlaces(dp, Dec.ROUND_DOWN)))} @${first.warehouse}${first.batch_no ? ` 批次=${first.batch_no}` : ''}`
    : '';
  throw new DomainError(
    'invalid_input',
    `「${before.name}」现有 ${held}，有 ${places} 位小数；改成${target}前请先把零头出库或盘点调整${example}。没有保存任何改动。`,
    { qtyDecimals: dp, rows: bad.map((r) => ({ warehouse: r.warehouse, batchNo: r.batch_no || null, qty: qtyText(r.qty) })) },
  );
}

export async function createProduct(db: Conn, actor: Actor, input: CreateProductInput): Promise<ProductView> {
  requirePermission(actor, 'product.manage');
  const d = parseInput(createProductSchema, input);
  checkPack(d.packUnit, d.packFactor, d.baseUnit, { qtyDecimals: d.qtyDecimals });
  checkUnitAliases({ name: d.name, baseUnit: d.baseUnit, packUnit: d.packUnit ?? null }, d.unitAliases);
  try {
    return await db.transaction(async (tx) => {
      // Take the id first so a generated SKU (P00001) follows it.
      const [{ id }] = await execRows<{ id: number }>(tx, sql`select nextval(pg_get_serial_sequence('products', 'id'))::int as id`);
      const sku = d.sku ?? `P${String(id).padStart(5, '0')}`;
      const aliases = await checkAliases(tx, { id, sku, name: d.name, aliases: d.aliases });
      const [row] = await tx
        .insert(products)
        .values({
          id,
          sku,
          barcode: d.barcode,
          name: d.name,
          model: d.model,
          spec: d.spec,
          category: d.category,
          aliases,
          unitAliases: d.unitAliases,
          baseUnit: d.baseUnit,
          packUnit: d.packUnit ?? null,
          packFactor: d.packFactor ?? null,
          purchasePriceFen: d.purchasePriceFen ?? null,
          salePriceFen: d.salePriceFen ?? null,
          qtyDecimals: d.qtyDecimals ?? null,
          safetyStock: d.safetyStock,
          leadTimeDays: d.leadTimeDays,
          preferredSupplierId: d.preferredSupplierId ?? null,
          batchTracked: d.batchTracked,
          searchText: buildSearchText({ ...d, aliases }),
        })
        .returning();
      await writeAudit(tx, actor, { action: 'create', entity: 'product', entityId: row.id, after: productView(row) });
      return productView(row);
    });
  } catch (e) {
    throw uniqueViolationMessage(e, d.sku, d.barcode) ?? e;
  }
}

/**
 * Base unit (and batch tracking) are fixed once the product has ledger history — not only while
 * stock is on hand: every stored quantity, unit cost and average is per base unit, so 48 个
 * would become 48 盒 and ¥0.35/个 ¥0.35/盒, in reports over past periods too. The way out is a
 * new product (or a pack unit, when the wish is only to count in 盒).
 */
async function refuseUnitChangeWithHistory(tx: Tx, before: ProductRow, changes: { baseUnit?: string; batchTracked?: boolean }): Promise<void> {
  const unitChange = Boolean(changes.baseUnit && changes.baseUnit !== before.baseUnit);
  const batchChange = changes.batchTracked !== undefined && changes.batchTracked !== before.batchTracked;
  if (!unitChange && !batchChange) return;
  const [moved] = await tx.select({ id: stockMoves.id }).from(stockMoves).where(eq(stockMoves.productId, before.id)).limit(1);
  if (!moved) return;
  const [val] = await tx.select().from(stockValuations).where(eq(stockValuations.productId, before.id));
  const onHand = val && new Dec(val.qty).greaterThan(0) ? `现有库存 ${formatQty(before, val.qty)}，` : '';
  if (unitChange) {
    throw domainErrorWithFix(
      'conflict',
      `「${before.name}」已有出入库记录（${onHand}数量、单价和平均成本都按「${before.baseUnit}」计），不能把基本单位改成「${changes.baseUnit}」：` +
        `账上的数量会被当成「${changes.baseUnit}」。没有保存任何改动。\n`,
      // The way out depends on how the two units relate (units.ts): a smaller unit is written
      // as decimals of the base unit, a larger one becomes a pack with its real factor; each
      // adapter words it (chat commands, REST requests).
      baseUnitChangeFix(before, changes.baseUnit!),
      { baseUnit: before.baseUnit, requested: changes.baseUnit },
    );
  }
  throw new DomainError('conflict', `「${before.name}」已有出入库记录（${onHand.replace(/，$/, '')}），不能再开启或关闭批次管理。没有保存任何改动。如确需修改，请新建商品，把旧商品的库存出库或盘点清零后不再使用。`);
}

/** formatQty, plus the pack reading when less than one pack ("24 个（0.24 箱）"): the point of the question. */
function packReading(p: ProductRow, qty: string): string {
  const text = formatQty(p, qty);
  if (!p.packUnit || !p.packFactor || text.includes('（')) return text;
  const packs = new Dec(qty).dividedBy(p.packFactor);
  const shown = packs.toDecimalPlaces(2);
  return `${text}（${shown.equals(packs) ? '' : '约 '}${shown.toFixed()} ${p.packUnit}）`;
}

const sameFactor = (a: string | null, b: string | null) => (a == null || b == null ? a == b : new Dec(a).equals(b));

/**
 * A change of pack unit or factor while stock is on hand: refused with 'needs_confirmation'
 * (details: qty, before/after readings) until the input says `confirm: true`. Without stock
 * nothing reads differently, so no question is asked.
 */
async function requirePackConfirmation(tx: Tx, before: ProductRow, next: ProductRow): Promise<void> {
  if ((before.packUnit ?? null) === (next.packUnit ?? null) && sameFactor(before.packFactor, next.packFactor)) return;
  const [val] = await tx.select().from(stockValuations).where(eq(stockValuations.productId, before.id));
  if (!val || !new Dec(val.qty).greaterThan(0)) return;
  const pack = (p: ProductRow) => (p.packUnit && p.packFactor ? `1 ${p.packUnit} = ${qtyText(p.packFactor)} ${p.baseUnit}` : '不设包装');
  const oldText = packReading(before, val.qty);
  const newText = packReading(next, val.qty);
  throw domainErrorWithFix(
    'needs_confirmation',
    `「${before.name}」现有库存 ${qtyText(val.qty)} ${before.baseUnit}：按原包装（${pack(before)}）是 ${oldText}，改成 ${pack(next)} 后是 ${newText}。` +
      `已过账的单据仍按过账时的包装显示。没有保存任何改动。`,
    { kind: 'confirm' },
    { qty: qtyText(val.qty), before: oldText, after: newText, packBefore: pack(before), packAfter: pack(next) },
  );
}

export async function updateProduct(db: Conn, actor: Actor, input: UpdateProductInput, opts: ReferenceOptions = {}): Promise<ProductView> {
  requirePermission(actor, 'product.manage');
  const { product: ref, changes, confirm } = parseInput(updateProductSchema, input);
  const target = await resolveProduct(db, ref, opts);
  try {
    return await db.transaction(async (tx) => {
      const [before] = await tx.select().from(products).where(eq(products.id, target.id)).for('update');
      const next = { ...before, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) } as ProductRow;
      // Nothing differs (单位=瓶 on a product counted in 瓶): no write, no audit row, and say so.
      if (JSON.stringify(productView(next)) === JSON.stringify(productView(before))) return { ...productView(before), unchanged: true };
      const precisionTouched = [changes.packUnit, changes.packFactor, changes.baseUnit, changes.qtyDecimals].some((v) => v !== undefined);
      checkPack(next.packUnit, next.packFactor, next.baseUnit, precisionTouched ? { qtyDecimals: next.qtyDecimals } : undefined);
      // Unit aliases point at the units the product has after this edit (a dropped pack unit takes its aliases' target away).
      if (changes.unitAliases !== undefined || precisionTouched) checkUnitAliases(next, productView(next).unitAliases);
      if (changes.aliases !== undefined || changes.name !== undefined || changes.sku !== undefined) {
        next.aliases = await checkAliases(tx, { id: before.id, sku: next.sku, name: next.name, aliases: productView(next).aliases });
      }
      // Stored quantities are in the base unit: changing it (or batch tracking) under existing
      // stock would silently change what the ledger means.
      await refuseUnitChangeWithHistory(tx, before, changes);
      await refuseFractionalStock(tx, before, next);
      // A new pack size re-reads today's stock (posted documents keep theirs: stock_moves
      // snapshots). Under stock that is a real change of what people count: confirm it.
      if (!confirm) await requirePackConfirmation(tx, before, next);
      const [row] = await tx
        .update(products)
        .set({
          ...changes,
          aliases: next.aliases,
          packUnit: next.packUnit,
          packFactor: next.packFactor,
          searchText: buildSearchText(next),
          updatedAt: sql`now()`,
        })
        .where(eq(products.id, before.id))
        .returning();
      await writeAudit(tx, actor, { action: 'update', entity: 'product', entityId: row.id, before: productView(before), after: productView(row) });
      return productView(row);
    });
  } catch (e) {
    throw uniqueViolationMessage(e, changes.sku, changes.barcode) ?? e;
  }
}

export async function archiveProduct(db: Conn, actor: Actor, input: { product: number | string }, opts: ReferenceOptions = {}): Promise<ProductView> {
  requirePermission(actor, 'product.manage');
  const { product: ref } = parseInput(archiveProductSchema, input);
  const target = await resolveProduct(db, ref, opts);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(products).where(eq(products.id, target.id)).for('update');
    const [val] = await tx.select().from(stockValuations).where(eq(stockValuations.productId, before.id));
    if (val && new Dec(val.qty).greaterThan(0)) {
      throw new DomainError('conflict', `「${before.name}」还有库存 ${qtyText(val.qty)} ${before.baseUnit}，请先出库或盘亏后再停用。`);
    }
    const [row] = await tx.update(products).set({ archivedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(products.id, before.id)).returning();
    await writeAudit(tx, actor, { action: 'archive', entity: 'product', entityId: row.id, before: productView(before), after: productView(row) });
    return productView(row);
  });
}

export async function getProduct(conn: Conn, id: number): Promise<ProductView | null> {
  const [p] = await conn.select().from(products).where(eq(products.id, id));
  return p ? productView(p) : null;
}

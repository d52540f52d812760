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

/** "螺丝 M6 不锈钢 (P00001)" */
export function productLabel(p: Pick<ProductView, 'name' | 'model' | 'spec' | 'sku'>): string {
  return `${[p.name, p.model, p.spec].filter(Boolean).join(' ')}（${p.sku}）`;
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
  try {
    return await db.transaction(async (tx) => {
      // Take the id first so a generated SKU (P00001) follows it.
      const [{ id }] = await execRows<{ id: number }>(tx, sql`select nextval(pg_get_serial_sequence('products', 'id'))::int as id`);
      const [row] = await tx
        .insert(products)
        .values({
          id,
          sku: d.sku ?? `P${String(id).padStart(5, '0')}`,
          barcode: d.barcode,
          name: d.name,
          model: d.model,
          spec: d.spec,
          category: d.category,
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
          searchText: buildSearchText(d),
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

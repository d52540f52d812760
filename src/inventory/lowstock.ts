/**
 * Low stock (低库存预警), ONE definition for every answer (库存, 库存 @仓库, 低库存, the stock
 * card, REST): a product is low when its on-hand quantity (现有) is AT OR BELOW its safety stock;
 * a safety stock of 0 (or none) is never low (issue 10, settled details).
 *
 * - In total: the product's own safety_stock against its on-hand summed over all warehouses.
 * - Per warehouse: only where a per-warehouse safety stock is set (warehouse_safety_stocks);
 *   a warehouse without one is not judged on its own — applying the product's total figure to
 *   each warehouse would call every product "low" in every small side warehouse.
 *
 * The list also names batches that expire within the company setting
 * inventory.expiry_window_days (default 30) and those already expired, with what they hold.
 * "On hand" is today's stock; reservations (可用 = 现有 − 预留) do not exist yet.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { execRows, type Conn } from '../../db/types.js';
import { defineSetting } from '../kernel/settings.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { Dec, qtyText } from '../shared/decimal.js';
import { lowStockSchema, parseInput } from './schemas.js';
import { formatQty } from './units.js';
import { resolveWarehouse } from './warehouses.js';
import type { ReferenceOptions } from '../kernel/use-case.js';

/** The rule as every reply states it. */
export const LOW_STOCK_RULE = '低库存 = 现有 ≤ 安全库存（安全库存为 0 或未设置的不算）';

/** What a per-warehouse list says about warehouses without their own safety stock. */
export const PER_WAREHOUSE_NOTE = '分仓只判断设了分仓安全库存的商品（「安全库存 <商品> <数量> @仓库」设置）；商品的安全库存按全部仓库合计判断。';

/**
 * THE low-stock test: on hand (base units) at or below a safety stock that is above 0.
 * `safety` null/undefined/0 = none set, never low.
 */
export function isLowStock(onHand: Dec | string, safety: Dec | string | null | undefined): boolean {
  if (safety == null) return false;
  const s = new Dec(safety);
  return s.greaterThan(0) && new Dec(onHand).lessThanOrEqualTo(s);
}

/** Days ahead within which a batch counts as expiring soon (临期), a company setting. */
export const expiryWindowSetting = defineSetting<number>({
  key: 'inventory.expiry_window_days',
  label: '临期提醒天数',
  schema: z.number().int('天数写整数，例如 30').min(0, '天数不能是负数').max(3650, '最多 3650 天'),
  default: 30,
});

export interface LowStockLine {
  productId: number;
  sku: string;
  name: string;
  /** null in the total list. */
  warehouseId: number | null;
  warehouseName: string | null;
  /** On hand (现有), base units. */
  qty: string;
  qtyText: string;
  /** The safety stock judged against: the product's (total) or the warehouse's. */
  safetyStock: string;
  /** safety − qty (≥ 0). */
  shortfall: string;
  /** The unit qty, safetyStock and shortfall are in. */
  baseUnit: string;
  leadTimeDays: number;
  preferredSupplierId: number | null;
}

/** A batch holding stock that expires within the window, or has expired. */
export interface ExpiringBatch {
  productId: number;
  sku: string;
  name: string;
  warehouseId: number;
  warehouseName: string;
  batchNo: string;
  /** "2026-12-01". */
  expiresOn: string;
  /** Days from today to the expiry day (0 = expires today, negative = expired). */
  daysLeft: number;
  /** The expiry day is before today. */
  expired: boolean;
  qty: string;
  qtyText: string;
}

export interface LowStockReport {
  /** The definition, to be stated in every reply (LOW_STOCK_RULE). */
  rule: string;
  /** Per warehouse (only where a per-warehouse safety stock is set); one warehouse when asked. */
  perWarehouse: LowStockLine[];
  /** How many (product, warehouse) safety stocks were judged for perWarehouse. */
  perWarehouseJudged: number;
  /** Products against their own safety stock, on hand summed over all warehouses. */
  total: LowStockLine[];
  /** Batches expiring within `expiryWindowDays` of `today`, or expired; earliest first. */
  expiring: ExpiringBatch[];
  expiryWindowDays: number;
  /** The business day the expiry was judged on ("2026-11-25"). */
  today: string;
}

interface Row {
  product_id: number;
  sku: string;
  name: string;
  base_unit: string;
  pack_unit: string | null;
  pack_factor: string | null;
  safety_stock: string;
  lead_time_days: number;
  preferred_supplier_id: number | null;
  warehouse_id: number | null;
  warehouse_name: string | null;
  qty: string;
}

const unitsOf = (r: { base_unit: string; pack_unit: string | null; pack_factor: string | null }) => ({ baseUnit: r.base_unit, packUnit: r.pack_unit, packFactor: r.pack_factor });

function line(r: Row): LowStockLine {
  return {
    productId: r.product_id,
    sku: r.sku,
    name: r.name,
    warehouseId: r.warehouse_id,
    warehouseName: r.warehouse_name,
    qty: qtyText(r.qty),
    qtyText: formatQty(unitsOf(r), r.qty),
    safetyStock: qtyText(r.safety_stock),
    shortfall: qtyText(Dec.max(new Dec(r.safety_stock).minus(r.qty), 0)),
    baseUnit: r.base_unit,
    leadTimeDays: r.lead_time_days,
    preferredSupplierId: r.preferred_supplier_id,
  };
}

const DAY_MS = 86_400_000;
const dayNumber = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
const isoOfDayNumber = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

export interface LowStockOptions extends ReferenceOptions {
  /** Today's business day ("2026-11-25"); default: the database's today in `timeZone`. */
  today?: string;
  /** IANA zone for the default `today` (default Asia/Shanghai). */
  timeZone?: string;
  /** The expiring-soon window in days (default: the setting's default, 30). */
  expiryWindowDays?: number;
}

/**
 * The low-stock report (see the file comment). `warehouse`: only that warehouse's per-warehouse
 * lines and batches (the total list stays product-wide: the product's safety stock is a total).
 * Needs stock.view. Errors: not_found (warehouse).
 */
export async function lowStock(db: Conn, actor: Actor, input: { warehouse?: number | string } = {}, opts: LowStockOptions = {}): Promise<LowStockReport> {
  requirePermission(actor, 'stock.view');
  const data = parseInput(lowStockSchema, input);
  const wh = data.warehouse === undefined ? null : await resolveWarehouse(db, data.warehouse, opts);
  const inWh = wh ? sql`and w.id = ${wh.id}::int` : sql``;
  const today =
    opts.today ??
    (await execRows<{ d: string }>(db, sql`select to_char((now() at time zone ${opts.timeZone ?? 'Asia/Shanghai'}::text)::date, 'YYYY-MM-DD') as d`))[0].d;
  const window = opts.expiryWindowDays ?? expiryWindowSetting.default;
  const cols = sql`p.id as product_id, p.sku, p.name, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor, p.lead_time_days, p.preferred_supplier_id`;
  const whQty = sql`coalesce((select sum(b.qty) from stock_balances b where b.product_id = p.id and b.warehouse_id = w.id), 0)`;
  const perWarehouse = await execRows<Row>(
    db,
    sql`select ${cols}, s.safety_stock::text as safety_stock, w.id as warehouse_id, w.name as warehouse_name, ${whQty}::text as qty
        from warehouse_safety_stocks s join products p on p.id = s.product_id join warehouses w on w.id = s.warehouse_id
        where p.archived_at is null and not w.archived and s.safety_stock > 0 ${inWh} and ${whQty} <= s.safety_stock
        order by p.id, w.id`,
  );
  const [judged] = await execRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from warehouse_safety_stocks s join products p on p.id = s.product_id join warehouses w on w.id = s.warehouse_id
        where p.archived_at is null and not w.archived and s.safety_stock > 0 ${inWh}`,
  );
  const totalQty = sql`coalesce((select sum(b.qty) from stock_balances b where b.product_id = p.id), 0)`;
  const total = await execRows<Row>(
    db,
    sql`select ${cols}, p.safety_stock::text as safety_stock, null::int as warehouse_id, null::text as warehouse_name, ${totalQty}::text as qty
        from products p
        where p.archived_at is null and p.safety_stock > 0 and ${totalQty} <= p.safety_stock
        order by p.id`,
  );
  const until = isoOfDayNumber(dayNumber(today) + window);
  const batches = await execRows<{
    product_id: number; sku: string; name: string; base_unit: string; pack_unit: string | null; pack_factor: string | null;
    warehouse_id: number; warehouse_name: string; batch_no: string; expires_on: string; qty: string;
  }>(
    db,
    sql`select p.id as product_id, p.sku, p.name, p.base_unit, p.pack_unit, p.pack_factor::text as pack_factor,
          w.id as warehouse_id, w.name as warehouse_name, bt.batch_no, bt.expires_on, b.qty::text as qty
        from stock_balances b join batches bt on bt.id = b.batch_id join products p on p.id = b.product_id join warehouses w on w.id = b.warehouse_id
        where b.qty > 0 and bt.expires_on is not null and bt.expires_on <= ${until} and p.archived_at is null and not w.archived ${inWh}
        order by bt.expires_on, p.id, w.id, bt.batch_no`,
  );
  const todayN = dayNumber(today);
  return {
    rule: LOW_STOCK_RULE,
    perWarehouse: perWarehouse.map(line),
    perWarehouseJudged: judged?.n ?? 0,
    total: total.map(line),
    expiring: batches.map((r) => {
      const daysLeft = dayNumber(r.expires_on) - todayN;
      return {
        productId: r.product_id,
        sku: r.sku,
        name: r.name,
        warehouseId: r.warehouse_id,
        warehouseName: r.warehouse_name,
        batchNo: r.batch_no,
        expiresOn: r.expires_on,
        daysLeft,
        expired: daysLeft < 0,
        qty: qtyText(r.qty),
        qtyText: formatQty(unitsOf(r), r.qty),
      };
    }),
    expiryWindowDays: window,
    today,
  };
}

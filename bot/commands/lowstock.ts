/**
 * 低库存 and 安全库存: the chat wording of inventory.low-stock and of setting a safety stock
 * (inventory.safety-stock-set per warehouse; the product's own, total safety stock through
 * inventory.product-update). The rule itself lives once in src/inventory/lowstock.ts; every
 * list here states it. lowStockLines is also what 库存 (no product) shows under its summary.
 */
import type { ExpiringBatch, LowStockLine, LowStockReport } from '../../src/inventory/lowstock.js';
import { PER_WAREHOUSE_NOTE } from '../../src/inventory/lowstock.js';
import type { ProductView } from '../../src/inventory/products.js';
import type { WarehouseSafetyStockResult } from '../../src/inventory/safety-stock.js';
import { formatQty, parseQuantity } from '../../src/inventory/units.js';
import { lowStockCard } from '../cards/views.js';
import { looksLikeQty, oneWarehouse, parseArgs } from '../parse/args.js';
import { command, UsageError, type CommandSpec } from './registry.js';
import { tidyQty } from './render.js';

/** How many lines of each list a chat reply shows. */
const SHOWN = 30;


const lowLine = (l: LowStockLine) => `• ${l.name}（${l.sku}）${l.warehouseName ? `@${l.warehouseName} ` : ''}现有 ${tidyQty(l.qtyText)}，安全库存 ${l.safetyStock} ${l.baseUnit}，缺 ${l.shortfall} ${l.baseUnit}`;

/** "已过期 3 天（2026-11-22）" / "今天到期" / "还有 6 天到期（2026-12-01）". */
export function expiryText(b: Pick<ExpiringBatch, 'daysLeft' | 'expiresOn'>): string {
  if (b.daysLeft < 0) return `已过期 ${-b.daysLeft} 天（${b.expiresOn}）`;
  if (b.daysLeft === 0) return `今天到期（${b.expiresOn}）`;
  return `还有 ${b.daysLeft} 天到期（${b.expiresOn}）`;
}

function more(list: unknown[]): string[] {
  return list.length > SHOWN ? [`…还有 ${list.length - SHOWN} 条，发送「低库存」卡片或用 REST /low-stock 查看全部`] : [];
}

/**
 * The low-stock part of a reply: the rule, the lists by it, the expiring and expired batches.
 * `warehouse`: asked for one warehouse — its per-warehouse list (the total list is product-wide
 * and is left to 「低库存」).
 */
export function lowStockLines(r: LowStockReport, warehouse: string | undefined): string[] {
  const out = [`${r.rule}`];
  if (warehouse) {
    if (r.perWarehouse.length) out.push(`⚠️ @${warehouse} 低库存（按分仓安全库存，${r.perWarehouse.length}）：`, ...r.perWarehouse.slice(0, SHOWN).map(lowLine), ...more(r.perWarehouse));
    else out.push(r.perWarehouseJudged ? `@${warehouse} 没有低库存的商品（按分仓安全库存判断了 ${r.perWarehouseJudged} 个商品）。` : `@${warehouse} 没有设分仓安全库存的商品，不按仓库判断。`);
    out.push(PER_WAREHOUSE_NOTE);
  } else {
    if (r.total.length) out.push(`⚠️ 低库存（全部仓库合计，${r.total.length}）：`, ...r.total.slice(0, SHOWN).map(lowLine), ...more(r.total));
    else out.push('全部仓库合计：没有低库存的商品。');
    if (r.perWarehouse.length) out.push(`⚠️ 分仓低库存（按分仓安全库存，${r.perWarehouse.length}）：`, ...r.perWarehouse.slice(0, SHOWN).map(lowLine), ...more(r.perWarehouse));
    else if (r.perWarehouseJudged) out.push('分仓：没有低库存。');
    if (r.perWarehouseJudged === 0) out.push(PER_WAREHOUSE_NOTE);
  }
  if (r.expiring.length) {
    const expired = r.expiring.filter((b) => b.expired).length;
    out.push(`⏰ 临期批次（${r.expiryWindowDays} 天内到期${expired ? `，其中已过期 ${expired}` : ''}）：`);
    out.push(...r.expiring.slice(0, SHOWN).map((b) => `• ${b.name}（${b.sku}）批次 ${b.batchNo} @${b.warehouseName} ${tidyQty(b.qtyText)}，${expiryText(b)}`), ...more(r.expiring));
  }
  return out;
}

/** 安全库存 <商品> <数量> [@仓库]: the product words and the quantity (the last word). */
function parseSafety(args: string[]) {
  const a = parseArgs(args);
  if (a.mentions.length) throw new UsageError('安全库存不需要 @某人');
  const warehouse = oneWarehouse(a.at);
  const words = a.positional;
  if (words.length < 2 || !looksLikeQty(words[words.length - 1])) throw new UsageError('需要商品和数量，例如 安全库存 A001 50（全部仓库合计）或 安全库存 A001 20 @二号仓（这个仓库）');
  const product = words.slice(0, -1).join(' ');
  if (product.length > 100) throw new UsageError('商品名太长');
  return { product, qty: words[words.length - 1], warehouse };
}

export const lowStockCommands: readonly CommandSpec[] = [
  command({
    name: '低库存',
    aliases: ['lowstock', 'low-stock', '缺货', '库存预警'],
    useCase: 'inventory.low-stock',
    hint: '现有 ≤ 安全库存即为低库存；也列出临期和过期批次',
    usage: '低库存 [@仓库]',
    example: ['低库存', '低库存 @二号仓'],
    parse(args) {
      const a = parseArgs(args);
      if (a.mentions.length) throw new UsageError('低库存不需要 @某人');
      if (a.positional.length) throw new UsageError(`多余的内容「${a.positional.join(' ')}」；要看一个商品请发「库存 ${a.positional.join(' ')}」`);
      return { warehouse: oneWarehouse(a.at) };
    },
    async run(ctx, { warehouse }) {
      const r = await ctx.invoke<LowStockReport>(warehouse !== undefined ? { warehouse } : {});
      const text = [`📉 低库存${warehouse ? ` @${warehouse}` : ''}`, ...lowStockLines(r, warehouse)].join('\n');
      return { text, card: lowStockCard(r, warehouse) };
    },
  }),
  command({
    name: '安全库存',
    aliases: ['safety', 'safety-stock', '设置安全库存'],
    useCase: 'inventory.safety-stock-set',
    hint: '不写 @仓库 时设置商品的安全库存（按全部仓库合计判断）；写 0 取消',
    usage: '安全库存 <商品> <数量>[单位] [@仓库]',
    example: ['安全库存 A001 50', '安全库存 A001 2箱 @二号仓', '安全库存 A001 0 @二号仓'],
    parse: parseSafety,
    async run(ctx, { product, qty, warehouse }) {
      if (warehouse !== undefined) {
        const r = await ctx.invoke<WarehouseSafetyStockResult>({ product, warehouse, safetyStock: qty });
        const what = `${r.name}（${r.sku}）在「${r.warehouseName}」`;
        if (r.safetyStock === '0') return `已取消 ${what}的分仓安全库存${r.previous === '0' ? '（原来就没有设置）' : `（原为 ${r.previous}）`}：这个仓库不再单独判断低库存。`;
        return [
          `已设置 ${what}的安全库存：${tidyQty(r.safetyStockText)}${r.previous !== '0' ? `（原为 ${r.previous}）` : ''}。`,
          `该仓库现有 ${tidyQty(r.onHandText)}${r.low ? '，⚠️ 已是低库存（现有 ≤ 安全库存）' : ''}。`,
        ].join('\n');
      }
      // The product's own safety stock (a total over warehouses): the product update use case,
      // with the quantity read against the product's units (2箱 → base units).
      const p = await ctx.invoke<ProductView>({ product }, 'inventory.product-get');
      const base = parseQuantity(p, qty, { allowZero: true });
      const u = await ctx.invoke<ProductView>({ product: p.id, safetyStock: base }, 'inventory.product-update');
      if (u.safetyStock === '0') return `已取消 ${u.name}（${u.sku}）的安全库存：不再判断低库存。`;
      return `已设置 ${u.name}（${u.sku}）的安全库存：${tidyQty(formatQty(u, u.safetyStock))}（全部仓库合计；低库存 = 现有 ≤ 安全库存）。`;
    },
  }),
];

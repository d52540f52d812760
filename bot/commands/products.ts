/**
 * 商品 and 仓库 commands: the chat normalisers of the master-data use cases
 * (inventory.product-create / -update, inventory.products, inventory.warehouse-create,
 * inventory.warehouses). Words → canonical input (prices in yuan text, quantities as decimal
 * text); the use cases and their services keep the rules.
 */
import { DomainError } from '../../src/errors.js';
import type { ProductView } from '../../src/inventory/products.js';
import type { Page } from '../../src/inventory/cursor.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import { DEFAULT_WAREHOUSE_NAME, type WarehouseView } from '../../src/inventory/warehouses.js';
import { productLabel } from '../../src/inventory/products.js';
import { productFieldsSchema } from '../../src/inventory/schemas.js';
import { parseInput } from '../../src/kernel/validate.js';
import { formatPrice } from '../../src/shared/money.js';
import { TEXT_MAX, tooLongText } from '../../src/shared/limits.js';
import { checkQty, parseArgs, type ArgSpec } from '../parse/args.js';
import { priceYuan } from '../parse/canonical.js';
import { command, UsageError, type CommandSpec } from './registry.js';
import { chatMessage } from './render.js';

/** A product as use cases return it (purchase price absent for those who may not see costs). */
type Product = CostFiltered<ProductView>;

function extra(rest: string[]): void {
  if (rest.length) throw new UsageError(`多余的内容「${rest.join(' ')}」`);
}

const PRODUCT_OPTIONS: ArgSpec['options'] = {
  名称: ['name'],
  单位: ['unit', '基本单位'],
  规格: ['spec'],
  型号: ['model'],
  条码: ['barcode', 'ean'],
  分类: ['category', '类别'],
  进价: ['cost', 'purchase', '采购价', '成本'],
  售价: ['price', 'sale', '销售价'],
  小数位: ['decimals', 'dp', '数量小数位'],
  安全库存: ['safety', 'min', '最低库存'],
  包装: ['pack', '箱规'],
  批次管理: ['batch', 'batches', '批次'],
  编码: ['sku'],
  提前期: ['leadtime', 'lead'],
  别名: ['alias', 'aliases', '又名'],
  单位别名: ['unitalias', 'unitaliases', 'unit_alias'],
};

/** Words that empty a list option: 别名=无 / 单位别名=清空. */
const CLEAR = /^(?:无|清空|none|-)$/i;
/** Items of a list option: 别名=杜邦线20,DP20 (commas and 、 kept in the value by bot/parse/normalize.ts). */
const items = (v: string) => v.split(/[,，、]/).map((x) => x.trim()).filter(Boolean);

/** 别名=杜邦线20,DP20 → ["杜邦线20", "DP20"]; 别名=无 → [] (the use case checks lengths and other products). */
function aliasList(v: string): string[] {
  if (CLEAR.test(v)) return [];
  const list = items(v);
  const long = list.find((a) => a.length > TEXT_MAX.alias);
  if (long) throw new UsageError(tooLongText(`别名「${long.slice(0, 20)}…」`, 'alias', long));
  return list;
}

/**
 * 单位别名=pcs:个,条:根 → {pcs: 个, 条: 根} (pcs=个 too); 单位别名=无 → {}. Each names one of the
 * product's units (the service checks which).
 */
function unitAliasMap(v: string): Record<string, string> {
  if (CLEAR.test(v)) return {};
  const out: Record<string, string> = {};
  for (const item of items(v)) {
    const m = item.match(/^([^:=]+)[:=]([^:=]+)$/);
    if (!m) throw new UsageError(`单位别名「${item}」格式不对，请写成 单位别名=pcs:个（别名:商品的单位），多个用逗号分开：单位别名=pcs:个,条:根`);
    out[m[1].trim()] = m[2].trim();
  }
  return out;
}

/** The stored pack factor's rule (numeric(20,6), > 0): the chat normaliser answers with its message. */
const PACK_FACTOR = productFieldsSchema.pick({ packFactor: true });

/** Options → canonical product fields (inventory.product-create / -update). */
function productFields(options: Map<string, string>): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  for (const [k, v] of options) {
    switch (k) {
      case '名称': f.name = v; break;
      case '别名': f.aliases = aliasList(v); break;
      case '单位别名': f.unitAliases = unitAliasMap(v); break;
      case '单位': f.baseUnit = v; break;
      case '规格': f.spec = v; break;
      case '型号': f.model = v; break;
      case '条码':
        if (!/^[0-9A-Za-z-]{4,64}$/.test(v)) throw new UsageError(`条码「${v}」格式不对（4–64 位数字或字母）`);
        f.barcode = v;
        break;
      case '分类': f.category = v; break;
      // Unit prices: yuan per BASE unit, up to 6 decimals (进价=0.002 for a ¥0.002 part).
      case '进价': f.purchasePrice = priceYuan(v, '进价'); break;
      case '售价': f.salePrice = priceYuan(v, '售价'); break;
      case '小数位': {
        if (!/^[0-6]$/.test(v) && !/^(默认|default)$/i.test(v)) throw new UsageError(`小数位「${v}」要写 0–6 的整数（个/台/箱 常用 0，千克/米 常用 3），或 小数位=默认`);
        f.qtyDecimals = /^\d$/.test(v) ? Number(v) : null;
        break;
      }
      case '安全库存': f.safetyStock = checkQty(v, '安全库存').replace(/[^\d.]+$/, ''); break;
      case '包装': {
        const pm = v.match(/^([^\d:=]+):?(\d+(?:\.\d+)?)$/);
        if (!pm) {
          // One pack size per product (packs of packs are not kept): say so rather than "格式不对".
          const several = /[,，、;；]/.test(v) ? '一个商品只设一种包装（最常用的那种），' : '';
          throw new UsageError(`包装「${v}」格式不对：${several}请写成 包装=箱:24（1 箱 = 24 个基本单位）`);
        }
        f.packUnit = pm[1].trim();
        // Zero, a 7th decimal, too large: refused by THE stored-field rule (src/shared/limits.ts, the
        // services' product schema), never rounded, with its wording ("最多 6 位小数（收到「…」）").
        f.packFactor = parseInput(PACK_FACTOR, { packFactor: pm[2] }).packFactor;
        break;
      }
      case '批次管理': {
        const yes = ['是', 'y', 'yes', 'true', '1', '开', '启用'];
        const no = ['否', 'n', 'no', 'false', '0', '关', '停用'];
        if (yes.includes(v.toLowerCase())) f.batchTracked = true;
        else if (no.includes(v.toLowerCase())) f.batchTracked = false;
        else throw new UsageError('批次管理=是 或 批次管理=否');
        break;
      }
      case '编码': f.sku = v; break;
      case '提前期': {
        if (!/^\d{1,4}$/.test(v)) throw new UsageError('提前期写天数，例如 提前期=7');
        f.leadTimeDays = Number(v);
        break;
      }
    }
  }
  return f;
}

function productSummary(p: Product): string {
  const bits = [`${productLabel(p)}`, `单位 ${p.baseUnit}${p.packUnit ? `（1 ${p.packUnit} = ${p.packFactor} ${p.baseUnit}）` : ''}`];
  if (p.aliases?.length) bits.push(`别名 ${p.aliases.join('、')}`);
  const unitAliases = Object.entries(p.unitAliases ?? {});
  if (unitAliases.length) bits.push(`单位别名 ${unitAliases.map(([a, u]) => `${a}=${u}`).join('、')}`);
  if (p.barcode) bits.push(`条码 ${p.barcode}`);
  if (p.purchasePriceFen) bits.push(`进价 ${formatPrice(p.purchasePriceFen)}/${p.baseUnit}`);
  if (p.salePriceFen) bits.push(`售价 ${formatPrice(p.salePriceFen)}/${p.baseUnit}`);
  if (p.qtyDecimals != null) bits.push(`数量小数位 ${p.qtyDecimals}`);
  if (p.safetyStock !== '0') bits.push(`安全库存 ${p.safetyStock}`);
  if (p.batchTracked) bits.push('批次管理');
  return bits.join('，');
}

/**
 * Search results in the order a chat user wants them (the list use case pages by id): an exact
 * code or barcode first, then the exact name, names starting with the words, shorter names.
 */
function bestFirst(list: Product[], q: string): Product[] {
  const t = q.trim();
  const rank = (p: Product) => [p.sku.toLowerCase() === t.toLowerCase() || p.barcode === t ? 0 : 1, p.name === t ? 0 : 1, p.name.startsWith(t) ? 0 : 1, p.name.length, p.id];
  return [...list].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
    return 0;
  });
}

/** How many products 商品 查询 lists. */
const SEARCH_SHOWN = 10;
/** How many it ranks (one page of the list use case): the best of these are shown. */
const SEARCH_RANKED = 200;

const SKU_RE = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._\\-/]{0,${TEXT_MAX.sku - 1}}$`);

export const productCommands: readonly CommandSpec[] = [
  command({
    name: '商品 新增',
    aliases: ['product add', 'product new', '新增商品', '商品 添加', '商品 新建'],
    useCase: 'inventory.product-create',
    hint: '进价/售价：元/基本单位，最多 6 位小数；小数位：数量可带几位小数，个/台/箱 默认 0，千克/米/升 默认 3；别名：其他叫法，用逗号分开；单位别名：别名:单位（pcs/只/件 = 个、kg/公斤 = 千克、m = 米 不用设）',
    usage: '商品 新增 <SKU> <名称> [单位=个] [规格=…] [型号=…] [条码=…] [进价=…] [售价=…] [安全库存=…] [包装=箱:24] [小数位=0-6] [批次管理=是] [别名=叫法1,叫法2] [单位别名=条:根]',
    example: ['商品 新增 A001 螺丝M6 单位=个 进价=0.35 售价=0.8 包装=盒:100', '商品 新增 R001 贴片电阻 进价=0.002 包装=盘:5000', '商品 新增 W01 电线 单位=米 小数位=2', '商品 新增 DP20 杜邦线20cm 单位=根 别名=杜邦线20,DP线 单位别名=条:根'],
    parse(args) {
      const a = parseArgs(args, { options: PRODUCT_OPTIONS });
      const [sku, ...nameParts] = a.positional;
      if (!sku) throw new UsageError('缺少 SKU（商品编码）和名称');
      if (!SKU_RE.test(sku)) throw new UsageError(`SKU「${sku.slice(0, 30)}」只能用字母、数字和 - _ . /，最长 ${TEXT_MAX.sku} 位`);
      const name = a.options.get('名称') ?? nameParts.join(' ');
      if (!name) throw new UsageError('缺少商品名称');
      if (name.length > TEXT_MAX.name) throw new UsageError(tooLongText('名称', 'name', name));
      if (a.at.length || a.mentions.length) throw new UsageError('新增商品不需要 @');
      return { ...productFields(a.options), sku, name };
    },
    async run(ctx, input) {
      const p = await ctx.invoke<Product>(input);
      return `✅ 已新增商品：${productSummary(p)}\n现有库存：0 ${p.baseUnit}。入库请发：入库 ${p.sku} 10`;
    },
  }),
  command({
    name: '商品 查询',
    aliases: ['product find', 'product search', 'find', '查商品', '商品 搜索'],
    useCase: 'inventory.products',
    usage: '商品 查询 <关键词>',
    example: ['商品 查询 螺丝', '商品 查询 ls'],
    parse(args) {
      const q = args.join(' ').trim();
      if (!q) throw new UsageError('缺少关键词');
      if (q.length > 100) throw new UsageError('关键词太长');
      return { q, limit: SEARCH_RANKED };
    },
    async run(ctx, input) {
      // Exact SKU and barcode are matched by the use case even when the fuzzy haystack misses them.
      const page = await ctx.invoke<Page<Product>>(input);
      const list = bestFirst(page.items, input.q).slice(0, SEARCH_SHOWN);
      if (list.length === 0) return `没有找到和「${input.q}」相关的商品。新商品请发：商品 新增 <SKU> <名称>`;
      return [`找到 ${list.length} 个商品：`, ...list.map((p, i) => `${i + 1}. ${productSummary(p)}`)].join('\n');
    },
  }),
  command({
    name: '商品 修改',
    aliases: ['product edit', 'product update', '修改商品', '商品 编辑'],
    useCase: 'inventory.product-update',
    usage: '商品 修改 <商品> <键=值>… [确认]',
    example: ['商品 修改 A001 售价=0.9 安全库存=200', 'product edit A001 名称=螺丝M6不锈钢', '商品 修改 A001 包装=箱:100 确认', '商品 修改 A001 别名=M6螺丝,六号螺丝', '商品 修改 A001 单位别名=无'],
    parse(args) {
      const a = parseArgs(args, { options: PRODUCT_OPTIONS, flags: { 确认: ['confirm', '确定'] } });
      const product = a.positional.join(' ');
      if (!product) throw new UsageError('缺少要修改的商品');
      if (a.options.size === 0) throw new UsageError('缺少要修改的内容（键=值）');
      // The command as written, to show how to confirm it ("商品 修改 A001 包装=箱:100 确认").
      const again = `商品 修改 ${args.filter((t) => !['确认', 'confirm', '确定'].includes(t.toLowerCase())).join(' ')} 确认`;
      return { input: { product, ...productFields(a.options), confirm: a.flags.has('确认') }, again };
    },
    async run(ctx, { input, again }) {
      let p: Product;
      try {
        p = await ctx.invoke<Product>(input);
      } catch (e) {
        // A new pack size under stock: the service says how stock reads before and after; we add the exact line to send.
        if (e instanceof DomainError && e.code === 'needs_confirmation') return `${chatMessage(e)}\n请发送：${again}`;
        throw e;
      }
      if (p.unchanged) return `没有改动：${productSummary(p)} 已经是这样了。`;
      const packNote = 'packUnit' in input || 'packFactor' in input ? '\n已过账的单据仍按过账时的包装显示。' : '';
      return `✅ 已修改：${productSummary(p)}${packNote}`;
    },
  }),
  command({
    name: '仓库 新增',
    aliases: ['warehouse add', '新增仓库', '仓库 新建', '仓库 添加'],
    useCase: 'inventory.warehouse-create',
    usage: '仓库 新增 <名称> [编码=…] [默认]',
    example: ['仓库 新增 二号仓', 'warehouse add 门店 默认'],
    parse(args) {
      const a = parseArgs(args, { options: { 编码: ['code'] }, flags: { 默认: ['default'] } });
      const name = a.positional.join(' ') || a.at.join(' ');
      if (!name) throw new UsageError('缺少仓库名称');
      if (name.length > TEXT_MAX.warehouseName) throw new UsageError(tooLongText('仓库名称', 'warehouseName', name));
      const code = a.options.get('编码');
      return { name, ...(code !== undefined ? { code } : {}), makeDefault: a.flags.has('默认') };
    },
    async run(ctx, input) {
      const w = await ctx.invoke<WarehouseView>(input);
      return `✅ 已新增仓库：${w.name}（编码 ${w.code}）${w.isDefault ? '，默认仓库' : ''}`;
    },
  }),
  command({
    name: '仓库 列表',
    aliases: ['warehouse list', 'warehouses', '仓库'],
    useCase: 'inventory.warehouses',
    usage: '仓库 列表',
    example: '仓库 列表',
    parse: (args) => (extra(args), {}),
    async run(ctx, input) {
      const { items } = await ctx.invoke<{ items: WarehouseView[] }>(input);
      if (!items.length) return `还没有仓库。第一次入库时会自动建立默认仓库「${DEFAULT_WAREHOUSE_NAME}」；要自己命名或建多个仓库，请发：仓库 新增 <名称>，例如 仓库 新增 总仓`;
      return ['仓库：', ...items.map((w, i) => `${i + 1}. ${w.name}（${w.code}）${w.isDefault ? ' · 默认' : ''}`)].join('\n');
    },
  }),
];

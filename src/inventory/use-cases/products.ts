/**
 * Products (商品档案) as use cases: create, update, archive, get one, list. Canonical money is
 * yuan per BASE unit (≤ 6 decimals) mapped to the services' fen fields; quantities are decimal
 * text. The services (src/inventory/products.ts) keep the rules (pack, units, stock checks).
 */
import { z } from 'zod';
import { pageInput } from '../../kernel/canonical.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { priceYuanToFen } from '../../shared/money.js';
import { listProducts } from '../product-list.js';
import { archiveProduct, createProduct, updateProduct } from '../products.js';
import { resolveProduct } from '../product-lookup.js';
import type { CreateProductInput, UpdateProductInput } from '../schemas.js';
import { baseUnitPrice, decimalText } from './common.js';
import { costFiltered } from './cost-visibility.js';
import { productRef } from './postings.js';
import { pageOf, productSchema } from './results.js';
import { aliasesSchema, unitAliasesSchema } from '../schemas.js';
import { TEXT_MAX } from '../../shared/limits.js';
import { requirePermission, type Actor } from '../../people/roles.js';

/** Setting a price (进价/售价, also on a new product) needs 'product.price' besides product.manage (src/people/roles.ts). */
function checkPriceChange(actor: Actor, i: { purchasePrice?: unknown; salePrice?: unknown }, creating = false): void {
  if (i.purchasePrice === undefined && i.salePrice === undefined) return;
  const which = i.salePrice !== undefined && i.purchasePrice !== undefined ? '进价和售价' : i.salePrice !== undefined ? '售价' : '进价';
  // On a new product the refusal says the product itself may be created without the price.
  requirePermission(actor, 'product.price', creating ? `给新商品设${which}（不写${which}就可以新增，价格请有权限的同事设置）` : `修改${which}`);
}

const text = (max: number) => z.string().trim().max(max);
const unit = z.string().trim().min(1, '请填写单位').max(TEXT_MAX.unit);

/** Every field a product has, as clients write it; all optional here (create requires `name`). */
const productFields = {
  sku: z.string().trim().min(1).max(TEXT_MAX.sku).optional().describe('编码；新建时不填则自动生成 P00001'),
  name: z.string().trim().min(1, '请填写商品名称').max(TEXT_MAX.name),
  barcode: text(TEXT_MAX.barcode).nullable().optional(),
  model: text(TEXT_MAX.model).nullable().optional(),
  spec: text(TEXT_MAX.spec).nullable().optional(),
  category: text(TEXT_MAX.category).nullable().optional(),
  aliases: aliasesSchema.optional().describe(`别名（其他叫法），例如 ["杜邦线20", "DP20"]；修改时整组替换，[] 清空。不能与其他商品的编码、名称或别名相同`),
  unitAliases: unitAliasesSchema
    .optional()
    .describe('单位别名：{别名: 商品的单位}，例如 {"pcs": "个", "条": "根"}；修改时整组替换，{} 清空。常用写法（pcs/只/件 = 个，kg/公斤 = 千克，m = 米…）不用设'),
  baseUnit: unit.optional().describe('基本单位（默认「个」）；有出入库记录后不能再改'),
  packUnit: unit.nullable().optional().describe('包装单位，例如「箱」；与 packFactor 一起填写'),
  packFactor: decimalText.nullable().optional().describe('1 包装单位 = 多少基本单位，例如 "24"'),
  purchasePrice: baseUnitPrice.nullable().optional(),
  salePrice: baseUnitPrice.nullable().optional(),
  qtyDecimals: z.number().int().min(0, '小数位必须是 0–6 的整数').max(6, '小数位必须是 0–6 的整数').nullable().optional().describe('数量小数位（0–6）；null = 按单位默认'),
  safetyStock: decimalText.optional().describe('安全库存（基本单位）'),
  leadTimeDays: z.number().int().min(0).max(3650).optional().describe('采购提前期（天）'),
  preferredSupplierId: z.number().int().positive().nullable().optional(),
  batchTracked: z.boolean().optional().describe('按批次管理；有出入库记录后不能再改'),
};

export const productCreateInput = z.strictObject(productFields);
export const productUpdateInput = z
  .strictObject({
    product: productRef,
    ...productFields,
    name: productFields.name.optional(),
    confirm: z.boolean().default(false).describe('有库存时修改包装：确认按新包装读现有库存'),
  })
  .refine((i) => Object.keys(i).some((k) => k !== 'product' && k !== 'confirm'), { message: '没有要修改的内容：请至少写一个字段，例如 salePrice' });

type Fields = Partial<{ [K in keyof typeof productFields]: z.output<(typeof productFields)[K]> }>;

/** Canonical fields → the service's (yuan prices → fen per base unit); only the keys given. */
function serviceFields(i: Fields): Partial<CreateProductInput> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i)) {
    if (v === undefined) continue;
    if (k === 'purchasePrice' || k === 'salePrice') out[`${k}Fen`] = v === null ? null : priceYuanToFen(v as string).toFixed();
    else out[k] = v;
  }
  return out as Partial<CreateProductInput>;
}

export const createProductUseCase = defineUseCase({
  id: 'inventory.product-create',
  kind: 'write',
  permission: 'product.manage',
  label: '新增商品',
  summary: '新建商品档案：编码、名称、单位与包装、进价售价、安全库存',
  input: productCreateInput,
  output: productSchema,
  rest: { method: 'post', path: '/products' },
  run: async (ctx, i) => {
    checkPriceChange(ctx.actor, i, true);
    return costFiltered(ctx.actor, await createProduct(ctx.conn, ctx.actor, serviceFields(i) as CreateProductInput));
  },
});

export const updateProductUseCase = defineUseCase({
  id: 'inventory.product-update',
  kind: 'write',
  permission: 'product.manage',
  label: '修改商品',
  summary: '修改商品档案：只改所写的字段；有库存时改包装需要确认',
  input: productUpdateInput,
  output: productSchema,
  rest: { method: 'patch', path: '/products/{product}' },
  run: async (ctx, { product, confirm, ...changes }) => {
    checkPriceChange(ctx.actor, changes);
    return costFiltered(ctx.actor, await updateProduct(ctx.conn, ctx.actor, { product, confirm, changes: serviceFields(changes) as UpdateProductInput['changes'] }, { references: ctx.references }));
  },
});

export const archiveProductUseCase = defineUseCase({
  id: 'inventory.product-archive',
  kind: 'write',
  permission: 'product.manage',
  label: '停用商品',
  summary: '停用商品（保留历史）；还有库存时不能停用',
  input: z.strictObject({ product: productRef }),
  output: productSchema,
  rest: { method: 'post', path: '/products/{product}/archive', status: 200 },
  run: async (ctx, i) => costFiltered(ctx.actor, await archiveProduct(ctx.conn, ctx.actor, i, { references: ctx.references })),
});

export const getProductUseCase = defineUseCase({
  id: 'inventory.product-get',
  kind: 'read',
  permission: 'stock.view',
  label: '查看商品',
  summary: '按 id、编码、条码或名称查看一个商品（含已停用）',
  input: z.strictObject({ product: productRef }),
  output: productSchema,
  rest: { method: 'get', path: '/products/{product}' },
  run: async (ctx, i) => costFiltered(ctx.actor, await resolveProduct(ctx.conn, i.product, { includeArchived: true, references: ctx.references })),
});

export const listProductsUseCase = defineUseCase({
  id: 'inventory.products',
  kind: 'read',
  permission: 'stock.view',
  label: '商品列表',
  summary: '商品列表：按名称/拼音/编码/条码搜索，按分类筛选',
  input: z.strictObject({
    q: z.string().trim().max(100).optional().describe('搜索：名称、型号、规格、拼音或首字母；编码和条码精确匹配'),
    category: z.string().trim().min(1).max(TEXT_MAX.category).optional().describe('分类（精确匹配）'),
    includeArchived: z.boolean().default(false).describe('包含已停用的商品'),
    ...pageInput,
  }),
  output: pageOf(productSchema),
  rest: { method: 'get', path: '/products' },
  run: async (ctx, i) => costFiltered(ctx.actor, await listProducts(ctx.conn, ctx.actor, i)),
});

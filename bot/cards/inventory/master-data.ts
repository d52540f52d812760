/**
 * 新建商品 / 新建仓库 on cards: two forms whose fields land on inventory.product-create and
 * inventory.warehouse-create, and the cards answering them.
 */
import { productTitle, type ProductView } from '../../../src/inventory/products.js';
import { createProductSchema } from '../../../src/inventory/schemas.js';
import type { WarehouseView } from '../../../src/inventory/warehouses.js';
import { formatPrice } from '../../../src/shared/money.js';
import { TEXT_MAX } from '../../../src/shared/limits.js';
import { mayUse } from '../access.js';
import { button, buttonRow, card, input, markdown, md, select, value, type Card } from '../card.js';
import { check, opt, read, type FieldReader } from '../fields.js';
import { useCaseSubmit } from '../flow-forms.js';
import { who } from '../flows.js';
import { formCard, formKey } from '../forms.js';
import type { CardAction, CardForm } from '../registry.js';
import { RECEIVE } from './postings.js';

export const PRODUCT_CREATE = 'inventory.product-create';
export const WAREHOUSE_CREATE = 'inventory.warehouse-create';

const yesNo = [{ label: '否', value: 'no' }, { label: '是', value: 'yes' }];

export function productFormView(d: { k: string }): Card {
  return formCard({
    formName: 'product',
    title: '新建商品',
    intro: '名称必填；编码留空自动生成（P00001）。价格单位为 元/基本单位，最多 6 位小数（例如 0.002）。',
    fields: [
      input('name', '名称', { required: true, maxLength: TEXT_MAX.name }),
      input('sku', '编码 SKU（可选）', { maxLength: TEXT_MAX.sku }),
      input('barcode', '条码（可选）', { maxLength: TEXT_MAX.barcode }),
      input('model', '型号（可选）', { maxLength: TEXT_MAX.model }),
      input('spec', '规格（可选）', { maxLength: TEXT_MAX.spec }),
      input('category', '分类（可选）', { maxLength: TEXT_MAX.category }),
      input('aliases', '别名（可选，其他叫法，用逗号分开，例如 杜邦线20,DP线）', { maxLength: 500 }),
      input('base_unit', '基本单位', { defaultValue: '个', maxLength: TEXT_MAX.unit }),
      input('pack_unit', '包装单位（可选）', { placeholder: '例如 箱', maxLength: TEXT_MAX.unit }),
      input('pack_factor', '每包装含基本单位数（可选）', { placeholder: '例如 24', maxLength: 20 }),
      input('purchase_price', '采购价（元/基本单位，可选）', { placeholder: '例如 0.35 或 0.002', maxLength: 20 }),
      input('sale_price', '售价（元/基本单位，可选）', { placeholder: '例如 0.8', maxLength: 20 }),
      input('qty_decimals', '数量小数位（可选，0–6）', { placeholder: '留空按单位：个/台/箱 0，千克/米/升 3', maxLength: 1 }),
      input('safety_stock', '安全库存（可选）', { placeholder: '低于此数量时提醒', maxLength: 20 }),
      ...select('batch_tracked', '按批次管理', yesNo, { initial: 'no' }),
    ],
    submitText: '保存商品',
    k: d.k,
  });
}

export function warehouseFormView(d: { k: string }): Card {
  return formCard({
    formName: 'warehouse',
    title: '新建仓库',
    intro: '名称必填；编码留空自动生成（WH01）。第一个仓库自动成为默认仓库。',
    fields: [
      input('name', '仓库名称', { required: true, maxLength: TEXT_MAX.warehouseName }),
      input('code', '仓库编码（可选）', { maxLength: TEXT_MAX.warehouseCode }),
      ...select('make_default', '设为默认仓库', yesNo, { initial: 'no' }),
    ],
    submitText: '保存仓库',
    k: d.k,
  });
}

/** The answer to 保存商品. Prices absent (a role without cost.view gets none) are not shown. */
export function productCreatedCard(
  p: Pick<ProductView, 'sku' | 'name' | 'model' | 'spec' | 'baseUnit' | 'packUnit' | 'packFactor' | 'salePriceFen' | 'batchTracked'> & { purchasePriceFen?: string | null; aliases?: string[] },
  o: { who: string; canReceive: boolean },
): Card {
  const lines = [
    `**编码**：${md(p.sku)}`,
    `**名称**：${md(productTitle(p))}`,
    p.aliases?.length ? `**别名**：${md(p.aliases.join('、'))}` : null,
    `**单位**：${md(p.baseUnit)}${p.packUnit ? `（1 ${md(p.packUnit)} = ${md(p.packFactor)} ${md(p.baseUnit)}）` : ''}`,
    p.purchasePriceFen ? `**采购价**：${formatPrice(p.purchasePriceFen)}/${md(p.baseUnit)}` : null,
    p.salePriceFen ? `**售价**：${formatPrice(p.salePriceFen)}/${md(p.baseUnit)}` : null,
    `**批次管理**：${p.batchTracked ? '是' : '否'}`,
    `**经办**：${md(o.who)}`,
  ].filter(Boolean);
  return card(`已新建商品 · ${p.name}`.slice(0, 60), 'green', [
    markdown(lines.join('\n')),
    buttonRow([button('继续新建', value('open', { f: 'product' }), { type: 'primary' }), ...(o.canReceive ? [button('入库', value('open', { f: 'receipt' }))] : []), button('菜单', value('menu'))]),
  ]);
}

/** The answer to 保存仓库. */
export function warehouseCreatedCard(w: Pick<WarehouseView, 'code' | 'name' | 'isDefault'>, o: { who: string }): Card {
  return card(`已新建仓库 · ${w.name}`.slice(0, 60), 'green', [
    markdown(`**编码**：${md(w.code)}\n**名称**：${md(w.name)}\n**默认仓库**：${w.isDefault ? '是' : '否'}\n**经办**：${md(o.who)}`),
    buttonRow([button('继续新建', value('open', { f: 'warehouse' }), { type: 'primary' }), button('菜单', value('menu'))]),
  ]);
}

/** 别名 typed as one line, "杜邦线20,DP线" (，、 too) → the list; undefined when empty. */
const aliasesField: FieldReader = (fv, name) => {
  const s = opt(fv, name);
  return s ? s.split(/[,，、]/).map((a) => a.trim()).filter(Boolean) : undefined;
};

export const masterDataForms: CardForm[] = [
  {
    name: 'product',
    title: '新建商品',
    useCase: PRODUCT_CREATE,
    fields: {
      name: { path: 'name', read: read.text },
      sku: { path: 'sku', read: read.opt },
      barcode: { path: 'barcode', read: read.opt },
      model: { path: 'model', read: read.opt },
      spec: { path: 'spec', read: read.opt },
      category: { path: 'category', read: read.opt },
      aliases: { path: 'aliases', read: aliasesField },
      base_unit: { path: 'baseUnit', read: read.opt },
      pack_unit: { path: 'packUnit', read: read.opt },
      pack_factor: { path: 'packFactor', read: read.decimal },
      // Unit prices: yuan per base unit with up to 6 decimals (0.002).
      purchase_price: { path: 'purchasePrice', read: read.yuanPrice },
      sale_price: { path: 'salePrice', read: read.yuanPrice },
      qty_decimals: { path: 'qtyDecimals', read: read.decimals },
      safety_stock: { path: 'safetyStock', read: read.decimal },
      lead_time_days: { path: 'leadTimeDays', read: read.days },
      batch_tracked: { path: 'batchTracked', read: read.yesNo },
    },
    load: async (f) => ({ k: await formKey(f, 'product') }),
    view: productFormView,
  },
  {
    name: 'warehouse',
    title: '新建仓库',
    useCase: WAREHOUSE_CREATE,
    fields: {
      name: { path: 'name', read: read.text },
      code: { path: 'code', read: read.opt },
      make_default: { path: 'makeDefault', read: read.yesNo },
    },
    load: async (f) => ({ k: await formKey(f, 'warehouse') }),
    view: warehouseFormView,
  },
];

export const masterDataActions: CardAction[] = [
  useCaseSubmit<ProductView>({
    action: 'product.submit',
    form: 'product',
    useCase: PRODUCT_CREATE,
    // The services' wording for the fields both shapes share (包装换算数量最多 6 位小数（收到「…」）…).
    validate: (i) => {
      const v = check(createProductSchema.omit({ purchasePriceFen: true, salePriceFen: true }), i);
      return v.ok ? null : v.message;
    },
    summary: async (_uow, c, p) => ({
      toast: { type: 'success', content: `已新建商品 ${p.sku}` },
      card: productCreatedCard(p, { who: who(c), canReceive: mayUse(c, RECEIVE) }),
    }),
  }),
  useCaseSubmit<WarehouseView>({
    action: 'warehouse.submit',
    form: 'warehouse',
    useCase: WAREHOUSE_CREATE,
    summary: async (_uow, c, w) => ({ toast: { type: 'success', content: `已新建仓库 ${w.name}` }, card: warehouseCreatedCard(w, { who: who(c) }) }),
  }),
];

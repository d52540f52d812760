/**
 * The menu and the form cards. Each form card is rendered with a fresh one-time key
 * (card_tokens) in its submit button's callback value; selects are filled from the database
 * and the user's last warehouse (users.last_warehouse_id) is preselected.
 */
import type { Conn } from '../../db/types.js';
import { can, requirePermission, type Actor, type Permission } from '../../src/people/roles.js';
import type { UserRow } from '../../src/people/users.js';
import { listWarehouses, getDefaultWarehouse, type WarehouseView } from '../../src/inventory/warehouses.js';
import { DOC_KIND_LABEL } from '../../src/inventory/moves.js';
import { dayKey } from '../../src/shared/time.js';
import {
  button,
  buttonRow,
  card,
  datePicker,
  form,
  hr,
  input,
  markdown,
  md,
  multiSelect,
  select,
  submitButton,
  value,
  type Card,
  type El,
  type Option,
} from './card.js';
import { batchOptions, productOptions, type ProductOption } from '../../src/inventory/options.js';
import { listOpenStocktakes } from '../../src/inventory/stocktake-list.js';
import { issueCardToken } from '../../src/interaction/card-tokens.js';

/** How a product reads in a select: "名称 型号 规格（SKU）". */
export const productOptionLabel = (p: Pick<ProductOption, 'name' | 'model' | 'spec' | 'sku'>) => `${[p.name, p.model, p.spec].filter(Boolean).join(' ')}（${p.sku}）`;

export interface FormContext {
  conn: Conn;
  actor: Actor;
  user: Pick<UserRow, 'id' | 'lastWarehouseId'> | null;
  selectMax: number;
}

export interface FormSpec {
  title: string;
  permission: Permission;
  /** Menu button text. */
  label: string;
  render(f: FormContext): Promise<Card>;
}

const backToMenu = (): El => buttonRow([button('返回菜单', value('menu'))]);

/** Options of active warehouses and the one to preselect (last used, else the default). */
async function warehouseChoice(f: FormContext): Promise<{ options: Option[]; initial: string | null; list: WarehouseView[] }> {
  const list = await listWarehouses(f.conn, f.actor);
  const last = f.user?.lastWarehouseId && list.some((w) => w.id === f.user!.lastWarehouseId) ? f.user.lastWarehouseId : null;
  const def = list.find((w) => w.isDefault) ?? (await getDefaultWarehouse(f.conn));
  const initial = last ?? def?.id ?? list[0]?.id ?? null;
  return {
    options: list.map((w) => ({ label: `${w.name}${w.isDefault ? '（默认）' : ''}`, value: String(w.id) })),
    initial: initial === null ? null : String(initial),
    list,
  };
}

function warehouseField(name: string, text: string, w: { options: Option[]; initial: string | null }, required = true): El[] {
  if (!w.options.length) return [markdown(`**${text}**：还没有仓库，将使用默认仓库「主仓库」（自动创建）。`)];
  return select(name, text, w.options, { required, initial: w.initial });
}

/** A select of products, or (more than selectMax) a keyword input resolved server-side. */
async function productField(f: FormContext): Promise<El[]> {
  const opts = await productOptions(f.conn, f.actor, f.selectMax);
  if (opts === null) {
    return [input('product_q', '商品', { required: true, placeholder: '输入编码、条码、名称或拼音首字母，例如 A001 或 ls', maxLength: 200 })];
  }
  if (!opts.length) return [markdown('**商品**：还没有商品，请先「新建商品」。'), input('product_q', '商品', { required: true, placeholder: '编码或名称' })];
  return select('product', '商品', opts.map((p) => ({ label: productOptionLabel(p), value: String(p.id) })), { required: true, placeholder: '选择商品' });
}

async function batchField(f: FormContext, hint: string): Promise<El[]> {
  const opts = await batchOptions(f.conn, f.actor, f.selectMax);
  if (opts && opts.length) {
    return select(
      'batch',
      '批次（可选）',
      [{ label: '自动（先进先出）', value: '-' }, ...opts.map((b) => ({ label: `${b.productName} · ${b.batchNo}（${b.qtyText}）`, value: `${b.productId}:${b.batchNo}` }))],
      { placeholder: hint },
    );
  }
  return [input('batch_no', '批次（可选）', { placeholder: hint, maxLength: 64 })];
}

async function formCard(f: FormContext, formName: string, title: string, intro: string, fields: El[], submitText: string, extra: El[] = []): Promise<Card> {
  const k = await issueCardToken(f.conn, `form:${formName}`, f.user?.id ?? null, { form: formName });
  return card(title, 'blue', [
    markdown(intro),
    form(`f_${formName.replace(/\./g, '_')}`, [...fields, submitButton('submit', submitText, { a: `${formName}.submit`, k })]),
    ...extra,
    backToMenu(),
  ]);
}

const kindOptions = (kinds: readonly (keyof typeof DOC_KIND_LABEL)[]): Option[] => kinds.map((k) => ({ label: DOC_KIND_LABEL[k], value: k }));

export const FORMS: Record<string, FormSpec> = {
  receipt: {
    title: '入库',
    label: '入库',
    permission: 'stock.receive',
    async render(f) {
      const wh = await warehouseChoice(f);
      return formCard(
        f,
        'receipt',
        '入库单',
        '填写入库信息后点「提交入库」。数量可写 24、24个 或 2箱；单价按数量所写的单位计（数量写 2箱、单价 6.5 = 每箱 ¥6.5；也可写 6.5/箱 或 0.27/个），最多 6 位小数；留空按采购价或平均成本。',
        [
          ...select('kind', '入库类型', kindOptions(['purchase_receipt', 'production_receipt', 'opening']), { required: true, initial: 'purchase_receipt' }),
          ...warehouseField('warehouse', '仓库', wh),
          ...(await productField(f)),
          input('qty', '数量', { required: true, placeholder: '例如 24 或 2箱', maxLength: 50 }),
          input('unit_price', '单价（元，按数量所写单位；可写 6.5/箱）', { placeholder: '例如 6.5、0.002 或 6.5/箱', maxLength: 40 }),
          input('batch_no', '批次号（按批次管理的商品，可选）', { placeholder: `留空则用当天日期 ${dayKey(new Date())}`, maxLength: 64 }),
          ...datePicker('expires_on', '有效期（可选）'),
          input('remark', '备注（可选）', { maxLength: 500 }),
        ],
        '提交入库',
      );
    },
  },
  issue: {
    title: '出库',
    label: '出库',
    permission: 'stock.issue',
    async render(f) {
      const wh = await warehouseChoice(f);
      return formCard(
        f,
        'issue',
        '出库单',
        '填写出库信息后点「提交出库」。不选批次时按先进先出自动分配。',
        [
          ...select('kind', '出库类型', kindOptions(['sales_issue', 'internal_issue']), { required: true, initial: 'sales_issue' }),
          ...warehouseField('warehouse', '仓库', wh),
          ...(await productField(f)),
          input('qty', '数量', { required: true, placeholder: '例如 5 或 1箱', maxLength: 50 }),
          ...(await batchField(f, '留空按先进先出')),
          input('remark', '备注（可选）', { maxLength: 500 }),
        ],
        '提交出库',
      );
    },
  },
  transfer: {
    title: '调拨',
    label: '调拨',
    permission: 'stock.transfer',
    async render(f) {
      const wh = await warehouseChoice(f);
      const other = wh.options.find((o) => o.value !== wh.initial)?.value ?? null;
      return formCard(
        f,
        'transfer',
        '调拨单',
        '把库存从一个仓库移到另一个仓库，两边同时记账。',
        [
          ...warehouseField('from', '调出仓库', wh),
          ...(wh.options.length ? select('to', '调入仓库', wh.options, { required: true, initial: other }) : [markdown('**调入仓库**：请先新建仓库。')]),
          ...(await productField(f)),
          input('qty', '数量', { required: true, placeholder: '例如 10', maxLength: 50 }),
          ...(await batchField(f, '留空按先进先出')),
          input('remark', '备注（可选）', { maxLength: 500 }),
        ],
        '提交调拨',
      );
    },
  },
  product: {
    title: '新建商品',
    label: '新建商品',
    permission: 'product.manage',
    async render(f) {
      return formCard(
        f,
        'product',
        '新建商品',
        '名称必填；编码留空自动生成（P00001）。价格单位为 元/基本单位，最多 6 位小数（例如 0.002）。',
        [
          input('name', '名称', { required: true, maxLength: 200 }),
          input('sku', '编码 SKU（可选）', { maxLength: 64 }),
          input('barcode', '条码（可选）', { maxLength: 64 }),
          input('model', '型号（可选）', { maxLength: 100 }),
          input('spec', '规格（可选）', { maxLength: 200 }),
          input('category', '分类（可选）', { maxLength: 100 }),
          input('base_unit', '基本单位', { defaultValue: '个', maxLength: 10 }),
          input('pack_unit', '包装单位（可选）', { placeholder: '例如 箱', maxLength: 10 }),
          input('pack_factor', '每包装含基本单位数（可选）', { placeholder: '例如 24', maxLength: 20 }),
          input('purchase_price', '采购价（元/基本单位，可选）', { placeholder: '例如 0.35 或 0.002', maxLength: 20 }),
          input('sale_price', '售价（元/基本单位，可选）', { placeholder: '例如 0.8', maxLength: 20 }),
          input('qty_decimals', '数量小数位（可选，0–6）', { placeholder: '留空按单位：个/台/箱 0，千克/米/升 3', maxLength: 1 }),
          input('safety_stock', '安全库存（可选）', { placeholder: '低于此数量时提醒', maxLength: 20 }),
          ...select('batch_tracked', '按批次管理', [{ label: '否', value: 'no' }, { label: '是', value: 'yes' }], { initial: 'no' }),
        ],
        '保存商品',
      );
    },
  },
  warehouse: {
    title: '新建仓库',
    label: '新建仓库',
    permission: 'warehouse.manage',
    async render(f) {
      return formCard(
        f,
        'warehouse',
        '新建仓库',
        '名称必填；编码留空自动生成（WH01）。第一个仓库自动成为默认仓库。',
        [
          input('name', '仓库名称', { required: true, maxLength: 100 }),
          input('code', '仓库编码（可选）', { maxLength: 32 }),
          ...select('make_default', '设为默认仓库', [{ label: '否', value: 'no' }, { label: '是', value: 'yes' }], { initial: 'no' }),
        ],
        '保存仓库',
      );
    },
  },
  stocktake: {
    title: '盘点',
    label: '盘点',
    permission: 'stock.count',
    async render(f) {
      const open = await listOpenStocktakes(f.conn, f.actor);
      const wh = await warehouseChoice(f);
      const els: El[] = [];
      if (open.length) {
        const k = await issueCardToken(f.conn, 'form:stocktake', f.user?.id ?? null, { form: 'stocktake' });
        const initial = open.find((s) => String(s.warehouseId) === wh.initial)?.id ?? open[0].id;
        els.push(
          markdown('**录入盘点数**：同一商品多次录入会累加（逐个货架清点）；录错了选「设为」或「减去」更正。按批次管理的商品请填批次号；没有录入的批次不调整，除非选「该商品已全部清点」。'),
          form('f_count', [
            ...select('stocktake', '盘点单', open.map((s) => ({ label: `${s.docNo} · ${s.warehouseName}（已录 ${s.entries} 条）`, value: String(s.id) })), { required: true, initial: String(initial) }),
            ...(await productField(f)),
            input('qty', '实盘数量', { required: true, placeholder: '例如 18 或 1箱6个；0 表示没有', maxLength: 50 }),
            input('batch_no', '批次号（按批次管理的商品）', { maxLength: 64 }),
            ...select('mode', '录入方式', [
              { label: '累加（再清点到这么多）', value: 'add' },
              { label: '设为（累计改成这个数）', value: 'set' },
              { label: '减去（录多了）', value: 'subtract' },
            ], { initial: 'add' }),
            ...select('complete', '该商品已全部清点（没录入的批次按 0 计）', [{ label: '否', value: 'no' }, { label: '是', value: 'yes' }], { initial: 'no' }),
            ...select('new_batch', '账上没有的新批次（货架上新发现）', [{ label: '否', value: 'no' }, { label: '是', value: 'yes' }], { initial: 'no' }),
            submitButton('submit', '录入', { a: 'count.submit', k }),
          ]),
          hr(),
          markdown(open.map((s) => `• **${md(s.docNo)}**（${md(s.warehouseName)}）已录 ${s.entries} 条`).join('\n')),
        );
        for (const s of open) {
          els.push(buttonRow([
            button(`查看差异 ${s.docNo}`, value('count.report', { s: s.id })),
          ]));
        }
      }
      const used = new Set(open.map((s) => String(s.warehouseId)));
      const free = wh.options.filter((o) => !used.has(o.value));
      if (free.length || !wh.options.length) {
        const prods = await productOptions(f.conn, f.actor, f.selectMax);
        const k2 = await issueCardToken(f.conn, 'form:stocktake.open', f.user?.id ?? null, { form: 'stocktake.open' });
        els.push(
          hr(),
          markdown('**开始新的盘点**：选择仓库和范围（不选商品 = 全部商品）。'),
          form('f_count_open', [
            ...(free.length
              ? select('open_warehouse', '盘点仓库', free, { required: true, initial: free.some((o) => o.value === wh.initial) ? wh.initial : free[0].value })
              : [markdown('将盘点默认仓库「主仓库」。')]),
            ...(prods && prods.length ? multiSelect('open_products', '盘点范围（可多选，可选）', prods.map((p) => ({ label: productOptionLabel(p), value: String(p.id) }))) : []),
            submitButton('open_submit', '开始盘点', { a: 'stocktake.open.submit', k: k2 }),
          ]),
        );
      }
      els.push(backToMenu());
      return card('盘点', 'purple', els);
    },
  },
  stock: {
    title: '查库存',
    label: '查库存',
    permission: 'stock.view',
    async render(f) {
      const wh = await warehouseChoice(f);
      const k = await issueCardToken(f.conn, 'form:stock', f.user?.id ?? null, { form: 'stock' });
      return card('查库存', 'blue', [
        markdown('选择商品，查看各仓库、各批次的库存。'),
        form('f_stock', [
          ...(await productField(f)),
          ...(wh.options.length ? select('warehouse', '仓库', [{ label: '全部仓库', value: 'all' }, ...wh.options], { initial: 'all' }) : []),
          submitButton('submit', '查询', { a: 'stock.submit', k }),
        ]),
        backToMenu(),
      ]);
    },
  },
  doc: {
    title: '查单据',
    label: '查单据',
    permission: 'stock.view',
    async render(f) {
      const k = await issueCardToken(f.conn, 'form:doc', f.user?.id ?? null, { form: 'doc' });
      return card('查单据', 'blue', [
        form('f_doc', [input('doc_no', '单号', { required: true, placeholder: '例如 RK20261125-0001', maxLength: 40 }), submitButton('submit', '查询', { a: 'doc.submit', k })]),
        backToMenu(),
      ]);
    },
  },
  reverse: {
    title: '红冲',
    label: '红冲',
    permission: 'stock.reverse',
    async render(f) {
      return formCard(
        f,
        'reverse',
        '红冲单据',
        '红冲会生成一张相反的单据，抵消原单的全部库存变动。每张单据只能红冲一次。',
        [input('doc_no', '要红冲的单号', { required: true, placeholder: '例如 CK20261125-0001', maxLength: 40 }), input('reason', '原因（可选）', { maxLength: 500 })],
        '红冲',
      );
    },
  },
};

export async function renderForm(name: string, f: FormContext): Promise<Card> {
  const spec = FORMS[name];
  if (!spec) return card('卡片已过期', 'grey', [markdown('没有这个表单，请重新发送「菜单」。')]);
  requirePermission(f.actor, spec.permission);
  return spec.render(f);
}

/** Order of the menu. */
const MENU: { form?: string; action?: string; label: string; permission: Permission; type?: 'primary' | 'default' | 'danger' }[] = [
  { form: 'receipt', label: '入库', permission: 'stock.receive', type: 'primary' },
  { form: 'issue', label: '出库', permission: 'stock.issue', type: 'primary' },
  { form: 'transfer', label: '调拨', permission: 'stock.transfer' },
  { form: 'stocktake', label: '盘点', permission: 'stock.count' },
  { form: 'stock', label: '查库存', permission: 'stock.view' },
  { action: 'lowstock', label: '低库存', permission: 'stock.view' },
  { form: 'doc', label: '查单据', permission: 'stock.view' },
  { form: 'reverse', label: '红冲', permission: 'stock.reverse', type: 'danger' },
  { form: 'product', label: '新建商品', permission: 'product.manage' },
  { form: 'warehouse', label: '新建仓库', permission: 'warehouse.manage' },
];

/** A button for every action the user's role allows. */
export function menuCard(actor: Actor, name?: string | null): Card {
  const allowed = MENU.filter((m) => can(actor, m.permission));
  const buttons = allowed.map((m) => button(m.label, m.form ? value('open', { f: m.form }) : value(m.action!), { type: m.type ?? 'default', width: 'fill' }));
  const rows: El[] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttonRow(buttons.slice(i, i + 2)));
  return card('进销存助手 · 菜单', 'blue', [
    markdown(`${name ? `${md(name)}，` : ''}你好！点按钮打开表单；也可以直接发文字命令，发送「帮助」查看全部命令。`),
    ...(rows.length ? rows : [markdown('你的角色暂时没有可用的操作，请联系管理员授权。')]),
  ]);
}

/** Which menu entries a role sees (tests and 帮助 use it). */
export function menuLabels(actor: Actor): string[] {
  return MENU.filter((m) => can(actor, m.permission)).map((m) => m.label);
}

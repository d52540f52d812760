/**
 * The kit form cards are made of. Each field comes in two halves: a `load…` that reads the
 * database (selects are filled from it; the user's last warehouse, users.last_warehouse_id, is
 * preselected) and a pure builder that turns what was loaded into Card JSON — so a form's
 * `view` (registry.ts CardForm) is a pure function snapshot-tested with fixed data.
 */
import { issueCardToken } from '../../src/interaction/card-tokens.js';
import { DOC_KIND_LABEL } from '../../src/inventory/moves.js';
import { isoDay } from '../../src/shared/time.js';
import { batchOptions, productOptions, type ProductOption } from '../../src/inventory/options.js';
import { productLabel } from '../../src/inventory/products.js';
import { getDefaultWarehouse, listWarehouses } from '../../src/inventory/warehouses.js';
import { requirePermission } from '../../src/people/roles.js';
import { button, buttonRow, card, form, input, markdown, select, submitButton, value, type Card, type El, type Option } from './card.js';
import type { CardRegistry, FormContext } from './registry.js';

/** How a product reads in a select: "名称 型号 规格（SKU）". */
export const productOptionLabel = (p: Pick<ProductOption, 'name' | 'model' | 'spec' | 'sku'>) => productLabel(p);

export const backToMenu = (): El => buttonRow([button('返回菜单', value('menu'))]);

/** Active warehouses as options, and the one to preselect (last used, else the default). */
export interface WarehouseChoice {
  options: Option[];
  initial: string | null;
}

export async function loadWarehouses(f: FormContext): Promise<WarehouseChoice> {
  const list = await listWarehouses(f.conn, f.actor);
  const last = f.user?.lastWarehouseId && list.some((w) => w.id === f.user!.lastWarehouseId) ? f.user.lastWarehouseId : null;
  const def = list.find((w) => w.isDefault) ?? (await getDefaultWarehouse(f.conn));
  const initial = last ?? def?.id ?? list[0]?.id ?? null;
  return {
    options: list.map((w) => ({ label: `${w.name}${w.isDefault ? '（默认）' : ''}`, value: String(w.id) })),
    initial: initial === null ? null : String(initial),
  };
}

export function warehouseField(name: string, text: string, w: WarehouseChoice, required = true): El[] {
  if (!w.options.length) return [markdown(`**${text}**：还没有仓库，将使用默认仓库「主仓库」（自动创建）。`)];
  return select(name, text, w.options, { required, initial: w.initial });
}

/** Products as options; null when there are more than selectMax (a keyword input instead). */
export type ProductChoice = Option[] | null;

export async function loadProducts(f: FormContext): Promise<ProductChoice> {
  const opts = await productOptions(f.conn, f.actor, f.selectMax);
  return opts === null ? null : opts.map((p) => ({ label: productOptionLabel(p), value: String(p.id) }));
}

/** A select of products, or (too many) a keyword input resolved server-side. */
export function productField(p: ProductChoice): El[] {
  if (p === null) {
    return [input('product_q', '商品', { required: true, placeholder: '输入编码、条码、名称或拼音首字母，例如 A001 或 ls', maxLength: 200 })];
  }
  if (!p.length) return [markdown('**商品**：还没有商品，请先「新建商品」。'), input('product_q', '商品', { required: true, placeholder: '编码或名称' })];
  return select('product', '商品', p, { required: true, placeholder: '选择商品' });
}

/** Batches on hand as options ("productId:batchNo"); null when none or too many (a batch-number input). */
export type BatchChoice = Option[] | null;

export async function loadBatches(f: FormContext): Promise<BatchChoice> {
  const opts = await batchOptions(f.conn, f.actor, f.selectMax);
  const today = isoDay(f.now);
  const expiry = (d: string | null) => (d === null ? '' : d < today ? ` · 已过期 ${d}` : ` · 到期 ${d}`);
  return opts && opts.length ? opts.map((b) => ({ label: `${b.productName} · ${b.batchNo}（${b.qtyText}${expiry(b.expiresOn)}）`, value: `${b.productId}:${b.batchNo}` })) : null;
}

export function batchField(b: BatchChoice, hint: string): El[] {
  if (b) return select('batch', '批次（可选）', [{ label: '自动（先到期先出）', value: '-' }, ...b], { placeholder: hint });
  return [input('batch_no', '批次（可选）', { placeholder: hint, maxLength: 64 })];
}

export const kindOptions = (kinds: readonly (keyof typeof DOC_KIND_LABEL)[]): Option[] => kinds.map((k) => ({ label: DOC_KIND_LABEL[k], value: k }));

/** A fresh one-time key for the form about to be shown (its submit button carries it). */
export function formKey(f: FormContext, formName: string): Promise<string> {
  return issueCardToken(f.conn, `form:${formName}`, f.user?.id ?? null, { form: formName });
}

/** The usual form card: intro, one form submitting `<formName>.submit` with key `k`, extras, 返回菜单. */
export function formCard(o: { formName: string; title: string; intro: string; fields: El[]; submitText: string; k: string; extra?: El[] }): Card {
  return card(o.title, 'blue', [
    markdown(o.intro),
    form(`f_${o.formName.replace(/\./g, '_')}`, [...o.fields, submitButton('submit', o.submitText, { a: `${o.formName}.submit`, k: o.k })]),
    ...(o.extra ?? []),
    backToMenu(),
  ]);
}

/** The answer to a stale form name. */
export const noSuchFormCard = (): Card => card('卡片已过期', 'grey', [markdown('没有这个表单，请重新发送「菜单」。')]);

/**
 * Render form `name` for `f.actor`: the permission of its use case (or its own) is checked
 * first (DomainError 'forbidden'); an unknown name answers the 已过期 card.
 */
export async function renderForm(registry: CardRegistry, name: string, f: FormContext): Promise<Card> {
  const spec = registry.form(name);
  if (!spec) return noSuchFormCard();
  const a = registry.access(spec);
  if (a.permission) requirePermission(f.actor, a.permission, a.label);
  return spec.view(await spec.load(f));
}

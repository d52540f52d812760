/**
 * From a submitted form to a posting, exactly once.
 *
 *   form ──submit──▶ validate (zod, the services' own schemas) ──invalid──▶ error toast, no card
 *                    │ product ambiguous ──▶ candidate picker card (pending action in card_tokens)
 *                    │ unusual entry ──▶ confirmation card (parsed input in card_tokens);
 *                    │                     the rule is src/inventory/unusual.ts, shared with chat
 *                    ▼
 *                  commit: lock the key, post, store the summary card in the key, one transaction
 *
 * `stage` is the one place a key is consumed. Through spendCardToken (src/interaction, which
 * owns the transaction) it locks the card_tokens row FOR UPDATE, returns the stored answer if
 * the key was used before (double tap, Feishu retry), otherwise builds the next card inside the
 * same transaction (the posting, or the next step's card with its own key) and stores it with
 * the key. A DomainError rolls everything back and leaves the key unused, so the user can
 * correct the form and submit again.
 *
 * The posting's idempotency key is `card:<form key>` through the whole chain (form → picker →
 * confirm), a second guard behind card_tokens.
 */
import type { Db, Tx } from '../../db/types.js';
import { issueCardToken, peekCardToken, isCardTokenExpired, type CardToken } from '../../src/interaction/card-tokens.js';
import { spendCardToken } from '../../src/interaction/spend-card-token.js';
import { checkUnusualPosting } from '../../src/inventory/unusual.js';
import { isDomainError } from '../../src/errors.js';
import { can } from '../../src/people/roles.js';
import { rememberWarehouse } from '../../src/people/users.js';
import { formatFen, formatPrice } from '../../src/shared/money.js';
import type { PostingResult } from '../../src/inventory/documents.js';
import { postIssue, postReceipt, postTransfer } from '../../src/inventory/posting.js';
import { resolveProduct, productLabel, type ProductView } from '../../src/inventory/products.js';
import { getStock } from '../../src/inventory/queries.js';
import { resolveWarehouse } from '../../src/inventory/warehouses.js';
import { recordCount } from '../../src/inventory/stocktake.js';
import {
  issueInputSchema,
  receiptInputSchema,
  recordCountSchema,
  stockQuerySchema,
  transferInputSchema,
  type IssueInput,
  type ReceiptInput,
  type RecordCountInput,
  type TransferInput,
} from '../../src/inventory/schemas.js';
import { parseQuantity } from '../../src/inventory/units.js';
import { button, buttonRow, card, markdown, md, value, type Card } from './card.js';
import { check } from './fields.js';
import type { ActionContext, CardAnswer } from './registry.js';
import { cardSettings } from './settings.js';
import { postingSummaryCard, stockCard, messageCard } from './views.js';
import { renderForm } from './forms.js';
import { isReversible } from '../../src/inventory/reversal.js';

export type FlowName = 'receipt' | 'issue' | 'transfer' | 'count' | 'stock';

type Inputs = {
  receipt: ReceiptInput;
  issue: IssueInput;
  transfer: TransferInput;
  count: RecordCountInput;
  stock: { product: number | string; warehouse?: number | string };
};

/** What waits in card_tokens.context between two cards. */
export interface Pending<F extends FlowName = FlowName> {
  flow: F;
  input: Inputs[F];
  /** The form key the chain started from (the posting's idempotency key). */
  origin: string;
  /** Candidate product ids (picker). */
  candidates?: number[];
  /** Batch chosen from a select as "productId:batchNo" (checked against the product). */
  batchOf?: number;
}

interface FlowSpec<F extends FlowName> {
  productRef(input: Inputs[F]): number | string;
  setProduct(input: Inputs[F], id: number): void;
  qty(input: Inputs[F]): string | number;
  warehouseId?(input: Inputs[F]): number | undefined;
  /** Inside the key's transaction. Returns the card to show (and store). */
  commit(tx: Tx, c: ActionContext, input: Inputs[F], origin: string): Promise<CardAnswer & { card: Card }>;
  /** Read-only flows skip the confirmation. */
  readOnly?: boolean;
}

export const who = (c: Pick<ActionContext, 'user' | 'actor'>) => c.user.name ?? c.actor.name ?? c.user.openId;

/** The summary of a posting, with a 红冲 key for those who may reverse it. */
export async function summaryFor(tx: Tx, c: ActionContext, r: PostingResult, again?: string): Promise<Card> {
  const reversible = can(c.actor, 'stock.reverse') && isReversible(r.document);
  const reverseKey = reversible ? await issueCardToken(tx, 'reverse', c.user.id, { docNo: r.document.docNo }) : undefined;
  return postingSummaryCard(r, { who: who(c), reverseKey, again });
}

async function afterPosting(tx: Tx, c: ActionContext, r: PostingResult, flow: string): Promise<CardAnswer & { card: Card }> {
  if (r.document.warehouseId && c.user.id) await rememberWarehouse(tx, c.user.id, r.document.warehouseId);
  const cardOut = await summaryFor(tx, c, r, flow);
  return { toast: { type: 'success', content: `已保存 ${r.document.docNo}` }, card: cardOut };
}

const FLOWS: { [F in FlowName]: FlowSpec<F> } = {
  receipt: {
    productRef: (i) => i.lines[0].product,
    setProduct: (i, id) => void (i.lines[0].product = id),
    qty: (i) => i.lines[0].qty,
    warehouseId: (i) => (typeof i.warehouse === 'number' ? i.warehouse : undefined),
    async commit(tx, c, input) {
      return afterPosting(tx, c, await postReceipt(tx, c.actor, input), 'receipt');
    },
  },
  issue: {
    productRef: (i) => i.lines[0].product,
    setProduct: (i, id) => void (i.lines[0].product = id),
    qty: (i) => i.lines[0].qty,
    warehouseId: (i) => (typeof i.warehouse === 'number' ? i.warehouse : undefined),
    async commit(tx, c, input) {
      return afterPosting(tx, c, await postIssue(tx, c.actor, input), 'issue');
    },
  },
  transfer: {
    productRef: (i) => i.lines[0].product,
    setProduct: (i, id) => void (i.lines[0].product = id),
    qty: (i) => i.lines[0].qty,
    warehouseId: (i) => (typeof i.from === 'number' ? i.from : undefined),
    async commit(tx, c, input) {
      return afterPosting(tx, c, await postTransfer(tx, c.actor, input), 'transfer');
    },
  },
  count: {
    productRef: (i) => i.product,
    setProduct: (i, id) => void (i.product = id),
    qty: (i) => i.qty,
    async commit(tx, c, input) {
      const r = await recordCount(tx, c.actor, input);
      if (c.user.id) await rememberWarehouse(tx, c.user.id, r.stocktake.warehouseId);
      const next = await renderForm('stocktake', { conn: tx, actor: c.actor, user: { ...c.user, lastWarehouseId: r.stocktake.warehouseId }, selectMax: cardSettings(c.deps).selectMax });
      const note = `已录入：${r.stocktake.docNo} · ${r.batchNo ? `批次 ${r.batchNo} · ` : ''}累计实盘 ${r.countedText}`;
      next.body.elements.unshift(markdown(`<font color="green">✓ ${md(note)}</font>`));
      return { toast: { type: 'success', content: note }, card: next };
    },
  },
  stock: {
    productRef: (i) => i.product,
    setProduct: (i, id) => void (i.product = id),
    qty: () => '1',
    readOnly: true,
    async commit(tx, c, input) {
      const s = await getStock(tx, c.actor, input);
      const scope = input.warehouse === undefined ? null : (await resolveWarehouse(tx, input.warehouse)).name;
      return { card: stockCard(s, { scope }) };
    },
  },
};

export const SCHEMAS = {
  receipt: receiptInputSchema,
  issue: issueInputSchema,
  transfer: transferInputSchema,
  count: recordCountSchema,
  stock: stockQuerySchema,
} as const;

/** Replay of a used key: the first answer again, nothing posted. */
function replay(row: CardToken): CardAnswer {
  const r = (row.result ?? {}) as { card?: Card; pending?: boolean };
  if (r.pending) return { toast: { type: 'info', content: '正在处理中，完成后卡片会自动更新。' }, card: r.card };
  if (r.card) return { toast: { type: 'info', content: '已经提交过了，这是第一次提交的结果。' }, card: r.card };
  return { toast: { type: 'info', content: '已经提交过了。' } };
}

export const expiredAnswer = (): CardAnswer => ({ toast: { type: 'warning', content: '这张卡片已过期，请重新发送「菜单」。' } });

/**
 * Consume `key` and answer with the card `build` makes, in one transaction (see file comment).
 * `kinds` guards against a key of another card type.
 */
export async function stage(c: ActionContext, key: string | undefined, build: (tx: Tx, row: CardToken) => Promise<CardAnswer & { card: Card }>): Promise<CardAnswer> {
  if (!key) return expiredAnswer();
  const out = await spendCardToken(c.deps.database.db, key, c.now, async (tx, row) => {
    const answer = await build(tx, row);
    // What a second use of the key gets back (replay): the same card.
    return { value: answer, stored: { card: answer.card } };
  });
  if (out.status === 'spent') return out.value;
  if (out.status === 'used') return replay(out.row);
  return expiredAnswer();
}

/** Same as stage, for answers already computed: a quick check before heavy validation. */
export async function usedAnswer(c: ActionContext, key: string | undefined): Promise<CardAnswer | null> {
  if (!key) return expiredAnswer();
  const row = await peekCardToken(c.deps.database.db, key);
  if (!row) return expiredAnswer();
  if (row.consumedAt) return replay(row);
  if (isCardTokenExpired(row, c.now)) return expiredAnswer();
  return null;
}

/** Entry from a form: validate with the service schema, then continue. */
export async function submitFlow<F extends FlowName>(c: ActionContext, key: string, p: Pending<F>): Promise<CardAnswer> {
  const used = await usedAnswer(c, key);
  if (used) return used;
  const v = check(SCHEMAS[p.flow], p.input);
  if (!v.ok) return { toast: { type: 'error', content: v.message } };
  return proceed(c, key, p);
}

/** Resolve the product (picker when ambiguous), check the quantity, confirm if unusual, commit. */
export async function proceed<F extends FlowName>(c: ActionContext, key: string, p: Pending<F>): Promise<CardAnswer> {
  const spec = FLOWS[p.flow] as unknown as FlowSpec<FlowName>;
  const db = c.deps.database.db;
  const ref = spec.productRef(p.input);
  let product: ProductView;
  try {
    product = await resolveProduct(db, ref);
  } catch (e) {
    if (isDomainError(e) && e.code === 'ambiguous') {
      const cands = ((e.details?.candidates ?? []) as ProductView[]).slice(0, 10);
      return stage(c, key, async (tx) => ({ card: await pickerCard(tx, c, p, cands, String(ref)) }));
    }
    throw e;
  }
  spec.setProduct(p.input, product.id);
  if (p.batchOf !== undefined && p.batchOf !== product.id) {
    return { toast: { type: 'error', content: `「批次」所选批次不属于「${product.name}」，请重新选择批次或选「自动」。` } };
  }
  if (p.flow === 'receipt' || p.flow === 'issue' || p.flow === 'transfer') {
    // The services' own reading of quantity and price (units, decimal places, the price rule),
    // then the unusual-entry rule chat uses too.
    const { reasons } = await checkUnusualPosting(db, c.actor, p.flow, p.input as never, cardSettings(c.deps));
    if (reasons.length) return stage(c, key, async (tx) => ({ card: await confirmCard(tx, c, p, product, reasons) }));
  } else {
    // The same unit parsing the services use; its message names 数量 and the units.
    parseQuantity(product, spec.qty(p.input), { allowZero: p.flow === 'count' });
  }
  return stage(c, key, (tx) => spec.commit(tx, c, p.input, p.origin));
}

/** Post what a confirmation card holds (its key's context). */
export async function commitPending(c: ActionContext, key: string, p: Pending): Promise<CardAnswer> {
  const spec = FLOWS[p.flow] as unknown as FlowSpec<FlowName>;
  return stage(c, key, (tx) => spec.commit(tx, c, p.input, p.origin));
}

const FLOW_LABEL: Record<FlowName, string> = { receipt: '入库', issue: '出库', transfer: '调拨', count: '盘点录入', stock: '查库存' };

function describe(p: Pending, product: ProductView): string {
  const i = p.input as Record<string, unknown> & { lines?: Record<string, unknown>[] };
  const line = (i.lines?.[0] ?? i) as Record<string, unknown>;
  const parts = [`**${FLOW_LABEL[p.flow]}**：${md(productLabel(product))}`, `**数量**：${md(String(line.qty))}`];
  if (line.batchNo) parts.push(`**批次**：${md(String(line.batchNo))}`);
  if (line.unitPrice !== undefined) parts.push(`**单价**：${md(String(line.unitPrice))} 元（按数量所写单位）`);
  if (line.unitCostFen !== undefined) parts.push(`**单价**：${formatPrice(String(line.unitCostFen))}/${md(product.baseUnit)}`);
  if (line.amountFen !== undefined) parts.push(`**金额**：${formatFen(String(line.amountFen))}`);
  return parts.join('\n');
}

async function confirmCard(tx: Tx, c: { user: { id: number | null } }, p: Pending, product: ProductView, reasons: string[], how = '确认无误请点「确认」，否则点「取消」后重新填写。'): Promise<Card> {
  const k = await issueCardToken(tx, 'confirm', c.user.id, p);
  return card('请确认：这笔数据不太寻常', 'orange', [
    markdown(describe(p, product)),
    markdown(`<font color="orange">${reasons.map((r) => `• ${md(r)}`).join('\n')}</font>\n\n${md(how)}`),
    buttonRow([button('确认', value('confirm', { k }), { type: 'primary_filled' }), button('取消', value('cancel', { k }), { type: 'default' })]),
  ]);
}

async function pickerCard(tx: Tx, c: { user: { id: number | null } }, p: Pending, cands: ProductView[], query: string): Promise<Card> {
  const k = await issueCardToken(tx, 'pick', c.user.id, { ...p, candidates: cands.map((x) => x.id) });
  return card(`「${query.slice(0, 20)}」对应多个商品`, 'yellow', [
    markdown(`请选择要${FLOW_LABEL[p.flow]}的商品（数量 ${md(String(FLOWS[p.flow].qty(p.input as never)))}）：`),
    ...cands.map((x) => button(productLabel(x), value('pick', { k, p: x.id }), { type: 'default', width: 'fill' })),
    buttonRow([button('取消', value('cancel', { k }))]),
  ]);
}

/**
 * Chat commands: the confirmation card for an unusual entry (the one the forms show), its
 * 确认 posts the pending input under the chat message's own idempotency key.
 */
export async function confirmForCommand(tx: Tx, c: { user: { id: number | null } }, p: Pending, product: ProductView, reasons: string[], how: string): Promise<Card> {
  return confirmCard(tx, c, p, product, reasons, how);
}

/** Chat commands: the candidate picker for an ambiguous product, as a card with a pending action. */
export async function pickerForCommand(tx: Tx, c: { user: { id: number | null } }, p: Pending, cands: ProductView[], query: string): Promise<Card> {
  return pickerCard(tx, c, p, cands, query);
}

export function pendingOf(row: CardToken | null): Pending | null {
  const ctx = row?.context as Pending | null | undefined;
  return ctx && typeof ctx === 'object' && 'flow' in ctx && ctx.flow in FLOWS ? ctx : null;
}

export function cancelledCard(): Card {
  return messageCard('已取消', 'grey', '没有保存任何改动。', [buttonRow([button('菜单', value('menu'))])]);
}


/**
 * From a submitted form to an effect, exactly once — the same mechanism for every module's
 * flows (registry.ts CardFlow, declared in the module's card file and found by name):
 *
 *   form ──submit──▶ read the declared fields, normalise (normalise.ts), flow.validate
 *                    │ invalid ──▶ error toast, no card (the form stays as filled)
 *                    │ product ambiguous ──▶ candidate picker card (Pending in card_tokens)
 *                    │ flow.inspect: unusual entry ──▶ confirmation card (Pending in card_tokens)
 *                    ▼
 *                  commit: claim the key → invoke the flow's use case → summary card, one unit of work
 *
 * `stage` is the one place a key is consumed: spendCardToken (src/interaction) runs a unit of
 * work whose claim locks the card_tokens row FOR UPDATE, returns the stored answer if the key
 * was used before (double tap, Feishu retry), otherwise builds the next card inside the same
 * transaction (the effect, or the next step's card with its own key) and stores it with the
 * key. A DomainError rolls everything back and leaves the key unused, so the user can correct
 * the form and submit again.
 *
 * The effect's idempotency key is Pending.key (`card:<form key>`, or the chat message's) through
 * the whole chain (form → picker → confirm), a second guard behind card_tokens.
 */
import { z } from 'zod';
import { issueCardToken, peekCardToken, isCardTokenExpired, type CardToken } from '../../src/interaction/card-tokens.js';
import { spendCardToken } from '../../src/interaction/spend-card-token.js';
import type { UnitOfWork } from '../../src/kernel/unit-of-work.js';
import { isDomainError } from '../../src/errors.js';
import { can } from '../../src/people/roles.js';
import { type ProductView } from '../../src/inventory/products.js';
import { resolveProduct } from '../../src/inventory/product-lookup.js';
import type { Conn } from '../../db/types.js';
import { canonicalPosting } from './normalise.js';
import type { Card } from './card.js';
import { invokeIn } from './use-cases.js';
import type { ActionContext, CardAnswer, CardFlow, CardRegistry, FlowAnswer, Pending } from './registry.js';
import { toast } from './registry.js';
import { cancelledCard, confirmCard, pickerCard, type PendingView } from './prompts.js';

export const who = (c: Pick<ActionContext, 'user' | 'actor'>) => c.user.name ?? c.actor.name ?? c.user.openId;

/** Replay of a used key: the first answer again, nothing done. */
function replay(row: CardToken): CardAnswer {
  const r = (row.result ?? {}) as { card?: Card; pending?: boolean };
  if (r.pending) return { toast: { type: 'info', content: '正在处理中，完成后卡片会自动更新。' }, card: r.card };
  if (r.card) return { toast: { type: 'info', content: '已经提交过了，这是第一次提交的结果。' }, card: r.card };
  return { toast: { type: 'info', content: '已经提交过了。' } };
}

export const expiredAnswer = (): CardAnswer => ({ toast: { type: 'warning', content: '这张卡片已过期，请重新发送「菜单」。' } });

/** The one-time key a callback carries (value.k). */
export const keyOf = (c: Pick<ActionContext, 'value'>): string | undefined => (typeof c.value.k === 'string' ? c.value.k : undefined);

/**
 * Consume `key` and answer with the card `build` makes, in one unit of work (see the file
 * comment). What a second use of the key gets back is the same card.
 */
export async function stage(c: ActionContext, key: string | undefined, build: (uow: UnitOfWork, row: CardToken) => Promise<FlowAnswer>): Promise<CardAnswer> {
  if (!key) return expiredAnswer();
  const out = await spendCardToken(c.deps, key, c.now, async (uow, row) => {
    const answer = await build(uow, row);
    return { value: answer, stored: { card: answer.card } };
  });
  if (out.status === 'spent') return out.value;
  if (out.status === 'used') return replay(out.row);
  return expiredAnswer();
}

/** The answer for a key that can no longer be used (used → its first answer), else null: a quick check before heavy validation. */
export async function usedAnswer(c: ActionContext, key: string | undefined): Promise<CardAnswer | null> {
  if (!key) return expiredAnswer();
  const row = await peekCardToken(c.deps.database.db, key);
  if (!row) return expiredAnswer();
  if (row.consumedAt) return replay(row);
  if (isCardTokenExpired(row, c.now)) return expiredAnswer();
  return null;
}

function flowOf(c: Pick<ActionContext, 'registry'>, p: Pending): CardFlow {
  const f = c.registry.flow(p.flow);
  if (!f) throw new Error(`card flow "${p.flow}" is not registered`);
  return f;
}

/** What the flow is called in the picker and on the confirmation: its label, else its use case's. */
export function flowLabel(registry: CardRegistry, flow: CardFlow): string {
  return flow.label ?? (flow.useCase ? registry.useCases.require(flow.useCase).label : flow.name);
}

/** Entry from a form: the flow's own checks, then continue. */
export async function submitFlow(c: ActionContext, key: string, p: Pending): Promise<CardAnswer> {
  const used = await usedAnswer(c, key);
  if (used) return used;
  const msg = flowOf(c, p).validate?.(p.input) ?? null;
  if (msg) return toast('error', msg);
  return proceed(c, key, p);
}

/** Resolve the product (picker when ambiguous), inspect (confirm if unusual), commit. */
export async function proceed(c: ActionContext, key: string, p: Pending): Promise<CardAnswer> {
  const flow = flowOf(c, p);
  const db = c.deps.database.db;
  const ref = flow.productRef(p.input);
  let product: ProductView;
  try {
    product = await resolveProduct(db, ref);
  } catch (e) {
    if (isDomainError(e) && e.code === 'ambiguous') {
      const cands = ((e.details?.candidates ?? []) as ProductView[]).slice(0, 10);
      return stage(c, key, async (uow) => ({ card: await pickerFor(uow.tx, c.registry, c.user.id, p, cands, String(ref)) }));
    }
    throw e;
  }
  flow.setProduct(p.input, product.id);
  if (p.batchOf !== undefined && p.batchOf !== product.id) {
    return toast('error', `「批次」所选批次不属于「${product.name}」，请重新选择批次或选「自动」。`);
  }
  const reasons = (await flow.inspect?.(c, product, p)) ?? [];
  if (reasons.length && !flow.readOnly) return stage(c, key, async (uow) => ({ card: await confirmFor(uow.tx, c.registry, c.user.id, p, product, reasons) }));
  return stage(c, key, (uow) => commitIn(uow, c, p));
}

/**
 * What the flow's use case gets. A flow that inspects (the unusual-entry rule) has asked its
 * question by the time it commits — nothing to ask, or the user tapped 确认 — so a use case
 * taking `confirm` (inventory.receive / issue / transfer) gets `confirm: true` and does not ask
 * again. Added here, not stored with the Pending: cards issued before use cases asked keep working.
 */
function flowInput(c: ActionContext, flow: CardFlow, p: Pending): unknown {
  if (!flow.inspect || !flow.useCase) return p.input;
  const schema = c.registry.useCases.require(flow.useCase).input;
  return schema instanceof z.ZodObject && 'confirm' in schema.shape ? { ...(p.input as object), confirm: true } : p.input;
}

/** The effect of a pending flow inside the key's unit of work: its use case (or own run), then its summary card. */
async function commitIn(uow: UnitOfWork, c: ActionContext, p: Pending): Promise<FlowAnswer> {
  const flow = flowOf(c, p);
  const result = flow.useCase ? await invokeIn(uow, c, flow.useCase, flowInput(c, flow, p), p.key) : await flow.run!(uow, c, p);
  return flow.summary(uow, c, result, p);
}

/** Post what a confirmation card holds (its key's context). */
export async function commitPending(c: ActionContext, key: string, p: Pending): Promise<CardAnswer> {
  return stage(c, key, (uow) => commitIn(uow, c, p));
}

/** May this actor complete the pending flow? (the permission of its use case, or its own) */
export function mayRun(c: ActionContext, p: Pending): boolean {
  const a = c.registry.access(flowOf(c, p));
  return !a.permission || can(c.actor, a.permission);
}

function viewOf(registry: CardRegistry, p: Pending): PendingView {
  const flow = registry.flow(p.flow);
  if (!flow) throw new Error(`card flow "${p.flow}" is not registered`);
  return { label: flowLabel(registry, flow), qty: flow.qty(p.input), input: p.input as PendingView['input'] };
}

const CONFIRM_HOW = '确认无误请点「确认」，否则点「取消」后重新填写。';

/** Issue the confirmation key (context: the Pending) and render its card. */
async function confirmFor(conn: Conn, registry: CardRegistry, userId: number | null, p: Pending, product: ProductView, reasons: string[], how = CONFIRM_HOW): Promise<Card> {
  const k = await issueCardToken(conn, 'confirm', userId, p);
  return confirmCard(viewOf(registry, p), product, reasons, how, k);
}

/** Issue the picker key (context: the Pending with its candidates) and render its card. */
async function pickerFor(conn: Conn, registry: CardRegistry, userId: number | null, p: Pending, cands: ProductView[], query: string): Promise<Card> {
  const k = await issueCardToken(conn, 'pick', userId, { ...p, candidates: cands.map((x) => x.id) });
  return pickerCard(viewOf(registry, p), cands, query, k);
}

/**
 * Chat commands: the confirmation card for an unusual entry (the one the forms show); its
 * 确认 posts the pending input under the chat message's own idempotency key (Pending.key).
 */
export async function confirmForCommand(conn: Conn, registry: CardRegistry, c: { user: { id: number | null } }, p: Pending, product: ProductView, reasons: string[], how: string): Promise<Card> {
  return confirmFor(conn, registry, c.user.id, p, product, reasons, how);
}

/** Chat commands: the candidate picker for an ambiguous product, as a card with a pending action. */
export async function pickerForCommand(conn: Conn, registry: CardRegistry, c: { user: { id: number | null } }, p: Pending, cands: ProductView[], query: string): Promise<Card> {
  return pickerFor(conn, registry, c.user.id, p, cands, query);
}

/**
 * The Pending a key holds, or null (another kind of key, a flow no longer registered). Rows
 * written before flows ran use cases (service-shaped input with its own idempotencyKey) are
 * read as canonical input with that key, so a confirmation card from before an upgrade still
 * posts once.
 */
export function pendingOf(registry: CardRegistry, row: CardToken | null): Pending | null {
  const ctx = row?.context as (Partial<Pending> & { input?: { idempotencyKey?: unknown } }) | null | undefined;
  if (!ctx || typeof ctx !== 'object' || typeof ctx.flow !== 'string' || !ctx.input || !registry.flow(ctx.flow)) return null;
  if (typeof ctx.key === 'string' && typeof ctx.origin === 'string') return ctx as Pending;
  const legacyKey = typeof ctx.input.idempotencyKey === 'string' ? ctx.input.idempotencyKey : `card:${String(ctx.origin)}`;
  const flow = registry.flow(ctx.flow)!;
  return { ...(ctx as Pending), key: legacyKey, origin: String(ctx.origin ?? ''), input: flow.useCase ? canonicalPosting(ctx.input) : ctx.input };
}

export { cancelledCard };

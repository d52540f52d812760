/**
 * Cards that chat commands attach to their replies. The commands (bot/commands) call these
 * explicitly and return `{ text, card }`: the text is the fallback (terminal chat, logs), the
 * card is what Feishu shows. Nothing here patches the command registry.
 *
 * Posting inputs may come in the services' form (amountFen) or canonical: the pending action
 * keeps the canonical one (normalise.ts canonicalPosting) and posts it through the flow's use
 * case under the message's idempotency key (Pending.key).
 *
 * - `ambiguousProductReply`: 入库 / 出库 / 调拨 with a name that matches several products →
 *   the numbered candidates as text, plus the picker card. Tapping a candidate completes the
 *   original command (pending action in card_tokens), posted under the message's own
 *   idempotency key, so the chat message and the tap can never post twice.
 * - `unusualEntryReply`: 入库 / 出库 / 调拨 whose entry is unusual (src/inventory/unusual.ts) →
 *   NOT posted; the confirmation card the forms use (its 确认 posts under the message's own
 *   idempotency key), and the text says that adding 确认 to the command posts it directly.
 * - `documentReply`: 单据 → the document card, with a 红冲 button for those allowed stock.reverse.
 * - `stockReply`: 库存 <商品> → the stock card (available, value at the average cost, rows).
 */
import { isDomainError } from '../../src/errors.js';
import { settleConfirmations } from '../../src/interaction/card-tokens.js';
import { jsonSafe } from '../../src/shared/json.js';
import type { PostingResult } from '../../src/inventory/documents.js';
import type { ProductView } from '../../src/inventory/products.js';
import type { ProductStock } from '../../src/inventory/queries.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import { userDisplayName } from '../../src/people/display-name.js';
import { getAppTimezone } from '../../src/shared/time.js';
import type { CommandContext, Reply } from '../commands/registry.js';
import { renderDomainError } from '../commands/render.js';
import { confirmForCommand, pickerForCommand } from './flows.js';
import { reverseKeyFor } from './inventory/shared.js';
import { canonicalPosting } from './normalise.js';
import type { Pending } from './registry.js';
import { checkUnusualPosting, unusualEntrySetting } from '../../src/inventory/unusual.js';
import { fenToYuan } from '../../src/shared/money.js';
import { unusualThresholds } from './settings.js';
import { documentCard, messageCard, stockCard } from './views.js';

export { unitCostText } from './views.js';

/** Posting commands whose ambiguous product can be completed from the picker card. */
export type PickerFlow = 'receipt' | 'issue' | 'transfer';

/** How many candidates the picker shows (the text lists the same ones). */
const MAX_CANDIDATES = 10;

/** What a card keeps for this command: the canonical input, posted under the message's key. */
function pendingOfCommand(ctx: CommandContext, flow: PickerFlow, input: object): Pending {
  return { flow, origin: ctx.idempotencyKey, key: ctx.idempotencyKey, input: canonicalPosting(input) };
}

/**
 * The answer to an ambiguous product in a posting command, or null when `e` is anything else
 * (the caller rethrows it). `input` is the command's parsed input without the idempotency key.
 */
export async function ambiguousProductReply(
  ctx: CommandContext,
  flow: PickerFlow,
  input: { lines: { product: number | string }[] },
  e: unknown,
): Promise<Reply | null> {
  if (!isDomainError(e) || e.code !== 'ambiguous') return null;
  const cands = ((e.details?.candidates ?? []) as ProductView[]).slice(0, MAX_CANDIDATES);
  const ref = input.lines[0]?.product;
  if (!cands.length || typeof ref !== 'string') return null;
  const query = typeof e.details?.query === 'string' ? e.details.query : ref;
  const card = await pickerForCommand(ctx.tx, ctx.registries.cards, { user: { id: ctx.actor.userId } }, pendingOfCommand(ctx, flow, input), cands, query);
  return { text: renderDomainError(e), card };
}

/** A posting line as a command parsed it: what the 确认 example repeats. */
type TypedLine = { product: number | string; qty: string | number; unitPrice?: string; amountFen?: bigint | string | number; salePrice?: string; batchNo?: string };

/**
 * The answer to an unusual entry in a posting command, or null when it is usual (post it).
 * `input` is the command's parsed input without the idempotency key and the 确认 flag. Throws
 * what the service would (ambiguous product, a quantity the product cannot take).
 */
export async function unusualEntryReply(
  ctx: CommandContext,
  flow: PickerFlow,
  input: { lines: TypedLine[] },
  verb: string,
): Promise<Reply | null> {
  // The message's own settings reader when it has one: the use case invoked next reads the same value.
  const thresholds = ctx.caller.settings ? await ctx.caller.settings.get(unusualEntrySetting) : await unusualThresholds(ctx.deps, ctx.tx, ctx.logger);
  const { product, reasons } = await checkUnusualPosting(ctx.tx, ctx.actor, flow, input as never, thresholds);
  if (!reasons.length) return null;
  const i = input as { warehouse?: unknown; from?: unknown; to?: unknown };
  const at = (w: unknown) => (typeof w === 'string' ? ` @${w}` : '');
  // Every line of the entry, as chat writes it (；between lines): the example posts exactly what was asked.
  const lineText = (l: TypedLine) =>
    [
      typeof l.product === 'string' ? l.product : l.product === product.id ? product.sku : String(l.product),
      String(l.qty),
      l.unitPrice ?? (l.amountFen != null ? `金额=${fenToYuan(String(l.amountFen))}` : ''),
      l.salePrice ? `售价=${l.salePrice}` : '',
      l.batchNo ? `批次=${l.batchNo}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  const again = `${verb} ${input.lines.map(lineText).join('；')}` + at(i.warehouse) + at(i.from) + at(i.to) + ' 确认';
  const how = `还没有记账。确认无误请点「确认」，或在原命令后加「确认」再发一次，例如：${again}；否则点「取消」。`;
  const card = await confirmForCommand(ctx.tx, ctx.registries.cards, { user: { id: ctx.actor.userId } }, pendingOfCommand(ctx, flow, input), product, reasons, how);
  const text = [`请确认：这笔${verb}数据不太寻常。`, ...reasons.map((r) => `• ${r}`), how].join('\n');
  return { text, card };
}

/** JSON with sorted keys: two inputs parsed from the same words compare equal. */
function canonical(v: unknown): string {
  return JSON.stringify(jsonSafe(v), (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

/**
 * After a chat posting sent with 确认: the confirmation cards this user still holds for the SAME
 * entry (same flow and input) are closed, so tapping one later cannot post it twice. Its tap then
 * answers that the entry was posted as `docNo` by the command.
 */
export async function settleConfirmedByCommand(ctx: CommandContext, flow: PickerFlow, input: object, r: PostingResult): Promise<void> {
  if (!ctx.actor.userId) return;
  const want = canonical({ flow, input: canonicalPosting(input) });
  const done = messageCard('这笔已经记账', 'grey', `已用命令「…确认」记账：${r.document.docNo}（${r.document.kindLabel}）。这张确认卡片不再记账，避免重复。`);
  await settleConfirmations(
    ctx.tx,
    ctx.actor.userId,
    ctx.now,
    (c) => {
      const p = c as { flow?: unknown; input?: Record<string, unknown> } | null;
      if (!p?.input) return false;
      // canonicalPosting: confirmation cards stored before cards ran use cases held the services' form.
      return canonical({ flow: p.flow, input: canonicalPosting(p.input) }) === want;
    },
    { card: done },
  );
}

/**
 * 单据: the text answer plus the document card (红冲 button when the viewer may reverse it).
 * A result without cost fields (a role without cost.view) shows no prices or amounts.
 */
export async function documentReply(ctx: CommandContext, r: CostFiltered<PostingResult>, text: string): Promise<Reply> {
  const d = r.document;
  const reverseKey = await reverseKeyFor(ctx.tx, { registry: ctx.registries.cards, actor: ctx.actor, disabled: ctx.disabled }, ctx.actor.userId, d);
  return { text, card: documentCard(r, { who: await userDisplayName(ctx.tx, d.actorId), timeZone: getAppTimezone(), reverseKey }) };
}

/**
 * 库存 <商品>: the text answer plus the stock card. `scope`: the warehouse asked for, if any.
 * A result without cost fields shows no value.
 */
export function stockReply(s: CostFiltered<ProductStock>, text: string, scope?: string | null): Reply {
  return { text, card: stockCard(s, { scope }) };
}

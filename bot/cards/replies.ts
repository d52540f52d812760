/**
 * Cards that chat commands attach to their replies. The commands (bot/commands) call these
 * explicitly and return `{ text, card }`: the text is the fallback (terminal chat, logs), the
 * card is what Feishu shows. Nothing here patches the command registry.
 *
 * - `ambiguousProductReply`: 入库 / 出库 / 调拨 with a name that matches several products →
 *   the numbered candidates as text, plus the picker card. Tapping a candidate completes the
 *   original command (pending action in card_tokens), posted under the message's own
 *   idempotency key, so the chat message and the tap can never post twice.
 * - `documentReply`: 单据 → the document card, with a 红冲 button for those allowed stock.reverse.
 * - `stockReply`: 库存 <商品> → the stock card (available, value at the average cost, rows).
 */
import { isDomainError } from '../../src/errors.js';
import { issueCardToken } from '../../src/interaction/card-tokens.js';
import type { PostingResult } from '../../src/inventory/documents.js';
import type { ProductView } from '../../src/inventory/products.js';
import type { ProductStock } from '../../src/inventory/queries.js';
import { userDisplayName } from '../../src/people/display-name.js';
import { can } from '../../src/people/roles.js';
import type { CommandContext, Reply } from '../commands/registry.js';
import { renderDomainError } from '../commands/render.js';
import { pickerForCommand, type Pending } from './flows.js';
import { documentCard, stockCard } from './views.js';

export { unitCostText } from './views.js';

/** Posting commands whose ambiguous product can be completed from the picker card. */
export type PickerFlow = 'receipt' | 'issue' | 'transfer';

/** How many candidates the picker shows (the text lists the same ones). */
const MAX_CANDIDATES = 10;

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
  const pending = { flow, origin: ctx.idempotencyKey, input: { ...input, idempotencyKey: ctx.idempotencyKey } } as Pending;
  const query = typeof e.details?.query === 'string' ? e.details.query : ref;
  const card = await pickerForCommand(ctx.tx, { user: { id: ctx.actor.userId } }, pending, cands, query);
  return { text: renderDomainError(e), card };
}

/** 单据: the text answer plus the document card (红冲 button when the viewer may reverse it). */
export async function documentReply(ctx: CommandContext, r: PostingResult, text: string): Promise<Reply> {
  const d = r.document;
  const reversible = can(ctx.actor, 'stock.reverse') && d.kind !== 'reversal' && !d.reversedByDocId;
  const reverseKey = reversible ? await issueCardToken(ctx.tx, 'reverse', ctx.actor.userId, { docNo: d.docNo }) : undefined;
  return { text, card: documentCard(r, { who: await userDisplayName(ctx.tx, d.actorId), reverseKey }) };
}

/** 库存 <商品>: the text answer plus the stock card. `scope`: the warehouse asked for, if any. */
export function stockReply(s: ProductStock, text: string, scope?: string | null): Reply {
  return { text, card: stockCard(s, { scope }) };
}

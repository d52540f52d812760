/**
 * Chat side of the cards:
 * - `菜单` / `menu`: the menu card (a button for every action the role allows).
 * - 入库 / 出库 / 调拨 with an ambiguous product: the text candidates stay, and the reply also
 *   carries the candidate picker card; tapping a candidate completes the original command
 *   (pending action in card_tokens, posted under the message's own idempotency key).
 * - 单据 / 库存 <商品>: the text answer plus the document / stock card.
 * The commands themselves live in bot/commands (the registry's objects are decorated here,
 * their parse and service calls are untouched).
 */
import { isDomainError } from '../../src/errors.js';
import { can } from '../../src/people/roles.js';
import { getDocument } from '../../src/inventory/documents.js';
import { getStock } from '../../src/inventory/queries.js';
import type { ProductView } from '../../src/inventory/products.js';
import { commands, type CommandContext, type Reply } from '../commands/registry.js';
import { renderDomainError } from '../commands/render.js';
import { cardText } from './card.js';
import { pickerForCommand, type FlowName, type Pending } from './flows.js';
import { menuCard, menuLabels } from './forms.js';
import { issueCardToken } from '../../src/interaction/card-tokens.js';
import { userDisplayName } from '../../src/people/display-name.js';
import { documentCard, stockCard } from './views.js';

commands.register('菜单', {
  aliases: ['menu', '卡片'],
  summary: '打开操作菜单卡片（按钮和表单）',
  usage: '菜单',
  example: '菜单',
  parse: () => ({}),
  async run(ctx) {
    const c = menuCard(ctx.actor, ctx.actor.name);
    return { text: `菜单：${menuLabels(ctx.actor).join(' / ')}`, card: c };
  },
});

type Run = (ctx: CommandContext, input: unknown) => Promise<Reply>;

function decorate(name: string, wrap: (orig: Run) => Run): void {
  const cmd = commands.get(name);
  if (!cmd) return;
  const orig = cmd.run.bind(cmd) as Run;
  cmd.run = wrap(orig) as typeof cmd.run;
}

const PICKER_FLOWS: Record<string, FlowName> = { 入库: 'receipt', 出库: 'issue', 调拨: 'transfer' };

for (const [name, flow] of Object.entries(PICKER_FLOWS)) {
  decorate(name, (orig) => async (ctx, input) => {
    try {
      return await orig(ctx, input);
    } catch (e) {
      const cands = isDomainError(e) && e.code === 'ambiguous' ? ((e.details?.candidates ?? []) as ProductView[]) : [];
      const i = input as { lines?: { product?: unknown }[] } | null;
      if (!cands.length || !i?.lines?.length || typeof i.lines[0].product !== 'string') throw e;
      const p: Pending = { flow, origin: ctx.idempotencyKey, input: { ...(input as object), idempotencyKey: ctx.idempotencyKey } as never };
      const card = await pickerForCommand(ctx.tx, { user: { id: ctx.actor.userId } }, p, cands.slice(0, 10), String((e as { details?: { query?: unknown } }).details?.query ?? i.lines[0].product));
      return { text: renderDomainError(e as never), card };
    }
  });
}

decorate('单据', (orig) => async (ctx, input) => {
  const reply = await orig(ctx, input);
  const text = typeof reply === 'string' ? reply : reply.text;
  const docNo = (input as { docNo?: string }).docNo;
  if (!docNo) return reply;
  const r = await getDocument(ctx.tx, ctx.actor, docNo);
  const reversible = can(ctx.actor, 'stock.reverse') && r.document.kind !== 'reversal' && !r.document.reversedByDocId;
  const reverseKey = reversible ? await issueCardToken(ctx.tx, 'reverse', ctx.actor.userId, { docNo: r.document.docNo }) : undefined;
  return { text, card: documentCard(r, { who: await userDisplayName(ctx.tx, r.document.actorId), reverseKey }) };
});

decorate('库存', (orig) => async (ctx, input) => {
  const reply = await orig(ctx, input);
  const i = input as { product?: string; warehouse?: string };
  if (!i.product) return reply;
  const text = typeof reply === 'string' ? reply : reply.text;
  const s = await getStock(ctx.tx, ctx.actor, { product: i.product, ...(i.warehouse ? { warehouse: i.warehouse } : {}) });
  const rows = s.rows.map((r) => ({ warehouse: r.warehouseName, batchNo: r.batchNo, qtyText: r.qtyText }));
  const extra = s.perWarehouse.length > 1 ? s.perWarehouse.map((w) => `${w.warehouseName}：${w.qtyText}`) : [];
  return { text, card: stockCard(s.product, rows, s.totalQtyText, extra) };
});

export { cardText };

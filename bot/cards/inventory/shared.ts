/**
 * What the inventory cards share: the summary after a posting (with a 红冲 key for those who
 * may reverse it), and remembering the warehouse the user worked in (the next form preselects it).
 */
import type { Conn } from '../../../db/types.js';
import { issueCardToken } from '../../../src/interaction/card-tokens.js';
import type { UnitOfWork } from '../../../src/kernel/unit-of-work.js';
import type { PostingResult } from '../../../src/inventory/documents.js';
import { isReversible } from '../../../src/inventory/reversal.js';
import { rememberWarehouse } from '../../../src/people/users.js';
import { mayUse } from '../access.js';
import type { Card } from '../card.js';
import { who } from '../flows.js';
import type { ActionContext, FlowAnswer } from '../registry.js';
import { postingSummaryCard, type Posting } from '../views.js';

export const REVERSE = 'inventory.reverse';

/** A 红冲 key for document `docNo` when the user may reverse it (and it can be reversed), else undefined. */
export async function reverseKeyFor(conn: Conn, c: Pick<ActionContext, 'registry' | 'actor'> & { disabled?: ReadonlySet<string> }, userId: number | null, d: Pick<PostingResult['document'], 'docNo' | 'kind' | 'reversedByDocId'>): Promise<string | undefined> {
  return mayUse(c, REVERSE) && isReversible(d) ? issueCardToken(conn, 'reverse', userId, { docNo: d.docNo }) : undefined;
}

/** The summary of a posting, with a 红冲 key for those who may reverse it; `again`: the form 继续录入 opens. */
export async function summaryFor(conn: Conn, c: ActionContext, r: Posting, again?: string): Promise<Card> {
  const reverseKey = await reverseKeyFor(conn, c, c.user.id, r.document);
  return postingSummaryCard(r, { who: who(c), timeZone: c.timeZone, reverseKey, again });
}

/** The warehouse a user just worked in (users.last_warehouse_id), in the unit's transaction. */
export async function remember(conn: Conn, c: Pick<ActionContext, 'user'>, warehouseId: number | null | undefined): Promise<void> {
  if (c.user.id && warehouseId) await rememberWarehouse(conn, c.user.id, warehouseId);
}

/** After a posting: remember its warehouse, answer 已保存 with the summary. */
export async function afterPosting(uow: UnitOfWork, c: ActionContext, r: Posting, again?: string): Promise<FlowAnswer> {
  await remember(uow.tx, c, r.document.warehouseId);
  return { toast: { type: 'success', content: `已保存 ${r.document.docNo}` }, card: await summaryFor(uow.tx, c, r, again) };
}

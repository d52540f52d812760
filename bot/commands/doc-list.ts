/**
 * 单据 as a list: `单据 今天|昨天|本周|<日期>|<期间>`, `单据 <商品>`, `单据 <人>` / `单据 @某人`,
 * combinable, with `@仓库` and `页=N` — the chat wording of inventory.documents. `单据 <单号>`
 * (one document) stays in stock.ts; this file reads the other words and renders the list.
 *
 * A word that is neither a document number nor a period is a person (a colleague's name as
 * stored, users.name) when one is called that, else a product; when it is neither the reply
 * says so and how to write each.
 */
import { isDomainError } from '../../src/errors.js';
import type { DocumentListItem } from '../../src/inventory/listing.js';
import type { Page } from '../../src/inventory/cursor.js';
import type { CostFiltered } from '../../src/inventory/use-cases/cost-visibility.js';
import { DomainError } from '../../src/errors.js';
import { formatFen } from '../../src/shared/money.js';
import { periodRange, PERIOD_EXAMPLES, type PeriodSpec } from '../../src/shared/periods.js';
import { getAppTimezone, isoDay } from '../../src/shared/time.js';
import { formatTime } from '../cards/views.js';
import { oneWarehouse, parseArgs } from '../parse/args.js';
import { pageOption, takePeriod } from './ledger.js';
import { UsageError, type CommandContext, type ParseContext } from './registry.js';

/** Documents per chat page. */
export const DOC_LIST_PAGE = 20;

export interface DocListQuery {
  period: PeriodSpec | null;
  periodWord: string | null;
  /** A name or product words, decided when run (see the file comment). */
  who: string | null;
  /** An @mentioned colleague's open_id (and the name Feishu gave). */
  mention: { openId: string; name?: string } | null;
  warehouse: string | undefined;
  page: number;
}

/** The list form of 单据 (anything but a single document number). */
export function parseDocList(args: string[], ctx: ParseContext): DocListQuery {
  const a = parseArgs(args, { options: { 页: ['page', '页码'] } });
  if (a.mentions.length > 1) throw new UsageError('一次只能查一个人的单据');
  let mention: DocListQuery['mention'] = null;
  if (a.mentions.length) {
    const m = ctx.mentions.find((x) => x.key === a.mentions[0]);
    if (!m?.openId) throw new UsageError('无法识别 @ 的这个人，请改写他的名字');
    mention = { openId: m.openId, name: m.name };
  }
  const { period, word, rest } = takePeriod(a.positional);
  // 「单据 经办 李四」: the list's own header word before a name.
  if (rest[0] === '经办' && rest.length > 1) rest.shift();
  const who = rest.join(' ') || null;
  if (who && who.length > 100) throw new UsageError('名字或商品名太长');
  if (!period && !who && !mention && a.at.length === 0) {
    throw new UsageError(`写单号、期间、商品或人，例如 单据 CK20261125-0001、单据 今天、单据 螺丝M6、单据 @张三（期间可写：${PERIOD_EXAMPLES}）`);
  }
  return { period, periodWord: word, who, mention, warehouse: oneWarehouse(a.at), page: pageOption(a.options.get('页')) };
}

type DocPage = CostFiltered<Page<DocumentListItem>>;

/** How the list's words were read (the title says it): the product, the colleague, the warehouse. */
interface ReadAs {
  product: string | null;
  person: string | null;
  warehouse: string | null;
}

const notFound = (e: unknown, key: string) => isDomainError(e) && e.code === 'not_found' && e.details !== undefined && key in e.details;

/**
 * One page of the list, invoking inventory.documents: the filters from `q` (a bare word tried
 * as a person, then as a product), the page walked with the cursors.
 */
async function fetchPage(ctx: CommandContext, q: DocListQuery, filter: Record<string, unknown>): Promise<{ page: DocPage; n: number; read: ReadAs }> {
  const load = async (f: Record<string, unknown>) => {
    let r = await ctx.invoke<DocPage>({ ...f, limit: DOC_LIST_PAGE }, 'inventory.documents');
    for (let n = 1; n < q.page; n++) {
      if (!r.nextCursor) return { page: r, n };
      r = await ctx.invoke<DocPage>({ ...f, limit: DOC_LIST_PAGE, cursor: r.nextCursor }, 'inventory.documents');
    }
    return { page: r, n: q.page };
  };
  const wh = q.warehouse ?? null;
  if (q.mention) return { ...(await load({ ...filter, actor: q.mention.openId, ...(q.who ? { product: q.who } : {}) })), read: { person: q.mention.name || q.mention.openId, product: q.who, warehouse: wh } };
  if (!q.who) {
    try {
      return { ...(await load(filter)), read: { person: null, product: null, warehouse: wh } };
    } catch (e) {
      // 「@李四」typed by hand is no mention: no warehouse of that name → a colleague of that name.
      if (!(q.warehouse !== undefined && notFound(e, 'warehouse'))) throw e;
      const { warehouse: _w, ...rest } = filter;
      try {
        return { ...(await load({ ...rest, actor: q.warehouse })), read: { person: q.warehouse!, product: null, warehouse: null } };
      } catch (e2) {
        if (notFound(e2, 'user')) throw e;
        throw e2;
      }
    }
  }
  try {
    return { ...(await load({ ...filter, actor: q.who })), read: { person: q.who, product: null, warehouse: wh } };
  } catch (e) {
    if (!notFound(e, 'user')) throw e;
  }
  try {
    return { ...(await load({ ...filter, product: q.who })), read: { person: null, product: q.who, warehouse: wh } };
  } catch (e) {
    if (!(isDomainError(e) && e.code === 'not_found')) throw e;
  }
  // 「单据 DP20 王强」: a product, then a colleague (the last word).
  const words = q.who.split(' ');
  if (words.length > 1) {
    try {
      const [product, person] = [words.slice(0, -1).join(' '), words[words.length - 1]];
      return { ...(await load({ ...filter, product, actor: person })), read: { person, product, warehouse: wh } };
    } catch (e) {
      if (!(isDomainError(e) && e.code === 'not_found')) throw e;
    }
  }
  throw new DomainError('not_found', `「${q.who}」不是单号或期间，也没有叫这个名字的同事或商品。可以写：单据 CK20261125-0001、单据 今天、单据 螺丝M6、单据 张三、单据 螺丝M6 张三、单据 @张三。`, { query: q.who });
}

/** The list as chat text, with the next-page hint. */
export async function docListText(ctx: CommandContext, q: DocListQuery): Promise<string> {
  const tz = getAppTimezone();
  const range = q.period ? periodRange(q.period, isoDay(ctx.now, tz)) : null;
  const filter: Record<string, unknown> = { ...(range ? { from: range.from, to: range.to } : {}), ...(q.warehouse !== undefined ? { warehouse: q.warehouse } : {}) };
  const { page: r, n, read } = await fetchPage(ctx, q, filter);
  if (n < q.page) return `单据列表只有 ${n} 页。`;
  const title = [
    range ? range.label : null,
    read.product ? `商品 ${read.product}` : null,
    read.person ? `经办 ${read.person}` : null,
    read.warehouse ? `@${read.warehouse}` : null,
  ].filter(Boolean);
  const out = [`📄 单据${title.length ? ` · ${title.join(' · ')}` : ''}${q.page > 1 ? ` · 第 ${q.page} 页` : ''}`];
  if (!r.items.length) out.push('没有符合条件的单据。');
  for (const d of r.items) {
    const where = d.toWarehouseName ? `${d.warehouseName} → ${d.toWarehouseName}` : (d.warehouseName ?? '');
    // A transfer's value only changes place (its net is 0): no amount rather than a misleading ¥0.00.
    const amount = d.totalValueFen === undefined || d.kind === 'transfer' ? '' : ` ${formatFen(d.totalValueFen)}`;
    const flags = [d.reversedByDocNo ? `已被红冲 ${d.reversedByDocNo}` : null, d.reversesDocNo ? `红冲 ${d.reversesDocNo}` : null].filter(Boolean);
    out.push(`• ${d.docNo} ${d.kindLabel} ${formatTime(d.businessTime, tz)} ${where} ${d.actorName ?? '系统'}：${d.productsText || '—'}${amount}${flags.length ? `（${flags.join('，')}）` : ''}`);
  }
  if (r.nextCursor) {
    const again = ['单据', q.periodWord, q.who, q.mention ? `@${q.mention.name ?? q.mention.openId}` : null, q.warehouse ? `@${q.warehouse}` : null, `页=${q.page + 1}`].filter(Boolean).join(' ');
    out.push(`还有更多，下一页：${again}`);
  }
  if (r.items.length) out.push('发送「单据 <单号>」查看明细。');
  return out.join('\n');
}

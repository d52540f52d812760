/** Shared text rendering for command replies (and the error answer of cards). */
import { errorReference, isDomainError, unexpectedErrorText, wordFix, type BaseUnitChangeFix, type DomainError, type FixWording } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { domainErrorFromDb, pgConstraint, pgErrorCode } from '../../src/shared/pg.js';

/**
 * The one place an error thrown by a command or a card action becomes what the user reads.
 * - A DomainError: its own message.
 * - A database error an input can cause (a CHECK, a UNIQUE, numeric overflow…): the Chinese
 *   DomainError it stands for (src/shared/pg.ts), logged as a warning — a schema should have
 *   caught it first.
 * - Anything else is a bug: logged at error level with a short reference (E7F3K2) the user
 *   sees and can quote; the log line carries the event id (the adapters' logger binds it).
 * Never "请稍后再试" without a reference: a retry does not fix a bug.
 */
export function explainError(e: unknown, logger: Logger, what?: string): { message: string; domain: DomainError | null; ref?: string } {
  if (isDomainError(e)) return { message: chatMessage(e), domain: e };
  const mapped = domainErrorFromDb(e);
  if (mapped) {
    logger.warn({ pgCode: pgErrorCode(e), constraint: pgConstraint(e), err: { message: (e as Error).message }, what }, 'database constraint answered as a domain error');
    return { message: mapped.message, domain: mapped };
  }
  const ref = errorReference();
  // drizzle wraps the driver error: its message is the SQL; the cause says what Postgres refused.
  const cause = (e as { cause?: { message?: unknown } })?.cause?.message;
  logger.error(
    { ref, pgCode: pgErrorCode(e), constraint: pgConstraint(e), err: { message: (e as Error)?.message, cause: typeof cause === 'string' ? cause : undefined, stack: (e as Error)?.stack }, what },
    `unexpected error ${ref}`,
  );
  return { message: unexpectedErrorText(ref, what), domain: null, ref };
}

/**
 * A fix (src/errors.ts DomainFix) in chat words: what to type. Cards share them (their users
 * are in the same chat and type the same commands).
 */
export const CHAT_FIX_WORDING: FixWording = (fix) => {
  switch (fix.kind) {
    case 'confirm':
      return '确认无误请在命令后加「确认」。';
    case 'product_setting':
      return `请先设置：商品 修改 ${fix.product.name} 小数位=${fix.value}。`;
    case 'cost_adjustment':
      return `请先发「成本调整 ${fix.product.sku} <正确单价>」修正（数量为 0 时调整为 0），再重试。`;
    case 'force':
      return '请选择「强制过账」（force）';
    case 'pack_precision':
      return `例如 包装=${fix.packUnit}:${fix.packFactor}；确需按小数计${fix.baseUnit}，请同时设置 小数位=${fix.qtyDecimals}`;
    case 'line_amount':
      return `金额=${fix.example}`;
    case 'cost_adjust_request':
      return costAdjustCommand(fix);
    case 'reverse_later_first':
      return fix.receipt
        ? `要改单价请用「${costAdjustCommand({ docNo: fix.docNo, unitPrice: '<正确单价>' })}」；要退货请先红冲后来的出库单（例如 红冲 ${fix.firstLater}），再红冲这张入库单。`
        : `要撤销这张单，请先红冲后来的出库单（例如 红冲 ${fix.firstLater}），再红冲它。`;
    case 'base_unit_change':
      return baseUnitChangeCommands(fix);
  }
};

/** base_unit_change in chat words: 「商品 修改 … 包装=…」 for a pack, 「商品 新增 …」 for a new product. */
function baseUnitChangeCommands(f: BaseUnitChangeFix): string {
  const { product: p, baseUnit: base, to } = f;
  const create = (pack: string) => `商品 新增 ${p.sku}-2 ${p.name} 单位=${to}${pack}`;
  const fresh = (pack: string) => `• 确要按「${to}」记账：新建商品（例如 ${create(pack)}），把旧商品的库存出库或盘点清零后不再使用。`;
  switch (f.relation) {
    case 'same':
      return `• 「${to}」和「${base}」是同一个单位，不用修改：数量写成 5${base} 或 5 即可。`;
    case 'smaller': {
      const setting = f.setting ? `（${base} 现在最多 ${f.setting.current} 位小数，要精确到 1 ${to} 请同时设置 商品 修改 ${p.sku} 小数位=${f.setting.needed}）` : '';
      return [
        `• 仍按「${base}」记账：把${to}换算成${base}写，例如 25${to} 写成 ${f.example}${base}${setting}；`,
        fresh(` 包装=${base}:${f.factor}（1 ${base} = ${f.factor} ${to}）`),
      ].join('\n');
    }
    case 'larger':
      return [`• 只想按「${to}」录入：设置包装，例如 商品 修改 ${p.sku} 包装=${to}:${f.factor}（1 ${to} = ${f.factor} ${base}）；`, fresh('')].join('\n');
    case 'unknown':
      return [
        `• 若 1 ${to} 里有多个「${base}」：只想按「${to}」录入，设置包装，例如 商品 修改 ${p.sku} 包装=${to}:<每${to}多少${base}>；`,
        `• 若 1 ${base} 里有多个「${to}」：「${to}」比「${base}」小，不能做包装；新建商品按「${to}」记账、以「${base}」为包装（例如 ${create(` 包装=${base}:<每${base}多少${to}>`)}），` +
          `再把库存移过去：旧商品出库或盘点清零，新商品入库同样多的货（按${to}计），旧商品不再使用。`,
      ].join('\n');
  }
}

/** 「成本调整 RK20261125-0001 A001 2.5」: the command's positional order (receipt, product, price). */
const costAdjustCommand = (f: { product?: string; docNo?: string; unitPrice: string }): string =>
  ['成本调整', f.docNo, f.product, f.unitPrice].filter(Boolean).join(' ');

/** A domain error's message as chat and cards show it: its fix, if any, in chat words. */
export const chatMessage = (e: DomainError): string => wordFix(e, CHAT_FIX_WORDING);

interface Candidate {
  id?: number;
  sku?: string;
  name?: string;
  label?: string;
  spec?: string | null;
  model?: string | null;
}

/** A domain error as a chat answer; an ambiguous name lists numbered candidates. */
export function renderDomainError(e: DomainError): string {
  const d = e.details ?? {};
  const cands = (d.candidates ?? d.matches) as Candidate[] | undefined;
  if (e.code === 'ambiguous' && Array.isArray(cands) && cands.length && !/\n1\. /.test(e.message)) {
    const lines = cands.slice(0, 10).map((c, i) => {
      const label = c.label ?? [c.sku, c.name, c.spec, c.model].filter(Boolean).join(' ');
      return `${i + 1}. ${label}`;
    });
    const hint = cands[0]?.sku ? `\n请用编码重新发送，例如把名称换成「${cands[0].sku}」。` : '';
    const msg = /候选|哪一个|哪个/.test(e.message) ? e.message : `${e.message}\n找到多个，请指明是哪一个：`;
    return `${msg}\n${lines.join('\n')}${hint}`;
  }
  return chatMessage(e);
}

/** "-5 个（-5 个）" → "-5 个": the pack-unit hint only when it says something new. */
export function tidyQty(s: string): string {
  const m = s.match(/^(-?)([\d.]+ \S+)（-?([\d.]+ \S+)）$/);
  return m && m[2] === m[3] ? m[1] + m[2] : s;
}

/**
 * "螺丝M6（A001）" as posted; "螺丝M6（A001；现名 不锈钢螺丝M6）" when renamed since. A posted
 * document keeps the name it was posted with (stock_moves snapshot); the current name is added
 * so the line can still be found by what people call the product today.
 */
export function postedProductText(l: { name: string; sku: string; currentName?: string | null; currentSku?: string | null }): string {
  const now = [l.currentName ? `现名 ${l.currentName}` : null, l.currentSku ? `现编码 ${l.currentSku}` : null].filter(Boolean).join('，');
  return `${l.name}（${l.sku}${now ? `；${now}` : ''}）`;
}

/**
 * A domain error carries a Chinese message meant for the user (what was wrong and how to
 * write it) and a stable code for adapters (REST status, card toast, tests). Services throw
 * these; adapters only translate. Anything else escaping a service is a bug: adapters log it
 * with a reference (errorReference) and show the user that reference, never a bare "try later".
 */
export type DomainErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'ambiguous'
  | 'conflict'
  | 'insufficient_stock'
  | 'forbidden'
  | 'unknown_user'
  | 'already_reversed'
  | 'stale'
  /**
   * The change is allowed but rewrites how something existing reads (a new pack size while
   * stock is on hand): the service refuses until the input carries `confirm: true`.
   */
  | 'needs_confirmation';

export class DomainError extends Error {
  constructor(
    public readonly code: DomainErrorCode,
    /** User-facing, Chinese first. */
    message: string,
    /** Structured detail for adapters (e.g. candidates of an ambiguous name, available qty). */
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

// No 0/O, 1/I/L: a reference is read aloud or retyped from a phone screen.
const REF_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * A short reference for an unexpected error ("E7F3K2"): logged with the error and shown to the
 * user, so an admin can find the log line from what the user quotes. Six characters from a
 * 31-letter alphabet: ~900 million values, plenty to tell one day's errors apart.
 */
export function errorReference(): string {
  // Web Crypto: the same on Node and Workers. The modulo bias (256 % 31) is irrelevant for a label.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(5));
  return 'E' + [...bytes].map((b) => REF_ALPHABET[b % REF_ALPHABET.length]).join('');
}

/** What the user sees for an unexpected error: nothing saved, and the reference to quote. */
export function unexpectedErrorText(ref: string, what?: string): string {
  return `${what ? `处理「${what}」时` : ''}出错了（参考编号 ${ref}），没有保存任何改动。请把编号发给管理员。`;
}

// ───────────── the way out, as data ─────────────

/**
 * How the user gets past a refusal, as data (`details.fix`), so each adapter can say it in its
 * own terms: chat names a command (「在命令后加「确认」」, 「商品 修改 彩带 小数位=4」), REST
 * names a field ("confirm": true, PATCH /products/CD01 {"qtyDecimals": 4}).
 * - confirm: send the same input again, confirmed (`confirm: true`; chat: the word 确认).
 * - product_setting: change a product's field first (`field` as in the canonical product input).
 * - cost_adjustment: correct the product's stock value first with a 成本调整 (inventory.cost-adjust).
 * The kinds above are worded as the sentence that ends the message. The kinds below are worded
 * as a phrase inside it (the service's own sentence around them):
 * - force: post the stocktake anyway (`force: true`; chat: the 强制过账 choice).
 * - pack_precision: write the pack factor as `packFactor` (an allowed example), or allow more
 *   decimals in the same input (`qtyDecimals`).
 * - line_amount: give the line's total (`amount`, yuan text) instead of a unit price; `example`
 *   is shown as the value ('…' for "some amount").
 * - cost_adjust_request: the 成本调整 to send (inventory.cost-adjust input: product and/or
 *   receipt docNo, unitPrice in yuan per base unit or a <placeholder>).
 * - reverse_later_first: a document whose goods later documents took: reverse those first
 *   (`firstLater`, the earliest, or a placeholder); for a receipt also the 成本调整 to change
 *   only its price.
 * - base_unit_change: what to do instead of changing the base unit of a product with ledger
 *   history (sentence kind: bullet lines, the last ending with 。). See BaseUnitChangeFix.
 */
export type DomainFix =
  | { kind: 'confirm' }
  | { kind: 'product_setting'; product: { sku: string; name: string }; field: 'qtyDecimals'; value: number }
  | { kind: 'cost_adjustment'; product: { sku: string } }
  | { kind: 'force' }
  | { kind: 'pack_precision'; packUnit: string; packFactor: string; baseUnit: string; qtyDecimals: number }
  | { kind: 'line_amount'; example: string }
  | { kind: 'cost_adjust_request'; product?: string; docNo?: string; unitPrice: string }
  | { kind: 'reverse_later_first'; docNo: string; firstLater: string; receipt: boolean }
  | BaseUnitChangeFix;

/**
 * The way out of a refused base-unit change (`baseUnit` → `to`), by how the two units relate
 * (src/inventory/units.ts baseUnitChangeFix works it out):
 * - same: `to` is another name of the base unit; nothing to change.
 * - smaller (米 → 厘米): keep the base unit and write `example` (25 `to` in base units, "0.25"),
 *   with `setting` when the product's decimal places (`current`) do not reach one `to`
 *   (`needed`); or a new product counted in `to` whose pack is the base unit, `factor` `to`
 *   per base unit ("100").
 * - larger (米 → 公里): a pack `to` of `factor` base units ("1000"); or a new product in `to`.
 * - unknown (瓶 → 毫升, 个 → 盒: no fixed sizes): both readings, with placeholders: if one `to`
 *   holds several base units, a pack `to`; if one base unit holds several `to`, a new product
 *   counted in `to` with the base unit as its pack, the stock moved over.
 */
export interface BaseUnitChangeFix {
  kind: 'base_unit_change';
  product: { sku: string; name: string };
  baseUnit: string;
  to: string;
  relation: 'same' | 'smaller' | 'larger' | 'unknown';
  /** smaller: `to` per base unit; larger: base units per `to`; decimal text. */
  factor?: string;
  /** smaller: 25 `to` written in base units, decimal text. */
  example?: string;
  /** smaller, when one `to` needs more decimal places than the product allows. */
  setting?: { current: number; needed: number };
}

/**
 * An adapter's words for a fix: the sentence that ends the message (with its own 。), or for
 * the phrase kinds (see DomainFix) the phrase, without punctuation around it.
 */
export type FixWording = (fix: DomainFix) => string;

/** A request body as the default words show it: {"product": "A001", "unitPrice": "2.5"}. */
const bodyText = (fields: Record<string, string | undefined>): string =>
  `{${Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`;

const costAdjustRequest = (f: { product?: string; docNo?: string; unitPrice: string }): string =>
  `POST /cost-adjustments ${bodyText({ docNo: f.docNo, product: f.product, unitPrice: f.unitPrice })}`;

/**
 * The default words: the use cases' canonical input (field names, what REST and the OpenAPI
 * document speak). A DomainError built with `domainErrorWithFix` ends with these; other
 * adapters swap them for their own (`wordFix`).
 */
export const INPUT_FIX_WORDING: FixWording = (fix) => {
  switch (fix.kind) {
    case 'confirm':
      return '确认无误请在请求里加 "confirm": true 再提交一次。';
    case 'product_setting':
      return `请先修改商品的 ${fix.field}：PATCH /products/${fix.product.sku} {"${fix.field}": ${fix.value}}。`;
    case 'cost_adjustment':
      return `请先用成本调整修正：POST /cost-adjustments {"product": "${fix.product.sku}", "unitPrice": "<正确单价>"}（数量为 0 时调整为 0），再重试。`;
    case 'force':
      return '请在请求里加 "force": true（强制过账）再提交一次';
    case 'pack_precision':
      return `例如 "packUnit": "${fix.packUnit}", "packFactor": "${fix.packFactor}"；确需按小数计${fix.baseUnit}，请同时设置 "qtyDecimals": ${fix.qtyDecimals}`;
    case 'line_amount':
      return `"amount": "${fix.example}"`;
    case 'cost_adjust_request':
      return costAdjustRequest(fix);
    case 'reverse_later_first': {
      const reverse = (docNo: string) => `POST /documents/${docNo}/reversal`;
      return fix.receipt
        ? `要改单价请用成本调整：${costAdjustRequest({ docNo: fix.docNo, unitPrice: '<正确单价>' })}；要退货请先红冲后来的出库单（例如 ${reverse(fix.firstLater)}），再红冲这张入库单（${reverse(fix.docNo)}）。`
        : `要撤销这张单，请先红冲后来的出库单（例如 ${reverse(fix.firstLater)}），再红冲它（${reverse(fix.docNo)}）。`;
    }
    case 'base_unit_change':
      return baseUnitChangeInput(fix);
  }
};

/** base_unit_change in request words: the PATCH of a pack, the POST of a new product. */
function baseUnitChangeInput(f: BaseUnitChangeFix): string {
  const { product: p, baseUnit: base, to } = f;
  const patch = (fields: Record<string, string | undefined>) => `PATCH /products/${p.sku} ${bodyText(fields)}`;
  const create = (fields: Record<string, string | undefined>) => `POST /products ${bodyText({ name: p.name, sku: `${p.sku}-2`, baseUnit: to, ...fields })}`;
  const retire = '把旧商品的库存出库或盘点清零后不再使用。';
  switch (f.relation) {
    case 'same':
      return `• 「${to}」和「${base}」是同一个单位，不用修改：数量写成 "qty": "5" 或 "5${base}" 即可。`;
    case 'smaller': {
      const setting = f.setting
        ? `（${base} 现在最多 ${f.setting.current} 位小数，要精确到 1 ${to} 请同时设置 PATCH /products/${p.sku} {"qtyDecimals": ${f.setting.needed}}）`
        : '';
      return [
        `• 仍按「${base}」记账：把${to}换算成${base}写，例如 25${to} 写成 ${f.example}${base}（"qty": "${f.example}"）${setting}；`,
        `• 确要按「${to}」记账：新建商品（例如 ${create({ packUnit: base, packFactor: f.factor })}，1 ${base} = ${f.factor} ${to}），${retire}`,
      ].join('\n');
    }
    case 'larger':
      return [
        `• 只想按「${to}」录入：设置包装，例如 ${patch({ packUnit: to, packFactor: f.factor })}（1 ${to} = ${f.factor} ${base}）；`,
        `• 确要按「${to}」记账：新建商品（例如 ${create({})}），${retire}`,
      ].join('\n');
    case 'unknown':
      return [
        `• 若 1 ${to} 里有多个「${base}」：只想按「${to}」录入，设置包装，例如 ${patch({ packUnit: to, packFactor: `<每${to}多少${base}>` })}；`,
        `• 若 1 ${base} 里有多个「${to}」：「${to}」比「${base}」小，不能做包装；新建商品按「${to}」记账、以「${base}」为包装（例如 ${create({ packUnit: base, packFactor: `<每${base}多少${to}>` })}），` +
          `再把库存移过去：旧商品出库或盘点清零，新商品入库同样多的货（按${to}计），旧商品不再使用。`,
      ].join('\n');
  }
}

/**
 * A DomainError whose message is `what` followed by the fix in INPUT_FIX_WORDING; `details.fix`
 * carries the fix for adapters that word it otherwise (see wordFix).
 */
export function domainErrorWithFix(code: DomainErrorCode, what: string, fix: DomainFix, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(code, what + INPUT_FIX_WORDING(fix), { ...details, fix });
}

/**
 * A DomainError whose fix is a phrase inside the message (the phrase kinds of DomainFix):
 * `message` gets the fix's default words (INPUT_FIX_WORDING) as its argument and returns the
 * whole message; `details.fix` carries the fix for adapters that word it otherwise (wordFix).
 * E.g. a cost_adjust_request with (w) => '…请发「' + w + '」。'.
 */
export function domainErrorWithFixIn(code: DomainErrorCode, fix: DomainFix, message: (fixWords: string) => string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError(code, message(INPUT_FIX_WORDING(fix)), { ...details, fix });
}

const isFix = (f: unknown): f is DomainFix => typeof f === 'object' && f !== null && typeof (f as { kind?: unknown }).kind === 'string';

/**
 * `e`'s message with its fix said in `wording` instead of the default words. Works on a
 * message a wrapper prefixed (「第 2 行：…」) or suffixed: only the default words (their last
 * occurrence: the ending, or the phrase inside the message) are replaced. A message without
 * `details.fix`, or without the default words, comes back unchanged.
 */
export function wordFix(e: DomainError, wording: FixWording): string {
  const fix = e.details?.fix;
  if (!isFix(fix)) return e.message;
  const dflt = INPUT_FIX_WORDING(fix);
  const at = e.message.lastIndexOf(dflt);
  return at < 0 ? e.message : e.message.slice(0, at) + wording(fix) + e.message.slice(at + dflt.length);
}

/**
 * Command arguments as people type them: positional words, `键=值` options, `@仓库` names and
 * flags. Keys have Chinese and English aliases. Money in yuan becomes whole fen exactly
 * (string arithmetic via src/shared/money.ts, never floats).
 */
import { UsageError } from '../commands/registry.js';
import { priceYuanToFen, yuanToFen } from '../../src/shared/money.js';
import { NumberCommaError, costText, stripThousands } from '../../src/shared/decimal.js';
import { isUnitWord } from '../../src/inventory/units.js';
import { humanQty, isChineseQuantity } from '../../src/kernel/human-input.js';
import { AMOUNT_MAX_FEN, AMOUNT_RANGE_MESSAGE } from '../../src/shared/limits.js';

export interface Args {
  positional: string[];
  /** Canonical key → value. */
  options: Map<string, string>;
  /** "@主仓" → "主仓" (mention placeholders are kept apart in `mentions`). */
  at: string[];
  /**
   * Mention placeholders in order ("@_user_1", "@_all"): colleagues, for a command that takes a
   * person (CommandSpec.takesPerson). Other commands never receive any: bot/messages.ts removes
   * them, and the bot's own mention, before parsing.
   */
  mentions: string[];
  flags: Set<string>;
}

export interface ArgSpec {
  /** Accepted option keys: canonical → aliases (case-insensitive). */
  options?: Record<string, string[]>;
  /** Bare words that are flags: canonical → aliases. */
  flags?: Record<string, string[]>;
  /**
   * A `键=值` whose key is no option of the command is an ordinary word (default: refused with
   * the options): for commands whose trailing words are a remark (出库 … 客户：华强=急单), where
   * options are recognised only by their known names.
   */
  unknownOptionsAreWords?: boolean;
  /**
   * Options whose value is free text that runs on over the following words (default: 备注 and
   * 原因, when the command has them): 备注=客户说 明天 A=B → 「客户说 明天 A=B」.
   */
  textOptions?: readonly string[];
}

/** Free-text options by default (ArgSpec.textOptions). */
const TEXT_OPTIONS = ['备注', '原因'];

/** Feishu's mention placeholders; @_all (@所有人) too, so it is never read as a warehouse named "_all". */
const MENTION = /^@_(?:user_\d+|all)$/;

/**
 * Tokens → positional words, options, @names, mentions and flags. The rule for `=`:
 * - `键=值` is an option only when 键 is one of the command's option names or aliases
 *   (case-insensitive); the value is everything after the first `=` (备注=A=B → 「A=B」);
 * - after a free-text option (ArgSpec.textOptions: 备注, 原因) every following word belongs to
 *   its text — an unknown `x=y` too (备注=客户说 A=B → 「客户说 A=B」) — until a known option,
 *   a flag or an @name;
 * - elsewhere an unknown `x=y` is refused, naming the command's options: it is most likely a
 *   misspelt option (送货单=123), and dropping or filing it silently would change what is posted.
 */
export function parseArgs(tokens: string[], spec: ArgSpec = {}): Args {
  const optAlias = new Map<string, string>();
  for (const [k, aliases] of Object.entries(spec.options ?? {})) for (const a of [k, ...aliases]) optAlias.set(a.toLowerCase(), k);
  const flagAlias = new Map<string, string>();
  for (const [k, aliases] of Object.entries(spec.flags ?? {})) for (const a of [k, ...aliases]) flagAlias.set(a.toLowerCase(), k);
  const textOptions = new Set(spec.textOptions ?? TEXT_OPTIONS);
  const out: Args = { positional: [], options: new Map(), at: [], mentions: [], flags: new Set() };
  /** The free-text option the words now run on into, if any. */
  let text: string | null = null;
  for (const t of tokens) {
    if (MENTION.test(t)) {
      out.mentions.push(t);
      continue;
    }
    if (t.startsWith('@')) {
      const name = t.slice(1).trim();
      if (!name) throw new UsageError('「@」后面要写仓库名，例如 @主仓库');
      out.at.push(name);
      text = null;
      continue;
    }
    const eq = t.indexOf('=');
    const canonical = eq > 0 ? optAlias.get(t.slice(0, eq).toLowerCase()) : undefined;
    if (canonical) {
      const v = t.slice(eq + 1).trim();
      if (!v) throw new UsageError(`「${t.slice(0, eq)}=」后面缺少内容`);
      // Twice is never read as "the last one wins": 包装=盒:1000 包装=箱:20000 would drop a pack silently.
      if (out.options.has(canonical)) throw new UsageError(`「${canonical}=」写了两次（${canonical}=${out.options.get(canonical)} 和 ${canonical}=${v}），只能写一个`);
      out.options.set(canonical, v);
      text = textOptions.has(canonical) ? canonical : null;
      continue;
    }
    const flag = flagAlias.get(t.toLowerCase());
    if (flag) {
      out.flags.add(flag);
      text = null;
      continue;
    }
    if (text) {
      out.options.set(text, `${out.options.get(text)} ${t}`);
      continue;
    }
    if (eq > 0 && !spec.unknownOptionsAreWords) {
      const known = Object.keys(spec.options ?? {});
      throw new UsageError(`不认识的选项「${t.slice(0, eq)}」${known.length ? `，可用：${known.join('、')}` : ''}`);
    }
    out.positional.push(t);
  }
  return out;
}

/**
 * Looks like a quantity: starts with a digit (or a sign, to be refused with a clear reason), or
 * is wholly a quantity in Chinese numerals — a numeral alone or with unit words (十, 二十, 两箱,
 * 一箱半). A numeral inside a name (三通, 十字螺丝) is not one: its "unit" is no unit word.
 */
export function looksLikeQty(t: string): boolean {
  // A leading zero (0603, 0805) is a size or part code, never how anyone writes a count: it stays
  // part of the product's name ("出库 电容 0603 10" is 10 of 电容 0603).
  return (/^[-+−]?\.?\d/.test(t) && !LEADING_ZERO.test(t)) || isChineseQuantity(t, isUnitWord);
}

/** "0603", "+007": an integer part with a leading zero ("0.5" is a decimal, not one). */
const LEADING_ZERO = /^[+]?0\d/;

/** A token with Chinese numerals in Arabic (十箱 → 10箱); any other token as it is. */
function arabic(t: string): string;
function arabic(t: string | undefined): string | undefined;
function arabic(t: string | undefined): string | undefined {
  return t !== undefined && isChineseQuantity(t, isUnitWord) ? humanQty(t) : t;
}

/**
 * Looks like a unit written apart from its number ("3 盒", "2 kg"): a known unit word
 * (src/inventory/units.ts), or one Chinese character (a product's own unit such as 根 or 卷 —
 * the service checks it against the product's units and names them when it is not one).
 */
export function looksLikeUnit(t: string): boolean {
  return isUnitWord(t) || /^[\u3400-\u9fff]$/.test(t);
}

/**
 * Check a quantity token before the service converts units: digits with an optional unit
 * ("5", "2箱", "1.5", "2箱3个", "1,000" → "1000"). Zero, negative or absurd values, and a comma
 * that is no thousands separator ("2,5"), get a clear reason. Decimal places per unit are the
 * service's rule (units.ts parseQuantity), not the parser's.
 */
export function checkQty(t: string | undefined, what = '数量'): string {
  if (t === undefined) throw new UsageError(`缺少${what}（例如 5、2箱 或 十箱）`);
  if (LEADING_ZERO.test(t)) throw new UsageError(`${what}「${t}」以 0 开头，像是型号或编码而不是数量：型号请写在商品名里，数量写成 ${t.replace(/^\+?0+(?=\d)/, '')} 这样`);
  // Full-width digits and Chinese numerals by the kernel's rule (src/kernel/human-input.ts);
  // a comma is judged as typed first, so the refusal quotes what the user wrote (1，5).
  numberText(t, what);
  const s = numberText(humanQty(t), what);
  if (/^[-−]/.test(s)) throw new UsageError(`${what}必须大于 0（「${t}」是负数）。要退回或冲销请用「红冲 <单号>」`);
  if (!/^\+?\d+(\.\d+)?[^\d\s.]*(\d+(\.\d+)?[^\d\s.]*)*$/.test(s)) throw new UsageError(`${what}「${t}」看不懂，请写成 5、2箱 或 1.5`);
  const n = s.match(/\d+(\.\d+)?/g)!;
  if (n.every((x) => Number(x) === 0)) throw new UsageError(`${what}必须大于 0`);
  if (n.some((x) => x.replace(/\..*/, '').replace(/^0+/, '').length > 12)) throw new UsageError(`${what}「${t}」太大了，请检查`);
  if (n.some((x) => (x.split('.')[1] ?? '').length > 6)) throw new UsageError(`${what}「${t}」小数位太多（最多 6 位）`);
  return s.replace(/^\+/, '');
}

/**
 * Words that mark money, never a unit of quantity: 元 / 块钱 / 圆. NOT a bare 块: it is also a
 * counting unit (主板 单位=块), so "1箱 5块" could be 1 箱 5 块 or ¥5 per 箱 — it stays a unit,
 * and a product without 块 refuses it by name (never a silent guess at money).
 */
const MONEY_WORD = /^(?:元|圆|块钱)$/;
const isMoneyWord = (u: string, _secondPart: boolean) => MONEY_WORD.test(u);

/**
 * The quantity at the head of `rest` as written (Chinese numerals in Arabic: 十箱 → 10箱, 二十 个
 * → 20个), its unit joined even when typed apart:
 * ["3", "盒", …] → "3盒"; ["2箱", "3个"] and ["2", "箱", "3", "个"] → "2箱3个". A second number
 * joins only when it carries a unit (a bare number after a quantity is a price, not a part),
 * and never when that "unit" marks money: ["1箱", "55元"] / ["1箱", "55块"] / ["1箱", "55", "元"]
 * → "1箱" and the price after it (isMoneyWord). Returns the checked quantity text and the words after it.
 */
export function readQty(rest: string[], what = '数量'): { qty: string; rest: string[] } {
  if (!rest.length) return { qty: checkQty(undefined, what), rest: [] };
  let qty = arabic(rest[0]);
  let i = 1;
  for (;;) {
    const endsWithDigit = /\d$/.test(qty);
    const word = rest[i];
    if (word === undefined) break;
    // The first number's unit typed apart ("3 盒", "5 两": 两 here is the unit, not 2); a second part's ("2箱 3 个") is joined below.
    if (endsWithDigit && looksLikeUnit(word) && !isMoneyWord(word, i > 1)) {
      qty += word;
      i++;
      continue;
    }
    // A second part in Chinese numerals ("2箱 三个" → "2箱3个").
    const next = arabic(word);
    // "2箱 3个" / "2箱 3 个": another part, only when it has a unit of its own.
    if (!endsWithDigit && /^\d+(\.\d+)?$/.test(next) && rest[i + 1] !== undefined && looksLikeUnit(rest[i + 1]) && !isMoneyWord(rest[i + 1], true)) {
      qty += next + rest[i + 1];
      i += 2;
      continue;
    }
    const m = next.match(/^\d+(\.\d+)?([^\d\s.]+)$/);
    if (!endsWithDigit && m && looksLikeUnit(m[2]) && !isMoneyWord(m[2], true)) {
      qty += next;
      i++;
      continue;
    }
    break;
  }
  return { qty: checkQty(qty, what), rest: rest.slice(i) };
}

/**
 * Words after a quantity that may be a remark: refused when one looks like a number or a
 * unit — it was meant as part of the entry, and filing it as a remark would silently change
 * what is posted (3 盒 read as 3 个 + remark "盒"). `understood` says what was read so far.
 */
export function remarkWords(words: string[], understood: string, hint: string): string | null {
  const odd = words.find((w) => looksLikeQty(w) || looksLikeUnit(w) || /^[¥￥]?\d/.test(w));
  if (odd !== undefined) {
    throw new UsageError(`我理解为：${understood}；「${odd}」看不懂（像是数量、单位或价格）。${hint}`);
  }
  return words.length ? words.join(' ') : null;
}

/**
 * A typed number with its valid thousands separators removed ("1,000" → "1000", "2箱1,200个");
 * UsageError naming `what` for any other comma between digits ("2,5": 小数请用点号 …), the one
 * reading of commas for every number chat reads (src/shared/decimal.ts stripThousands).
 */
export function numberText(t: string, what: string): string {
  try {
    return stripThousands(t);
  } catch (e) {
    if (e instanceof NumberCommaError) throw new UsageError(`${what}${e.message}`);
    throw e;
  }
}

/** Yuan text → whole fen (amounts: 2 decimals), with the command's own wording on error. */
export function moneyFen(t: string, what: string): bigint {
  numberText(t, what);
  try {
    const fen = yuanToFen(t);
    if (fen < 0n) throw new RangeError('negative');
    // The one bound the shared schema applies too (src/shared/limits.ts): chat must not disagree.
    if (fen > AMOUNT_MAX_FEN) throw new UsageError(`${what}「${t}」${AMOUNT_RANGE_MESSAGE}`);
    return fen;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${what}「${t}」格式不对，请写成 12 或 12.50（单位：元，金额最多两位小数，不能为负）`);
  }
}

/**
 * A unit price typed in yuan (up to 6 decimals: 进价=0.002) → fen per unit as canonical text
 * ("0.2"), with the command's own wording on error.
 */
export function priceFen(t: string, what: string): string {
  numberText(t, what);
  try {
    return costText(priceYuanToFen(t));
  } catch {
    throw new UsageError(`${what}「${t}」格式不对，请写成 12.5 或 0.002（单位：元，单价最多 6 位小数，不能为负）`);
  }
}

/** A price token as typed: 6.5, ¥6.5, 6.5元, 55块, 6.5/箱, 6.5元/箱, 1,200 (and 2,5, to be refused as a price, not as a remark). */
export function looksLikePrice(t: string): boolean {
  return /^[¥￥]?\d+(?:[,，]\d+)*(\.\d+)?(?:元|块钱)?(\/\S+)?$/.test(t);
}

/** Split positional words into "the product" (possibly several words) and the rest from the first quantity on. */
export function splitProductAndQty(pos: string[]): { product: string | undefined; rest: string[] } {
  if (pos.length === 0) return { product: undefined, rest: [] };
  // The first word is always part of the product (a SKU like 3M-001 or a name starting with a digit).
  let i = 1;
  while (i < pos.length && !looksLikeQty(pos[i])) i++;
  return { product: pos.slice(0, i).join(' '), rest: pos.slice(i) };
}

/**
 * The one warehouse a command names with @仓库 (undefined: none, the default warehouse is used);
 * UsageError quoting them when several are written.
 */
export function oneWarehouse(at: readonly string[]): string | undefined {
  if (at.length > 1) throw new UsageError(`只能指定一个仓库，收到了 ${at.map((x) => '@' + x).join(' ')}`);
  return at[0];
}

/**
 * THE human-input normaliser: what people type on a phone (chat messages, card fields) made
 * into the canonical text the use-case schemas take (src/kernel/canonical.ts). It sits in front
 * of those schemas — `invoke` applies `humanInput` when the Caller says `input: 'human'` (chat
 * and cards); REST stays strict (a client sending "２" or "十箱" gets 422, never a guess).
 *
 * What it does, by the KIND of a field (FIELD_KIND below, keyed by field name like validate.ts
 * FIELD_LABEL; a key not listed is 'note', the lightest):
 * - every kind: zero-width characters removed, trimmed;
 * - all but 'note': full-width ASCII → half-width (２４ → 24, Ａ００１ → A001, ＊ → *), the
 *   ideographic space → a space, runs of spaces → one;
 * - 'qty': thousands separators dropped when they are ones (1,000 → 1000; 2,5 is left for the
 *   schema to refuse with the shared rule, src/shared/decimal.ts stripThousands), Chinese
 *   numerals read (readQuantityText: 十箱 → 10箱, 一箱半 → 1.5箱);
 * - 'money': ¥ / ￥ in front and 元 / 块钱 after dropped, thousands separators dropped
 *   ("¥1,200元/箱" → "1200/箱");
 * - 'ref' (product, warehouse…), 'code' (SKU, batch), 'text' (name, spec…), 'unit': the common
 *   rules only — what × / x / * mean in a model number is the product search's business
 *   (src/inventory/search.ts), this only makes the characters plain;
 * - 'note' (remark, reason): the text as typed, trimmed, zero-width characters removed.
 * Idempotent: humanInput(humanInput(x)) deep-equals humanInput(x). Never throws on a value it
 * cannot improve: it is returned as typed, and the schema (or the product-aware check) that
 * runs next explains what is wrong in the user's words.
 */
import { Dec, NumberCommaError, stripThousands } from '../shared/decimal.js';

/** Zero-width space/joiners, BOM and soft hyphen: invisible, pasted from chat apps. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;

/** Zero-width characters removed. */
export function withoutZeroWidth(s: string): string {
  return s.replace(ZERO_WIDTH, '');
}

/** Full-width ASCII (U+FF01–FF5E: １２３ ＡＢＣ ，：＠＝＊) → half-width; the ideographic space → ' '. */
export function toHalfWidth(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}

/** Zero-width removed, half-width, whitespace runs → one space, trimmed: the common rule of every kind but 'note'. */
export function plainText(s: string): string {
  return toHalfWidth(withoutZeroWidth(s)).replace(/\s+/g, ' ').trim();
}

// ───────────── Chinese numerals ─────────────

const DIGIT: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4, 五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const SMALL_UNIT: Readonly<Record<string, bigint>> = { 十: 10n, 拾: 10n, 百: 100n, 佰: 100n, 千: 1000n, 仟: 1000n };
const BIG_UNITS: readonly [string, bigint][] = [['亿', 100_000_000n], ['万', 10_000n]];
/** Characters that may appear in a Chinese number (点 for decimals). */
export const NUMERAL_CHARS = '零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿点';
const NUMERAL_CHAR = new RegExp(`[${NUMERAL_CHARS}]`);

/**
 * A section below 10 000: 三百零五, 二十, 十五 (a leading 十 is 一十), 一百五 (= 150: a last digit
 * right after 百/千 without 零 is one place lower, as people say it). null when not a number
 * (两个 digits in a row, units out of order, 百 without a digit).
 */
function readSection(s: string): bigint | null {
  if (!s) return null;
  let val = 0n;
  let digit: bigint | null = null;
  let lastUnit = 0n;
  let zero = false;
  let any = false;
  for (const ch of s) {
    if (ch in DIGIT) {
      const d = BigInt(DIGIT[ch]);
      if (digit !== null) return null;
      any = true;
      if (d === 0n) {
        if (zero && lastUnit === 0n) return null;
        zero = true;
        continue;
      }
      digit = d;
    } else if (ch in SMALL_UNIT) {
      const u = SMALL_UNIT[ch];
      if (digit === null) {
        // Only 十 may stand without its digit, and only first (十五 = 15, not 三百十).
        if (u !== 10n || any) return null;
        digit = 1n;
      }
      if (lastUnit && u >= lastUnit) return null;
      val += digit * u;
      lastUnit = u;
      digit = null;
      zero = false;
      any = true;
    } else return null;
  }
  if (digit !== null) val += !zero && lastUnit >= 100n ? (digit * lastUnit) / 10n : digit;
  return val;
}

/** A whole number with 万/亿: 两万五千, 一万二 (= 12 000), 十二万. */
function readWhole(s: string, big: readonly [string, bigint][] = BIG_UNITS): bigint | null {
  for (let k = 0; k < big.length; k++) {
    const [ch, mult] = big[k];
    const at = s.indexOf(ch);
    if (at < 0) continue;
    const high = readWhole(s.slice(0, at), big.slice(k + 1));
    if (high === null || high === 0n) return null;
    const lowText = s.slice(at + 1);
    if (!lowText) return high * mult;
    // 一万二 = 12 000: one digit right after 万 is the next place down, as with 一百五.
    if (lowText.length === 1 && lowText in DIGIT && DIGIT[lowText] !== 0) return high * mult + (BigInt(DIGIT[lowText]) * mult) / 10n;
    const low = readWhole(lowText.replace(/^[零〇]/, ''), big.slice(k + 1));
    if (low === null || low >= mult) return null;
    return high * mult + low;
  }
  return readSection(s);
}

/**
 * A Chinese number written whole → decimal text, or null: 十 → "10", 两 → "2", 二十 → "20",
 * 一百五 → "150", 一千二 → "1200", 三百零五 → "305", 两万五 → "25000", 一点五 → "1.5",
 * 零点五 → "0.5". Not numbers: 百 or 千 alone, 二二, 三两 (a number and the unit 两), 一二三.
 *
 * Why our own reader: nzh (the popular one) reads 两 as 0, 一百五 as 105 and returns floats;
 * chinese-numbers-converter reads 三两 as 32. Quantities need the spoken forms above, exact.
 */
export function readChineseNumber(s: string): string | null {
  const dot = s.indexOf('点');
  const whole = readWhole(dot < 0 ? s : s.slice(0, dot));
  if (whole === null) return null;
  if (dot < 0) return whole.toString();
  const frac = [...s.slice(dot + 1)].map((c) => (c in DIGIT && c !== '两' ? String(DIGIT[c]) : null));
  if (!frac.length || frac.some((d) => d === null)) return null;
  const f = frac.join('').replace(/0+$/, '');
  return f ? `${whole}.${f}` : whole.toString();
}

/**
 * Unit words that start with a numeral character: 两千克 is 2 千克 (not 2000 克), 三两 is 3 两.
 * Tried before the longest numeral, so the unit wins.
 */
const NUMERAL_UNITS = ['千克', '千米', '千瓦', '两'];
const ARABIC = /^\d+(?:\.\d+)?/;
/** Magnitudes written after Arabic digits, as people write large counts: 1万 = 10000. */
const MAGNITUDE: Readonly<Record<string, number>> = { 万: 10_000, 千: 1_000, 百: 100 };

/** The number at the head of `s` (Arabic, Chinese or 半), its text and length; null when none. */
function numberAt(s: string): { n: string; len: number } | null {
  const a = ARABIC.exec(s);
  if (a) {
    // 1万, 2.5万, 3千 (but 2千克 is 2 千克: a unit word that starts with the magnitude wins).
    const mag = MAGNITUDE[s[a[0].length]];
    if (mag && !NUMERAL_UNITS.some((u) => s.startsWith(u, a[0].length))) return { n: new Dec(a[0]).times(mag).toFixed(), len: a[0].length + 1 };
    return { n: a[0], len: a[0].length };
  }
  if (s.startsWith('半')) return { n: '0.5', len: 1 };
  let end = 0;
  while (end < s.length && NUMERAL_CHAR.test(s[end])) end++;
  // Prefer a split that leaves a numeral-initial unit word (两千克 → 两 + 千克), then the longest number.
  for (let e = end; e > 0; e--) {
    if (!NUMERAL_UNITS.some((u) => s.startsWith(u, e) && u !== '两')) continue;
    const n = readChineseNumber(s.slice(0, e));
    if (n !== null) return { n, len: e };
  }
  for (let e = end; e > 0; e--) {
    const n = readChineseNumber(s.slice(0, e));
    if (n !== null) return { n, len: e };
  }
  return null;
}

/** A unit run after a number: letters up to the next number (a numeral-initial unit word first). */
function unitAt(s: string): string {
  for (const u of NUMERAL_UNITS) if (s.startsWith(u)) return u;
  const m = new RegExp(`^[^\\d\\s.,${NUMERAL_CHARS}半]*`).exec(s);
  return m ? m[0] : '';
}

const HAS_NUMERAL = new RegExp(`[${NUMERAL_CHARS}半]`);

/** One "number + unit" part of a typed quantity, the number as decimal text (unit '' = none written). */
export interface TypedQtyPart {
  n: string;
  unit: string;
}

/**
 * A quantity with Arabic or Chinese numerals as parts of number + unit: 十箱 → [10 箱],
 * 两箱三个 → [2 箱, 3 个], 二十 个 → [20 个], 一百五 → [150], 三两 → [3 两], 两千克 → [2 千克].
 * 半 (decided here, for every adapter): 半箱 → 0.5 箱, 一箱半 / 1箱半 → 1.5 箱, 三个半 → 3.5 个 —
 * whether half a 个 is allowed stays the product's rule (units.ts parseQuantity refuses it
 * under whole 个, naming the rule). null when the text does not start with a number or a part
 * has none. Which unit words are real is the caller's question (isChineseQuantity).
 */
export function readQuantityParts(text: string): TypedQtyPart[] | null {
  let rest = text.trim();
  if (!rest) return null;
  const parts: TypedQtyPart[] = [];
  while (rest) {
    const num = numberAt(rest);
    if (!num) return null;
    rest = rest.slice(num.len).replace(/^ +/, '');
    let n = num.n;
    const unit = unitAt(rest);
    rest = rest.slice(unit.length);
    if (rest.startsWith('半') && unit && !n.includes('.')) {
      n = `${n}.5`;
      rest = rest.slice(1);
    }
    parts.push({ n, unit });
    rest = rest.replace(/^ +/, '');
  }
  return parts;
}

/** readQuantityParts joined as canonical quantity text ("10箱", "2箱3个", "150"), or null. */
export function readQuantityText(text: string): string | null {
  const parts = readQuantityParts(text);
  return parts && parts.map((p) => p.n + p.unit).join('');
}

/**
 * True when the whole text is a quantity written with Chinese numerals and every unit it names
 * passes `isUnit`: 十, 二十, 两箱, 一箱半 — but not 三通 or 十字螺丝 (通 and 字螺丝 are no unit
 * words: a numeral inside a product name is no quantity). Arabic-only text is not asked here.
 */
export function isChineseQuantity(text: string, isUnit: (unit: string) => boolean): boolean {
  if (!HAS_NUMERAL.test(text)) return false;
  const parts = readQuantityParts(text);
  return parts !== null && parts.every((p) => p.unit === '' || isUnit(p.unit));
}

// ───────────── field kinds ─────────────

/** Valid thousands separators dropped; a comma that is none (2,5) left for the schema's rule. */
function dropThousands(s: string): string {
  try {
    return stripThousands(s);
  } catch (e) {
    if (e instanceof NumberCommaError) return s;
    throw e;
  }
}

/**
 * A quantity as typed → canonical quantity text where it can be written so: "２箱" → "2箱",
 * "1,000" → "1000", "十箱" → "10箱", "5 PCS" stays "5 PCS" (which unit PCS is, is the
 * product's: units.ts). Otherwise as typed (plain), for the schema to refuse.
 */
export function humanQty(typed: string): string {
  const s = dropThousands(plainText(typed));
  if (!HAS_NUMERAL.test(s)) return s;
  return readQuantityText(s) ?? s;
}

/**
 * Money as typed → yuan text: "¥1,200.5元" → "1200.5", "6.5元/箱" → "6.5/箱", "55块钱" → "55".
 * Only the marks are dropped; whatever else is wrong is the schema's to say.
 */
export function humanMoney(typed: string): string {
  const s = plainText(typed);
  const slash = s.indexOf('/');
  const amount = slash < 0 ? s : s.slice(0, slash);
  const per = slash < 0 ? '' : `/${s.slice(slash + 1).trim()}`;
  const bare = amount.replace(/^[¥￥]\s*/, '').replace(/\s*(?:元|块钱)$/, '').trim();
  return dropThousands(bare) + per;
}

/** How a field's text is read (see the file comment). */
export type HumanFieldKind = 'qty' | 'money' | 'ref' | 'code' | 'text' | 'unit' | 'note';

/**
 * Field name → kind, for every use case (like validate.ts FIELD_LABEL). Nested objects and
 * lists are walked: `lines[].qty` is a qty, `products[]` refs, `aliases[]` text,
 * `unitAliases` {alias: unit} units on both sides.
 */
export const FIELD_KIND: Readonly<Record<string, HumanFieldKind>> = {
  qty: 'qty',
  safetyStock: 'qty',
  packFactor: 'qty',
  unitPrice: 'money',
  amount: 'money',
  purchasePrice: 'money',
  salePrice: 'money',
  totalValue: 'money',
  product: 'ref',
  products: 'ref',
  warehouse: 'ref',
  from: 'ref',
  to: 'ref',
  q: 'ref',
  user: 'ref',
  sku: 'code',
  barcode: 'code',
  batchNo: 'code',
  batch: 'code',
  docNo: 'code',
  code: 'code',
  stocktake: 'code',
  qtyDecimals: 'code',
  leadTimeDays: 'code',
  name: 'text',
  model: 'text',
  spec: 'text',
  category: 'text',
  aliases: 'text',
  baseUnit: 'unit',
  packUnit: 'unit',
  unit: 'unit',
  unitAliases: 'unit',
  remark: 'note',
  reason: 'note',
};

const BY_KIND: Readonly<Record<HumanFieldKind, (s: string) => string>> = {
  qty: humanQty,
  money: humanMoney,
  ref: plainText,
  code: plainText,
  text: plainText,
  unit: plainText,
  note: (s) => withoutZeroWidth(s).trim(),
};

/** One typed value of a field of `kind` → its canonical text (see the file comment). */
export function humanValue(kind: HumanFieldKind, typed: string): string {
  return BY_KIND[kind](typed);
}

function walk(v: unknown, kind: HumanFieldKind): unknown {
  if (typeof v === 'string') return humanValue(kind, v);
  if (Array.isArray(v)) return v.map((x) => walk(x, kind));
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    // A map under a kinded key ({pcs: 个} under unitAliases): keys and values of that kind.
    if (kind !== 'note') return Object.fromEntries(Object.entries(v).map(([k, x]) => [humanValue(kind, k), walk(x, kind)]));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, FIELD_KIND[k] ?? 'note')]));
  }
  return v;
}

/**
 * A use case's input as chat or a card produced it → the same input with every text field
 * normalised by its kind (FIELD_KIND). Plain objects and lists are walked; other values
 * (numbers, booleans, dates) are kept.
 */
export function humanInput<T>(input: T): T {
  return walk(input, 'note') as T;
}

/**
 * What people type on a phone, made regular before parsing:
 * - full-width ASCII (１２３ ＡＢＣ ，：＠＝) → half-width; ideographic space → space;
 * - Chinese punctuation used as separators (，、；。) → space; Chinese colon → ':';
 * - a comma (，or ,) between the digits of a number stays in the number (1,000; 2,5 is refused
 *   later by the number readers, not split); a comma (，, or 、) inside an option's value stays
 *   in the value when no other option follows it (别名=杜邦线20,DP20 is one list, 备注=红色、
 *   蓝色 one remark; 单位=个，进价=0.35 is two options); other commas → space;
 * - smart quotes → plain quotes; zero-width characters removed;
 * - runs of whitespace → one space, trimmed.
 * Chinese text itself is left alone. Idempotent: normalize(normalize(s)) === normalize(s).
 * Full-width and zero-width characters are read by the kernel's rule (src/kernel/human-input.ts),
 * the same functions the card normaliser and the use cases' human input use.
 */
import { COMMA_NUMBER } from '../../src/shared/decimal.js';
import { toHalfWidth, withoutZeroWidth } from '../../src/kernel/human-input.js';

const PUNCT: Record<string, string> = {
  '，': ' ',
  '、': ' ',
  '；': ' ',
  '。': ' ',
  '：': ':',
  '“': '"',
  '”': '"',
  '‘': "'",
  '’': "'",
  '（': '(',
  '）': ')',
  '【': '[',
  '】': ']',
  '～': '~',
  '—': '-',
  '－': '-',
  '\u3000': ' ',
};

export { toHalfWidth };

/**
 * A comma (，,、) right inside an option's value, followed by more of the value rather than by
 * another `键=`: kept as ',' (、 as is), so the value stays one token. Marked before the
 * separators are turned into spaces.
 */
const VALUE_COMMA = /(=[^\s=，,、]*(?:[，,、][^\s=，,、]+(?=[\s，,、]|$))*)/g;
/** Marks a kept ',' (just before it) and stands for a kept 、 until the separators are done. */
const KEEP = '\u0001';
const KEEP_DUN = '\u0002';

function keepValueCommas(s: string): string {
  return s.replace(VALUE_COMMA, (run) => run.replace(/[，,、]/g, (c) => (c === '、' ? KEEP_DUN : KEEP + ',')));
}

/** A number with commas (kept whole) or a lone comma (a separator). */
const NUMBER_OR_COMMA = new RegExp(`(${COMMA_NUMBER.source})|,`, 'g');

export function normalizeText(input: string): string {
  const text = withoutZeroWidth(input);
  // A remark (备注=, 原因=) is kept as typed — its commas, colons and full-width text are the
  // user's words (客户：华强北, 急, A=B), not separators: only its spaces are tidied. Options and
  // @仓库 after it still read (bot/parse/args.ts ends a remark at the next known one).
  const remark = REMARK_KEY.exec(text);
  if (!remark) return normalizeCommand(text);
  const at = remark.index + remark[1].length;
  const value = text.slice(at + remark[0].length - remark[1].length).replace(/[\s\u3000\u00a0]+/g, ' ').trim();
  return `${normalizeCommand(text.slice(0, at))} ${toHalfWidth(remark[2])}=${value}`.trim();
}

/** Where a free-text option starts: 备注= / 原因= (and English names; full-width ＝ too). */
export const REMARK_KEY = /(^|[\s，,、；;])(备注|原因|remark|note|reason)\s*[=＝]/i;

/** normalizeText of everything but a remark. */
function normalizeCommand(input: string): string {
  let s = input;
  // A full-width comma between digits may be inside a number (1，5): kept as a comma for now.
  s = s.replace(/([0-9０-９])，(?=[0-9０-９])/g, '$1,');
  s = toHalfWidth(s.replace(/＝/g, '='));
  s = keepValueCommas(s);
  s = s.replace(/[，、；。：“”‘’（）【】～—－\u3000]/g, (c) => PUNCT[c] ?? c);
  // A comma between the digits of a number belongs to the number (1,000 but also 2,5): the number
  // readers accept only thousands separators and refuse the rest with a clear message
  // (src/shared/decimal.ts stripThousands) — never a silent split into two numbers (2,5 → 2 and 5).
  // Any other comma ("螺丝,5", "A001,5": a code, then a word) separates words.
  s = s.replace(NUMBER_OR_COMMA, (_m, run: string | undefined, at: number, all: string) => run ?? (all[at - 1] === KEEP ? ',' : ' '));
  s = s.replace(/\u0001/g, '').replace(/\u0002/g, '、');
  s = s.replace(/[\t\r\n\f\v\u00a0]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  // "数量 = 5" → "数量=5": key=value pairs written with spaces around '='.
  s = s.replace(/\s*=\s*/g, '=');
  // "@ 主仓" → "@主仓".
  s = s.replace(/@\s+/g, '@');
  // "10@主仓" → "10 @主仓".
  s = s.replace(/([^\s@])@/g, '$1 @');
  return s;
}

/** Tokens separated by spaces; "quoted text" stays one token. */
export function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2]);
  return out;
}

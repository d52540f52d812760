/**
 * What people type on a phone, made regular before parsing:
 * - full-width ASCII (１２３ ＡＢＣ ，：＠＝) → half-width; ideographic space → space;
 * - Chinese punctuation used as separators (，、；。) → space; Chinese colon → ':';
 * - a comma (，or ,) between the digits of a number stays in the number (1,000; 2,5 is refused
 *   later by the number readers, not split); other commas → space;
 * - smart quotes → plain quotes; zero-width characters removed;
 * - runs of whitespace → one space, trimmed.
 * Chinese text itself is left alone. Idempotent: normalize(normalize(s)) === normalize(s).
 */
import { COMMA_NUMBER } from '../../src/shared/decimal.js';

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

/** A number with commas (kept whole) or a lone comma (a separator). */
const NUMBER_OR_COMMA = new RegExp(`(${COMMA_NUMBER.source})|,`, 'g');

export function normalizeText(input: string): string {
  let s = input.replace(/[\u200b-\u200d\ufeff\u00ad]/g, '');
  // A full-width comma between digits may be inside a number (1，5): kept as a comma for now.
  s = s.replace(/([0-9０-９])，(?=[0-9０-９])/g, '$1,');
  s = s.replace(/[，、；。：“”‘’（）【】～—－\u3000]/g, (c) => PUNCT[c] ?? c);
  s = toHalfWidth(s);
  // A comma between the digits of a number belongs to the number (1,000 but also 2,5): the number
  // readers accept only thousands separators and refuse the rest with a clear message
  // (src/shared/decimal.ts stripThousands) — never a silent split into two numbers (2,5 → 2 and 5).
  // Any other comma ("螺丝,5", "A001,5": a code, then a word) separates words.
  s = s.replace(NUMBER_OR_COMMA, (_m, run: string | undefined) => run ?? ' ');
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

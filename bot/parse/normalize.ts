/**
 * What people type on a phone, made regular before parsing:
 * - full-width ASCII (１２３ ＡＢＣ ，：＠＝) → half-width; ideographic space → space;
 * - Chinese punctuation used as separators (，、；。) → space; Chinese colon → ':';
 * - smart quotes → plain quotes; zero-width characters removed;
 * - runs of whitespace → one space, trimmed.
 * Chinese text itself is left alone. Idempotent: normalize(normalize(s)) === normalize(s).
 */

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

export function normalizeText(input: string): string {
  let s = input.replace(/[\u200b-\u200d\ufeff\u00ad]/g, '');
  s = s.replace(/[，、；。：“”‘’（）【】～—－\u3000]/g, (c) => PUNCT[c] ?? c);
  s = toHalfWidth(s);
  // A separator comma between words is a space; a comma inside a number (1,000) stays for the number parser.
  s = s.replace(/,(?!\d{3}\b)/g, ' ');
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

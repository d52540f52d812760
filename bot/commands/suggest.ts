/**
 * "你是不是想…": the closest commands to a message whose first words are no command (issue 10
 * item 7). Only ever a suggestion — the caller answers with it and runs nothing: a guessed 出库
 * that moves stock is worse than a question.
 *
 * What counts as close, from what people actually mistype (best first):
 * - a command glued to its argument: `入库SCR-M3X8 1` → `入库 SCR-M3X8 1` (the longest name or
 *   alias that starts the first word; an English one only when a non-letter follows it, so
 *   `inxyz` is not read as `in`);
 * - a command split by a space: `库 存` → `库存`;
 * - the same pinyin: an IME homophone (`出苦` reads chuku like 出库) or the command typed in
 *   pinyin (`ruku`, `kucun`, initials `rk`; pinyin-pro `match`);
 * - a small edit distance over names and aliases (`stcok` → stock, `销售出货` → 销售出库): at most 1
 *   for short words, 2 for words of six letters or more; never for English words under four
 *   letters (`ot` is not `out`) nor two-character Chinese words (see allowedEdits).
 * Hidden commands (确认, 取消) and commands of switched-off modules are never suggested.
 */
import { match as pinyinMatch, pinyin } from 'pinyin-pro';
import { commandKey, type CommandRegistry, type RegisteredCommand } from './registry.js';

/** One suggested command and the message rewritten with it. */
export interface Suggestion {
  command: RegisteredCommand;
  /** The name or alias the typed words were closest to (as registered: 出库, receive, 采购入库). */
  key: string;
  /** The whole message rewritten with `key`: the line to copy ("出库 螺丝 5"). */
  line: string;
  /** Lower is closer (0 glued/split, 1 pinyin, 2 pinyin initials, 1 + distance for edits). */
  score: number;
}

const CJK = /[\u3400-\u9fff]/;
const LATIN_WORD = /^[a-z]+$/i;

/**
 * Edit distance with adjacent transpositions (optimal string alignment: `stcok` is one edit from
 * `stock`), for words of a few characters — a dependency would outweigh these lines.
 */
function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/**
 * How many edits still count as a typo of `key`; 0: none (only the other rules). Two-character
 * Chinese words get none: one character changed is another word, often the opposite one (出货 is
 * one edit from 收货) — homophones are caught by pinyin instead.
 */
function allowedEdits(key: string): number {
  const n = [...key].length;
  if (CJK.test(key)) return n >= 3 ? 1 : 0;
  if (n < 4) return 0;
  return n >= 6 ? 2 : 1;
}

const tonelessPinyin = (s: string) => pinyin(s, { toneType: 'none', type: 'array' }).join('');

/** Every registered key of the commands that may be suggested, with its command. */
function suggestable(registry: CommandRegistry, disabled: ReadonlySet<string>): { key: string; raw: string; command: RegisteredCommand }[] {
  const out: { key: string; raw: string; command: RegisteredCommand }[] = [];
  for (const c of registry.all()) {
    if (c.hidden || (c.module && disabled.has(c.module))) continue;
    for (const raw of [c.name, ...(c.aliases ?? [])]) {
      // Punctuation aliases (?) are no word anyone misspells.
      if (!/[\p{L}]/u.test(raw)) continue;
      out.push({ key: commandKey(raw), raw, command: c });
    }
  }
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` without its first `words` (typed as `headWords`), or null when it does not start with them. */
function restAfter(text: string, headWords: string[]): string | null {
  const m = text.match(new RegExp(`^\\s*${headWords.map(escapeRe).join('\\s*')}`, 'i'));
  return m ? text.slice(m[0].length).trim() : null;
}

/**
 * How close a typed word is to a key word: 1 same pinyin (homophone, or pinyin typed), 2 pinyin
 * initials, 1 + edits for a typo; null when not close (see the file comment).
 */
function closeness(typed: string, key: string): number | null {
  const t = commandKey(typed);
  if (t === key) return null;
  if (CJK.test(key)) {
    if (CJK.test(t) && [...t].length === [...key].length && tonelessPinyin(t) === tonelessPinyin(key)) return 1;
    if (LATIN_WORD.test(t) && t.length >= 2) {
      const hit = pinyinMatch(key, t, { continuous: true });
      // Initials only (rk) say less than the whole pinyin (ruku).
      if (hit && hit.length === [...key].length) return t.length === hit.length ? 2 : 1;
    }
  }
  const allowed = allowedEdits(key);
  if (!allowed || CJK.test(key) !== CJK.test(t)) return null;
  const d = editDistance(t, key);
  return d <= allowed ? 1 + d : null;
}

/**
 * The closest commands to the start of `text` (normalised message text; `tokens` its words), at
 * most `limit`, closest first, one per command. Empty when nothing is close (see the file
 * comment for what counts).
 */
export function suggestCommands(registry: CommandRegistry, text: string, tokens: string[], opts: { disabled?: ReadonlySet<string>; limit?: number } = {}): Suggestion[] {
  if (!tokens.length) return [];
  const keys = suggestable(registry, opts.disabled ?? new Set());
  const best = new Map<RegisteredCommand, Suggestion>();
  const offer = (s: Omit<Suggestion, 'line'> & { rest: string }) => {
    const cur = best.get(s.command);
    if (cur && cur.score <= s.score) return;
    best.set(s.command, { command: s.command, key: s.key, score: s.score, line: [s.key, s.rest].filter(Boolean).join(' ') });
  };
  const first = tokens[0];
  const firstKey = commandKey(first);

  // Glued: the longest key that starts the first word.
  const glued = keys
    .filter((k) => firstKey.length > k.key.length && firstKey.startsWith(k.key) && !k.key.includes(' '))
    .filter((k) => CJK.test(k.key) || !/[a-z]/i.test(firstKey[k.key.length]))
    .sort((a, b) => b.key.length - a.key.length)[0];
  if (glued) offer({ command: glued.command, key: glued.raw, score: 0, rest: [first.slice(glued.key.length), restAfter(text, [first]) ?? tokens.slice(1).join(' ')].filter(Boolean).join(' ') });

  // Split by spaces: the first two or three words written together are a key.
  for (let n = 2; n <= Math.min(3, tokens.length); n++) {
    const joined = commandKey(tokens.slice(0, n).join(''));
    const hit = keys.find((k) => k.key === joined || k.key.replace(/ /g, '') === joined);
    if (hit) offer({ command: hit.command, key: hit.raw, score: 0, rest: restAfter(text, tokens.slice(0, n)) ?? tokens.slice(n).join(' ') });
  }

  // The first word close to a key's first word (pinyin, then edit distance); a key of several
  // words (盘点 开始) also needs its other words as typed (pandian 开始).
  for (const k of keys) {
    const words = k.key.split(' ');
    if (tokens.length < words.length || words.slice(1).some((w, i) => commandKey(tokens[i + 1]) !== w)) continue;
    const score = closeness(first, words[0]);
    if (score === null) continue;
    offer({ command: k.command, key: k.raw, score, rest: restAfter(text, tokens.slice(0, words.length)) ?? tokens.slice(words.length).join(' ') });
  }

  const order = new Map(registry.all().map((c, i) => [c, i]));
  const list = [...best.values()].sort((a, b) => a.score - b.score || order.get(a.command)! - order.get(b.command)!);
  // A sure hit (glued, split) stands alone: listing weaker guesses next to it only adds noise.
  const sure = list.filter((s) => s.score === 0);
  return (sure.length ? sure : list).slice(0, opts.limit ?? 3);
}

/**
 * The answer to a message that is no command: 你是不是想… with the line to copy, or (nothing
 * close) where to look. `shown` is the first word as typed. Nothing was run either way.
 */
export function unknownCommandText(shown: string, suggestions: Suggestion[]): string {
  const word = shown.length > 20 ? shown.slice(0, 20) + '…' : shown;
  if (!suggestions.length) return `没有「${word}」这个命令。发送「帮助」查看所有命令和例子。`;
  if (suggestions.length === 1) {
    const s = suggestions[0];
    return [`没有「${word}」这个命令，你是不是想用「${s.command.name}」？改正后是：`, s.line, `（没有执行任何操作。确认无误请复制上面这行发送；发送「帮助 ${s.command.name}」查看写法。）`].join('\n');
  }
  return [
    `没有「${word}」这个命令，你是不是想：`,
    ...suggestions.map((s) => `• ${s.command.name}：${s.line}`),
    '（没有执行任何操作。请复制正确的一行发送；发送「帮助」查看所有命令。）',
  ].join('\n');
}

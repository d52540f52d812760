/**
 * Command arguments as people type them: positional words, `键=值` options, `@仓库` names and
 * flags. Keys have Chinese and English aliases. Money in yuan becomes whole fen exactly
 * (string arithmetic via src/shared/money.ts, never floats).
 */
import { UsageError } from '../commands/registry.js';
import { yuanToFen } from '../../src/shared/money.js';

export interface Args {
  positional: string[];
  /** Canonical key → value. */
  options: Map<string, string>;
  /** "@主仓" → "主仓" (mention placeholders are kept apart in `mentions`). */
  at: string[];
  /** Mention placeholders in order ("@_user_1"). */
  mentions: string[];
  flags: Set<string>;
}

export interface ArgSpec {
  /** Accepted option keys: canonical → aliases (case-insensitive). */
  options?: Record<string, string[]>;
  /** Bare words that are flags: canonical → aliases. */
  flags?: Record<string, string[]>;
}

const MENTION = /^@_user_\d+$/;

export function parseArgs(tokens: string[], spec: ArgSpec = {}): Args {
  const optAlias = new Map<string, string>();
  for (const [k, aliases] of Object.entries(spec.options ?? {})) for (const a of [k, ...aliases]) optAlias.set(a.toLowerCase(), k);
  const flagAlias = new Map<string, string>();
  for (const [k, aliases] of Object.entries(spec.flags ?? {})) for (const a of [k, ...aliases]) flagAlias.set(a.toLowerCase(), k);
  const out: Args = { positional: [], options: new Map(), at: [], mentions: [], flags: new Set() };
  for (const t of tokens) {
    if (MENTION.test(t)) {
      out.mentions.push(t);
      continue;
    }
    if (t.startsWith('@')) {
      const name = t.slice(1).trim();
      if (!name) throw new UsageError('「@」后面要写仓库名，例如 @主仓库');
      out.at.push(name);
      continue;
    }
    const eq = t.indexOf('=');
    if (eq > 0) {
      const k = t.slice(0, eq).toLowerCase();
      const canonical = optAlias.get(k);
      if (!canonical) {
        const known = Object.keys(spec.options ?? {});
        throw new UsageError(`不认识的选项「${t.slice(0, eq)}」${known.length ? `，可用：${known.join('、')}` : ''}`);
      }
      const v = t.slice(eq + 1).trim();
      if (!v) throw new UsageError(`「${t.slice(0, eq)}=」后面缺少内容`);
      out.options.set(canonical, v);
      continue;
    }
    const flag = flagAlias.get(t.toLowerCase());
    if (flag) {
      out.flags.add(flag);
      continue;
    }
    out.positional.push(t);
  }
  return out;
}

/** Looks like a quantity: starts with a digit (or a sign, to be refused with a clear reason). */
export function looksLikeQty(t: string): boolean {
  return /^[-+]?\.?\d/.test(t);
}

/**
 * Check a quantity token before the service converts units: digits with an optional unit
 * ("5", "2箱", "1.5", "2箱3个"). Zero, negative or absurd values get a clear reason.
 */
export function checkQty(t: string | undefined, what = '数量'): string {
  if (t === undefined) throw new UsageError(`缺少${what}（写阿拉伯数字，例如 5 或 2箱）`);
  const s = t.replace(/,/g, '');
  if (/^[-−]/.test(s)) throw new UsageError(`${what}必须大于 0（「${t}」是负数）。要退回或冲销请用「红冲 <单号>」`);
  if (!/^\+?\d+(\.\d+)?[^\d\s.]*(\d+(\.\d+)?[^\d\s.]*)*$/.test(s)) throw new UsageError(`${what}「${t}」看不懂，请写成 5、2箱 或 1.5`);
  const n = s.match(/\d+(\.\d+)?/g)!;
  if (n.every((x) => Number(x) === 0)) throw new UsageError(`${what}必须大于 0`);
  if (n.some((x) => x.replace(/\..*/, '').replace(/^0+/, '').length > 12)) throw new UsageError(`${what}「${t}」太大了，请检查`);
  if (n.some((x) => (x.split('.')[1] ?? '').length > 6)) throw new UsageError(`${what}「${t}」小数位太多（最多 6 位）`);
  return s.replace(/^\+/, '');
}

/** Yuan text → whole fen, with the command's own wording on error. */
export function moneyFen(t: string, what: string): bigint {
  try {
    const fen = yuanToFen(t);
    if (fen < 0n) throw new RangeError('negative');
    if (fen > 100_000_000_000n) throw new UsageError(`${what}「${t}」太大了，请检查`);
    return fen;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${what}「${t}」格式不对，请写成 12 或 12.50（单位：元，最多两位小数，不能为负）`);
  }
}

/** Split positional words into "the product" (possibly several words) and the rest from the first quantity on. */
export function splitProductAndQty(pos: string[]): { product: string | undefined; rest: string[] } {
  if (pos.length === 0) return { product: undefined, rest: [] };
  // The first word is always part of the product (a SKU like 3M-001 or a name starting with a digit).
  let i = 1;
  while (i < pos.length && !looksLikeQty(pos[i])) i++;
  return { product: pos.slice(0, i).join(' '), rest: pos.slice(i) };
}

/**
 * Money helpers: fen (分) is the unit everywhere in storage and services; yuan (元) only at the
 * edges (what users type, what cards show).
 */
import { Dec, roundFen } from './decimal.js';

/** "12.5" / "¥12.50" / "12.5元" → 1250n. Refuses more than two decimals rather than guessing. */
export function yuanToFen(text: string | number): bigint {
  const s = String(text).trim().replace(/^[¥￥]/, '').replace(/元$/, '').replace(/,/g, '');
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) {
    throw new RangeError(`金额格式不对：「${text}」。请写成 12 或 12.50（元，最多两位小数）。`);
  }
  return roundFen(new Dec(s).times(100));
}

/** 1250n → "12.50"; accepts the string form services return. */
export function fenToYuan(fen: bigint | string | number): string {
  const v = new Dec(typeof fen === 'bigint' ? fen.toString() : fen);
  return v.dividedBy(100).toFixed(2);
}

/** 1250n → "¥12.50", -1250n → "-¥12.50". */
export function formatFen(fen: bigint | string | number): string {
  const s = fenToYuan(fen);
  return s.startsWith('-') ? `-¥${s.slice(1)}` : `¥${s}`;
}

/**
 * Which line of a document an error is about. A refusal raised while reading line n of a
 * document with several lines (its product, quantity, price, batch) says 「第 n 行：…」 and
 * carries `details.line` (1-based), so chat shows the line and REST adds `errors[].path`
 * `lines.<n-1>`. A one-line document reads as before. The stock check has its own wording
 * (ledger.ts: it also counts what earlier lines took).
 */
import { DomainError, isDomainError } from '../errors.js';

/** `e` about line `n` of `count` lines; anything not a DomainError passes through unchanged. */
export function atLine(e: unknown, n: number, count: number): unknown {
  if (!isDomainError(e) || count < 2 || typeof e.details?.line === 'number') return e;
  return new DomainError(e.code, `第 ${n} 行：${e.message}`, { ...e.details, line: n });
}

/** Run `fn` for line `n` of `count`, naming the line in a refusal (see atLine). */
export function forLine<T>(n: number, count: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw atLine(e, n, count);
  }
}

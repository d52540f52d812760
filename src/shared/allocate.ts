/**
 * Parts that add up to their total. A product's stock value is one exact number (the ledger's
 * sum); a card, report or export that shows it split by warehouse or batch must show parts that
 * sum to that number to the fen — `qty × rounded average` per row does not (3 batches of 1 unit
 * worth ¥1.00 in total would show ¥0.33 × 3 = ¥0.99).
 */
import { Dec } from './decimal.js';

/**
 * Split a whole-fen `total` over parts in proportion to `weights` (largest-remainder method):
 *
 *  1. each part gets ⌊|total| × wᵢ / Σw⌋ fen;
 *  2. the fen still missing (fewer than the number of parts) go one each to the parts with the
 *     largest remainders; equal remainders: the earlier part first;
 *  3. a negative total is split as |total| and every part negated.
 *
 * So Σ parts = total exactly, every part is within 1 fen of its exact share, a zero weight
 * gets 0, and the result depends only on the inputs (order breaks ties). When every weight is
 * 0 (or there are no positive weights) the parts are weighted equally.
 *
 * @param total   whole fen (bigint), any sign
 * @param weights non-negative decimals (quantities, as Dec, decimal text or integers)
 * @returns one bigint per weight, same order; [] for no weights (then total must be 0)
 * @throws RangeError for a negative weight, or a non-zero total with no parts
 */
export function allocate(total: bigint, weights: readonly (Dec | string | number | bigint)[]): bigint[] {
  if (weights.length === 0) {
    if (total !== 0n) throw new RangeError('allocate: a non-zero total needs at least one part');
    return [];
  }
  let w = weights.map((x) => new Dec(typeof x === 'bigint' ? x.toString() : (x as Dec | string | number)));
  if (w.some((x) => x.isNegative())) throw new RangeError('allocate: weights must not be negative');
  let sum = w.reduce((s, x) => s.plus(x), new Dec(0));
  if (sum.isZero()) {
    w = w.map(() => new Dec(1));
    sum = new Dec(w.length);
  }
  const neg = total < 0n;
  const abs = new Dec((neg ? -total : total).toString());
  const parts = w.map((x, i) => {
    const exact = abs.times(x).dividedBy(sum);
    const floor = exact.floor();
    return { i, fen: BigInt(floor.toFixed(0)), rem: exact.minus(floor) };
  });
  let left = BigInt(abs.toFixed(0)) - parts.reduce((s, p) => s + p.fen, 0n);
  const order = [...parts].sort((a, b) => b.rem.comparedTo(a.rem) || a.i - b.i);
  for (const p of order) {
    if (left <= 0n) break;
    p.fen += 1n;
    left -= 1n;
  }
  return parts.map((p) => (neg ? -p.fen : p.fen));
}

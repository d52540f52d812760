/**
 * Which batch a typed batch number means: the batch of exactly that number, else the one batch
 * whose number differs only in letter case (b2409 for B2409 — people type batch numbers on a
 * phone keyboard). Two batches differing only in case are both real: then nothing is guessed.
 */
export function matchBatchNo(typed: string, known: readonly string[]): string | null {
  if (known.includes(typed)) return typed;
  const folded = typed.toLowerCase();
  const same = known.filter((b) => b.toLowerCase() === folded);
  return same.length === 1 ? same[0] : null;
}

/**
 * What goes into a jsonb column or a JSON payload must survive JSON: bigint (money in fen)
 * becomes its decimal string, Date its ISO text, undefined null. Every jsonb write of values
 * that may carry fen (card_tokens context and answers, outbox payloads, audit rows, stored
 * replies) goes through this one function, so a pending 金额=… never crashes a confirmation.
 * Readers get strings back where bigints went in; the input schemas accept both (fenSchema).
 */
export function jsonSafe(v: unknown): unknown {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
}

/** JSON text of `v` under the same rules (for `${…}::jsonb` parameters). */
export function jsonText(v: unknown): string {
  return JSON.stringify(jsonSafe(v));
}

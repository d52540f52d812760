/**
 * Driver-neutral helpers for Postgres errors and transactions. drizzle wraps driver errors
 * (DrizzleQueryError with `cause`), postgres.js and PGlite put the SQLSTATE in `code`.
 */
export function pgErrorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export function pgConstraint(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { constraint_name?: unknown; constraint?: unknown }).constraint_name ?? (cur as { constraint?: unknown }).constraint;
    if (typeof c === 'string') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
const RETRYABLE = new Set(['40001', '40P01']);

/** Thrown inside a transaction to ask withRetry for a clean second attempt. */
export class RetryTransaction extends Error {}

/**
 * Run `fn` (one whole transaction) again when Postgres aborted it for a serialization failure
 * or deadlock. Our lock order makes deadlocks impossible among our own postings; this is the
 * belt to those braces, so a user never sees one.
 */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const retry = e instanceof RetryTransaction || RETRYABLE.has(pgErrorCode(e) ?? '');
      if (!retry || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10 * i)));
    }
  }
}

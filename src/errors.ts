/**
 * A domain error carries a Chinese message meant for the user (what was wrong and how to
 * write it) and a stable code for adapters (REST status, card toast, tests). Services throw
 * these; adapters only translate. Anything else escaping a service is a bug: adapters log it
 * with a reference (errorReference) and show the user that reference, never a bare "try later".
 */
export type DomainErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'ambiguous'
  | 'conflict'
  | 'insufficient_stock'
  | 'forbidden'
  | 'unknown_user'
  | 'already_reversed'
  | 'stale'
  /**
   * The change is allowed but rewrites how something existing reads (a new pack size while
   * stock is on hand): the service refuses until the input carries `confirm: true`.
   */
  | 'needs_confirmation';

export class DomainError extends Error {
  constructor(
    public readonly code: DomainErrorCode,
    /** User-facing, Chinese first. */
    message: string,
    /** Structured detail for adapters (e.g. candidates of an ambiguous name, available qty). */
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

// No 0/O, 1/I/L: a reference is read aloud or retyped from a phone screen.
const REF_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * A short reference for an unexpected error ("E7F3K2"): logged with the error and shown to the
 * user, so an admin can find the log line from what the user quotes. Six characters from a
 * 31-letter alphabet: ~900 million values, plenty to tell one day's errors apart.
 */
export function errorReference(): string {
  // Web Crypto: the same on Node and Workers. The modulo bias (256 % 31) is irrelevant for a label.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(5));
  return 'E' + [...bytes].map((b) => REF_ALPHABET[b % REF_ALPHABET.length]).join('');
}

/** What the user sees for an unexpected error: nothing saved, and the reference to quote. */
export function unexpectedErrorText(ref: string, what?: string): string {
  return `${what ? `处理「${what}」时` : ''}出错了（参考编号 ${ref}），没有保存任何改动。请把编号发给管理员。`;
}

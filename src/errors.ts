/**
 * A domain error carries a Chinese message meant for the user (what was wrong and how to
 * write it) and a stable code for adapters (REST status, card toast, tests). Services throw
 * these; adapters only translate. Anything else escaping a service is a bug (logged, 500).
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
  | 'stale';

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

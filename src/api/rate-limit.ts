/**
 * Rate limit per API token: a token bucket in memory, per app instance. Each token may burst
 * `burst` requests and then `perSecond` a second on average.
 *
 * In memory on purpose (no database round trip per request). Consequences, documented for
 * operators: on Node with one process the limit is exact; on Cloudflare Workers each isolate
 * keeps its own buckets, so the effective limit is per isolate (a busy client spread over N
 * isolates gets up to N × the rate). That is a guard against runaway scripts, not a quota.
 *
 * The clock is injected (deps.now), so tests step time instead of sleeping.
 */

export interface RateLimitOptions {
  /** Sustained requests per second per token (default 10). */
  perSecond: number;
  /** Bucket size: requests a token may send at once (default 30). */
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = Object.freeze({ perSecond: 10, burst: 30 });

/** Outcome of one request. Seconds are whole (rounded up), as the headers carry them. */
export interface RateDecision {
  allowed: boolean;
  /** The bucket size (burst). */
  limit: number;
  /** The sustained rate per second. */
  perSecond: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until one request is allowed (0 when allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Per-token buckets: `take(key, nowMs)` spends one request of `key`'s bucket. */
export interface RateLimiter {
  take(key: string, nowMs: number): RateDecision;
}

/** A limiter with its own buckets (one per process/isolate in production; one per test). */
export function tokenBuckets(opts: RateLimitOptions = DEFAULT_RATE_LIMIT): RateLimiter {
  if (!(opts.perSecond > 0) || !(opts.burst >= 1)) throw new Error('rate limit needs perSecond > 0 and burst >= 1');
  const buckets = new Map<string, Bucket>();
  const perMs = opts.perSecond / 1000;
  return {
    take(key: string, nowMs: number): RateDecision {
      const b = buckets.get(key) ?? { tokens: opts.burst, at: nowMs };
      // A clock that steps back (tests, NTP) refills nothing rather than going negative.
      b.tokens = Math.min(opts.burst, b.tokens + Math.max(0, nowMs - b.at) * perMs);
      b.at = Math.max(b.at, nowMs);
      // Whole requests despite float steps (0.998 + 0.002 may land a hair under 1).
      const allowed = b.tokens >= 1 - 1e-9;
      if (allowed) b.tokens = Math.max(0, b.tokens - 1);
      buckets.set(key, b);
      return {
        allowed,
        limit: opts.burst,
        perSecond: opts.perSecond,
        remaining: Math.floor(b.tokens + 1e-9),
        resetSeconds: Math.ceil((opts.burst - b.tokens) / opts.perSecond),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / opts.perSecond)),
      };
    },
  };
}

/** RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers, the widely read fields) and Retry-After. */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  const h: Record<string, string> = {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(d.resetSeconds),
  };
  if (!d.allowed) h['Retry-After'] = String(d.retryAfterSeconds);
  return h;
}

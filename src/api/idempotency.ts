/**
 * REST `Idempotency-Key`, honoured exactly like a Feishu redelivery: the key is claimed in
 * processed_events (key `rest:<token id>:<Idempotency-Key>`, kind 'rest') as the first
 * statement of the write's unit of work, and the answer is stored there in the same
 * transaction, as `{ requestHash, status, body }`.
 *
 * - Same key, same request (method + path + canonical JSON body) → the stored status and body
 *   again, with `Idempotent-Replayed: true`; nothing runs, so one effect.
 * - Same key, another request → 422 idempotency_key_reused (the client reused a key by mistake).
 * - The same key twice at once: the second INSERT waits on the first's uncommitted row, then
 *   finds it committed and replays (or, if the first rolled back, claims it itself).
 * - Errors are NOT stored: a DomainError (or a crash) rolls the unit back, the claim included,
 *   so a retry with the same key after fixing the input (or stock arriving) can succeed. Only a
 *   success is an effect worth replaying; an error changed nothing.
 * - Stored bodies go through forReplay (src/people/tokens.ts): a shown-once secret is never
 *   written here.
 *
 * Keys are kept as long as processed_events rows (pruned after 7 days with the message keys).
 */
import type { Tx } from '../../db/types.js';
import { claimInboundKeepingResult, storeInboundResult } from '../outbox/inbox.js';
import type { Claim } from '../kernel/unit-of-work.js';
import { forReplay } from '../people/tokens.js';
import { jsonSafe } from '../shared/json.js';

/** What a key's row holds once settled. */
export interface StoredResponse {
  requestHash: string;
  status: number;
  body: unknown;
}

/** Thrown by the claim when the key was used for another request (→ 422). */
export class IdempotencyKeyReused extends Error {
  constructor() {
    super('Idempotency-Key reused for a different request');
    this.name = 'IdempotencyKeyReused';
  }
}

/** JSON with object keys sorted at every level: the same body written two ways hashes the same. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** SHA-256 hex of "METHOD path\n<canonical JSON body>" (WebCrypto: Node and Workers). */
export async function requestHash(method: string, path: string, body: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * An Idempotency-Key is 1–200 visible ASCII characters, no spaces (a UUID is the usual
 * choice): it travels in a header, where anything else is mangled by some client or proxy.
 */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The unit-of-work key of a REST write. */
export const restKey = (tokenId: number, idempotencyKey: string) => `rest:${tokenId}:${idempotencyKey}`;

/** The Claim (src/kernel/unit-of-work.ts) of one REST write; the work's value is the response to store. */
export function restClaim(key: string, hash: string): Claim<StoredResponse> {
  return {
    async claim(tx: Tx) {
      const c = await claimInboundKeepingResult(tx, key, 'rest', { requestHash: hash });
      if (c.claimed) return { fresh: true };
      const stored = c.result as Partial<StoredResponse> | null | undefined;
      if (!stored || stored.requestHash !== hash) throw new IdempotencyKeyReused();
      if (typeof stored.status !== 'number') throw new Error(`processed_events ${key} has no stored response`);
      return { fresh: false, replay: { requestHash: hash, status: stored.status, body: stored.body ?? null } };
    },
    async settle(tx: Tx, value: StoredResponse) {
      const result = { requestHash: value.requestHash, status: value.status, body: jsonSafe(forReplay(value.body)) };
      await storeInboundResult(tx, key, result);
    },
  };
}

/**
 * Inbound Feishu request security (protocol notes §1.2–1.5), in the order Feishu requires:
 *
 * 1. Decrypt `{"encrypt": …}` with FEISHU_ENCRYPT_KEY (the SDK's AESCipher).
 * 2. url_verification is answered right here, BEFORE any signature check: Feishu sends it
 *    without signature headers (SDK issue #67). Its token is still checked when configured.
 * 3. Signature: when an encrypt key is set, `X-Lark-Signature` must equal
 *    sha256hex(timestamp + nonce + encryptKey + RAW body) — over the raw bytes, never a
 *    re-serialisation (the SDK's own check hashes JSON.stringify and can mismatch).
 * 4. Verification token: when set, header.token (schema 2.0) or top-level token (1.0) must match.
 * 5. Freshness: a signed request whose X-Lark-Request-Timestamp is more than REPLAY_WINDOW_S
 *    away from now is refused. Dedupe keys are kept 7 days, so without this a request captured
 *    and replayed after the prune would post again. 12 h covers Feishu's own redeliveries
 *    (15 s, 5 min, 1 h, 6 h after the first push) with room for clock skew.
 * Anything failing → 401 and no effect.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';

export interface SecuritySettings {
  encryptKey?: string;
  verificationToken?: string;
}

export type Inbound =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'event'; payload: FeishuPayload }
  | { kind: 'reject'; status: 400 | 401; reason: string };

/** A decrypted schema 2.0 (or 1.0) body. */
export interface FeishuPayload {
  schema?: string;
  header?: { event_id?: string; event_type?: string; token?: string; create_time?: string; app_id?: string; tenant_key?: string };
  event?: Record<string, unknown> & { type?: string };
  token?: string;
  type?: string;
  uuid?: string;
  challenge?: string;
  [k: string]: unknown;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function signature(timestamp: string, nonce: string, encryptKey: string, rawBody: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey).update(rawBody).digest('hex');
}

/** The old card callback (card.action.trigger_v1) signs with sha1(ts + nonce + verificationToken + body). */
export function signatureV1Card(timestamp: string, nonce: string, verificationToken: string, rawBody: string): string {
  return createHash('sha1').update(timestamp + nonce + verificationToken).update(rawBody).digest('hex');
}

export const REPLAY_WINDOW_S = 12 * 3600;

/** Null when the signed timestamp is fresh enough, else the reason to refuse. */
function staleness(ts: string, nowMs: number): string | null {
  const t = Number(ts);
  if (!/^\d{1,12}$/.test(ts) || !Number.isFinite(t)) return 'signature timestamp is not unix seconds';
  return Math.abs(nowMs / 1000 - t) > REPLAY_WINDOW_S ? 'signature timestamp outside the replay window' : null;
}

export function readInbound(raw: string, headers: Record<string, string | undefined>, s: SecuritySettings, nowMs: number = Date.now()): Inbound {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { kind: 'reject', status: 400, reason: 'body is not JSON' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'reject', status: 400, reason: 'body is not an object' };
  let payload = body as FeishuPayload;
  if (typeof payload.encrypt === 'string') {
    if (!s.encryptKey) return { kind: 'reject', status: 401, reason: 'encrypted body but no FEISHU_ENCRYPT_KEY configured' };
    try {
      const plain = new lark.AESCipher(s.encryptKey).decrypt(payload.encrypt);
      const inner = JSON.parse(plain) as FeishuPayload;
      if (!inner || typeof inner !== 'object') throw new Error('not an object');
      payload = inner;
    } catch {
      return { kind: 'reject', status: 401, reason: 'cannot decrypt body (wrong encrypt key?)' };
    }
  }

  const tokenOk = () => {
    if (!s.verificationToken) return true;
    const t = payload.header?.token ?? payload.token;
    return typeof t === 'string' && safeEqual(t, s.verificationToken);
  };

  if (payload.type === 'url_verification') {
    if (!tokenOk()) return { kind: 'reject', status: 401, reason: 'verification token mismatch' };
    if (typeof payload.challenge !== 'string') return { kind: 'reject', status: 400, reason: 'challenge missing' };
    return { kind: 'challenge', challenge: payload.challenge };
  }

  // Old card callback (card.action.trigger_v1): flat, unencrypted, its `token` is the c-… update
  // token; it is signed sha1(ts + nonce + verificationToken + body) instead (protocol notes §3.4).
  const encrypted = typeof (body as FeishuPayload).encrypt === 'string';
  if (!encrypted && !payload.schema && payload.action !== undefined && payload.type !== 'event_callback') {
    if (!s.verificationToken) {
      return s.encryptKey ? { kind: 'reject', status: 401, reason: 'old card callback cannot be verified without a verification token' } : { kind: 'event', payload };
    }
    const ts = headers['x-lark-request-timestamp'];
    const nonce = headers['x-lark-request-nonce'];
    const sig = headers['x-lark-signature'];
    if (!ts || !nonce || !sig) return { kind: 'reject', status: 401, reason: 'signature headers missing' };
    if (!safeEqual(signatureV1Card(ts, nonce, s.verificationToken, raw), sig.toLowerCase())) {
      return { kind: 'reject', status: 401, reason: 'signature mismatch' };
    }
    const stale = staleness(ts, nowMs);
    if (stale) return { kind: 'reject', status: 401, reason: stale };
    return { kind: 'event', payload };
  }

  if (s.encryptKey) {
    const ts = headers['x-lark-request-timestamp'];
    const nonce = headers['x-lark-request-nonce'];
    const sig = headers['x-lark-signature'];
    if (!ts || !nonce || !sig) return { kind: 'reject', status: 401, reason: 'signature headers missing' };
    if (!safeEqual(signature(ts, nonce, s.encryptKey, raw), sig.toLowerCase())) {
      return { kind: 'reject', status: 401, reason: 'signature mismatch' };
    }
    const stale = staleness(ts, nowMs);
    if (stale) return { kind: 'reject', status: 401, reason: stale };
  }
  if (!tokenOk()) return { kind: 'reject', status: 401, reason: 'verification token mismatch' };
  return { kind: 'event', payload };
}

/** Event type of a 2.0 (header.event_type) or 1.0 (event.type) payload. */
export function eventTypeOf(p: FeishuPayload): string | undefined {
  return p.header?.event_type ?? (typeof p.event?.type === 'string' ? p.event.type : undefined) ?? (p.action ? 'card.action.trigger_v1' : undefined);
}

export function eventIdOf(p: FeishuPayload): string | undefined {
  return p.header?.event_id ?? p.uuid;
}

/**
 * "Feishu → your server": build events exactly as Feishu does (schema 2.0 envelope, AES-256-CBC
 * encryption of the JSON, sha256 signature over timestamp+nonce+encryptKey+raw body) and POST
 * them over real HTTP. Used by the fake server's pushEvent/verifyUrl/clickCard and usable alone.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export interface EventSecurity {
  encryptKey?: string;
  verificationToken?: string;
}

export function randomHex(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** base64(iv || AES-256-CBC(sha256(key), iv, json)) — protocol notes §1.3. */
export function encryptPayload(encryptKey: string, json: string): string {
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', createHash('sha256').update(encryptKey).digest(), iv);
  return Buffer.concat([iv, c.update(json, 'utf8'), c.final()]).toString('base64');
}

export function signBody(timestamp: string, nonce: string, encryptKey: string, raw: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + raw).digest('hex');
}

export interface Envelope {
  schema: '2.0';
  header: { event_id: string; event_type: string; create_time: string; token: string; app_id: string; tenant_key: string };
  event: Record<string, unknown>;
}

export function envelope(eventType: string, event: Record<string, unknown>, o: { appId: string; tenantKey: string; verificationToken?: string; eventId?: string; createTime?: string }): Envelope {
  return {
    schema: '2.0',
    header: {
      event_id: o.eventId ?? randomHex(16),
      event_type: eventType,
      create_time: o.createTime ?? String(Date.now()),
      token: o.verificationToken ?? '',
      app_id: o.appId,
      tenant_key: o.tenantKey,
    },
    event,
  };
}

export interface WireRequest {
  raw: string;
  headers: Record<string, string>;
}

/** The body and headers Feishu would send for `payload` (encrypted + signed when a key is set). */
export function wire(payload: unknown, sec: EventSecurity, opts: { sign?: boolean; timestamp?: string; nonce?: string } = {}): WireRequest {
  const json = JSON.stringify(payload);
  const raw = sec.encryptKey ? JSON.stringify({ encrypt: encryptPayload(sec.encryptKey, json) }) : json;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (sec.encryptKey && opts.sign !== false) {
    const ts = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = opts.nonce ?? randomHex(8);
    headers['x-lark-request-timestamp'] = ts;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] = signBody(ts, nonce, sec.encryptKey, raw);
  }
  return { raw, headers };
}

export interface PostResult {
  status: number;
  body: unknown;
  text: string;
  ms: number;
}

/**
 * POST raw bytes with headers; never throws on HTTP status. With `timeoutMs` an answer that takes
 * longer rejects (Feishu's deadlines); without, it waits for the answer however long the machine takes.
 */
export async function postRaw(url: string, raw: string, headers: Record<string, string>, timeoutMs?: number): Promise<PostResult> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', body: raw, headers, signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, ms: performance.now() - t0 };
}

/**
 * The outbox: messages that must reach Feishu are written here in the business transaction
 * (so a reply exists iff the effect committed) and delivered afterwards by a drain.
 *
 * Guarantees and why:
 * - Nothing lost while Feishu is down: a row stays `pending` until Feishu said yes; failures
 *   reschedule it with exponential backoff (honouring `x-ogw-ratelimit-reset`).
 * - Nothing sent twice: a drain claims rows with `FOR UPDATE SKIP LOCKED` and a lease
 *   (`locked_until`); the claim bumps `attempts`, which fences the finishing UPDATE, so a drain
 *   whose lease expired cannot overwrite a newer attempt. If a send succeeded but its finish was
 *   lost (crash), the re-send carries the same `uuid` and Feishu de-duplicates it on its side.
 *   A row its own request will deliver is inserted already claimed (enqueueForKick): the same
 *   lease and fence, minus one statement per message.
 * - A row that keeps failing (or fails for a reason retrying cannot fix) ends `dead`, logged.
 * - Offline mode (deps.feishu null): rows stay pending; logged once.
 */
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type * as lark from '@larksuiteoapi/node-sdk';
import { execRows, type Conn } from '../../db/types.js';
import type { AppDeps } from '../deps.js';
import { markSent } from './finish.js';
import { deliverUserName } from './user-name.js';
import { sendAhead } from '../shared/prepared.js';
import { jsonText } from '../shared/json.js';

export type OutboxPayload =
  | { op: 'reply'; messageId: string; msgType: string; content: string; uuid: string; replyInThread?: boolean }
  | { op: 'send'; receiveIdType: 'open_id' | 'chat_id' | 'union_id' | 'user_id' | 'email'; receiveId: string; msgType: string; content: string; uuid: string }
  | { op: 'patch'; messageId: string; content: string }
  | { op: 'card_update'; token: string; card: unknown }
  /** Read a colleague's display name from the contact API into users.name (./user-name.ts). */
  | { op: 'user_name'; openId: string };

export interface OutboxItem {
  kind: string;
  dedupeKey: string;
  payload: OutboxPayload;
}

/** Feishu's `uuid` is at most 50 chars: a stable digest of our dedupe key. */
export function feishuUuid(dedupeKey: string): string {
  return createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32);
}

/** Queue a message inside the caller's transaction. Returns the row id, or null if the key was already queued. */
export async function enqueueOutbox(conn: Conn, item: OutboxItem): Promise<number | null> {
  const rows = await execRows<{ id: number | string }>(
    conn,
    sql`insert into outbox (kind, dedupe_key, payload) values (${item.kind}, ${item.dedupeKey}, ${jsonText(item.payload)}::jsonb)
        on conflict (dedupe_key) do nothing returning id`,
  );
  return rows.length ? Number(rows[0].id) : null;
}

/** A row queued by this request; `claimed` when it was inserted already leased for the kick. */
export interface QueuedOutbox {
  id: number;
  item: OutboxItem;
  claimed: boolean;
}

/**
 * enqueueOutbox for a row this process will deliver right after commit (kickQueued). When a kick
 * will happen, the row is inserted ALREADY CLAIMED — the lease and `attempts = 1` a drain's
 * claim would set — so the kick sends without a claim statement (one commit per message less).
 * Same guarantees as a claim: if this process dies before finishing, the lease expires and the
 * interval drain sends it (attempt 2, same uuid). Null if the key was already queued.
 */
export async function enqueueForKick(conn: Conn, deps: AppDeps, item: OutboxItem): Promise<QueuedOutbox | null> {
  const q = kickInsert(deps, item);
  return queuedFrom(await execRows<{ id: number | string }>(conn, q.sql), item, q.claim);
}

/**
 * enqueueForKick sent ahead (src/shared/prepared.ts): the insert is on its way when this returns,
 * so the caller can COMMIT right behind it — the insert and the COMMIT share one round trip.
 * `done` MUST be awaited after the commit before acting on the row: if the insert failed, the
 * transaction was aborted and the COMMIT silently became a ROLLBACK — `done` is then the only
 * place the failure shows.
 */
export async function enqueueForKickAhead(conn: Conn, deps: AppDeps, item: OutboxItem): Promise<{ done: Promise<QueuedOutbox | null> }> {
  const q = kickInsert(deps, item);
  const sent = await sendAhead<{ id: number | string }>(conn, q.sql, { prepare: true });
  return { done: sent.done.then((rows) => queuedFrom(rows, item, q.claim)) };
}

function kickInsert(deps: AppDeps, item: OutboxItem): { sql: SQL; claim: boolean } {
  const s = outboxSettings(deps);
  const claim = Boolean(deps.feishu) && s.kick;
  return {
    claim,
    sql: claim
      ? sql`insert into outbox (kind, dedupe_key, payload, attempts, locked_until)
            values (${item.kind}, ${item.dedupeKey}, ${jsonText(item.payload)}::jsonb, 1, now() + ${s.leaseMs} * interval '1 millisecond')
            on conflict (dedupe_key) do nothing returning id`
      : sql`insert into outbox (kind, dedupe_key, payload) values (${item.kind}, ${item.dedupeKey}, ${jsonText(item.payload)}::jsonb)
            on conflict (dedupe_key) do nothing returning id`,
  };
}

function queuedFrom(rows: { id: number | string }[], item: OutboxItem, claimed: boolean): QueuedOutbox | null {
  return rows.length ? { id: Number(rows[0].id), item, claimed } : null;
}

/** After commit: deliver rows queued with enqueueForKick (unclaimed ones are left to the drain). */
export function kickQueued(deps: AppDeps, queued: (QueuedOutbox | null)[]): void {
  const client = deps.feishu;
  if (!client) return;
  const s = outboxSettings(deps);
  for (const q of queued) {
    if (!q?.claimed) continue;
    const row: ClaimedRow = { id: q.id, kind: q.item.kind, dedupe_key: q.item.dedupeKey, payload: q.item.payload, attempts: 1 };
    deps.defer(deliverOne(deps, client, row, s, { claimed: 1, sent: 0, retried: 0, dead: 0 }));
  }
}

export interface OutboxSettings {
  /** First retry delay; doubles per attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this many failed attempts the row is `dead`. */
  maxAttempts: number;
  /** How long a claim is exclusive (must exceed the HTTP timeout). */
  leaseMs: number;
  /** Rows per claim. */
  batch: number;
  /** Concurrent sends per drain pass. */
  concurrency: number;
  /** Deliver a request's rows right after its commit (false: only the interval drain sends). */
  kick: boolean;
}

export const DEFAULT_OUTBOX_SETTINGS: OutboxSettings = {
  baseDelayMs: 1000,
  maxDelayMs: 10 * 60_000,
  maxAttempts: 8,
  leaseMs: 60_000,
  batch: 50,
  concurrency: 8,
  kick: true,
};

const settingsByDeps = new WeakMap<AppDeps, OutboxSettings>();
const offlineLogged = new WeakSet<AppDeps>();

/** Tune the drain for one app instance (tests and the bench use short delays). */
export function configureOutbox(deps: AppDeps, s: Partial<OutboxSettings>): void {
  settingsByDeps.set(deps, { ...outboxSettings(deps), ...s });
}

export function outboxSettings(deps: AppDeps): OutboxSettings {
  return settingsByDeps.get(deps) ?? DEFAULT_OUTBOX_SETTINGS;
}

export class FeishuApiError extends Error {
  constructor(
    public readonly code: number,
    message: string,
    public readonly httpStatus?: number,
    public readonly resetSeconds?: number,
  ) {
    super(message);
    this.name = 'FeishuApiError';
  }
}

interface Verdict {
  retry: boolean;
  /** Minimum wait before the next attempt (rate-limit reset). */
  notBeforeMs?: number;
  invalidateToken?: boolean;
  message: string;
}

const RETRY_CODES = new Set([99991400, 230020, 99991663, 99991661, 99991677]);
const TOKEN_CODES = new Set([99991663, 99991661, 99991677]);

function headerNumber(h: unknown, name: string): number | undefined {
  if (!h || typeof h !== 'object') return undefined;
  const anyH = h as Record<string, unknown> & { get?: (n: string) => unknown };
  const v = typeof anyH.get === 'function' ? anyH.get(name) : anyH[name];
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Decide what a failure means: retry (429, 5xx, network, rate-limit codes, stale token) or give up. */
export function classifyFailure(e: unknown): Verdict {
  if (e instanceof FeishuApiError) {
    return {
      retry: RETRY_CODES.has(e.code),
      invalidateToken: TOKEN_CODES.has(e.code),
      message: `feishu code ${e.code}: ${e.message}`,
      notBeforeMs: e.resetSeconds !== undefined ? e.resetSeconds * 1000 : undefined,
    };
  }
  const ax = e as { isAxiosError?: boolean; response?: { status: number; data?: unknown; headers?: unknown }; code?: string; message?: string };
  if (ax && ax.response) {
    const status = ax.response.status;
    const data = (ax.response.data ?? {}) as { code?: number; msg?: string };
    const reset = headerNumber(ax.response.headers, 'x-ogw-ratelimit-reset');
    const code = typeof data.code === 'number' ? data.code : undefined;
    const message = `HTTP ${status}${code !== undefined ? ` code ${code}` : ''}: ${data.msg ?? ax.message ?? ''}`;
    const retry = status === 429 || status >= 500 || (code !== undefined && RETRY_CODES.has(code));
    return {
      retry,
      invalidateToken: code !== undefined && TOKEN_CODES.has(code),
      notBeforeMs: reset !== undefined ? reset * 1000 : undefined,
      message,
    };
  }
  // No response at all: connection refused/reset, timeout, DNS — Feishu may be down; try again.
  return { retry: true, message: `network: ${ax?.code ?? ''} ${ax?.message ?? String(e)}`.trim() };
}

/** Exponential backoff with ±20 % jitter (`random` in [0, 1), injectable through deps.random). */
function backoffMs(attempt: number, s: OutboxSettings, notBeforeMs: number | undefined, random: () => number): number {
  const exp = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jitter = exp * (0.8 + random() * 0.4);
  return Math.round(Math.max(jitter, notBeforeMs ?? 0));
}

type FeishuResponse = { code?: number; msg?: string; data?: { message_id?: string } };

function check(res: unknown): FeishuResponse {
  const r = (res ?? {}) as FeishuResponse;
  if (typeof r.code === 'number' && r.code !== 0) throw new FeishuApiError(r.code, r.msg ?? 'error');
  return r;
}

/** One send (or read) through the official SDK. */
async function deliver(deps: AppDeps, client: lark.Client, p: OutboxPayload): Promise<Record<string, unknown>> {
  switch (p.op) {
    case 'user_name':
      return deliverUserName(deps, client, p.openId);
    case 'reply': {
      const r = check(
        await client.im.v1.message.reply({
          path: { message_id: p.messageId },
          data: { content: p.content, msg_type: p.msgType, uuid: p.uuid, ...(p.replyInThread ? { reply_in_thread: true } : {}) },
        }),
      );
      return { messageId: r.data?.message_id ?? null };
    }
    case 'send': {
      const r = check(
        await client.im.v1.message.create({
          params: { receive_id_type: p.receiveIdType },
          data: { receive_id: p.receiveId, msg_type: p.msgType, content: p.content, uuid: p.uuid },
        }),
      );
      return { messageId: r.data?.message_id ?? null };
    }
    case 'patch': {
      check(await client.im.v1.message.patch({ path: { message_id: p.messageId }, data: { content: p.content } }));
      return {};
    }
    case 'card_update': {
      check(await client.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token: p.token, card: p.card } }));
      return {};
    }
  }
}

interface ClaimedRow {
  id: number;
  kind: string;
  dedupe_key: string;
  payload: OutboxPayload;
  attempts: number;
}

export interface DrainResult {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
}

/**
 * One pass: claim due rows (optionally only `ids`), send them, record the outcome.
 * Safe to run from several places at once (request kick, interval job, another instance).
 */
export async function drainOutbox(deps: AppDeps, opts: { ids?: number[]; limit?: number } = {}): Promise<DrainResult> {
  const result: DrainResult = { claimed: 0, sent: 0, retried: 0, dead: 0 };
  const client = deps.feishu;
  if (!client) {
    if (!offlineLogged.has(deps)) {
      offlineLogged.add(deps);
      deps.logger.warn('飞书未配置（离线模式），待发消息保留在 outbox 中 / offline mode: outbox messages stay pending until FEISHU_APP_ID/SECRET are set');
    }
    return result;
  }
  if (opts.ids && opts.ids.length === 0) return result;
  const s = outboxSettings(deps);
  const limit = opts.limit ?? s.batch;
  const only = opts.ids ? sql`and id in (${sql.join(opts.ids.map((i) => sql`${i}`), sql`, `)})` : sql``;
  const rows = await execRows<ClaimedRow>(
    deps.database.db,
    sql`with c as (
          select id from outbox
          where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now()) ${only}
          order by id limit ${limit}
          for update skip locked)
        update outbox o set locked_until = now() + ${s.leaseMs} * interval '1 millisecond', attempts = o.attempts + 1
        from c where o.id = c.id
        returning o.id, o.kind, o.dedupe_key, o.payload, o.attempts`,
  );
  result.claimed = rows.length;
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++];
      await deliverOne(deps, client, row, s, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(s.concurrency, rows.length) }, worker));
  return result;
}

async function deliverOne(deps: AppDeps, client: lark.Client, row: ClaimedRow, s: OutboxSettings, result: DrainResult): Promise<void> {
  const id = Number(row.id);
  const attempts = Number(row.attempts);
  const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OutboxPayload;
  const log = deps.logger.child({ outboxId: id, kind: row.kind, attempt: attempts });
  const db = deps.database.db;
  try {
    const res = await deliver(deps, client, payload);
    // Batched with other deliveries' marks, fenced by attempts (finish.ts).
    await markSent(db, id, attempts, res);
    result.sent++;
  } catch (e) {
    const v = classifyFailure(e);
    if (v.invalidateToken) deps.invalidateFeishuToken?.(client);
    if (v.retry && attempts < s.maxAttempts) {
      const delay = backoffMs(attempts, s, v.notBeforeMs, deps.random ?? Math.random);
      await db.execute(
        sql`update outbox set locked_until = null, last_error = ${v.message.slice(0, 500)},
              next_attempt_at = now() + ${delay} * interval '1 millisecond'
            where id = ${id} and attempts = ${attempts} and status = 'pending'`,
      );
      result.retried++;
      log.warn({ err: v.message, retryInMs: delay }, '发送飞书消息失败，稍后重试 / feishu send failed; will retry');
    } else {
      await db.execute(
        sql`update outbox set status = 'dead', locked_until = null, last_error = ${v.message.slice(0, 500)}
            where id = ${id} and attempts = ${attempts} and status = 'pending'`,
      );
      result.dead++;
      log.error({ err: v.message, dedupeKey: row.dedupe_key }, '飞书消息发送放弃 / feishu send gave up (outbox row dead)');
    }
  }
}

/** Deliver freshly committed rows now, without waiting for the interval drain. */
export function kickOutbox(deps: AppDeps, ids: (number | null)[]): void {
  const list = ids.filter((x): x is number => x !== null);
  if (list.length === 0 || !deps.feishu || !outboxSettings(deps).kick) return;
  deps.defer(drainOutbox(deps, { ids: list }));
}

/**
 * The interval drain: passes until nothing is due, then sleeps. Returns stop(), which waits for
 * the pass in flight.
 */
export function startOutboxDrain(deps: AppDeps, opts: { intervalMs?: number } = {}): () => Promise<void> {
  const interval = opts.intervalMs ?? 1000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<void> = Promise.resolve();
  const pass = async () => {
    try {
      for (let i = 0; i < 20 && !stopped; i++) {
        const r = await drainOutbox(deps);
        if (r.claimed === 0) break;
      }
    } catch (e) {
      deps.logger.warn({ err: (e as Error).message }, 'outbox drain pass failed');
    }
  };
  const loop = () => {
    if (stopped) return;
    current = pass().finally(() => {
      if (!stopped) timer = setTimeout(loop, interval);
    });
  };
  timer = setTimeout(loop, 0);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await current;
  };
}

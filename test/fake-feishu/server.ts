/**
 * A stand-in for the Feishu Open API over real HTTP on 127.0.0.1:<random port>, faithful enough
 * that the official SDK (pointed at it with FEISHU_BASE_URL) cannot tell the difference for the
 * endpoints we use. See ../../shared/feishu-protocol.md "Contract for a faithful fake Feishu server".
 *
 *   const fake = await startFakeFeishu({ encryptKey, verificationToken });
 *   const r = await fake.sendText(`${appUrl}/feishu/events`, { openId: 'ou_a', text: '库存' });
 *   const [reply] = await fake.waitForReplies(r.messageId);
 *   fake.failNext(2, { status: 429 }); fake.dropNext(1); fake.loseAnswerNext(1, '/reply');
 *   const slow = fake.hold('/reply'); …; slow.release();  // "Feishu is slow", without a delay
 *   fake.advanceClock(1000);                               // a rate-limit window passes, at once
 *   // a group message that @mentions the bot (its open_id is what GET /open-apis/bot/v3/info says):
 *   await fake.sendText(url, { chatType: 'group', text: '@_user_1 库存', mentions: [fake.botMention('@_user_1')] });
 *   // the contact directory: names per open_id (others answer 41050), reads counted
 *   fake.setUserName('ou_zhang', '张三'); fake.contactScope = false; fake.contactCalls('ou_zhang');
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { envelope, postRaw, randomHex, wire, type Envelope, type EventSecurity, type PostResult } from './events.js';
import { FakeSheets, SheetError } from './sheets.js';

export interface FakeFeishuOptions {
  appId?: string;
  appSecret?: string;
  tenantKey?: string;
  encryptKey?: string;
  verificationToken?: string;
  /** Token lifetime in seconds (default 7200). */
  tokenTtl?: number;
  /** The bot's open_id as GET /open-apis/bot/v3/info reports it (default ou_fakebot…). */
  botOpenId?: string;
  /** The app name (bot.app_name; also the name a bot mention shows). */
  botName?: string;
  /** bot.activate_status (2 = enabled for the tenant, the default). */
  botActivateStatus?: number;
  /**
   * Enforce Feishu's answer deadlines on the app (default true, as Feishu does — the terminal
   * chat and the bench rely on it): 3 s for events and card callbacks (a late callback fails
   * with 200341, a late event counts as undelivered), 1 s for url_verification. Tests turn it
   * off: a test must not pass or fail with the machine's speed, so the fake then waits for the
   * answer (the test's timeout bounds it), and "answers before X" is proven by order (hold(),
   * a held transaction), not by a stopwatch. A call's own `timeoutMs` applies either way.
   * An object sets other limits (ms), for tests of the deadlines themselves.
   */
  deadlines?: boolean | Partial<Deadlines>;
}

/** How long Feishu waits for the app's answer (ms). */
export interface Deadlines {
  event: number;
  callback: number;
  urlVerification: number;
}
const FEISHU_DEADLINES: Deadlines = { event: 3000, callback: 3000, urlVerification: 1000 };

export interface StoredMessage {
  message_id: string;
  root_id?: string;
  parent_id?: string;
  msg_type: string;
  create_time: string;
  update_time: string;
  deleted: boolean;
  updated: boolean;
  chat_id: string;
  sender: { id: string; id_type: string; sender_type: 'app' | 'user'; tenant_key: string };
  body: { content: string };
  mentions?: unknown[];
  /** Not part of Feishu's shape: who the message was for (receive_id) and the uuid used. */
  receive_id?: string;
  uuid?: string;
}

export type SentOp = 'create' | 'reply' | 'patch' | 'update' | 'card_update' | 'card_callback';

export interface SentRecord {
  op: SentOp;
  message_id: string;
  parent_id?: string;
  msg_type: string;
  content: string;
  at: number;
}

export interface Fault {
  status?: number;
  code?: number;
  msg?: string;
  headers?: Record<string, string>;
  /** Only requests whose path matches (default: every API except the token endpoint). */
  path?: RegExp | string;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  at: number;
  body?: unknown;
}

export interface TextMessageSpec {
  text?: string;
  /** Raw content JSON string (for post/image messages); overrides text. */
  content?: string;
  messageType?: string;
  openId?: string;
  unionId?: string;
  chatType?: 'p2p' | 'group';
  chatId?: string;
  messageId?: string;
  /**
   * Who each placeholder of the text is, in order (@_user_1, @_user_2, …). Use fake.botMention(key)
   * for the bot itself. Every key must occur in a text message's text, as in real events.
   */
  mentions?: { key: string; openId: string; name: string }[];
  senderType?: string;
}

export interface PushOptions {
  /** Override the security used for this push (e.g. a wrong key to test 401). */
  security?: EventSecurity;
  sign?: boolean;
  eventId?: string;
  /** Give up on the app's answer after this long (default: Feishu's deadline, or never with `deadlines: false`). */
  timeoutMs?: number;
  /** Extra/override headers (forgeries). */
  headers?: Record<string, string>;
  /** Redeliver the identical event_id on non-200/timeout after each delay (compressed 15s/5m/1h/6h). */
  retryDelaysMs?: number[];
}

export interface PushResult extends PostResult {
  eventId: string;
  envelope: Envelope;
  messageId?: string;
  attempts: number;
}

export interface CardAction {
  tag: string;
  name?: string;
  value?: unknown;
  form_value?: Record<string, unknown>;
  input_value?: string;
  option?: string;
  options?: string[];
  checked?: boolean;
  timezone?: string;
}

export interface ClickResult extends PostResult {
  token: string;
  eventId: string;
  toast?: { type: string; content?: string; i18n?: Record<string, string> };
  card?: { type: string; data: unknown };
}

/** A Feishu client-side card error (what the user would see instead of the update). */
export class CardCallbackError extends Error {
  constructor(public readonly code: number, message: string) {
    super(`${code}: ${message}`);
    this.name = 'CardCallbackError';
  }
}

interface CardToken {
  messageId: string;
  uses: number;
  expiresAt: number;
  respondedAt: number | null;
}

const RECEIVE_ID_TYPES = new Set(['open_id', 'union_id', 'user_id', 'email', 'chat_id']);
const MAX_CARD_BYTES = 30 * 1024;

function ok(c: Context, data: unknown = {}) {
  return c.json({ code: 0, msg: 'success', data });
}
function fail(c: Context, httpStatus: number, code: number, msg: string, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json({ code, msg, data: {} }, httpStatus as 400);
}

function countElements(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countElements(x), 0);
  const o = node as Record<string, unknown>;
  let n = typeof o.tag === 'string' ? 1 : 0;
  for (const k of ['elements', 'columns', 'actions']) if (Array.isArray(o[k])) n += countElements(o[k]);
  return n;
}

function formNames(node: unknown, acc: string[] = [], inForm = false): { names: string[]; missing: boolean } {
  let missing = false;
  const walk = (x: unknown, form: boolean) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach((y) => walk(y, form));
    const o = x as Record<string, unknown>;
    const interactive = ['input', 'select_static', 'multi_select_static', 'select_person', 'multi_select_person', 'date_picker', 'picker_time', 'picker_datetime', 'checker', 'button'];
    if (form && typeof o.tag === 'string' && interactive.includes(o.tag)) {
      if (typeof o.name !== 'string' || !o.name) {
        if (o.tag !== 'button') missing = true;
      } else acc.push(o.name);
    }
    const nowForm = form || o.tag === 'form';
    for (const k of ['elements', 'columns']) if (Array.isArray(o[k])) walk(o[k], nowForm);
    if (o.body) walk(o.body, nowForm);
  };
  walk(node, inForm);
  return { names: acc, missing };
}

/** Check an interactive card the way Feishu does (enough to catch our own mistakes). */
export function validateCard(content: string): { code: number; msg: string } | null {
  if (Buffer.byteLength(content) > MAX_CARD_BYTES) return { code: 230025, msg: 'card content exceeds 30KB' };
  let card: Record<string, unknown>;
  try {
    card = JSON.parse(content);
  } catch {
    return { code: 230001, msg: 'content is not JSON' };
  }
  if (card.type === 'template') return null;
  if (card.schema === '2.0') {
    const body = card.body as { elements?: unknown[] } | undefined;
    if (!body || !Array.isArray(body.elements)) return { code: 230099, msg: 'card 2.0 needs body.elements' };
    if (countElements(body.elements) > 200) return { code: 230099, msg: 'card has more than 200 elements' };
    const { names, missing } = formNames(body.elements);
    if (missing) return { code: 230099, msg: 'form field without name (200530)' };
    if (new Set(names).size !== names.length) return { code: 230099, msg: 'duplicate form field names' };
  }
  return null;
}

export class FakeFeishu {
  readonly appId: string;
  readonly appSecret: string;
  readonly tenantKey: string;
  /** The bot's identity (bot/v3/info); tests may change it to simulate another app's bot. */
  botOpenId: string;
  botName: string;
  botActivateStatus: number;
  encryptKey?: string;
  verificationToken?: string;
  baseUrl = '';
  readonly messages = new Map<string, StoredMessage>();
  /** Every message the app sent or changed, in order. */
  readonly sent: SentRecord[] = [];
  readonly requests: RequestRecord[] = [];
  readonly images = new Map<string, { size: number; type: string }>();
  readonly files = new Map<string, { size: number; name: string; type: string }>();
  readonly sheets = new FakeSheets();
  /**
   * The tenant's directory as the app may read it (GET /open-apis/contact/v3/users/:user_id):
   * open_id → name. An open_id not here is outside the app's contact range (41050).
   */
  readonly contactNames = new Map<string, string>();
  /** False: the app was not granted the contact scope; every contact read answers 99991672. */
  contactScope = true;
  private readonly tokens = new Map<string, number>();
  private readonly uuids = new Map<string, string>();
  private readonly cardTokens = new Map<string, CardToken>();
  private faults: (Fault & { remaining: number })[] = [];
  private drops: { remaining: number; path?: RegExp | string }[] = [];
  private latencyMs = 0;
  private rateLimitQps = 0;
  private readonly sendTimes = new Map<string, number[]>();
  private latencyPath?: RegExp | string;
  private tokenTtl: number;
  /** null: deadlines off. */
  private readonly deadlines: Deadlines | null;
  private server?: ServerType;
  private waiters = new Set<() => void>();
  /** Added to the real clock: advanceClock moves Feishu's time (rate-limit windows, token expiry). */
  private clockOffsetMs = 0;
  private frozenAt?: number;
  private holds: { path?: RegExp | string; released: Promise<void>; release: () => void; held: number }[] = [];
  private loseAnswers: { remaining: number; path?: RegExp | string }[] = [];

  constructor(o: FakeFeishuOptions = {}) {
    this.appId = o.appId ?? 'cli_fake_app';
    this.appSecret = o.appSecret ?? 'fake_secret';
    this.tenantKey = o.tenantKey ?? 'tk_fake';
    this.encryptKey = o.encryptKey;
    this.verificationToken = o.verificationToken;
    this.tokenTtl = o.tokenTtl ?? 7200;
    this.botOpenId = o.botOpenId ?? 'ou_fakebot' + randomHex(12);
    this.botName = o.botName ?? '进销存助手';
    this.botActivateStatus = o.botActivateStatus ?? 2;
    const d = o.deadlines ?? true;
    this.deadlines = d === false ? null : { ...FEISHU_DEADLINES, ...(d === true ? {} : d) };
  }

  /** A mention of this app's bot under placeholder `key`, for TextMessageSpec.mentions. */
  botMention(key = '@_user_1'): { key: string; openId: string; name: string } {
    return { key, openId: this.botOpenId, name: this.botName };
  }

  // ─────────────── fault injection ───────────────

  /** The next n matching API calls answer with this error (default HTTP 500). */
  failNext(n: number, f: Fault = {}): void {
    this.faults.push({ ...f, remaining: n });
  }
  /** Every API call waits this long before answering (0 to stop). */
  setLatency(ms: number, path?: RegExp | string): void {
    this.latencyMs = ms;
    this.latencyPath = path;
  }
  /** The next n matching API calls have their TCP connection destroyed without an answer. */
  dropNext(n: number, path?: RegExp | string): void {
    this.drops.push({ remaining: n, path });
  }
  /** Per-target rate limit like Feishu's 5 QPS per user/chat (0 = off): over it → HTTP 400 99991400. */
  setRateLimit(qps: number): void {
    this.rateLimitQps = qps;
    this.sendTimes.clear();
  }
  /** True when a send to `target` now exceeds the rate limit (and records it otherwise). */
  private limited(target: string): boolean {
    if (!this.rateLimitQps) return false;
    const now = this.now();
    const list = (this.sendTimes.get(target) ?? []).filter((t) => now - t < 1000);
    if (list.length >= this.rateLimitQps) {
      this.sendTimes.set(target, list);
      return true;
    }
    list.push(now);
    this.sendTimes.set(target, list);
    return false;
  }
  /**
   * Matching API calls wait — received and recorded, not yet processed — until release() is
   * called: "Feishu is slow" as an event a test controls instead of a delay it must outlast.
   * `held()` counts the calls waiting (or ever held, once released).
   */
  hold(path?: RegExp | string): { release(): void; held(): number } {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const entry = {
      path,
      released,
      held: 0,
      release: () => {
        this.holds = this.holds.filter((h) => h !== entry);
        release();
      },
    };
    this.holds.push(entry);
    return { release: entry.release, held: () => entry.held };
  }
  /**
   * The next n matching API calls are processed (the message IS sent) but their answer never
   * arrives: the connection is cut after the work, as when a response is lost on the way back.
   */
  loseAnswerNext(n: number, path?: RegExp | string): void {
    this.loseAnswers.push({ remaining: n, path });
  }
  /** Feishu's clock (ms): the real one plus what advanceClock added, or where freezeClock stopped it. */
  now(): number {
    return this.frozenAt ?? Date.now() + this.clockOffsetMs;
  }
  /**
   * Stop Feishu's clock: a rate-limit window then lasts until advanceClock moves past it, however
   * slowly the machine runs. clearFaults() lets it run again.
   */
  freezeClock(): void {
    this.frozenAt = this.now();
  }
  /** Move Feishu's clock forward (rate-limit windows pass, tokens expire) without waiting. */
  advanceClock(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    this.clockOffsetMs += ms;
  }
  /** Invalidate every issued tenant token (the next call gets 99991663). */
  expireTokens(): void {
    this.tokens.clear();
  }
  clearFaults(): void {
    this.faults = [];
    this.drops = [];
    this.loseAnswers = [];
    // Held calls are released, never left hanging into the next test.
    for (const h of [...this.holds]) h.release();
    this.frozenAt = undefined;
    this.latencyMs = 0;
    this.rateLimitQps = 0;
    // A missing contact scope is a fault of the app's setup; the directory itself is data and stays.
    this.contactScope = true;
  }

  // ─────────────── the contact directory ───────────────

  /** Put a colleague into the app's contact range with this display name (or rename them). */
  setUserName(openId: string, name: string): void {
    this.contactNames.set(openId, name);
  }
  /** The display name the directory holds for a colleague (what Feishu puts in an @mention), if any. */
  userName(openId: string): string | undefined {
    return this.contactNames.get(openId);
  }
  /** Contact reads (GET /open-apis/contact/v3/users/…) so far, optionally for one user id. */
  contactCalls(userId?: string): number {
    return this.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/open-apis/contact/v3/users/') && (userId === undefined || r.path.endsWith(`/${userId}`))).length;
  }

  // ─────────────── state inspection ───────────────

  /** Bot messages that reply to `parentId`, in order. */
  repliesTo(parentId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.parent_id === parentId && m.sender.sender_type === 'app');
  }
  /** Text of a message (text → text; post → joined text; interactive → card JSON string). */
  textOf(m: StoredMessage): string {
    try {
      const c = JSON.parse(m.body.content);
      if (m.msg_type === 'text') return c.text ?? '';
      return m.body.content;
    } catch {
      return m.body.content;
    }
  }
  botMessages(): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.sender.sender_type === 'app');
  }
  /** Resolve when `pred` holds (checked after every API call), or reject after timeoutMs. */
  async waitFor<T>(pred: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    const first = pred();
    if (first) return first;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (v) {
          cleanup();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake-feishu: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const poll = setInterval(check, 50);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }
  /** Resolve when no API call is in progress (every request answered, refused or cut). */
  async idle(timeoutMs = 30_000): Promise<void> {
    await this.waitFor(() => this.requests.every((r) => r.status !== 0), timeoutMs);
  }
  /** Wait until at least `n` replies to `parentId` exist; returns their texts. */
  async waitForReplies(parentId: string, n = 1, timeoutMs = 5000): Promise<string[]> {
    const list = await this.waitFor(() => {
      const r = this.repliesTo(parentId);
      return r.length >= n ? r : null;
    }, timeoutMs);
    return list.map((m) => this.textOf(m));
  }
  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  // ─────────────── lifecycle ───────────────

  async start(): Promise<this> {
    const app = this.buildApp();
    await new Promise<void>((resolve) => {
      this.server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
        this.baseUrl = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      s.close(() => resolve());
    });
  }

  // ─────────────── the Open API ───────────────

  private matches(path: string, filter: RegExp | string | undefined): boolean {
    if (filter === undefined) return !path.includes('/auth/');
    return typeof filter === 'string' ? path.includes(filter) : filter.test(path);
  }

  private issueMessage(p: { msgType: string; content: string; chatId: string; parentId?: string; rootId?: string; receiveId?: string; uuid?: string }): StoredMessage {
    const now = String(this.now());
    const m: StoredMessage = {
      message_id: 'om_' + randomHex(16),
      ...(p.parentId ? { parent_id: p.parentId, root_id: p.rootId ?? p.parentId } : {}),
      msg_type: p.msgType,
      create_time: now,
      update_time: now,
      deleted: false,
      updated: false,
      chat_id: p.chatId,
      sender: { id: this.appId, id_type: 'app_id', sender_type: 'app', tenant_key: this.tenantKey },
      body: { content: p.content },
      mentions: [],
      receive_id: p.receiveId,
      uuid: p.uuid,
    };
    this.messages.set(m.message_id, m);
    return m;
  }

  private publicMessage(m: StoredMessage) {
    const { receive_id: _r, uuid: _u, ...rest } = m;
    return rest;
  }

  private validateContent(c: Context, msgType: unknown, content: unknown) {
    if (typeof msgType !== 'string' || !msgType) return fail(c, 400, 230001, 'invalid param: msg_type required');
    if (typeof content !== 'string') return fail(c, 400, 230001, 'invalid param: content must be a JSON string');
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      return fail(c, 400, 230001, 'invalid param: content is not JSON');
    }
    if (msgType === 'text' && typeof (parsed as { text?: unknown }).text !== 'string') return fail(c, 400, 230001, 'invalid param: text content needs "text"');
    if (msgType === 'text' && Buffer.byteLength(content) > 150 * 1024) return fail(c, 400, 230025, 'message content too long');
    if (msgType === 'interactive') {
      const err = validateCard(content);
      if (err) return fail(c, 400, err.code, err.msg);
    }
    return null;
  }

  private buildApp(): Hono {
    const app = new Hono<{ Bindings: { incoming: IncomingMessage } }>();

    app.use('/open-apis/*', async (c, next) => {
      const path = c.req.path;
      const rec: RequestRecord = { method: c.req.method, path, status: 0, at: this.now() };
      this.requests.push(rec);
      const drop = this.drops.find((d) => d.remaining > 0 && this.matches(path, d.path));
      if (drop) {
        drop.remaining--;
        rec.status = -1;
        c.env.incoming.socket.destroy();
        return new Response(null, { status: 444 });
      }
      const hold = this.holds.find((h) => this.matches(path, h.path));
      if (hold) {
        hold.held++;
        this.notify();
        await hold.released;
      }
      if (this.latencyMs > 0 && (this.latencyPath === undefined ? !path.includes('/auth/') : this.matches(path, this.latencyPath))) {
        await new Promise((r) => setTimeout(r, this.latencyMs));
      }
      const fault = this.faults.find((f) => f.remaining > 0 && this.matches(path, f.path));
      if (fault) {
        fault.remaining--;
        const status = fault.status ?? 500;
        const code = fault.code ?? (status === 429 ? 99991400 : status >= 500 ? 1500 : 99991400);
        const headers = { ...(code === 99991400 ? { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' } : {}), ...(fault.headers ?? {}) };
        rec.status = status;
        return fail(c, status, code, fault.msg ?? (code === 99991400 ? 'request trigger frequency limit' : 'internal error'), headers);
      }
      if (!path.startsWith('/open-apis/auth/')) {
        const auth = c.req.header('authorization');
        if (!auth || !/^Bearer\s+\S+/.test(auth)) {
          rec.status = 400;
          return fail(c, 400, 99991661, 'Missing access token for authorization');
        }
        const token = auth.replace(/^Bearer\s+/, '');
        const exp = this.tokens.get(token);
        if (!exp || exp < this.now()) {
          rec.status = 400;
          return fail(c, 400, 99991663, 'Invalid access token for authorization');
        }
      }
      const lose = this.loseAnswers.find((l) => l.remaining > 0 && this.matches(path, l.path));
      if (lose) lose.remaining--;
      await next();
      rec.status = c.res.status;
      if (lose) {
        // Done on Feishu's side; the answer is lost on the way back.
        rec.status = -1;
        c.env.incoming.socket.destroy();
      }
      this.notify();
    });

    // Auth
    app.post('/open-apis/auth/v3/tenant_access_token/internal', async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { app_id?: string; app_secret?: string };
      if (b.app_id !== this.appId || b.app_secret !== this.appSecret) return fail(c, 400, 10014, 'app secret invalid');
      const token = 't-' + randomHex(16);
      this.tokens.set(token, this.now() + this.tokenTtl * 1000);
      return c.json({ code: 0, msg: 'ok', tenant_access_token: token, expire: this.tokenTtl });
    });

    // Bot info: the bot's own open_id (what a group @mention of the bot carries in id.open_id).
    // Real Feishu wants a tenant_access_token (checked above, like every API) and answers with
    // `bot` at the top level — no `data` wrapper; GET only (other methods fall through to 404).
    const botInfo = (c: Context) =>
      c.json({
        code: 0,
        msg: 'ok',
        bot: { activate_status: this.botActivateStatus, app_name: this.botName, avatar_url: `${this.baseUrl}/avatar/${this.appId}.png`, ip_white_list: [], open_id: this.botOpenId },
      });
    app.get('/open-apis/bot/v3/info', botInfo);
    app.get('/open-apis/bot/v3/info/', botInfo);

    // Contact: one user (contact.v3.user.get). Needs a contact scope (else 99991672) and the user
    // in the app's contact range (else 41050 "no user authority error"); both are HTTP 400 with
    // the usual envelope. Success: data.user with the ids, name, en_name, status… (user_id only
    // with the employee_id scope, which the fake app does not have).
    app.get('/open-apis/contact/v3/users/:user_id', (c) => {
      const type = c.req.query('user_id_type') ?? 'open_id';
      if (!['open_id', 'union_id', 'user_id'].includes(type)) return fail(c, 400, 99992402, 'field validation failed');
      if (!this.contactScope) {
        return fail(c, 400, 99991672, 'Access denied. One of the following scopes is required: [contact:contact.base:readonly, contact:contact:access_as_app, contact:contact:readonly, contact:contact:readonly_as_app, contact:user.base:readonly].');
      }
      const id = c.req.param('user_id');
      const name = type === 'open_id' ? this.contactNames.get(id) : undefined;
      if (name === undefined) return fail(c, 400, 41050, 'no user authority error');
      return ok(c, {
        user: {
          open_id: id,
          union_id: 'on_' + id.slice(3),
          name,
          en_name: '',
          nickname: '',
          avatar: { avatar_72: `${this.baseUrl}/avatar/${id}_72.png`, avatar_240: `${this.baseUrl}/avatar/${id}_240.png`, avatar_640: `${this.baseUrl}/avatar/${id}_640.png`, avatar_origin: `${this.baseUrl}/avatar/${id}.png` },
          status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false },
          department_ids: ['od-fake-root'],
          is_tenant_manager: false,
        },
      });
    });

    // Messages
    app.post('/open-apis/im/v1/messages', async (c) => {
      const type = c.req.query('receive_id_type');
      if (!type || !RECEIVE_ID_TYPES.has(type)) return fail(c, 400, 230001, 'invalid param: receive_id_type');
      const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
      if (!b || typeof b.receive_id !== 'string' || !b.receive_id) return fail(c, 400, 230001, 'invalid param: receive_id');
      const bad = this.validateContent(c, b.msg_type, b.content);
      if (bad) return bad;
      const uuidKey = typeof b.uuid === 'string' && b.uuid ? `create:${b.uuid}` : null;
      if (uuidKey && this.uuids.has(uuidKey)) return ok(c, this.publicMessage(this.messages.get(this.uuids.get(uuidKey)!)!));
      const chatId = type === 'chat_id' ? (b.receive_id as string) : `oc_p2p_${b.receive_id}`;
      if (this.limited(chatId)) return fail(c, 400, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(this.rateLimitQps), 'x-ogw-ratelimit-reset': '1' });
      const m = this.issueMessage({ msgType: b.msg_type as string, content: b.content as string, chatId, receiveId: b.receive_id as string, uuid: b.uuid as string | undefined });
      if (uuidKey) this.uuids.set(uuidKey, m.message_id);
      this.sent.push({ op: 'create', message_id: m.message_id, msg_type: m.msg_type, content: m.body.content, at: this.now() });
      return ok(c, this.publicMessage(m));
    });

    app.post('/open-apis/im/v1/messages/:message_id/reply', async (c) => {
      const parent = this.messages.get(c.req.param('message_id'));
      if (!parent || parent.deleted) return fail(c, 400, 230011, 'The message was not found or has been withdrawn');
      const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
      if (!b) return fail(c, 400, 230001, 'invalid param');
      const bad = this.validateContent(c, b.msg_type, b.content);
      if (bad) return bad;
      const uuidKey = typeof b.uuid === 'string' && b.uuid ? `reply:${b.uuid}` : null;
      if (uuidKey && this.uuids.has(uuidKey)) return ok(c, this.publicMessage(this.messages.get(this.uuids.get(uuidKey)!)!));
      if (this.limited(parent.chat_id)) return fail(c, 400, 99991400, 'request trigger frequency limit', { 'x-ogw-ratelimit-limit': String(this.rateLimitQps), 'x-ogw-ratelimit-reset': '1' });
      const m = this.issueMessage({
        msgType: b.msg_type as string,
        content: b.content as string,
        chatId: parent.chat_id,
        parentId: parent.message_id,
        rootId: parent.root_id ?? parent.message_id,
        uuid: b.uuid as string | undefined,
      });
      if (uuidKey) this.uuids.set(uuidKey, m.message_id);
      this.sent.push({ op: 'reply', message_id: m.message_id, parent_id: parent.message_id, msg_type: m.msg_type, content: m.body.content, at: this.now() });
      return ok(c, this.publicMessage(m));
    });

    app.patch('/open-apis/im/v1/messages/:message_id', async (c) => {
      const m = this.messages.get(c.req.param('message_id'));
      if (!m) return fail(c, 400, 230011, 'message not found');
      if (m.sender.sender_type !== 'app' || m.msg_type !== 'interactive') return fail(c, 400, 230001, 'only interactive messages sent by this app can be patched');
      const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
      if (!b || typeof b.content !== 'string') return fail(c, 400, 230001, 'invalid param: content');
      const err = validateCard(b.content);
      if (err) return fail(c, 400, err.code, err.msg);
      m.body.content = b.content;
      m.updated = true;
      m.update_time = String(this.now());
      this.sent.push({ op: 'patch', message_id: m.message_id, msg_type: m.msg_type, content: m.body.content, at: this.now() });
      return ok(c, {});
    });

    app.put('/open-apis/im/v1/messages/:message_id', async (c) => {
      const m = this.messages.get(c.req.param('message_id'));
      if (!m) return fail(c, 400, 230011, 'message not found');
      if (m.sender.sender_type !== 'app') return fail(c, 400, 230001, 'only messages sent by this app can be edited');
      const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
      if (!b || (b.msg_type !== 'text' && b.msg_type !== 'post')) return fail(c, 400, 230001, 'invalid param: msg_type must be text or post');
      const bad = this.validateContent(c, b.msg_type, b.content);
      if (bad) return bad;
      m.msg_type = b.msg_type as string;
      m.body.content = b.content as string;
      m.updated = true;
      m.update_time = String(this.now());
      this.sent.push({ op: 'update', message_id: m.message_id, msg_type: m.msg_type, content: m.body.content, at: this.now() });
      return ok(c, this.publicMessage(m));
    });

    app.get('/open-apis/im/v1/messages/:message_id', (c) => {
      const m = this.messages.get(c.req.param('message_id'));
      if (!m) return fail(c, 400, 230011, 'message not found');
      return ok(c, { items: [this.publicMessage(m)] });
    });

    // Uploads
    app.post('/open-apis/im/v1/images', async (c) => {
      const form = await c.req.parseBody().catch(() => null);
      const image = form?.image;
      if (!form || !(form.image_type === 'message' || form.image_type === 'avatar')) return fail(c, 400, 234001, 'invalid image_type');
      // A Buffer sent by axios/form-data without a filename arrives as a plain field: still the bytes.
      const size = image instanceof Blob ? image.size : typeof image === 'string' ? Buffer.byteLength(image, 'latin1') : 0;
      if (size === 0) return fail(c, 400, 234006, 'image is empty');
      if (size > 10 * 1024 * 1024) return fail(c, 400, 234006, 'image exceeds 10MB');
      const key = 'img_v3_' + randomHex(12);
      this.images.set(key, { size, type: String(form.image_type) });
      return ok(c, { image_key: key });
    });

    app.post('/open-apis/im/v1/files', async (c) => {
      const form = await c.req.parseBody().catch(() => null);
      const file = form?.file;
      const types = ['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'];
      if (!form || !types.includes(String(form.file_type))) return fail(c, 400, 234001, 'invalid file_type');
      if (typeof form.file_name !== 'string' || !form.file_name) return fail(c, 400, 234001, 'file_name required');
      const size = file instanceof Blob ? file.size : typeof file === 'string' ? Buffer.byteLength(file, 'latin1') : 0;
      if (size === 0) return fail(c, 400, 234006, 'file is empty');
      if (size > 30 * 1024 * 1024) return fail(c, 400, 234006, 'file exceeds 30MB');
      const key = 'file_v3_' + randomHex(12);
      this.files.set(key, { size, name: form.file_name, type: String(form.file_type) });
      return ok(c, { file_key: key });
    });

    // Delayed card update
    app.post('/open-apis/interactive/v1/card/update', async (c) => {
      const b = (await c.req.json().catch(() => null)) as { token?: string; card?: unknown } | null;
      if (!b || typeof b.token !== 'string' || !b.token.startsWith('c-')) return c.json({ code: 300020, msg: 'token format invalid' });
      const t = this.cardTokens.get(b.token);
      if (!t) return c.json({ code: 300020, msg: 'token invalid' });
      if (t.expiresAt < this.now()) return c.json({ code: 300030, msg: 'token expired' });
      if (t.uses >= 2) return c.json({ code: 300040, msg: 'token used too many times' });
      if (t.respondedAt === null) return c.json({ code: 300050, msg: 'update called before the callback was answered' });
      if (!b.card || typeof b.card !== 'object') return c.json({ code: 10002, msg: 'bad card' });
      const content = JSON.stringify(b.card);
      const err = validateCard(content);
      if (err) return c.json({ code: 11311, msg: err.msg });
      const m = this.messages.get(t.messageId);
      if (!m) return c.json({ code: 200000, msg: 'card message recalled' });
      t.uses++;
      m.body.content = content;
      m.updated = true;
      m.update_time = String(this.now());
      this.sent.push({ op: 'card_update', message_id: m.message_id, msg_type: m.msg_type, content, at: this.now() });
      return c.json({ code: 0, msg: 'ok' });
    });

    // Sheets
    const sheetsRoute = (fn: (c: Context) => Promise<Response> | Response) => async (c: Context) => {
      try {
        return await fn(c);
      } catch (e) {
        if (e instanceof SheetError) return fail(c, e.httpStatus, e.code, e.message);
        throw e;
      }
    };
    app.post('/open-apis/sheets/v3/spreadsheets', sheetsRoute(async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { title?: string; folder_token?: string };
      const s = this.sheets.create(b.title ?? '未命名表格', b.folder_token ?? '');
      return ok(c, { spreadsheet: { title: s.title, folder_token: s.folderToken, url: `${this.baseUrl}/sheets/${s.token}`, spreadsheet_token: s.token } });
    }));
    app.get('/open-apis/sheets/v3/spreadsheets/:t', sheetsRoute((c) => {
      const s = this.sheets.get(c.req.param('t')!);
      return ok(c, { spreadsheet: { title: s.title, owner_id: s.ownerId, token: s.token, url: `${this.baseUrl}/sheets/${s.token}` } });
    }));
    app.get('/open-apis/sheets/v3/spreadsheets/:t/sheets/query', sheetsRoute((c) => {
      const s = this.sheets.get(c.req.param('t')!);
      return ok(c, {
        sheets: s.sheets.map((sh) => ({
          sheet_id: sh.sheetId,
          title: sh.title,
          index: sh.index,
          hidden: sh.hidden,
          grid_properties: { frozen_row_count: 0, frozen_column_count: 0, row_count: sh.rowCount, column_count: sh.columnCount },
          resource_type: 'sheet',
          merges: [],
        })),
      });
    }));
    app.post('/open-apis/sheets/v2/spreadsheets/:t/sheets_batch_update', sheetsRoute(async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { requests?: unknown };
      return ok(c, { replies: this.sheets.batchUpdateSheets(c.req.param('t')!, b.requests) });
    }));
    app.put('/open-apis/sheets/v2/spreadsheets/:t/values', sheetsRoute(async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { valueRange?: { range?: string; values?: unknown } };
      if (!b.valueRange?.range) throw new SheetError(90202, 'valueRange.range required');
      return ok(c, this.sheets.put(c.req.param('t')!, b.valueRange.range, b.valueRange.values));
    }));
    app.post('/open-apis/sheets/v2/spreadsheets/:t/values_batch_update', sheetsRoute(async (c) => {
      const t = c.req.param('t')!;
      const b = (await c.req.json().catch(() => ({}))) as { valueRanges?: { range: string; values: unknown }[] };
      if (!Array.isArray(b.valueRanges)) throw new SheetError(90202, 'valueRanges required');
      const responses = b.valueRanges.map((vr) => this.sheets.put(t, vr.range, vr.values));
      return ok(c, { revision: this.sheets.get(t).revision, spreadsheetToken: t, responses: responses.map(({ revision: _r, ...x }) => x) });
    }));
    app.post('/open-apis/sheets/v2/spreadsheets/:t/values_append', sheetsRoute(async (c) => {
      const option = c.req.query('insertDataOption') ?? 'OVERWRITE';
      if (!['OVERWRITE', 'INSERT_ROWS'].includes(option)) throw new SheetError(90202, 'insertDataOption must be OVERWRITE or INSERT_ROWS');
      const b = (await c.req.json().catch(() => ({}))) as { valueRange?: { range?: string; values?: unknown }; insertDataOption?: unknown };
      if (b.insertDataOption !== undefined) throw new SheetError(90202, 'insertDataOption belongs in the query string');
      if (!b.valueRange?.range) throw new SheetError(90202, 'valueRange.range required');
      return ok(c, this.sheets.append(c.req.param('t')!, b.valueRange.range, b.valueRange.values, option));
    }));
    app.get('/open-apis/sheets/v2/spreadsheets/:t/values_batch_get', sheetsRoute((c) => {
      const t = c.req.param('t')!;
      const ranges = (c.req.query('ranges') ?? '').split(',').filter(Boolean);
      if (!ranges.length) throw new SheetError(90202, 'ranges required');
      const s = this.sheets.get(t);
      return ok(c, { revision: s.revision, spreadsheetToken: t, totalCells: 0, valueRanges: ranges.map((r) => this.sheets.read(t, r)) });
    }));
    app.get('/open-apis/sheets/v2/spreadsheets/:t/values/:range', sheetsRoute((c) => {
      const t = c.req.param('t')!;
      const range = decodeURIComponent(c.req.param('range')!);
      const s = this.sheets.get(t);
      return ok(c, { revision: s.revision, spreadsheetToken: t, valueRange: this.sheets.read(t, range) });
    }));

    app.all('/open-apis/*', (c) => fail(c, 404, 404, `fake-feishu: no such endpoint ${c.req.method} ${c.req.path}`));
    return app as unknown as Hono;
  }

  // ─────────────── Feishu → app ───────────────

  security(): EventSecurity {
    return { encryptKey: this.encryptKey, verificationToken: this.verificationToken };
  }

  /** Push any event type in the schema 2.0 envelope; redelivers on failure when retryDelaysMs is given. */
  async pushEvent(url: string, eventType: string, event: Record<string, unknown>, o: PushOptions = {}): Promise<PushResult> {
    const sec = o.security ?? this.security();
    const env = envelope(eventType, event, { appId: this.appId, tenantKey: this.tenantKey, verificationToken: sec.verificationToken, eventId: o.eventId });
    return this.deliver(url, env, o);
  }

  /** Send the identical envelope again (same event_id), freshly encrypted and signed — what Feishu's retry does. */
  async redeliver(url: string, previous: PushResult, o: PushOptions = {}): Promise<PushResult> {
    return this.deliver(url, previous.envelope, o, previous.messageId);
  }

  private async deliver(url: string, env: Envelope, o: PushOptions, messageId?: string): Promise<PushResult> {
    const sec = o.security ?? this.security();
    const delays = [0, ...(o.retryDelaysMs ?? [])];
    let last: PostResult | undefined;
    let attempts = 0;
    for (const d of delays) {
      if (d) await new Promise((r) => setTimeout(r, d));
      attempts++;
      const w = wire(env, sec, { sign: o.sign });
      const timeoutMs = o.timeoutMs ?? this.deadlines?.event;
      try {
        last = await postRaw(url, w.raw, { ...w.headers, ...(o.headers ?? {}) }, timeoutMs);
      } catch (e) {
        last = { status: 0, body: undefined, text: String((e as Error).message), ms: timeoutMs ?? 0 };
      }
      if (last.status === 200) break;
    }
    return { ...last!, eventId: env.header.event_id, envelope: env, messageId, attempts };
  }

  /** Store a user's message (as if sent in Feishu) without pushing an event: something to reply to. */
  seedUserMessage(s: { openId?: string; text?: string; chatId?: string } = {}): StoredMessage {
    const openId = s.openId ?? 'ou_test_user';
    const now = String(this.now());
    const m: StoredMessage = {
      message_id: 'om_' + randomHex(16),
      msg_type: 'text',
      create_time: now,
      update_time: now,
      deleted: false,
      updated: false,
      chat_id: s.chatId ?? `oc_p2p_${openId}`,
      sender: { id: openId, id_type: 'open_id', sender_type: 'user', tenant_key: this.tenantKey },
      body: { content: JSON.stringify({ text: s.text ?? '' }) },
      mentions: [],
    };
    this.messages.set(m.message_id, m);
    return m;
  }

  /** A user's text (or other) message: stored here (so replies to it work) and pushed as im.message.receive_v1. */
  async sendText(url: string, s: TextMessageSpec, o: PushOptions = {}): Promise<PushResult> {
    const openId = s.openId ?? 'ou_test_user';
    const chatType = s.chatType ?? 'p2p';
    const chatId = s.chatId ?? (chatType === 'p2p' ? `oc_p2p_${openId}` : 'oc_group_1');
    const messageId = s.messageId ?? 'om_' + randomHex(16);
    const messageType = s.messageType ?? 'text';
    const content = s.content ?? JSON.stringify({ text: s.text ?? '' });
    const now = String(this.now());
    if (messageType === 'text') {
      // Feishu writes one placeholder per mention into the text; a key that is not there is a broken test.
      for (const m of s.mentions ?? []) {
        if (!/^@_user_\d+$/.test(m.key)) throw new Error(`fake-feishu: mention key must look like @_user_N, got ${m.key}`);
        if (!new RegExp(`${m.key}(?!\\d)`).test(s.text ?? JSON.parse(content).text ?? '')) throw new Error(`fake-feishu: mention ${m.key} does not occur in the text`);
      }
    }
    // Like real events: id.open_id/union_id/user_id; a bot has no user_id (empty), a person's is
    // derived from the open_id here. Public adapters that told bots by the empty user_id were
    // fooled by other bots — the open_id from bot/v3/info is the only test of "this bot".
    const eventMentions = (s.mentions ?? []).map((m) => ({
      key: m.key,
      id: { union_id: `on_${m.openId.slice(3)}`, user_id: m.openId === this.botOpenId ? '' : m.openId.slice(3, 11), open_id: m.openId },
      name: m.name,
      tenant_key: this.tenantKey,
    }));
    if (!this.messages.has(messageId)) {
      this.messages.set(messageId, {
        message_id: messageId,
        msg_type: messageType,
        create_time: now,
        update_time: now,
        deleted: false,
        updated: false,
        chat_id: chatId,
        sender: { id: openId, id_type: 'open_id', sender_type: 'user', tenant_key: this.tenantKey },
        body: { content },
        mentions: eventMentions,
      });
    }
    const event = {
      sender: {
        sender_id: { union_id: s.unionId ?? `on_${openId.slice(3)}`, user_id: openId.slice(3, 11), open_id: openId },
        sender_type: s.senderType ?? 'user',
        tenant_key: this.tenantKey,
      },
      message: {
        message_id: messageId,
        create_time: now,
        update_time: now,
        chat_id: chatId,
        chat_type: chatType,
        message_type: messageType,
        content,
        ...(eventMentions.length ? { mentions: eventMentions } : {}),
        user_agent: 'Mozilla/5.0 fake-feishu',
      },
    };
    const r = await this.pushEvent(url, 'im.message.receive_v1', event, o);
    return { ...r, messageId };
  }

  /** url_verification (plain or encrypted, never signed); checks the echoed challenge. */
  async verifyUrl(url: string, o: { encrypted?: boolean; token?: string; timeoutMs?: number } = {}): Promise<PostResult & { challenge: string; ok: boolean }> {
    const challenge = randomHex(12);
    const body = { challenge, token: o.token ?? this.verificationToken ?? '', type: 'url_verification' };
    const encrypt = (o.encrypted ?? Boolean(this.encryptKey)) ? this.encryptKey : undefined;
    const w = wire(body, { encryptKey: encrypt }, { sign: false });
    const r = await postRaw(url, w.raw, w.headers, o.timeoutMs ?? this.deadlines?.urlVerification);
    const okResp = r.status === 200 && (r.body as { challenge?: string } | undefined)?.challenge === challenge;
    return { ...r, challenge, ok: okResp };
  }

  /**
   * A card click (card.action.trigger, schema 2.0) as Feishu sends it, with a fresh c-… token
   * (30 min, 2 uses, usable for /interactive/v1/card/update once this returns). Validates the
   * response like the Feishu client does and throws CardCallbackError (200341/200671/200672/
   * 200673/200830) on failure; a raw card in the response replaces the stored message content.
   */
  async clickCard(
    url: string,
    a: { messageId: string; chatId?: string; operatorOpenId: string; action: CardAction; host?: string },
    o: PushOptions = {},
  ): Promise<ClickResult> {
    const msg = this.messages.get(a.messageId);
    const token = 'c-' + randomBytes(20).toString('hex');
    this.cardTokens.set(token, { messageId: a.messageId, uses: 0, expiresAt: this.now() + 30 * 60_000, respondedAt: null });
    const event = {
      operator: { tenant_key: this.tenantKey, user_id: a.operatorOpenId.slice(3, 11), open_id: a.operatorOpenId, union_id: `on_${a.operatorOpenId.slice(3)}` },
      token,
      action: { timezone: 'Asia/Shanghai', ...a.action },
      host: a.host ?? 'im_message',
      context: { open_message_id: a.messageId, open_chat_id: a.chatId ?? msg?.chat_id ?? 'oc_unknown' },
    };
    const sec = o.security ?? this.security();
    const env = envelope('card.action.trigger', event, {
      appId: this.appId,
      tenantKey: this.tenantKey,
      verificationToken: sec.verificationToken,
      eventId: o.eventId,
      createTime: String(this.now() * 1000),
    });
    const w = wire(env, sec, { sign: o.sign });
    const deadline = o.timeoutMs ?? this.deadlines?.callback;
    let r: PostResult;
    try {
      r = await postRaw(url, w.raw, { ...w.headers, ...(o.headers ?? {}) }, deadline);
    } catch {
      throw new CardCallbackError(200341, `callback not answered within ${deadline} ms`);
    }
    if (deadline !== undefined && r.ms > deadline) throw new CardCallbackError(200341, `callback not answered within ${deadline} ms`);
    if (r.status !== 200) throw new CardCallbackError(200671, `callback returned HTTP ${r.status}`);
    const body = r.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new CardCallbackError(200672, `bad response body: ${r.text.slice(0, 200)}`);
    const toast = body.toast as ClickResult['toast'];
    if (toast !== undefined) {
      if (!toast || !['info', 'success', 'error', 'warning'].includes(toast.type) || (typeof toast.content !== 'string' && !toast.i18n)) {
        throw new CardCallbackError(200672, 'bad toast');
      }
    }
    const card = body.card as ClickResult['card'];
    if (card !== undefined) {
      if (!card || !['raw', 'template'].includes(card.type) || !card.data || typeof card.data !== 'object') throw new CardCallbackError(200673, 'bad card in response');
      if (card.type === 'raw') {
        const content = JSON.stringify(card.data);
        const err = validateCard(content);
        if (err) throw new CardCallbackError(200673, err.msg);
        if (msg) {
          let originalSchema: unknown;
          try {
            originalSchema = JSON.parse(msg.body.content).schema;
          } catch {
            originalSchema = undefined;
          }
          const newSchema = (card.data as { schema?: unknown }).schema;
          if (originalSchema === '2.0' && newSchema !== '2.0') throw new CardCallbackError(200830, 'cannot turn a 2.0 card into a 1.0 card');
          msg.body.content = content;
          msg.updated = true;
          msg.update_time = String(this.now());
          this.sent.push({ op: 'card_callback', message_id: msg.message_id, msg_type: 'interactive', content, at: this.now() });
        }
      }
    }
    const t = this.cardTokens.get(token);
    if (t) t.respondedAt = this.now();
    this.notify();
    return { ...r, token, eventId: env.header.event_id, toast, card };
  }

  /** Store a card message as if the bot had sent it (to click on in tests without a send). */
  seedCard(card: Record<string, unknown>, chatId = 'oc_p2p_seed'): StoredMessage {
    return this.issueMessage({ msgType: 'interactive', content: JSON.stringify(card), chatId });
  }
}

export async function startFakeFeishu(o: FakeFeishuOptions = {}): Promise<FakeFeishu> {
  return new FakeFeishu(o).start();
}

/**
 * The fake's time and flow controls, which let tests say "Feishu is slow", "the answer was lost",
 * "a second passed" as events instead of waiting for them: hold(), loseAnswerNext(),
 * freezeClock()/advanceClock(), idle(), and Feishu's answer deadlines (on unless turned off).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type * as lark from '@larksuiteoapi/node-sdk';
import { createFeishuClient } from '../../bot/feishu-client.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { startFakeFeishu, type FakeFeishu } from './index.js';

let fake: FakeFeishu;
let client: lark.Client;

beforeAll(async () => {
  fake = await startFakeFeishu({ deadlines: false });
  client = createFeishuClient(loadConfig({ FEISHU_APP_ID: fake.appId, FEISHU_APP_SECRET: fake.appSecret, FEISHU_BASE_URL: fake.baseUrl }), { logger: silentLogger, timeoutMs: 30_000 })!;
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.clearFaults());

const send = (text: string, to = 'ou_a') =>
  client.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: to, msg_type: 'text', content: JSON.stringify({ text }) } });
const sentTexts = () => fake.sent.filter((s) => s.op === 'create').map((s) => JSON.parse(s.content).text as string);

describe('fake feishu: flow controls', () => {
  it('hold(): matching calls wait, received but unprocessed, until release()', async () => {
    await send('warm-up'); // the tenant token is fetched outside the hold
    const slow = fake.hold('/im/v1/messages');
    const pending = send('held');
    await fake.waitFor(() => slow.held() === 1);
    expect(sentTexts()).not.toContain('held');
    expect(fake.requests.at(-1)).toMatchObject({ status: 0 }); // in flight
    slow.release();
    await expect(pending).resolves.toMatchObject({ code: 0 });
    expect(sentTexts()).toContain('held');
    // Released holds stay released; clearFaults() releases any left over.
    const left = fake.hold();
    const again = send('left over');
    await fake.waitFor(() => left.held() === 1);
    fake.clearFaults();
    await expect(again).resolves.toMatchObject({ code: 0 });
  });

  it('loseAnswerNext(): the message is sent, the answer never arrives; the same uuid later finds it', async () => {
    fake.loseAnswerNext(1, '/im/v1/messages');
    const uuid = 'lost-answer-1';
    const create = () =>
      client.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_b', msg_type: 'text', content: JSON.stringify({ text: 'once' }), uuid } });
    const first = await create().catch((e: { response?: unknown; code?: string }) => e);
    expect((first as { response?: unknown }).response).toBeUndefined(); // a cut connection, no HTTP answer
    expect(sentTexts().filter((t) => t === 'once')).toHaveLength(1);
    const second = await create();
    expect(second.code).toBe(0);
    expect(sentTexts().filter((t) => t === 'once')).toHaveLength(1);
  });

  it('idle(): resolves once no call is in flight', async () => {
    const slow = fake.hold('/im/v1/messages');
    const pending = send('idle-check');
    await fake.waitFor(() => slow.held() === 1);
    let idle = false;
    const waiting = fake.idle().then(() => (idle = true));
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(false);
    slow.release();
    await pending;
    await waiting;
    expect(idle).toBe(true);
  });
});

describe('fake feishu: its clock', () => {
  it('freezeClock(): a rate-limit second lasts until advanceClock() moves past it', async () => {
    fake.freezeClock();
    fake.setRateLimit(2);
    await send('r1', 'ou_rl');
    await send('r2', 'ou_rl');
    await expect(send('r3', 'ou_rl')).rejects.toMatchObject({ response: { status: 400, data: { code: 99991400 } } });
    fake.advanceClock(999);
    await expect(send('r3', 'ou_rl')).rejects.toMatchObject({ response: { status: 400 } });
    fake.advanceClock(1);
    await expect(send('r3', 'ou_rl')).resolves.toMatchObject({ code: 0 });
  });

  it('advanceClock(): tenant tokens expire when Feishu\'s clock passes their lifetime', async () => {
    const token = async () => {
      const r = await fetch(`${fake.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: fake.appId, app_secret: fake.appSecret }) });
      return ((await r.json()) as { tenant_access_token: string }).tenant_access_token;
    };
    const call = async (t: string) => (await fetch(`${fake.baseUrl}/open-apis/bot/v3/info`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.json())) as { code: number };
    fake.freezeClock();
    const t = await token();
    expect((await call(t)).code).toBe(0);
    fake.advanceClock(7200 * 1000 + 1);
    expect((await call(t)).code).toBe(99991663);
  });
});

describe('fake feishu: answer deadlines', () => {
  let server: ServerType;
  let url = '';
  let received!: () => void;
  let gate: Promise<void> = Promise.resolve();
  beforeAll(async () => {
    const app = new Hono();
    app.post('/cb', async (c) => {
      await c.req.text();
      received();
      await gate;
      return c.json({ toast: { type: 'success', content: 'ok' } });
    });
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** Click, and let the app answer only `answerAfterMs` after the click arrived. */
  async function clickAnsweredAfter(f: FakeFeishu, answerAfterMs: number) {
    const arrived = new Promise<void>((r) => (received = r));
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const msg = f.seedCard({ schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'x' }] } });
    const click = f.clickCard(url, { messageId: msg.message_id, operatorOpenId: 'ou_a', action: { tag: 'button' } });
    await arrived;
    setTimeout(release, answerAfterMs);
    return click;
  }

  it('on, a callback answered after the deadline is 200341, as in Feishu; off, the same answer counts', async () => {
    // 20 ms stands in for Feishu's 3 s. The answer comes ≥ 50 ms after the click arrived, so
    // the deadline's timer (set before) always fires first, however slow the machine.
    const strict = await startFakeFeishu({ deadlines: { callback: 20 } });
    try {
      await expect(clickAnsweredAfter(strict, 50)).rejects.toMatchObject({ code: 200341 });
    } finally {
      await strict.close();
    }
    await expect(clickAnsweredAfter(fake, 50)).resolves.toMatchObject({ status: 200, toast: { content: 'ok' } });
  });
});

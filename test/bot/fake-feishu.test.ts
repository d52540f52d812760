/** The fake Open API, driven by the official SDK exactly as production code drives Feishu. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { botIdentity, cachedBotIdentity, configureBotIdentity, createFeishuClient, forgetBotIdentity } from '../../bot/feishu-client.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { CardCallbackError, startFakeFeishu, type FakeFeishu } from '../fake-feishu/index.js';

let fake: FakeFeishu;
let client: lark.Client;

beforeAll(async () => {
  fake = await startFakeFeishu();
  client = createFeishuClient(loadConfig({ FEISHU_APP_ID: fake.appId, FEISHU_APP_SECRET: fake.appSecret, FEISHU_BASE_URL: fake.baseUrl }), { logger: silentLogger, timeoutMs: 2000 })!;
});
afterAll(async () => {
  await fake.close();
});

const card = (title: string, extra: unknown[] = []) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title } },
  body: { elements: [{ tag: 'markdown', content: title }, ...extra] },
});

describe('fake feishu: auth', () => {
  it('issues tenant tokens for the right secret only', async () => {
    const ok = await fetch(`${fake.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: fake.appId, app_secret: fake.appSecret }) });
    const body = (await ok.json()) as { code: number; tenant_access_token: string; expire: number };
    expect(body.code).toBe(0);
    expect(body.tenant_access_token).toMatch(/^t-/);
    expect(body.expire).toBe(7200);
    const bad = await fetch(`${fake.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: fake.appId, app_secret: 'x' }) });
    expect(bad.status).toBe(400);
  });
  it('requires a bearer token', async () => {
    const r = await fetch(`${fake.baseUrl}/open-apis/im/v1/messages/om_x`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { code: number }).code).toBe(99991661);
    const r2 = await fetch(`${fake.baseUrl}/open-apis/im/v1/messages/om_x`, { headers: { authorization: 'Bearer t-unknown' } });
    expect(((await r2.json()) as { code: number }).code).toBe(99991663);
  });
});

describe('fake feishu: messages through the SDK', () => {
  it('create (with uuid idempotency), reply, get, update (text) and patch (card)', async () => {
    const a = await client.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_a', msg_type: 'text', content: JSON.stringify({ text: 'hi' }), uuid: 'u-1' } });
    const b = await client.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_a', msg_type: 'text', content: JSON.stringify({ text: 'hi' }), uuid: 'u-1' } });
    expect(a.code).toBe(0);
    expect(a.data?.message_id).toBe(b.data?.message_id);
    expect(a.data?.sender?.sender_type).toBe('app');
    const reply = await client.im.v1.message.reply({ path: { message_id: a.data!.message_id! }, data: { msg_type: 'text', content: JSON.stringify({ text: 'reply' }) } });
    expect(reply.data?.parent_id).toBe(a.data?.message_id);
    const got = await client.im.v1.message.get({ path: { message_id: reply.data!.message_id! } });
    expect(JSON.parse(got.data!.items![0].body!.content!)).toEqual({ text: 'reply' });
    await client.im.v1.message.update({ path: { message_id: a.data!.message_id! }, data: { msg_type: 'text', content: JSON.stringify({ text: 'edited' }) } });
    expect(fake.textOf(fake.messages.get(a.data!.message_id!)!)).toBe('edited');
    const c = await client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_1', msg_type: 'interactive', content: JSON.stringify(card('v1')) } });
    await client.im.v1.message.patch({ path: { message_id: c.data!.message_id! }, data: { content: JSON.stringify(card('v2')) } });
    expect(fake.messages.get(c.data!.message_id!)!.body.content).toContain('v2');
    expect(fake.sent.map((s) => s.op)).toEqual(expect.arrayContaining(['create', 'reply', 'update', 'patch']));
  });

  it('rejects bad params, unknown parents and bad cards like Feishu', async () => {
    await expect(client.im.v1.message.create({ params: { receive_id_type: 'nope' as 'open_id' }, data: { receive_id: 'x', msg_type: 'text', content: '{"text":"a"}' } })).rejects.toMatchObject({ response: { data: { code: 230001 } } });
    await expect(client.im.v1.message.reply({ path: { message_id: 'om_missing' }, data: { msg_type: 'text', content: '{"text":"a"}' } })).rejects.toMatchObject({ response: { data: { code: 230011 } } });
    const dupNames = card('x', [{ tag: 'form', name: 'f', elements: [{ tag: 'input', name: 'a' }, { tag: 'input', name: 'a' }] }]);
    await expect(client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_1', msg_type: 'interactive', content: JSON.stringify(dupNames) } })).rejects.toMatchObject({ response: { status: 400 } });
    const huge = card('x', Array.from({ length: 201 }, () => ({ tag: 'hr' })));
    await expect(client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_1', msg_type: 'interactive', content: JSON.stringify(huge) } })).rejects.toMatchObject({ response: { status: 400 } });
  });

  it('fault injection: status codes with rate-limit headers, dropped connections, held calls', async () => {
    fake.failNext(1, { status: 400, code: 99991400 });
    const e = await client.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_a', msg_type: 'text', content: '{"text":"a"}' } }).catch((x) => x);
    expect(e.response.status).toBe(400);
    expect(e.response.data.code).toBe(99991400);
    expect(e.response.headers['x-ogw-ratelimit-reset']).toBe('1');
    fake.dropNext(1);
    const d = await client.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_a', msg_type: 'text', content: '{"text":"a"}' } }).catch((x) => x);
    expect(d.response).toBeUndefined();
    // A slow Feishu: the call waits, unprocessed, until the test lets it through.
    const slow = fake.hold('/im/v1/messages');
    const pending = client.im.v1.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_a', msg_type: 'text', content: '{"text":"slow"}' } });
    await fake.waitFor(() => slow.held() === 1);
    expect(fake.sent.some((x) => x.content.includes('slow'))).toBe(false);
    slow.release();
    await expect(pending).resolves.toMatchObject({ code: 0 });
  });
});

describe('fake feishu: bot info (the bot\'s own open_id)', () => {
  it('GET /open-apis/bot/v3/info needs a tenant token and answers { code, msg, bot } like Feishu', async () => {
    const none = await fetch(`${fake.baseUrl}/open-apis/bot/v3/info`);
    expect(none.status).toBe(400);
    expect(((await none.json()) as { code: number }).code).toBe(99991661);
    const stale = await fetch(`${fake.baseUrl}/open-apis/bot/v3/info`, { headers: { authorization: 'Bearer t-unknown' } });
    expect(((await stale.json()) as { code: number }).code).toBe(99991663);
    const r = (await client.request({ url: '/open-apis/bot/v3/info', method: 'GET' })) as { code: number; data?: unknown; bot: Record<string, unknown> };
    expect(r.code).toBe(0);
    expect(r.data).toBeUndefined();
    expect(r.bot).toMatchObject({ open_id: fake.botOpenId, app_name: fake.botName, activate_status: 2, ip_white_list: [] });
    // GET only.
    await expect(client.request({ url: '/open-apis/bot/v3/info', method: 'POST', data: {} })).rejects.toMatchObject({ response: { status: 404 } });
  });

  it('botIdentity: fetched once and cached; a failure is retried only after the backoff; a stale token is renewed', async () => {
    forgetBotIdentity(client);
    configureBotIdentity(client, { baseDelayMs: 60_000 });
    const before = fake.requests.filter((r) => r.path.startsWith('/open-apis/bot/')).length;
    fake.failNext(1, { status: 500, path: '/bot/v3/info' });
    expect(await botIdentity(client, silentLogger)).toBeNull();
    // Inside the backoff: no request at all.
    expect(await botIdentity(client, silentLogger)).toBeNull();
    expect(fake.requests.filter((r) => r.path.startsWith('/open-apis/bot/')).length).toBe(before + 1);
    configureBotIdentity(client, { baseDelayMs: 0 });
    fake.expireTokens();
    // 99991663: the cached token is dropped, so the try after it gets a new one.
    expect(await botIdentity(client, silentLogger)).toBeNull();
    const [a, b] = await Promise.all([botIdentity(client, silentLogger), botIdentity(client, silentLogger)]);
    expect(a).toEqual({ openId: fake.botOpenId, name: fake.botName, activateStatus: 2 });
    expect(b).toBe(a);
    expect(cachedBotIdentity(client)).toBe(a);
    const n = fake.requests.length;
    expect(await botIdentity(client, silentLogger)).toBe(a);
    expect(fake.requests.length).toBe(n);
  });

  it('events carry mentions like Feishu: id.open_id/union_id/user_id (a bot has no user_id); keys must be in the text', async () => {
    const seen: unknown[] = [];
    const app = new Hono().post('/ev', async (c) => {
      seen.push(await c.req.json());
      return c.json({});
    });
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ev`;
      await fake.sendText(url, { chatType: 'group', text: '@_user_1 用户 授权 @_user_2 仓管', mentions: [fake.botMention('@_user_1'), { key: '@_user_2', openId: 'ou_zhang3', name: '张三' }] });
      const ev = (seen[0] as { event: { message: { chat_type: string; mentions: { key: string; id: Record<string, string>; name: string; tenant_key: string }[] } } }).event.message;
      expect(ev.chat_type).toBe('group');
      expect(ev.mentions[0]).toEqual({ key: '@_user_1', id: { open_id: fake.botOpenId, union_id: expect.stringMatching(/^on_/), user_id: '' }, name: fake.botName, tenant_key: fake.tenantKey });
      expect(ev.mentions[1].id).toEqual({ open_id: 'ou_zhang3', union_id: 'on_zhang3', user_id: 'zhang3' });
      await expect(fake.sendText(url, { chatType: 'group', text: '库存', mentions: [fake.botMention('@_user_1')] })).rejects.toThrow(/does not occur/);
      // @_user_1 is not in "@_user_12".
      await expect(fake.sendText(url, { chatType: 'group', text: '@_user_12 库存', mentions: [fake.botMention('@_user_1')] })).rejects.toThrow(/does not occur/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('fake feishu: uploads', () => {
  it('image and file upload (multipart) through the SDK', async () => {
    const img = await client.im.v1.image.create({ data: { image_type: 'message', image: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) } });
    expect(img?.image_key).toMatch(/^img_v3_/);
    const file = await client.im.v1.file.create({ data: { file_type: 'xls', file_name: '库存.xlsx', file: Buffer.from('PK fake xlsx') } });
    expect(file?.file_key).toMatch(/^file_v3_/);
    expect(fake.files.get(file!.file_key!)?.name).toBe('库存.xlsx');
  });
});

describe('fake feishu: sheets', () => {
  it('create, query sheets, write, append, read, batch get, sheet batch update', async () => {
    const created = await client.sheets.v3.spreadsheet.create({ data: { title: '库存台账' } });
    const token = created.data!.spreadsheet!.spreadsheet_token!;
    const q = await client.sheets.v3.spreadsheetSheet.query({ path: { spreadsheet_token: token } });
    const sheetId = q.data!.sheets![0].sheet_id!;
    const put = await client.request<{ code: number; data: { updatedRange: string; revision: number } }>({ method: 'PUT', url: `/open-apis/sheets/v2/spreadsheets/${token}/values`, data: { valueRange: { range: `${sheetId}!A1:B2`, values: [['SKU', '数量'], ['A001', 5]] } } });
    expect(put.data.updatedRange).toBe(`${sheetId}!A1:B2`);
    const app = await client.request<{ data: { updates: { updatedRange: string } } }>({ method: 'POST', url: `/open-apis/sheets/v2/spreadsheets/${token}/values_append`, params: { insertDataOption: 'INSERT_ROWS' }, data: { valueRange: { range: `${sheetId}!A1:B1`, values: [['A002', 7]] } } });
    expect(app.data.updates.updatedRange).toBe(`${sheetId}!A3:B3`);
    const read = await client.request<{ data: { valueRange: { values: unknown[][] } } }>({ method: 'GET', url: `/open-apis/sheets/v2/spreadsheets/${token}/values/${encodeURIComponent(`${sheetId}!A1:B3`)}` });
    expect(read.data.valueRange.values).toEqual([['SKU', '数量'], ['A001', 5], ['A002', 7]]);
    const batch = await client.request<{ data: { responses: unknown[] } }>({ method: 'POST', url: `/open-apis/sheets/v2/spreadsheets/${token}/values_batch_update`, data: { valueRanges: [{ range: `${sheetId}!C1:C1`, values: [['备注']] }, { range: `${sheetId}!D1`, values: [['x']] }] } });
    expect(batch.data.responses).toHaveLength(2);
    const bg = await client.request<{ data: { valueRanges: { values: unknown[][] }[] } }>({ method: 'GET', url: `/open-apis/sheets/v2/spreadsheets/${token}/values_batch_get`, params: { ranges: `${sheetId}!A1:A1,${sheetId}!C1:C1` } });
    expect(bg.data.valueRanges.map((v) => v.values)).toEqual([[['SKU']], [['备注']]]);
    const sb = await client.request<{ data: { replies: { addSheet?: { properties: { sheetId: string } } }[] } }>({ method: 'POST', url: `/open-apis/sheets/v2/spreadsheets/${token}/sheets_batch_update`, data: { requests: [{ addSheet: { properties: { title: '出库' } } }] } });
    const newId = sb.data.replies[0].addSheet!.properties.sheetId;
    expect(newId).toMatch(/^[a-z0-9]{6}$/);
    const got = await client.sheets.v3.spreadsheet.get({ path: { spreadsheet_token: token } });
    expect(got.data?.spreadsheet?.title).toBe('库存台账');
    // limits and errors
    await expect(client.request({ method: 'PUT', url: `/open-apis/sheets/v2/spreadsheets/${token}/values`, data: { valueRange: { range: `nosuch!A1:A1`, values: [['x']] } } })).rejects.toMatchObject({ response: { status: 400 } });
    await expect(client.request({ method: 'PUT', url: `/open-apis/sheets/v2/spreadsheets/${token}/values`, data: { valueRange: { range: `${sheetId}!A1:A1`, values: [['x', 'y']] } } })).rejects.toMatchObject({ response: { status: 400 } });
    await expect(client.request({ method: 'PUT', url: `/open-apis/sheets/v2/spreadsheets/${token}/values`, data: { valueRange: { range: `${sheetId}!A1:A1`, values: [['x'.repeat(50_001)]] } } })).rejects.toMatchObject({ response: { status: 400 } });
    expect(fake.sheets.values(token, sheetId)[0]).toEqual(['SKU', '数量', '备注', 'x']);
  });
});

describe('fake feishu: card callbacks and delayed update', () => {
  let server: ServerType;
  let url = '';
  let answer: unknown = {};
  beforeAll(async () => {
    const app = new Hono();
    app.post('/cb', async (c) => {
      await c.req.text();
      if (answer === 'empty') return c.body('');
      if (answer === 500) return c.json({}, 500);
      return c.json(answer as object);
    });
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('validates the response shape and applies a raw card; the c- token updates twice within 30 min', async () => {
    const msg = fake.seedCard(card('原卡片'));
    answer = { toast: { type: 'success', content: '好了' }, card: { type: 'raw', data: card('新卡片') } };
    const r = await fake.clickCard(url, { messageId: msg.message_id, operatorOpenId: 'ou_a', action: { tag: 'button', value: { a: 'x' } } });
    expect(r.token).toMatch(/^c-/);
    expect(r.toast?.content).toBe('好了');
    expect(fake.messages.get(msg.message_id)!.body.content).toContain('新卡片');
    for (const [i, expected] of [[1, 0], [2, 0], [3, 300040]] as const) {
      const u = await client.request<{ code: number }>({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token: r.token, card: card(`更新${i}`) } });
      expect(u.code).toBe(expected);
    }
    expect(fake.messages.get(msg.message_id)!.body.content).toContain('更新2');
  });

  it('raises the client error codes Feishu shows', async () => {
    const msg = fake.seedCard(card('x'));
    const click = () => fake.clickCard(url, { messageId: msg.message_id, operatorOpenId: 'ou_a', action: { tag: 'button' } });
    answer = 'empty';
    await expect(click()).rejects.toMatchObject({ code: 200672 });
    answer = 500;
    await expect(click()).rejects.toMatchObject({ code: 200671 });
    answer = { toast: { type: 'bogus', content: 'x' } };
    await expect(click()).rejects.toMatchObject({ code: 200672 });
    answer = { card: { type: 'raw', data: { elements: [] } } };
    await expect(click()).rejects.toBeInstanceOf(CardCallbackError);
    answer = {};
    await expect(click()).resolves.toMatchObject({ status: 200 });
  });
});

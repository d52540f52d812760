import { describe, expect, it } from 'vitest';
import { normalizeText, tokenize } from '../../bot/parse/normalize.js';
import { checkQty, moneyFen, parseArgs, splitProductAndQty } from '../../bot/parse/args.js';
import { UsageError } from '../../bot/commands/registry.js';
import { addressMessage as address, messageText } from '../../bot/messages.js';
import { command, type Mention } from '../../bot/commands/registry.js';
import { buildCommandRegistry, commandSpecs } from '../../bot/registries.js';
import { buildUseCases } from '../../src/app.js';
import { readInbound, signature, signatureV1Card } from '../../bot/security.js';
import { encryptPayload } from '../fake-feishu/index.js';
import { classifyFailure } from '../../src/outbox/index.js';

// The app's command registry (a value built at start).
const commands = buildCommandRegistry(buildUseCases());
const addressMessage = (text: string, chatType: string | undefined, mentions: Mention[], botOpenId: string | null) => address(text, chatType, mentions, botOpenId, commands);

describe('normalize', () => {
  it('full-width digits, letters, punctuation and spaces', () => {
    expect(normalizeText('出库　Ａ００１　１２３，＠主仓库')).toBe('出库 A001 123 @主仓库');
    expect(normalizeText('包装＝箱：２４')).toBe('包装=箱:24');
    expect(normalizeText('  入库   A001\t\t5  ')).toBe('入库 A001 5');
    expect(normalizeText('进价 = 12.5')).toBe('进价=12.5');
    expect(normalizeText('出库 A001 5@二号仓')).toBe('出库 A001 5 @二号仓');
    expect(normalizeText('库存\u200b A001')).toBe('库存 A001');
  });
  it('is idempotent', () => {
    for (const s of ['出库　Ａ００１　１２３，＠主仓库', '包装＝箱：２４', 'a , b', '＂x y＂']) expect(normalizeText(normalizeText(s))).toBe(normalizeText(s));
  });
  it('tokenize keeps quoted text together', () => {
    expect(tokenize('出库 "螺丝 M6" 5')).toEqual(['出库', '螺丝 M6', '5']);
  });
});

describe('args', () => {
  it('quantities', () => {
    expect(checkQty('5')).toBe('5');
    expect(checkQty('2箱')).toBe('2箱');
    expect(checkQty('2箱3个')).toBe('2箱3个');
    expect(checkQty('1.5')).toBe('1.5');
    for (const bad of ['0', '-1', 'abc', '零', '0.0000001', '1234567890123', '0箱']) expect(() => checkQty(bad), bad).toThrow(UsageError);
    // Chinese numerals are quantities (issue 10; the table of spellings is test/bot/spellings.test.ts).
    expect(checkQty('五')).toBe('5');
    expect(() => checkQty(undefined)).toThrow(/缺少数量/);
  });
  it('yuan → fen exactly, no floats', () => {
    expect(moneyFen('12.5', '进价')).toBe(1250n);
    expect(moneyFen('0.1', '进价') + moneyFen('0.2', '进价')).toBe(30n);
    expect(moneyFen('19.99', '售价')).toBe(1999n);
    expect(moneyFen('¥3', '售价')).toBe(300n);
    for (const bad of ['1.234', '-1', 'abc', '1e3', '']) expect(() => moneyFen(bad, '进价'), bad).toThrow(UsageError);
  });
  it('options, warehouses, mentions, flags', () => {
    const a = parseArgs(['A001', '5', '@主仓', '批次=B1', '@_user_1', '生产'], { options: { 批次: ['batch'] }, flags: { 生产: [] } });
    expect(a.positional).toEqual(['A001', '5']);
    expect(a.at).toEqual(['主仓']);
    expect(a.mentions).toEqual(['@_user_1']);
    expect(a.options.get('批次')).toBe('B1');
    expect(a.flags.has('生产')).toBe(true);
    expect(parseArgs(['batch=B2'], { options: { 批次: ['batch'] } }).options.get('批次')).toBe('B2');
    expect(() => parseArgs(['颜色=红'], { options: { 批次: [] } })).toThrow(/不认识的选项/);
  });
  it('product names of several words', () => {
    expect(splitProductAndQty(['螺丝', 'M6', '5', '客户'])).toEqual({ product: '螺丝 M6', rest: ['5', '客户'] });
    expect(splitProductAndQty(['3M胶带', '2'])).toEqual({ product: '3M胶带', rest: ['2'] });
  });
});

describe('messages', () => {
  it('text and post content', () => {
    expect(messageText('text', '{"text":"@_user_1 库存"}')).toBe('@_user_1 库存');
    expect(messageText('post', JSON.stringify({ title: 't', content: [[{ tag: 'at', user_id: '@_user_1' }, { tag: 'text', text: '库存 A001' }]] }))).toContain('@_user_1');
    expect(messageText('post', JSON.stringify({ zh_cn: { title: '', content: [[{ tag: 'text', text: '帮助' }]] } }))).toBe('帮助');
    expect(messageText('image', '{"image_key":"x"}')).toBeNull();
    expect(messageText('text', 'not json')).toBeNull();
  });
  it('group addressing (by the bot\'s open_id; more in group-addressing.test.ts)', () => {
    const bot = [{ key: '@_user_1', openId: 'ou_bot' }];
    expect(addressMessage('帮助', 'p2p', [], null)).toEqual({ kind: 'command', text: '帮助', mentions: [] });
    expect(addressMessage('帮助', 'group', [], 'ou_bot')).toEqual({ kind: 'ignore', reason: 'no-mention' });
    expect(addressMessage('@_user_1 帮助', 'group', bot, 'ou_bot')).toMatchObject({ kind: 'command', text: '帮助' });
    expect(addressMessage('出库 A001 1 @_user_1', 'group', bot, 'ou_bot')).toMatchObject({ kind: 'command', text: '出库 A001 1' });
    // A leading mention of someone else is not ours (the old structural rule took it).
    expect(addressMessage('@_user_1 帮助', 'group', [{ key: '@_user_1', openId: 'ou_zhang' }], 'ou_bot')).toEqual({ kind: 'ignore', reason: 'not-this-bot' });
  });
});

describe('command registry', () => {
  it('matches the longest name, aliases case-insensitively, and compact forms', () => {
    const m = commands.match(['商品', '新增', 'A001', '螺丝']);
    expect(m.kind === 'command' && m.command.name).toBe('商品 新增');
    expect(m.kind === 'command' && m.args).toEqual(['A001', '螺丝']);
    const e = commands.match(['OUT', 'A001', '1']);
    expect(e.kind === 'command' && e.command.name).toBe('出库');
    const c = commands.match(['盘点开始']);
    expect(c.kind === 'command' && c.command.name).toBe('盘点 开始');
    expect(commands.match(['商品']).kind).toBe('group');
    expect(commands.match(['不存在']).kind).toBe('none');
  });
  it('refuses a duplicate name', () => {
    const again = command({ name: '出库', summary: 'x', usage: '', example: '', parse: () => ({}), run: async () => '' });
    expect(() => buildCommandRegistry(buildUseCases(), [...commandSpecs(), again])).toThrow(/twice/);
  });
});

describe('security', () => {
  const key = 'k1';
  const ts = String(Math.floor(Date.now() / 1000));
  const body = JSON.stringify({ encrypt: encryptPayload(key, JSON.stringify({ schema: '2.0', header: { event_id: 'e1', event_type: 'x', token: 'tok' }, event: {} })) });
  it('verifies the signature over the raw body and the token', () => {
    const h = { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': signature(ts, 'n', key, body) };
    expect(readInbound(body, h, { encryptKey: key, verificationToken: 'tok' }).kind).toBe('event');
    expect(readInbound(body, h, { encryptKey: key, verificationToken: 'other' }).kind).toBe('reject');
    expect(readInbound(body + ' ', h, { encryptKey: key }).kind).toBe('reject');
    expect(readInbound(body, {}, { encryptKey: key }).kind).toBe('reject');
    expect(readInbound(body, h, {}).kind).toBe('reject'); // encrypted but no key configured
  });
  it('a correct signature older or newer than the replay window is refused (v2 and old card callbacks)', () => {
    const h = { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': signature(ts, 'n', key, body) };
    const at = (hoursLater: number) => (Number(ts) + hoursLater * 3600) * 1000;
    expect(readInbound(body, h, { encryptKey: key, verificationToken: 'tok' }, at(11)).kind).toBe('event');
    expect(readInbound(body, h, { encryptKey: key, verificationToken: 'tok' }, at(13)).kind).toBe('reject');
    expect(readInbound(body, h, { encryptKey: key, verificationToken: 'tok' }, at(-13)).kind).toBe('reject');
    const v1 = JSON.stringify({ open_id: 'ou_a', open_message_id: 'om_1', token: 'c-t', action: { tag: 'button', value: {} } });
    const h1 = { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': signatureV1Card(ts, 'n', 'tok', v1) };
    expect(readInbound(v1, h1, { verificationToken: 'tok' }, at(13)).kind).toBe('reject');
  });
  it('old card callbacks (v1) are accepted with their sha1 token signature', () => {
    const v1 = JSON.stringify({ open_id: 'ou_a', open_message_id: 'om_1', token: 'c-update-token', action: { tag: 'button', value: { a: 'x' } } });
    const h = { 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n', 'x-lark-signature': signatureV1Card(ts, 'n', 'tok', v1) };
    expect(readInbound(v1, h, { encryptKey: key, verificationToken: 'tok' }).kind).toBe('event');
    expect(readInbound(v1, h, { verificationToken: 'tok' }).kind).toBe('event');
    expect(readInbound(v1, { ...h, 'x-lark-signature': signatureV1Card(ts, 'n', 'other', v1) }, { encryptKey: key, verificationToken: 'tok' }).kind).toBe('reject');
    expect(readInbound(v1, {}, { verificationToken: 'tok' }).kind).toBe('reject');
  });
  it('schema 1.0 / url_verification use the top-level token', () => {
    const v1 = JSON.stringify({ uuid: 'u', token: 'tok', ts: '1', type: 'event_callback', event: { type: 'message' } });
    expect(readInbound(v1, {}, { verificationToken: 'tok' }).kind).toBe('event');
    expect(readInbound(v1, {}, { verificationToken: 'nope' }).kind).toBe('reject');
    const ch = JSON.stringify({ challenge: 'c', token: 'tok', type: 'url_verification' });
    expect(readInbound(ch, {}, { verificationToken: 'tok', encryptKey: key })).toEqual({ kind: 'challenge', challenge: 'c' });
  });
});

describe('outbox failure classification', () => {
  const ax = (status: number, data: unknown, headers: Record<string, string> = {}) => ({ isAxiosError: true, response: { status, data, headers } });
  it('retries 429, 5xx, network and rate-limit codes; gives up on business errors', () => {
    expect(classifyFailure(ax(429, {})).retry).toBe(true);
    expect(classifyFailure(ax(503, {})).retry).toBe(true);
    expect(classifyFailure(ax(400, { code: 99991400 }, { 'x-ogw-ratelimit-reset': '3' }))).toMatchObject({ retry: true, notBeforeMs: 3000 });
    expect(classifyFailure(ax(400, { code: 99991663 }))).toMatchObject({ retry: true, invalidateToken: true });
    expect(classifyFailure(ax(400, { code: 230001 })).retry).toBe(false);
    expect(classifyFailure({ code: 'ECONNRESET', message: 'socket hang up' }).retry).toBe(true);
  });
});

describe('log redaction', () => {
  it('removes app secrets and tokens from SDK log lines', async () => {
    const { redactSecrets } = await import('../../bot/feishu-client.js');
    const line = redactSecrets(JSON.stringify({ config: { data: { app_id: 'cli_x', app_secret: 's3cr3t' } }, headers: { Authorization: 'Bearer t-abcdefabcdefabcdef12' } }));
    expect(line).not.toContain('s3cr3t');
    expect(line).not.toContain('t-abcdefabcdefabcdef12');
    expect(line).toContain('cli_x');
  });
});

describe('quantities read as written (issue 8 class 5)', () => {
  it('joins a unit typed apart from its number; a bare number after a quantity is not a part', async () => {
    const { readQty, remarkWords } = await import('../../bot/parse/args.js');
    expect(readQty(['3', '盒'])).toEqual({ qty: '3盒', rest: [] });
    expect(readQty(['2', '箱', '3', '个', '客户'])).toEqual({ qty: '2箱3个', rest: ['客户'] });
    expect(readQty(['2箱', '3个'])).toEqual({ qty: '2箱3个', rest: [] });
    expect(readQty(['2', 'KG'])).toEqual({ qty: '2KG', rest: [] });
    expect(readQty(['2箱', '6.5'])).toEqual({ qty: '2箱', rest: ['6.5'] });
    expect(readQty(['3', '根'])).toEqual({ qty: '3根', rest: [] });
    expect(() => remarkWords(['5'], '商品 A，数量 3', '')).toThrow(/我理解为：商品 A，数量 3；「5」看不懂/);
    expect(() => remarkWords(['盒'], '商品 A，数量 3', '')).toThrow(/「盒」/);
    expect(remarkWords(['客户张三'], '', '')).toBe('客户张三');
  });
});

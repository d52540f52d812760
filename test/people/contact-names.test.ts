/**
 * The contact-name cache rules (src/people/contact-names.ts) and the fake's contact endpoint as
 * the official SDK sees it (the shape the real API answers: data.user.name; HTTP 400 with
 * 41050 / 99991672 when the app may not read the user).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createFeishuClient } from '../../bot/feishu-client.js';
import { needsNameRefresh, userNameItem, NAME_TTL_MS } from '../../src/people/contact-names.js';
import { startFakeFeishu, type FakeFeishu } from '../fake-feishu/index.js';

const now = new Date('2026-11-30T08:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const DAY = 24 * 3600_000;

describe('when a name is read again', () => {
  it('never read and no name: now; a mention name counts for a week; a read (even refused) for a week', () => {
    expect(needsNameRefresh({ openId: 'ou_a', name: null, nameFetchedAt: null, updatedAt: now }, now)).toBe(true);
    expect(needsNameRefresh({ openId: 'ou_a', name: '张三', nameFetchedAt: null, updatedAt: ago(DAY) }, now)).toBe(false);
    expect(needsNameRefresh({ openId: 'ou_a', name: '张三', nameFetchedAt: null, updatedAt: ago(8 * DAY) }, now)).toBe(true);
    expect(needsNameRefresh({ openId: 'ou_a', name: null, nameFetchedAt: ago(6 * DAY), updatedAt: ago(30 * DAY) }, now)).toBe(false);
    expect(needsNameRefresh({ openId: 'ou_a', name: '张三', nameFetchedAt: ago(NAME_TTL_MS + 1), updatedAt: now }, now)).toBe(true);
  });

  it('one outbox row per read it follows and per day', () => {
    const a = userNameItem({ openId: 'ou_a', nameFetchedAt: null }, now);
    expect(a).toEqual({ kind: 'user_name', dedupeKey: 'user-name:ou_a:never:2026-11-30', payload: { op: 'user_name', openId: 'ou_a' } });
    expect(userNameItem({ openId: 'ou_a', nameFetchedAt: null }, new Date(now.getTime() + 3600_000)).dedupeKey).toBe(a.dedupeKey);
    expect(userNameItem({ openId: 'ou_a', nameFetchedAt: ago(8 * DAY) }, now).dedupeKey).not.toBe(a.dedupeKey);
  });
});

describe('fake Feishu contact endpoint through the SDK', () => {
  let fake: FakeFeishu;
  const client = () => createFeishuClient(loadConfig({ LOG_LEVEL: 'silent', FEISHU_APP_ID: fake.appId, FEISHU_APP_SECRET: fake.appSecret, FEISHU_BASE_URL: fake.baseUrl }))!;
  beforeAll(async () => {
    fake = await startFakeFeishu({ deadlines: false });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('answers data.user.name for a user in range, and counts the reads', async () => {
    fake.setUserName('ou_zhang', '张三');
    const r = await client().contact.v3.user.get({ path: { user_id: 'ou_zhang' }, params: { user_id_type: 'open_id' } });
    expect(r.code).toBe(0);
    expect(r.data?.user?.name).toBe('张三');
    expect(r.data?.user?.open_id).toBe('ou_zhang');
    expect(fake.contactCalls('ou_zhang')).toBe(1);
  });

  it('41050 for a user outside the contact range, 99991672 without the scope (HTTP 400 each)', async () => {
    const get = (id: string) => client().contact.v3.user.get({ path: { user_id: id }, params: { user_id_type: 'open_id' } });
    await expect(get('ou_nobody')).rejects.toMatchObject({ response: { status: 400, data: { code: 41050, msg: 'no user authority error' } } });
    fake.contactScope = false;
    try {
      await expect(get('ou_zhang')).rejects.toMatchObject({ response: { status: 400, data: { code: 99991672 } } });
    } finally {
      fake.clearFaults();
    }
    expect(fake.contactScope).toBe(true);
  });
});

import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { ADMIN_OPEN_ID, TEST_ENCRYPT_KEY, TEST_VERIFICATION_TOKEN, useBotApp } from '../helpers/app.js';
import { encryptPayload, envelope, postRaw, signBody, wire } from '../fake-feishu/index.js';

const count = async (db: Parameters<typeof execRows>[0], table: string) =>
  (await execRows<{ n: number }>(db, sql.raw(`select count(*)::int as n from ${table}`)))[0].n;

describeDb('webhook security and delivery', (t) => {
  const h = useBotApp(t);

  it('answers url_verification, encrypted and plain, before any signature check', async () => {
    const enc = await h.fake.verifyUrl(h.eventsUrl, { encrypted: true });
    expect(enc.ok).toBe(true);
    const plain = await h.fake.verifyUrl(h.eventsUrl, { encrypted: false });
    expect(plain.ok).toBe(true);
  });

  it('refuses url_verification with a wrong token', async () => {
    const r = await h.fake.verifyUrl(h.eventsUrl, { token: 'wrong' });
    expect(r.status).toBe(401);
  });

  it('replies to help in p2p through the SDK and the outbox', async () => {
    const reply = await h.say('帮助');
    expect(reply).toContain('帮助');
    expect(reply).toContain('用户 授权');
    const rows = await execRows<{ kind: string; status: string }>(t.db, sql`select kind, status from outbox order by id`);
    // The reply, then the read of the sender's display name (src/people/contact-names.ts).
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['reply', 'sent'],
      ['user_name', 'sent'],
    ]);
  });

  it('401 and no effect for a forged signature, a wrong token, or missing headers', async () => {
    const env = envelope('im.message.receive_v1', { message: { message_id: 'om_forged', chat_type: 'p2p', message_type: 'text', content: '{"text":"帮助"}' }, sender: { sender_id: { open_id: ADMIN_OPEN_ID }, sender_type: 'user' } }, {
      appId: h.fake.appId,
      tenantKey: 't',
      verificationToken: TEST_VERIFICATION_TOKEN,
    });
    // forged signature
    const w = wire(env, { encryptKey: TEST_ENCRYPT_KEY });
    const forged = await postRaw(h.eventsUrl, w.raw, { ...w.headers, 'x-lark-signature': 'a'.repeat(64) });
    expect(forged.status).toBe(401);
    // body tampered after signing
    const w2 = wire(env, { encryptKey: TEST_ENCRYPT_KEY });
    const tampered = await postRaw(h.eventsUrl, w2.raw.replace('{"encrypt":"', '{"encrypt":"A'), w2.headers);
    expect(tampered.status).toBe(401);
    // missing headers
    const w3 = wire(env, { encryptKey: TEST_ENCRYPT_KEY }, { sign: false });
    expect((await postRaw(h.eventsUrl, w3.raw, w3.headers)).status).toBe(401);
    // signed with another key
    const w4 = wire(env, { encryptKey: 'another-key' });
    expect((await postRaw(h.eventsUrl, w4.raw, w4.headers)).status).toBe(401);
    // right key, wrong verification token
    const bad = envelope('im.message.receive_v1', env.event, { appId: h.fake.appId, tenantKey: 't', verificationToken: 'nope' });
    const w5 = wire(bad, { encryptKey: TEST_ENCRYPT_KEY });
    expect((await postRaw(h.eventsUrl, w5.raw, w5.headers)).status).toBe(401);
    // plain (unencrypted) body signed correctly over the raw bytes but with a wrong token
    const raw = JSON.stringify(bad);
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = signBody(ts, 'n1', TEST_ENCRYPT_KEY, raw);
    expect((await postRaw(h.eventsUrl, raw, { 'content-type': 'application/json', 'x-lark-request-timestamp': ts, 'x-lark-request-nonce': 'n1', 'x-lark-signature': sig })).status).toBe(401);
    // not JSON
    expect((await postRaw(h.eventsUrl, 'nope', { 'content-type': 'application/json' })).status).toBe(400);
    // garbage ciphertext
    const g = JSON.stringify({ encrypt: encryptPayload('x', 'y').slice(0, 10) });
    expect((await postRaw(h.eventsUrl, g, { 'content-type': 'application/json' })).status).toBe(401);
    await h.settle();
    expect(await count(t.db, 'processed_events')).toBe(0);
    expect(await count(t.db, 'outbox')).toBe(0);
    expect(await count(t.db, 'users')).toBe(0);
  });

  it('refuses a correctly signed request replayed outside the 12 h window, accepts a 6 h redelivery', async () => {
    const msg = (id: string) =>
      envelope('im.message.receive_v1', { message: { message_id: id, chat_type: 'p2p', message_type: 'text', content: '{"text":"帮助"}' }, sender: { sender_id: { open_id: ADMIN_OPEN_ID }, sender_type: 'user' } }, {
        appId: h.fake.appId,
        tenantKey: 't',
        verificationToken: TEST_VERIFICATION_TOKEN,
      });
    const now = Math.floor(Date.now() / 1000);
    const old = wire(msg('om_replayed'), { encryptKey: TEST_ENCRYPT_KEY }, { timestamp: String(now - 13 * 3600) });
    expect((await postRaw(h.eventsUrl, old.raw, old.headers)).status).toBe(401);
    const future = wire(msg('om_future'), { encryptKey: TEST_ENCRYPT_KEY }, { timestamp: String(now + 13 * 3600) });
    expect((await postRaw(h.eventsUrl, future.raw, future.headers)).status).toBe(401);
    const garbage = wire(msg('om_garbage_ts'), { encryptKey: TEST_ENCRYPT_KEY }, { timestamp: 'yesterday' });
    expect((await postRaw(h.eventsUrl, garbage.raw, garbage.headers)).status).toBe(401);
    await h.settle();
    expect(await count(t.db, 'processed_events')).toBe(0);
    // Feishu's last redelivery comes 6 h after the first push.
    const late = wire(msg('om_late_redelivery'), { encryptKey: TEST_ENCRYPT_KEY }, { timestamp: String(now - 6 * 3600) });
    expect((await postRaw(h.eventsUrl, late.raw, late.headers)).status).toBe(200);
    await h.settle();
    expect(await count(t.db, 'processed_events')).toBe(1);
  });

  it('a message delivered three times has one effect and one reply', async () => {
    const first = await h.fake.sendText(h.eventsUrl, { openId: ADMIN_OPEN_ID, text: '帮助' });
    expect(first.status).toBe(200);
    const again = await Promise.all([h.fake.redeliver(h.eventsUrl, first), h.fake.redeliver(h.eventsUrl, first)]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    // Feishu may also redeliver the same message with a different event_id.
    const other = await h.fake.sendText(h.eventsUrl, { openId: ADMIN_OPEN_ID, text: '帮助', messageId: first.messageId });
    expect(other.status).toBe(200);
    await h.settle();
    await h.fake.waitForReplies(first.messageId!, 1);
    await h.fake.idle(); // no send still in flight: the count below is final
    expect(h.fake.repliesTo(first.messageId!)).toHaveLength(1);
    expect(await count(t.db, 'processed_events')).toBe(1);
    expect(await count(t.db, "outbox where kind = 'reply'")).toBe(1);
    expect(await count(t.db, "outbox where kind = 'user_name'")).toBe(1);
  });

  it('tells an unknown user to ask an admin, with their open_id, and writes nothing else', async () => {
    const r = await h.send('出库 A001 5', { openId: 'ou_stranger_1' });
    expect(r.replies[0]).toContain('ou_stranger_1');
    expect(r.replies[0]).toContain('管理员');
    expect(await count(t.db, 'users')).toBe(0);
    expect(await count(t.db, 'processed_events')).toBe(1);
    expect(await count(t.db, 'outbox')).toBe(1);
  });

  it('ignores group messages without a mention; answers when @mentioned', async () => {
    const r = await h.send('帮助', { chatType: 'group', chatId: 'oc_g1', expectReply: false });
    expect(r.push.status).toBe(200);
    await h.settle();
    await h.fake.idle();
    expect(h.fake.repliesTo(r.messageId)).toHaveLength(0);
    expect(await count(t.db, 'processed_events')).toBe(0);
    const m = await h.send('@_user_1 帮助', { chatType: 'group', chatId: 'oc_g1', mentions: [h.fake.botMention('@_user_1')] });
    expect(m.replies[0]).toContain('命令');
  });

  it('answers at once even when Feishu is slow: the reply is sent after the answer', async () => {
    const slow = h.fake.hold('/reply');
    // Had the webhook waited for the reply call, this would never return (the call is held).
    const push = await h.fake.sendText(h.eventsUrl, { openId: ADMIN_OPEN_ID, text: '帮助' });
    expect(push.status).toBe(200);
    expect(h.fake.repliesTo(push.messageId!)).toHaveLength(0);
    slow.release();
    await h.fake.waitForReplies(push.messageId!, 1);
  });
});

describeDb('webhook without an encrypt key (verification token only)', (t) => {
  const h = useBotApp(t, { env: { FEISHU_ENCRYPT_KEY: '' } });

  it('plain events with the right token work; a wrong or missing token is 401 with no effect', async () => {
    expect((await h.fake.verifyUrl(h.eventsUrl)).ok).toBe(true);
    expect(await h.say('帮助')).toContain('命令');
    const wrong = await h.send('帮助', { expectReply: false }, { security: { verificationToken: 'forged' } });
    expect(wrong.push.status).toBe(401);
    const none = await h.send('帮助', { expectReply: false }, { security: {} });
    expect(none.push.status).toBe(401);
    // an encrypted body cannot be read without the key: refused
    const enc = await h.send('帮助', { expectReply: false }, { security: { encryptKey: 'whatever', verificationToken: TEST_VERIFICATION_TOKEN } });
    expect(enc.push.status).toBe(401);
    await h.settle();
    expect(await count(t.db, 'processed_events')).toBe(1);
  });

  it('schema 1.0 events are checked against the top-level token', async () => {
    const body = JSON.stringify({ uuid: 'u1', token: 'forged', ts: '1', type: 'event_callback', event: { type: 'message' } });
    expect((await postRaw(h.eventsUrl, body, { 'content-type': 'application/json' })).status).toBe(401);
    const ok = JSON.stringify({ uuid: 'u2', token: TEST_VERIFICATION_TOKEN, ts: '1', type: 'event_callback', event: { type: 'message' } });
    expect((await postRaw(h.eventsUrl, ok, { 'content-type': 'application/json' })).status).toBe(200);
  });
});

/** Outbox delivery under Feishu faults: retries with backoff, rate-limit reset, dead letters, no double sends. */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { configureOutbox, drainOutbox, enqueueOutbox, feishuUuid } from '../../src/outbox/index.js';
import type { Logger } from '../../src/log.js';
import { runScheduled } from '../../src/jobs/scheduled.js';
import { buildJobs } from '../../src/jobs/index.js';

type Row = { id: number; status: string; attempts: number; last_error: string | null; delay_ms: number };
/** The replies' rows (a sender's first message also queues a name read: test/bot/names.test.ts). */
const rows = (db: Parameters<typeof execRows>[0]) =>
  execRows<Row>(db, sql`select id::int as id, status, attempts, last_error, (extract(epoch from next_attempt_at - created_at) * 1000)::int as delay_ms from outbox where kind = 'reply' order by id`);

/**
 * The rows once none is pending: the reply can reach Feishu a moment before its delivery is
 * recorded. Waits on the database, not on a clock (the test's timeout bounds it).
 */
async function settled(db: Parameters<typeof execRows>[0]): Promise<Row[]> {
  for (;;) {
    const list = await rows(db);
    if (list.every((r) => r.status !== 'pending')) return list;
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** A logger that keeps the retries the outbox scheduled: its warning carries the delay it chose. */
function retryLog(): { logger: Logger; delays: number[] } {
  const delays: number[] = [];
  const logger: Logger = {
    info() {},
    debug() {},
    error() {},
    warn(o) {
      if (typeof o === 'object' && typeof (o as { retryInMs?: unknown }).retryInMs === 'number') delays.push((o as { retryInMs: number }).retryInMs);
    },
    child: () => logger,
  };
  return { logger, delays };
}

describeDb('outbox delivery with faults', (t) => {
  const log = retryLog();
  const h = useBotApp(t, { logger: log.logger });

  it('retries 500s and a dropped connection, then delivers exactly one reply', async () => {
    h.fake.failNext(2, { status: 500, path: '/reply' });
    h.fake.dropNext(1, '/reply');
    const r = await h.send('帮助');
    expect(r.replies).toHaveLength(1);
    const [row] = await settled(t.db);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(4);
    // Sent rows are never claimed again: once no call is in flight, the count is final.
    await h.fake.idle();
    expect(h.fake.repliesTo(r.messageId)).toHaveLength(1);
  });

  it('429 and 400/99991400 are retried, honouring x-ogw-ratelimit-reset', async () => {
    const before = log.delays.length;
    h.fake.failNext(1, { status: 429, path: '/reply', headers: { 'x-ogw-ratelimit-reset': '1' } });
    const r = await h.send('帮助', { expectReply: false });
    await h.settle(); // the request's own send failed and was rescheduled
    // The 1 s reset outweighs the 20 ms backoff; the row waits for it (no second attempt before).
    expect(log.delays.slice(before)).toEqual([1000]);
    // Let the second pass come now instead of a second from now.
    await t.db.execute(sql`update outbox set next_attempt_at = now() where status = 'pending'`);
    await h.fake.waitForReplies(r.messageId, 1);

    h.fake.failNext(1, { status: 400, code: 99991400, path: '/reply' }); // Feishu adds reset: 1
    const r2 = await h.send('帮助', { expectReply: false });
    await h.settle();
    expect(log.delays.slice(before)).toEqual([1000, 1000]);
    await t.db.execute(sql`update outbox set next_attempt_at = now() where status = 'pending'`);
    await h.fake.waitForReplies(r2.messageId, 1);
    const list = await settled(t.db);
    expect(list.map((x) => [x.status, x.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
    ]);
    expect(list[0].last_error).toBeNull();
  });

  it('an expired tenant token (99991663) is refreshed and the send retried', async () => {
    await h.say('帮助');
    h.fake.expireTokens();
    const r = await h.send('帮助');
    expect(r.replies).toHaveLength(1);
  });

  it('a response lost after Feishu sent the message is retried with the same uuid: one message', async () => {
    // Feishu does the send; its answer never comes back.
    h.fake.loseAnswerNext(1, '/reply');
    const r = await h.send('帮助');
    const [row] = await settled(t.db);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(2);
    await h.fake.idle();
    expect(h.fake.requests.filter((q) => q.path.endsWith(`/${r.messageId}/reply`))).toHaveLength(2);
    expect(h.fake.repliesTo(r.messageId)).toHaveLength(1);
  });

  it('a non-retryable error (message withdrawn, 230011) goes dead at once, logged', async () => {
    h.fake.failNext(1, { status: 400, code: 230011, msg: 'message withdrawn', path: '/reply' });
    const r = await h.send('帮助', { expectReply: false });
    await h.settle();
    const [row] = await settled(t.db);
    expect(row.status).toBe('dead');
    expect(row.last_error).toContain('230011');
    expect(h.fake.repliesTo(r.messageId)).toHaveLength(0);
  });
});

describeDb('outbox drain by hand', (t) => {
  const log = retryLog();
  const h = useBotApp(t, { drain: false, logger: log.logger });

  async function queue(n: number, prefix = 'k') {
    const parent = h.fake.seedUserMessage({ text: 'hi' }); // a message to reply to
    for (let i = 0; i < n; i++) {
      const key = `${prefix}${i}`;
      await enqueueOutbox(t.db, {
        kind: 'reply',
        dedupeKey: key,
        payload: { op: 'reply', messageId: parent.message_id, msgType: 'text', content: JSON.stringify({ text: `m${i}` }), uuid: feishuUuid(key) },
      });
    }
    return parent.message_id;
  }

  it('a per-chat rate limit (5 QPS) is ridden out: every message arrives once', async () => {
    h.fake.freezeClock(); // the rate-limit second lasts until we move on, however slow the machine
    h.fake.setRateLimit(5);
    const parent = await queue(8, 'rl');
    // Eight at once: five fit in the second, three are refused (400 99991400) and rescheduled.
    expect(await drainOutbox(h.deps)).toEqual({ claimed: 8, sent: 5, retried: 3, dead: 0 });
    expect(h.fake.requests.filter((r) => r.status === 400)).toHaveLength(3);
    expect(h.fake.repliesTo(parent)).toHaveLength(5);
    // Not due yet (the reset said 1 s): a pass now claims nothing.
    expect((await drainOutbox(h.deps)).claimed).toBe(0);
    h.fake.advanceClock(1000);
    await t.db.execute(sql`update outbox set next_attempt_at = now() where status = 'pending'`);
    expect(await drainOutbox(h.deps)).toEqual({ claimed: 3, sent: 3, retried: 0, dead: 0 });
    expect(h.fake.repliesTo(parent)).toHaveLength(8);
    expect(new Set(h.fake.repliesTo(parent).map((m) => h.fake.textOf(m))).size).toBe(8);
  });

  it('the every-minute cron job (Workers scheduled) drains the outbox', async () => {
    const parent = await queue(2, 'cron');
    await runScheduled(h.deps, buildJobs(), '* * * * *', new Date());
    expect(h.fake.repliesTo(parent)).toHaveLength(2);
  });

  it('a re-queued dedupe key is a no-op', async () => {
    const id1 = await enqueueOutbox(t.db, { kind: 'x', dedupeKey: 'same', payload: { op: 'send', receiveIdType: 'open_id', receiveId: 'ou_a', msgType: 'text', content: '{"text":"a"}', uuid: 'u1' } });
    const id2 = await enqueueOutbox(t.db, { kind: 'x', dedupeKey: 'same', payload: { op: 'send', receiveIdType: 'open_id', receiveId: 'ou_a', msgType: 'text', content: '{"text":"b"}', uuid: 'u1' } });
    expect(id1).toBeTypeOf('number');
    expect(id2).toBeNull();
  });

  it('three drains running concurrently send every row exactly once', async () => {
    const parent = await queue(30);
    const results = await Promise.all([drainOutbox(h.deps), drainOutbox(h.deps), drainOutbox(h.deps)]);
    const claimed = results.reduce((s, r) => s + r.claimed, 0);
    expect(claimed).toBe(30);
    expect(results.reduce((s, r) => s + r.sent, 0)).toBe(30);
    expect(h.fake.repliesTo(parent)).toHaveLength(30);
    expect((await rows(t.db)).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    expect((await drainOutbox(h.deps)).claimed).toBe(0);
  });

  it('nothing is lost while Feishu is down: rows wait, back off exponentially, and go dead after N attempts', async () => {
    configureOutbox(h.deps, { baseDelayMs: 1000, maxDelayMs: 60_000, maxAttempts: 4 });
    // The jitter draws, pinned: the low end, the middle, near the high end of ±20 %.
    const draws = [0, 0.5, 0.999];
    h.deps.random = () => draws.shift()!;
    const before = log.delays.length;
    try {
      const parent = await queue(1, 'down');
      h.fake.failNext(100, { status: 503, path: '/reply' });
      for (let i = 0; i < 4; i++) {
        await t.db.execute(sql`update outbox set next_attempt_at = now()`);
        const r = await drainOutbox(h.deps);
        expect(r.claimed).toBe(1);
        const [row] = await execRows<{ status: string; wait: number }>(t.db, sql`select status, (extract(epoch from next_attempt_at - now()) * 1000)::int as wait from outbox`);
        if (i < 3) {
          expect(row.status).toBe('pending');
          // Scheduled from the failure, so no later than the chosen delay from now.
          expect(row.wait).toBeLessThanOrEqual(log.delays[before + i]);
        } else expect(row.status).toBe('dead');
      }
      // 1 s, 2 s, 4 s, each × (0.8 + 0.4 × draw)
      expect(log.delays.slice(before)).toEqual([800, 2000, Math.round(4000 * (0.8 + 0.4 * 0.999))]);
      expect((await execRows<{ e: string }>(t.db, sql`select last_error as e from outbox`))[0].e).toContain('503');
      expect(h.fake.repliesTo(parent)).toHaveLength(0);
    } finally {
      h.deps.random = undefined;
      configureOutbox(h.deps, { baseDelayMs: 20, maxDelayMs: 300, maxAttempts: 8 });
    }
  });

  it('a pending row survives an outage and is delivered when Feishu is back', async () => {
    configureOutbox(h.deps, { baseDelayMs: 1, maxDelayMs: 5 });
    const parent = await queue(1, 'later');
    h.fake.failNext(3, { status: 502, path: '/reply' });
    for (let i = 0; i < 3; i++) {
      await t.db.execute(sql`update outbox set next_attempt_at = now()`);
      await drainOutbox(h.deps);
    }
    expect(h.fake.repliesTo(parent)).toHaveLength(0);
    await t.db.execute(sql`update outbox set next_attempt_at = now()`);
    const r = await drainOutbox(h.deps);
    expect(r.sent).toBe(1);
    expect(h.fake.repliesTo(parent)).toHaveLength(1);
  });
});

describeDb('outbox offline mode', (t) => {
  const warnings: string[] = [];
  const logger: Logger = {
    info() {},
    debug() {},
    error() {},
    warn(o, m) {
      warnings.push(typeof o === 'string' ? o : (m ?? ''));
    },
    child() {
      return logger;
    },
  };
  const h = useBotApp(t, { offline: true, logger });

  it('replies stay pending (webhook still answers) and the offline mode is logged once', async () => {
    const r = await h.send('帮助', { expectReply: false });
    expect(r.push.status).toBe(200);
    await h.send('帮助', { expectReply: false });
    await drainOutbox(h.deps);
    await drainOutbox(h.deps);
    const list = await rows(t.db);
    expect(list).toHaveLength(2);
    expect(list.every((x) => x.status === 'pending' && x.attempts === 0)).toBe(true);
    expect(warnings.filter((w) => w.includes('offline'))).toHaveLength(1);
  });
});

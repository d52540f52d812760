/** Typed settings (defaults, environment defaults, stored values, bad stored values) and drafts. */
import { expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { defineSetting, settingsReader, timeZoneSetting, writeSetting } from '../../src/kernel/settings.js';
import { draftsOf } from '../../src/kernel/drafts.js';
import { describeDb } from '../helpers/db.js';
import { actor, expectDomain } from '../inventory/helpers.js';

const at = new Date('2026-11-25T02:00:00Z');
const threshold = defineSetting({ key: 'demo.threshold', label: '提醒阈值', schema: z.number().int().min(1), default: 5 });

describeDb('settings store', (t) => {
  it('default, then environment default, then the stored value wins; a bad stored value falls back and is reported', async () => {
    expect(await settingsReader(t.db).get(threshold)).toBe(5);
    expect(await settingsReader(t.db).get(timeZoneSetting)).toBe('Asia/Shanghai');
    expect(await settingsReader(t.db, { 'company.timezone': 'Asia/Hong_Kong' }).get(timeZoneSetting)).toBe('Asia/Hong_Kong');
    await writeSetting(t.db, threshold, 9, at);
    expect(await settingsReader(t.db).get(threshold)).toBe(9);
    await t.db.execute(sql`update settings set value = '"many"'::jsonb where key = 'demo.threshold'`);
    const bad: string[] = [];
    expect(await settingsReader(t.db, {}, (key) => bad.push(key)).get(threshold)).toBe(5);
    expect(bad).toEqual(['demo.threshold']);
  });

  it('refuses to store an invalid value, naming the setting', async () => {
    const e = await expectDomain(writeSetting(t.db, threshold, 0, at), 'invalid_input');
    expect(e.message).toContain('提醒阈值');
    const tz = await expectDomain(writeSetting(t.db, timeZoneSetting, 'Mars/Olympus', at), 'invalid_input');
    expect(tz.message).toContain('不是有效的时区');
  });
});

describeDb('drafts', (t) => {
  it('saved, updated and loaded by their owner; posted once; invisible to others', async () => {
    await t.db.execute(sql`insert into users (id, open_id, name, role) values (1, 'ou_a', '甲', 'purchaser'), (2, 'ou_b', '乙', 'purchaser')`);
    const mine = draftsOf(t.db, actor('purchaser', 1), at);
    const id = await mine.save('purchase.order-post', { lines: [{ product: 'A001', qty: '3' }] });
    await mine.save('purchase.order-post', { lines: [{ product: 'A001', qty: '5' }] }, id);
    expect((await mine.load<{ lines: { qty: string }[] }>('purchase.order-post', id)).data.lines[0].qty).toBe('5');
    await expectDomain(draftsOf(t.db, actor('purchaser', 2), at).load('purchase.order-post', id), 'not_found');
    await expectDomain(mine.load('sales.order-post', id), 'not_found');
    await mine.markPosted('purchase.order-post', id, 'CG20261125-0001');
    const again = await expectDomain(mine.markPosted('purchase.order-post', id, 'CG20261125-0002'), 'conflict');
    expect(again.message).toContain('CG20261125-0001');
    await expectDomain(mine.save('purchase.order-post', {}, id), 'conflict');
  });
});

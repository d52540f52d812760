/**
 * Issue 8, class 9 — validation matches storage scale and range. A number the database would
 * round (7th decimal), round to 0 (then a CHECK fires) or overflow (bigint fen) is refused at
 * the shared schema with a message naming the field, the limit and an example, and nothing is
 * written. A database error that still reaches an adapter is either mapped to its Chinese
 * message (expected constraints) or answered with a reference that is in the log — never a bare
 * "请稍后再试". Chat and cards over the real signed path; PGlite and Postgres.
 */
import { afterEach, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import type { Logger } from '../../src/log.js';
import { createProduct } from '../../src/inventory/products.js';
import { postReceipt } from '../../src/inventory/posting.js';
import { createWarehouse } from '../../src/inventory/warehouses.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { isDomainError } from '../../src/errors.js';
import { domainErrorFromDb } from '../../src/shared/pg.js';
import { button, chat, checkAllCards, submit, tap } from '../cards/helpers.js';

/** Every log record, bindings included (eventId comes from the webhook's child logger). */
function capturingLogger(records: Record<string, unknown>[], bindings: Record<string, unknown> = {}): Logger {
  const emit = (level: string) => (obj: object | string, msg?: string) => {
    records.push({ level, ...bindings, ...(typeof obj === 'string' ? { msg: obj } : { ...obj, msg }) });
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error'), debug: emit('debug'), child: (b) => capturingLogger(records, { ...bindings, ...b }) };
}

async function state(db: Db) {
  const [r] = await execRows<Record<string, string | number>>(
    db,
    sql`select (select count(*)::int from stock_moves) as moves, (select count(*)::int from documents) as docs,
               (select count(*)::int from products) as products, (select count(*)::int from audit_log) as audits,
               (select string_agg(sku || ':' || coalesce(pack_unit, '') || ':' || coalesce(trim_scale(pack_factor)::text, ''), ',' order by sku) from products) as packs`,
  );
  return r;
}

const GENERIC = /请稍后再试/;

describeDb('validation matches storage', (t) => {
  const logs: Record<string, unknown>[] = [];
  const h = useBotApp(t, { logger: capturingLogger(logs) });
  afterEach(() => {
    checkAllCards(h);
  });

  async function seed() {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 A001 螺丝M6 包装=箱:24')).toContain('已新增');
    expect(await h.say('入库 A001 2箱')).toContain('已入库');
  }

  it('chat: a pack factor that would round (to 0, or a 7th decimal) or overflow is refused naming 包装 and the limit; nothing written', async () => {
    await seed();
    const before = await state(t.db);
    const cases: [string, RegExp][] = [
      ['商品 修改 A001 包装=箱:0.0000001', /「包装换算数量[^」]*」最多 6 位小数.*0\.0000001.*例如 24/],
      ['商品 修改 A001 包装=箱:1.1234567', /「包装换算数量[^」]*」最多 6 位小数.*1\.1234567.*不会替你四舍五入/],
      ['商品 修改 A001 包装=箱:100000000000000', /「包装换算数量[^」]*」太大（必须小于 100 万亿）/],
      ['商品 修改 A001 包装=箱:0', /「包装换算数量[^」]*」必须大于 0，例如 24/],
      ['商品 新增 A002 新品 包装=箱:0.0000001', /「包装换算数量[^」]*」最多 6 位小数/],
      ['商品 新增 A002 新品 包装=箱:1.1234567', /最多 6 位小数/],
    ];
    for (const [text, expected] of cases) {
      const r = await h.say(text);
      expect(r, text).toMatch(expected);
      expect(r, text).not.toMatch(GENERIC);
    }
    expect(await state(t.db)).toEqual(before);
  });

  it('chat: an amount beyond bigint fen (or the line bound) is refused; so is a line whose value would overflow', async () => {
    await seed();
    const before = await state(t.db);
    for (const text of ['入库 A001 2 金额=99999999999999999', '入库 A001 2 金额=999999999999999999999999', '入库 A001 99999999999 99999']) {
      const r = await h.say(text);
      expect(r, text).toMatch(/金额|太大|范围/);
      expect(r, text).not.toMatch(GENERIC);
      expect(r, text).not.toMatch(/参考编号/);
    }
    expect(await state(t.db)).toEqual(before);
  });

  it('services: the shared schema names the field, the limit and an example', async () => {
    const wh = await createWarehouse(t.db, SYSTEM_ACTOR, { name: '主仓库' });
    await createProduct(t.db, SYSTEM_ACTOR, { sku: 'S1', name: '电容' });
    const refused = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
      } catch (e) {
        expect(isDomainError(e) && e.code).toBe('invalid_input');
        return (e as Error).message;
      }
      throw new Error('not refused');
    };
    expect(await refused(postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, idempotencyKey: 'k1', lines: [{ product: 'S1', qty: 1, amountFen: 10n ** 16n }] }))).toMatch(
      /「金额」太大（一行最多 1000 亿 元）/,
    );
    expect(await refused(postReceipt(t.db, SYSTEM_ACTOR, { warehouse: wh.id, idempotencyKey: 'k2', lines: [{ product: 'S1', qty: 1, unitCostFen: '0.1234567' }] }))).toMatch(
      /「单价」最多 6 位小数/,
    );
    expect(await refused(createProduct(t.db, SYSTEM_ACTOR, { sku: 'S2', name: 'x', packUnit: '箱', packFactor: 1e-7 }))).toMatch(/「包装换算数量[^」]*」最多 6 位小数（收到「0\.0000001」/);
    expect(await refused(createProduct(t.db, SYSTEM_ACTOR, { sku: 'S2', name: 'x', safetyStock: '1.1234567' }))).toMatch(/「安全库存」最多 6 位小数/);
    expect(await refused(createProduct(t.db, SYSTEM_ACTOR, { sku: 'S2', name: 'x', leadTimeDays: 5000 }))).toMatch(/「采购提前期（天）」最多 3650 天/);
    const [{ n }] = await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from products`);
    expect(n).toBe(1);
  });

  it('card: the new-product form refuses a pack factor of 0.0000001 naming the field and the limit; nothing written', async () => {
    const m = await chat(h, '菜单');
    const f = await tap(h, m.reply.message_id, button(m.card!, '新建商品'));
    const before = await state(t.db);
    const r = await tap(h, m.reply.message_id, submit(f.now), { form: { name: '新品', sku: 'N001', pack_unit: '箱', pack_factor: '0.0000001' } });
    expect(r.toast?.type).toBe('error');
    expect(r.toast?.content).toMatch(/包装.*最多 6 位小数/);
    const r2 = await tap(h, m.reply.message_id, submit(f.now), { form: { name: '新品', sku: 'N001', pack_unit: '箱', pack_factor: '1.1234567' } });
    expect(r2.toast?.content).toMatch(/包装.*最多 6 位小数/);
    expect(await state(t.db)).toEqual(before);
  });

  it('the expected constraints map to Chinese messages on this driver (constraint name and SQLSTATE reach us)', async () => {
    const caught = async (q: ReturnType<typeof sql>) => {
      try {
        await t.db.execute(q);
      } catch (e) {
        return domainErrorFromDb(e);
      }
      throw new Error('no error');
    };
    await createProduct(t.db, SYSTEM_ACTOR, { sku: 'U1', name: '甲', barcode: '690000000001' });
    expect((await caught(sql`insert into products (sku, name, pack_unit, pack_factor) values ('U2', '乙', '箱', 0.0000001)`))?.message).toMatch(/包装换算数量/);
    expect((await caught(sql`insert into products (sku, name, safety_stock) values ('U2', '乙', -1)`))?.message).toMatch(/安全库存/);
    expect((await caught(sql`insert into products (sku, name) values ('U1', '乙')`))?.message).toBe('SKU「U1」已存在，请换一个编码。');
    expect((await caught(sql`insert into products (sku, name, barcode) values ('U3', '乙', '690000000001')`))?.message).toMatch(/条码「690000000001」已被其他商品使用/);
    await createWarehouse(t.db, SYSTEM_ACTOR, { name: '主仓库' });
    expect((await caught(sql`insert into warehouses (code, name) values ('WX', '主仓库')`))?.message).toMatch(/仓库「主仓库」已存在/);
    expect((await caught(sql`select 99999999999999999999::bigint`))?.message).toMatch(/超出了能保存的范围/);
    expect((await caught(sql`select 'abc'::numeric`))?.message).toMatch(/格式不对/);
    // An unknown constraint is not an input error: null (the adapter answers with a reference).
    expect(await caught(sql`select 1/0`)).toBeNull();
  });

  it('an unexpected database error answers with a reference (chat and card) and the reference is in the log with the event id', async () => {
    await seed();
    // A constraint no input is expected to fire (as a schema drift or a bug would).
    await t.db.execute(sql`alter table products add constraint jxc_test_forced check (name <> 'FORCED')`);
    try {
      logs.length = 0;
      const r = await h.say('商品 新增 F001 FORCED');
      const ref = r.match(/参考编号 (E[0-9A-Z]{5})/)?.[1];
      expect(ref, r).toBeTruthy();
      expect(r).toContain('没有保存任何改动');
      expect(r).toContain('请把编号发给管理员');
      expect(r).not.toMatch(GENERIC);
      const rec = logs.find((l) => l.level === 'error' && l.ref === ref);
      expect(rec, JSON.stringify(logs.filter((l) => l.level === 'error'))).toBeTruthy();
      expect(rec!.eventId).toBeTruthy();
      expect(JSON.stringify(rec!.err)).toContain('jxc_test_forced');

      const m = await chat(h, '菜单');
      const f = await tap(h, m.reply.message_id, button(m.card!, '新建商品'));
      const c = await tap(h, m.reply.message_id, submit(f.now), { form: { name: 'FORCED', sku: 'F002' } });
      expect(c.toast?.type).toBe('error');
      const ref2 = c.toast?.content?.match(/参考编号 (E[0-9A-Z]{5})/)?.[1];
      expect(ref2, c.toast?.content).toBeTruthy();
      expect(logs.some((l) => l.level === 'error' && l.ref === ref2 && l.eventId)).toBe(true);
      const [{ n }] = await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from products where name = 'FORCED'`);
      expect(n).toBe(0);
    } finally {
      await t.db.execute(sql`alter table products drop constraint jxc_test_forced`);
    }
  });
});

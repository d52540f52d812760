/** Every chat command end to end: signed event → app → database → reply captured by the fake. */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { buildBotRegistries } from '../../bot/registries.js';
import { buildUseCases } from '../../src/app.js';

const one = async <T = Record<string, unknown>>(db: Db, q: ReturnType<typeof sql>) => (await execRows<T>(db, q))[0];
const onHand = async (db: Db, sku: string, wh?: string) =>
  (
    await one<{ q: string }>(
      db,
      sql`select coalesce(sum(b.qty), 0)::text as q from stock_balances b join products p on p.id = b.product_id join warehouses w on w.id = b.warehouse_id
          where p.sku = ${sku} ${wh ? sql`and w.name = ${wh}` : sql``}`,
    )
  ).q;
const docNo = (reply: string) => reply.match(/[A-Z]{2}\d{8}-\d{4}/)?.[0];

describe('command registry', () => {
  it('registered commands are frozen: cards come from the commands themselves, nothing patches them', () => {
    const { commands } = buildBotRegistries(buildUseCases());
    for (const name of ['入库', '出库', '调拨', '单据', '库存', '菜单']) {
      const cmd = commands.get(name)!;
      expect(cmd, name).toBeTruthy();
      expect(Object.isFrozen(cmd), name).toBe(true);
      expect(() => {
        (cmd as { run: unknown }).run = async () => 'patched';
      }).toThrow(TypeError);
    }
  });
});

describeDb('chat commands', (t) => {
  const h = useBotApp(t);

  async function setup() {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增仓库：主仓库');
    expect(await h.say('仓库 新增 二号仓')).toContain('二号仓');
    expect(await h.say('商品 新增 A001 螺丝M6 进价=0.35 售价=0.8 包装=盒:100 安全库存=50 条码=6901234567890')).toContain('已新增商品');
    expect(await h.say('商品 新增 A002 螺丝M8 进价=12.5')).toContain('A002');
    expect(await h.say('商品 新增 A003 胶水 单位=瓶 批次管理=是')).toContain('批次管理');
  }

  it('帮助 / help lists every command with an example', async () => {
    for (const text of ['帮助', 'help', 'HELP']) {
      const r = await h.say(text);
      for (const c of ['商品 新增', '商品 查询', '商品 修改', '仓库 新增', '仓库 列表', '入库', '出库', '调拨', '库存', '盘点 开始', '盘点 录入', '盘点 差异', '盘点 过账', '红冲', '单据', '用户 授权', '用户 列表']) {
        expect(r).toContain(c);
      }
      expect(r).toContain('例：出库 A001 5');
    }
  });

  it('商品 新增 stores exact fen from yuan, pack unit and safety stock; 查询 finds by pinyin; 修改 changes', async () => {
    await setup();
    const p = await one<{ purchase_price_fen: string; sale_price_fen: string; pack_unit: string; pack_factor: string; safety_stock: string; barcode: string }>(
      t.db,
      sql`select trim_scale(purchase_price_fen)::text as purchase_price_fen, trim_scale(sale_price_fen)::text as sale_price_fen, pack_unit, pack_factor::text, safety_stock::text, barcode from products where sku = 'A001'`,
    );
    expect(p).toMatchObject({ purchase_price_fen: '35', sale_price_fen: '80', pack_unit: '盒', barcode: '6901234567890' });
    expect(Number(p.pack_factor)).toBe(100);
    expect(Number(p.safety_stock)).toBe(50);
    expect((await one<{ f: string }>(t.db, sql`select trim_scale(purchase_price_fen)::text as f from products where sku = 'A002'`)).f).toBe('1250');
    const found = await h.say('商品 查询 lsm');
    expect(found).toContain('A001');
    expect(found).toContain('A002');
    expect(await h.say('商品 查询 6901234567890')).toContain('A001');
    const edited = await h.say('商品 修改 A001 售价=0.95');
    expect(edited).toContain('已修改');
    expect((await one<{ f: string }>(t.db, sql`select trim_scale(sale_price_fen)::text as f from products where sku = 'A001'`)).f).toBe('95');
    // fields not mentioned keep their values
    const kept = await one<{ safety_stock: string; pack_unit: string; purchase_price_fen: string }>(t.db, sql`select safety_stock::text, pack_unit, trim_scale(purchase_price_fen)::text as purchase_price_fen from products where sku = 'A001'`);
    expect(Number(kept.safety_stock)).toBe(50);
    expect(kept.pack_unit).toBe('盒');
    expect(kept.purchase_price_fen).toBe('35');
    expect(await h.say('商品 修改 A003 安全库存=5')).toContain('已修改');
    expect((await one<{ u: string; b: boolean }>(t.db, sql`select base_unit as u, batch_tracked as b from products where sku = 'A003'`))).toEqual({ u: '瓶', b: true });
    expect(await h.say('product add B001 Wrench cost=3')).toContain('B001');
  });

  it('仓库 列表', async () => {
    await setup();
    const r = await h.say('仓库 列表');
    expect(r).toMatch(/主仓库.*默认/);
    expect(r).toContain('二号仓');
  });

  it('入库 / 出库 / 调拨 reply with the document number and the new on-hand', async () => {
    await setup();
    const rk = await h.say('入库 A001 2盒 @主仓库');
    expect(docNo(rk)).toMatch(/^RK/);
    expect(rk).toContain('200 个');
    expect(await onHand(t.db, 'A001')).toBe('200.000000');

    const priced = await h.say('入库 A003 10 12 批次=B1');
    expect(docNo(priced)).toMatch(/^RK/);
    const v = await one<{ value_fen: string }>(t.db, sql`select value_fen::text from stock_moves m join documents d on d.id = m.document_id where d.doc_no = ${docNo(priced)!}`);
    expect(v.value_fen).toBe('12000');

    expect(await h.say('出库 A003 2 批次=B1')).toContain('批次 B1');
    expect(await h.say('库存 A003')).toMatch(/B1.*8 瓶/);
    const sc = await h.say('入库 A002 5 生产');
    expect(docNo(sc)).toMatch(/^SC/);

    const ck = await h.say('出库 A001 5 客户张三');
    expect(docNo(ck)).toMatch(/^CK/);
    expect(ck).toContain('195');
    expect((await one<{ remark: string }>(t.db, sql`select remark from documents where doc_no = ${docNo(ck)!}`)).remark).toBe('客户张三');

    const ly = await h.say('out A001 1盒 领用');
    expect(docNo(ly)).toMatch(/^LY/);
    expect(await onHand(t.db, 'A001')).toBe('95.000000');

    const db = await h.say('调拨 A001 10 @主仓库 @二号仓');
    expect(docNo(db)).toMatch(/^DB/);
    expect(await onHand(t.db, 'A001', '主仓库')).toBe('85.000000');
    expect(await onHand(t.db, 'A001', '二号仓')).toBe('10.000000');
    expect(db).toContain('二号仓 现有 10 个');
  });

  it('full-width digits, letters and punctuation and English aliases work', async () => {
    await setup();
    expect(docNo(await h.say('ｉｎ　Ａ００１　１０＠主仓库'))).toMatch(/^RK/);
    expect(docNo(await h.say('出库，A001，３'))).toMatch(/^CK/);
    expect(await onHand(t.db, 'A001')).toBe('7.000000');
    expect(await h.say('stock   a001')).toContain('7 个');
  });

  it('an ambiguous product name gets a numbered candidate list and nothing is written', async () => {
    await setup();
    await h.say('入库 A001 10');
    const before = await one<{ n: number }>(t.db, sql`select count(*)::int as n from stock_moves`);
    const r = await h.say('出库 螺丝 1');
    // The candidates (numbered text, or the picker card's buttons when bot/cards is loaded).
    expect(r).toContain('A001');
    expect(r).toContain('A002');
    expect((await one<{ n: number }>(t.db, sql`select count(*)::int as n from stock_moves`)).n).toBe(before.n);
    // by barcode and by exact name it resolves
    expect(docNo(await h.say('出库 6901234567890 1'))).toMatch(/^CK/);
    expect(docNo(await h.say('出库 螺丝M6 1'))).toMatch(/^CK/);
  });

  it('库存 shows one product per warehouse/batch with value; without a product a summary and low stock', async () => {
    await setup();
    await h.say('入库 A001 30 0.4');
    await h.say('入库 A002 3 @二号仓');
    const one = await h.say('库存 A001');
    expect(one).toMatch(/主仓库.*30 个/);
    // The card shows what the text answer has: on-hand quantity (现有) and the value at the average cost.
    expect(one).toMatch(/现有.*30 个/);
    expect(one).toMatch(/库存金额.*¥12\.00.*平均成本 ¥0\.40 \/ 个/);
    expect(one).toMatch(/主仓库 \| — \| — \| 30 个 \| ¥12\.00/);
    const sum = await h.say('库存');
    expect(sum).toMatch(/A001.*30 个.*¥12\.00/);
    expect(sum).toContain('库存汇总');
    expect(sum).toMatch(/低库存[\s\S]*A001/);
    expect(await h.say('库存 @二号仓')).toContain('A002');
  });

  it('单据 and 红冲', async () => {
    await setup();
    const rk = docNo(await h.say('入库 A001 20'))!;
    const shown = await h.say(`单据 ${rk.toLowerCase()}`);
    expect(shown).toContain(rk);
    expect(shown).toContain('采购入库');
    const hc = await h.say(`红冲 ${rk} 录错了`);
    expect(docNo(hc)).toMatch(/^HC/);
    expect(await onHand(t.db, 'A001')).toBe('0.000000');
    expect(await h.say(`单据 ${rk}`)).toContain('已被红冲');
    const again = await h.say(`红冲 ${rk}`);
    expect(again).toContain('红冲');
    expect((await one<{ n: number }>(t.db, sql`select count(*)::int as n from documents where kind = 'reversal'`)).n).toBe(1);
  });

  it('盘点 开始 / 录入 / 差异 / 过账', async () => {
    await setup();
    await h.say('入库 A001 100');
    await h.say('入库 A002 10');
    const start = await h.say('盘点 开始 @主仓库');
    expect(start).toMatch(/PD\d{8}-\d{4}/);
    expect(await h.say('盘点 录入 A001 90')).toContain('累计实盘 90');
    expect(await h.say('盘点 录入 A001 8')).toContain('累计实盘 98');
    expect(await h.say('盘点 录入 A002 12')).toContain('12');
    const diff = await h.say('盘点 差异');
    expect(diff).toMatch(/A001[\s\S]*盘亏 2/);
    expect(diff).toMatch(/A002[\s\S]*盘盈 2/);
    const posted = await h.say('盘点 过账');
    expect(docNo(posted)).toMatch(/^PD/);
    expect(await onHand(t.db, 'A001')).toBe('98.000000');
    expect(await onHand(t.db, 'A002')).toBe('12.000000');
    expect(await h.say('盘点 差异')).toContain('没有进行中的盘点');
  });

  it('用户 授权 @某人 仓管 resolves the mention to an open_id; 用户 列表 shows it', async () => {
    const r = await h.say('用户 授权 @_user_1 仓管', { mentions: [{ key: '@_user_1', openId: 'ou_zhang', name: '张三' }] });
    expect(r).toContain('张三');
    expect(r).toContain('仓管');
    const u = await one<{ role: string; name: string }>(t.db, sql`select role, name from users where open_id = 'ou_zhang'`);
    expect(u).toEqual({ role: 'clerk', name: '张三' });
    expect(await h.say('用户 授权 ou_li 销售')).toContain('销售');
    const list = await h.say('用户 列表');
    expect(list).toContain('ou_zhang');
    expect(list).toContain('ou_li');
    expect(list).toContain('管理员');
  });

  it('in a group the leading @bot is stripped and another @mention is an argument', async () => {
    const r = await h.say('@_user_1 用户 授权 @_user_2 采购', {
      chatType: 'group',
      chatId: 'oc_team',
      mentions: [
        h.fake.botMention('@_user_1'),
        { key: '@_user_2', openId: 'ou_wang', name: '王五' },
      ],
    });
    expect(r).toContain('王五');
    expect((await one<{ role: string }>(t.db, sql`select role from users where open_id = 'ou_wang'`)).role).toBe('purchaser');
  });

  it('post (rich text) messages are understood', async () => {
    const content = JSON.stringify({ title: '', content: [[{ tag: 'text', text: '仓库 ' }, { tag: 'text', text: '列表' }]] });
    const r = await h.send('', { messageType: 'post', content });
    expect(r.replies[0]).toMatch(/仓库/);
  });
});

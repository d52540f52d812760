/**
 * The table of accepted spellings (issue 10 items 1, 2, 4): what people type, through which
 * adapter, and what it must become — the canonical value posted, or a refusal. One test per row,
 * so a regression names the spelling that broke. Through the real paths: chat as a signed event
 * (useBotApp h.say), cards as a signed callback (test/cards/helpers.ts), REST through the API
 * routes (useApi). REST stays strict: human spellings are refused there (422), never guessed.
 *
 * Fixture (services, before each row): 主仓库; A001 螺丝M3×8 个, 1 盒 = 100 个; DP20 杜邦线 根,
 * 1 包 = 10 根, unit alias 条 = 根; K01 铜线 千克; M01 电线 米; X01 垫圈 个, 1 件 = 10 个 (so
 * pcs is ambiguous); 三通 and 十字螺丝 (numerals in names). Each has stock to issue.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { useApi } from '../api/helpers.js';
import { admin, key } from '../inventory/helpers.js';
import { createProduct, createWarehouse, postReceipt, type CreateProductInput } from '../../src/inventory/index.js';
import { button, chat, one, optionValue, submit, tap, title } from '../cards/helpers.js';

/** The posted move of the last document: base quantity (negative out), entered text, unit cost; remark. */
interface Posted {
  qty: string;
  sku: string;
  unit_cost: string;
  remark: string | null;
}

type Expect = { qty: string; sku?: string } | { refused: RegExp };

/** Chat: `出库 <sku> <typed> 确认` → the move posted, or the refusal. */
const CHAT_ISSUE: [string, string, Expect][] = [
  ['A001', '5', { qty: '-5' }],
  ['A001', '５', { qty: '-5' }],
  ['A001', '１２', { qty: '-12' }],
  ['A001', '十', { qty: '-10' }],
  ['A001', '十个', { qty: '-10' }],
  ['A001', '二十 个', { qty: '-20' }],
  ['A001', '两盒', { qty: '-200' }],
  ['A001', '一百五', { qty: '-150' }],
  ['A001', '一千二', { qty: '-1200' }],
  // Digits with a magnitude, as large counts are written: 1万 = 10000.
  ['A001', '1万', { qty: '-10000' }],
  ['A001', '1.2万个', { qty: '-12000' }],
  ['A001', '3千', { qty: '-3000' }],
  ['A001', '一盒半', { qty: '-150' }],
  ['A001', '半盒', { qty: '-50' }],
  ['A001', '2盒 三个', { qty: '-203' }],
  ['A001', '5pcs', { qty: '-5' }],
  ['A001', '5 PCS', { qty: '-5' }],
  ['A001', '5 pc', { qty: '-5' }],
  ['A001', '5只', { qty: '-5' }],
  ['A001', '5件', { qty: '-5' }],
  ['A001', '1,000', { qty: '-1000' }],
  ['A001', '１，０００', { qty: '-1000' }],
  ['A001', '2,5', { refused: /小数请用点号，写成 2\.5/ }],
  ['A001', '三个半', { refused: /按 个 计，数量必须是整数/ }],
  ['A001', '5kg', { refused: /单位「kg」不认识。「螺丝M3×8」的单位是 个（1 盒 = 100 个）/ }],
  ['DP20', '3条', { qty: '-3' }],
  ['DP20', '3 根', { qty: '-3' }],
  ['DP20', '2包', { qty: '-20' }],
  ['DP20', '5只', { refused: /单位「只」不认识。「杜邦线」的单位是 根（1 包 = 10 根），也认 条=根/ }],
  ['K01', '2kg', { qty: '-2' }],
  ['K01', '2 KG', { qty: '-2' }],
  ['K01', '2公斤', { qty: '-2' }],
  ['K01', '两千克', { qty: '-2' }],
  // Another unit of the same measure is converted exactly (斤 = 500 克, 两 = 50 克).
  ['K01', '2斤', { qty: '-1' }],
  ['K01', '500克', { qty: '-0.5' }],
  ['K01', '3两', { qty: '-0.15' }],
  ['K01', '0.5克', { refused: /数量最多 3 位小数/ }],
  ['M01', '150厘米', { qty: '-1.5' }],
  ['M01', '3m', { qty: '-3' }],
  ['M01', '3M', { qty: '-3' }],
  ['M01', '一点五米', { qty: '-1.5' }],
  ['X01', '5件', { qty: '-50' }],
  ['X01', '5个', { qty: '-5' }],
  ['X01', '5pcs', { refused: /单位「pcs」不认识/ }],
  ['三通', '十', { qty: '-10', sku: 'T01' }],
  ['十字螺丝', '2', { qty: '-2', sku: 'S01' }],
  ['十字螺丝', '两个', { qty: '-2', sku: 'S01' }],
];

/** Chat: other fields of a command, typed as people do. */
const CHAT_OTHER: [string, (p: Posted) => void][] = [
  ['入库 A001 10 ¥6.5 确认', (p) => expect(p.unit_cost).toBe('650')],
  ['入库 A001 10 6.5元 确认', (p) => expect(p.unit_cost).toBe('650')],
  ['入库 A001 10 单价=￥６.５ 确认', (p) => expect(p.unit_cost).toBe('650')],
  ['入库 Ａ００１ 10', (p) => expect(p.sku).toBe('A001')],
  ['出库 A001 1 备注=客户说 A=B 明天到 确认', (p) => expect(p.remark).toBe('客户说 A=B 明天到')],
  ['出库 A001 1 备注=客户说,明天到 确认', (p) => expect(p.remark).toBe('客户说,明天到')],
  ['出库 A001 1 备注=红色、蓝色各半 确认', (p) => expect(p.remark).toBe('红色、蓝色各半')],
  // A remark keeps its punctuation as typed (found by a tester: commas and colons were lost).
  ['出库 A001 1 备注=A=B, 急！(补发) 确认', (p) => expect(p.remark).toBe('A=B, 急！(补发)')],
  ['出库 A001 1 备注=供应商：华强北A=12号，急单 确认', (p) => expect(p.remark).toBe('供应商：华强北A=12号，急单')],
  ['出库 A001 1 备注 ＝ 客户，明天 @主仓库 确认', (p) => expect(p.remark).toBe('客户，明天')],
  // Options by their known names only: after 出库's quantity an unknown 键=值 is part of the remark.
  ['出库 A001 1 送货单=123 确认', (p) => expect(p.remark).toBe('送货单=123')],
  ['出库 A001 1 客户:深圳华强=急单 确认', (p) => expect(p.remark).toBe('客户:深圳华强=急单')],
];

/** Chat: refusals that name what was wrong. */
const CHAT_REFUSED: [string, RegExp][] = [
  // 入库 takes no bare remark: an unknown 键=值 is refused with the options (出库's is a remark word).
  ['入库 A001 1 送货单=123', /不认识的选项「送货单」，可用：/],
  [`商品 新增 Z01 ${'长'.repeat(201)}`, /名称最多 200 个字（收到 201 个字）/],
  ['商品 新增 Z02 扳手 别名=杜邦线', /别名「杜邦线」已是商品「杜邦线」（DP20）的名称/],
  ['商品 新增 Z03 扳手 别名=A001', /别名「A001」已是商品「螺丝M3×8」（A001）的编码/],
  ['商品 新增 Z04 扳手 别名=DP线', /别名「DP线」已是商品「杜邦线」（DP20）的别名/],
  ['商品 修改 A001 单位别名=条:根', /「螺丝M3×8」没有单位「根」（它的单位是 个、盒）/],
];

/** Card 出库 form, 数量 field. */
const CARD_QTY: [string, Expect][] = [
  ['２', { qty: '-2' }],
  ['２个', { qty: '-2' }],
  ['十', { qty: '-10' }],
  ['两盒', { qty: '-200' }],
  ['一盒半', { qty: '-150' }],
  ['5pcs', { qty: '-5' }],
  ['1,000', { qty: '-1000' }],
  [' 3\u200b ', { qty: '-3' }],
  ['2,5', { refused: /小数请用点号/ }],
  ['十字', { refused: /单位「字」不认识/ }],
];

/** REST POST /issues, line qty: strict canonical input; human spellings are 422. */
const REST_QTY: [string, number][] = [
  ['5', 201],
  ['1,000', 201],
  ['2盒', 201],
  ['5pcs', 201], // a unit synonym is the product's rule (units.ts), the same for every adapter
  ['２', 422],
  ['十', 422],
  ['十盒', 422],
  ['¥5', 422],
];

describeDb('spellings people type (issue 10)', (t) => {
  const h = useBotApp(t);
  const api = useApi(t);

  async function seed() {
    const wh = await createWarehouse(t.db, admin, { name: '主仓库' });
    const mk = (p: Partial<CreateProductInput> & { sku: string; name: string }) => createProduct(t.db, admin, p as CreateProductInput);
    await mk({ sku: 'A001', name: '螺丝M3×8', spec: 'M3x8', packUnit: '盒', packFactor: '100' });
    await mk({ sku: 'DP20', name: '杜邦线', baseUnit: '根', packUnit: '包', packFactor: '10', unitAliases: { 条: '根' }, aliases: ['DP线'] });
    await mk({ sku: 'K01', name: '铜线', baseUnit: '千克' });
    await mk({ sku: 'M01', name: '电线', baseUnit: '米' });
    await mk({ sku: 'X01', name: '垫圈', packUnit: '件', packFactor: '10' });
    await mk({ sku: 'T01', name: '三通' });
    await mk({ sku: 'S01', name: '十字螺丝' });
    await postReceipt(t.db, admin, {
      warehouse: wh.id,
      idempotencyKey: key('seed'),
      lines: ['A001', 'DP20', 'K01', 'M01', 'X01', 'T01', 'S01'].map((product) => ({ product, qty: '100000', unitCostFen: '10' })),
    });
  }

  /** The move of the newest document (one line), or null when nothing new was posted since `docsBefore`. */
  async function posted(docsBefore: number): Promise<Posted | null> {
    const n = await one<{ n: number }>(t.db, sql`select count(*)::int as n from documents`);
    if (Number(n.n) === docsBefore) return null;
    return one<Posted>(
      t.db,
      sql`select trim_scale(m.qty)::text as qty, p.sku, trim_scale(m.unit_cost)::text as unit_cost, d.remark
          from stock_moves m join documents d on d.id = m.document_id join products p on p.id = m.product_id
          order by d.id desc, m.id desc limit 1`,
    );
  }
  const docCount = async () => Number((await one<{ n: number }>(t.db, sql`select count(*)::int as n from documents`)).n);

  function check(got: Posted | null, reply: string, want: Expect, what: string) {
    if ('refused' in want) {
      expect(got, `${what}: nothing posted`).toBeNull();
      expect(reply, what).toMatch(want.refused);
    } else {
      expect(got, `${what} → ${reply}`).not.toBeNull();
      expect(got!.qty, what).toBe(want.qty);
      if (want.sku) expect(got!.sku, what).toBe(want.sku);
    }
  }

  for (const [product, typed, want] of CHAT_ISSUE) {
    it(`chat: 出库 ${product} 「${typed}」 → ${'refused' in want ? `refused ${want.refused.source.slice(0, 30)}` : want.qty}`, async () => {
      await seed();
      const before = await docCount();
      const reply = await h.say(`出库 ${product} ${typed} 确认`);
      check(await posted(before), reply, want, `出库 ${product} ${typed}`);
    });
  }

  for (const [text, assert] of CHAT_OTHER) {
    it(`chat: ${text}`, async () => {
      await seed();
      const before = await docCount();
      const reply = await h.say(text);
      const got = await posted(before);
      expect(got, reply).not.toBeNull();
      assert(got!);
    });
  }

  for (const [text, refusal] of CHAT_REFUSED) {
    it(`chat refuses: ${text.slice(0, 40)}`, async () => {
      await seed();
      const products = async () => Number((await one<{ n: number }>(t.db, sql`select count(*)::int as n from products`)).n);
      const [docs, prods] = [await docCount(), await products()];
      expect(await h.say(text)).toMatch(refusal);
      expect(await docCount()).toBe(docs);
      expect(await products()).toBe(prods);
    });
  }

  it('chat: 商品 新增/修改 with 别名 and 单位别名, shown in the reply and in 商品 查询; an alias finds the product', async () => {
    await seed();
    expect(await h.say('商品 新增 W01 螺母M6 别名=六角螺母，M6螺母 单位别名=pcs:个,粒:个')).toMatch(/别名 六角螺母、M6螺母，单位别名 pcs=个、粒=个/);
    expect(await h.say('商品 查询 六角螺母')).toMatch(/螺母M6（W01）.*别名 六角螺母、M6螺母/);
    expect(await h.say('入库 六角螺母 3粒')).toMatch(/螺母M6（W01）采购入库 \+3 个/);
    expect(await h.say('商品 修改 W01 别名=无 单位别名=清空')).toMatch(/已修改：螺母M6（W01），单位 个$/m);
  });

  it('chat: a product label does not repeat a spec its name already has', async () => {
    await seed();
    expect(await h.say('商品 查询 A001')).toMatch(/1\. 螺丝M3×8（A001）/);
  });

  for (const [typed, want] of CARD_QTY) {
    it(`card: 出库 数量「${typed}」 → ${'refused' in want ? 'refused' : want.qty}`, async () => {
      await seed();
      const m = await chat(h, '菜单');
      const f = await tap(h, m.reply.message_id, button(m.card!, '出库'));
      const before = await docCount();
      const r = await tap(h, m.reply.message_id, submit(f.now), { form: { kind: 'sales_issue', product: optionValue(f.now, 'product', 'A001'), qty: typed } });
      const reply = r.toast?.content ?? JSON.stringify(r.now);
      check(await posted(before), reply, want, `card 数量 ${typed}`);
      if ('refused' in want) expect(r.toast?.type).toBe('error');
    });
  }

  it('card: the 商品 keyword, 新建商品 fields (full-width, ¥/元, aliases list) read as in chat', async () => {
    await seed();
    const m = await chat(h, '菜单');
    const f = await tap(h, m.reply.message_id, button(m.card!, '出库'));
    const before = await docCount();
    await tap(h, m.reply.message_id, submit(f.now), { form: { kind: 'sales_issue', product_q: 'Ａ００１', qty: '２' } });
    expect(await posted(before)).toMatchObject({ sku: 'A001', qty: '-2' });

    const m2 = await chat(h, '菜单');
    const p = await tap(h, m2.reply.message_id, button(m2.card!, '新建商品'));
    const r = await tap(h, m2.reply.message_id, submit(p.now), {
      form: { name: ' 螺母\u200b ', sku: 'Ｎ００１', purchase_price: '¥０.３５元', safety_stock: '１,０００', aliases: '六角螺母，M6螺母、螺帽', batch_tracked: 'no' },
    });
    expect(r.toast?.type, r.toast?.content).toBe('success');
    expect(title(r.now)).toContain('已新建商品');
    const row = await one<{ sku: string; name: string; price: string; safety: string; aliases: string[] | string }>(
      t.db,
      sql`select sku, name, trim_scale(purchase_price_fen)::text as price, trim_scale(safety_stock)::text as safety, aliases from products where sku = 'N001'`,
    );
    const aliases = typeof row.aliases === 'string' ? (JSON.parse(row.aliases) as string[]) : row.aliases;
    expect({ ...row, aliases }).toEqual({ sku: 'N001', name: '螺母', price: '35', safety: '1000', aliases: ['六角螺母', 'M6螺母', '螺帽'] });
  });

  for (const [i, [typed, status]] of REST_QTY.entries()) {
    it(`REST: POST /issues qty ${JSON.stringify(typed)} → ${status}`, async () => {
      await seed();
      const token = (await api.token('erp', ['inventory:write'])).secret!;
      const r = await api.call('POST', '/api/v1/issues', { token, key: `k-${i}`, body: { warehouse: '主仓库', lines: [{ product: 'A001', qty: typed }] } });
      expect(r.status, r.text).toBe(status);
      if (status === 422) expect(r.body.detail ?? r.text).toMatch(/数量/);
    });
  }

  it('REST: aliases and unitAliases on create and update; shown in the product; a clash is a 409', async () => {
    await seed();
    const token = (await api.token('erp', ['inventory:write'])).secret!;
    const r = await api.call('POST', '/api/v1/products', { token, key: 'p1', body: { sku: 'W01', name: '螺母M6', aliases: ['六角螺母'], unitAliases: { 粒: '个' } } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ sku: 'W01', aliases: ['六角螺母'], unitAliases: { 粒: '个' } });
    const clash = await api.call('PATCH', '/api/v1/products/W01', { token, key: 'p2', body: { aliases: ['DP线'] } });
    expect(clash.status, clash.text).toBe(409);
    expect(clash.body.detail).toMatch(/别名「DP线」已是商品「杜邦线」（DP20）的别名/);
    const badUnit = await api.call('PATCH', '/api/v1/products/W01', { token, key: 'p3', body: { unitAliases: { 条: '根' } } });
    expect(badUnit.status, badUnit.text).toBe(422);
    const long = await api.call('POST', '/api/v1/products', { token, key: 'p4', body: { name: '长'.repeat(201) } });
    expect(long.status).toBe(422);
    expect(long.body.detail).toMatch(/「名称」太长（最多 200 个字）/);
    const fullWidth = await api.call('POST', '/api/v1/products', { token, key: 'p5', body: { name: '扳手', safetyStock: '１０' } });
    expect(fullWidth.status).toBe(422);
    const got = await api.call('GET', '/api/v1/products/W01', { token });
    expect(got.body).toMatchObject({ aliases: ['六角螺母'], unitAliases: { 粒: '个' } });
  });
});


/** test/card-schema.ts catches the mistakes Feishu would reject on a phone; every form card we render passes it. */
import { describe, expect, it } from 'vitest';
import { assertCard, cardProblems } from '../card-schema.js';
import { card, form, input, markdown, submitButton, button, select, table } from '../../bot/cards/card.js';
import { menuCard, renderForm } from '../../bot/cards/index.js';
import { cardRegistry } from './helpers.js';
import { ROLES, type Role } from '../../src/people/roles.js';
import { can, type Actor } from '../../src/people/roles.js';
import { createProduct } from '../../src/inventory/products.js';
import { createWarehouse } from '../../src/inventory/warehouses.js';
import { postReceipt } from '../../src/inventory/posting.js';
import { openStocktake } from '../../src/inventory/stocktake.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { stockCard } from '../../bot/cards/views.js';
import type { ProductStock } from '../../src/inventory/queries.js';
import { LOW_STOCK_RULE } from '../../src/inventory/lowstock.js';
import { describeDb } from '../helpers/db.js';
import { users } from '../../db/schema.js';

const ok = () => card('标题', 'blue', [markdown('hi'), form('f', [input('a', '甲'), submitButton('s', '提交', { a: 'x' })])]);

describe('Card JSON 2.0 schema (test/card-schema.ts)', () => {
  it('accepts a well-formed card', () => {
    expect(cardProblems(ok())).toEqual([]);
  });

  const broken: [string, (c: ReturnType<typeof ok>) => unknown, RegExp][] = [
    ['schema not 2.0', (c) => ({ ...c, schema: '1.0' }), /schema/],
    ['header title not plain_text', (c) => ({ ...c, header: { ...c.header, title: { tag: 'lark_md', content: 'x' } } }), /title/],
    ['unknown template colour', (c) => ({ ...c, header: { ...c.header, template: 'pink' } }), /template/],
    ['unknown tag', (c) => ({ ...c, body: { elements: [{ tag: 'action', actions: [] }] } }), /not an allowed/],
    ['1.0 button with a top-level value', (c) => ({ ...c, body: { elements: [{ tag: 'button', text: { tag: 'plain_text', content: 'x' }, value: { a: 1 } }] } }), /button/],
    ['nested form', (c) => ({ ...c, body: { elements: [form('outer', [form('inner', [submitButton('s', 'x', { a: 'x' })]), submitButton('s2', 'x', { a: 'x' })])] } }), /root/],
    ['form inside a column', (c) => ({ ...c, body: { elements: [{ tag: 'column_set', columns: [{ tag: 'column', elements: [form('f', [submitButton('s', 'x', { a: 'x' })])] }] }] } }), /root/],
    ['duplicate field names', (c) => ({ ...c, body: { elements: [form('f', [input('a', '甲'), input('a', '乙'), submitButton('s', 'x', { a: 'x' })])] } }), /used twice/],
    ['same name in two forms', (c) => ({ ...c, body: { elements: [form('f', [input('a', '甲'), submitButton('s', 'x', { a: 'x' })]), form('g', [input('a', '乙'), submitButton('s2', 'x', { a: 'x' })])] } }), /used twice/],
    ['field without a name', (c) => ({ ...c, body: { elements: [form('f', [{ tag: 'input' }, submitButton('s', 'x', { a: 'x' })])] } }), /200530/],
    ['form without submit', (c) => ({ ...c, body: { elements: [form('f', [input('a', '甲')])] } }), /no submit/],
    ['table inside a form', (c) => ({ ...c, body: { elements: [form('f', [table([{ name: 'a', title: 'A' }], []), submitButton('s', 'x', { a: 'x' })])] } }), /table/],
    ['bad element_id', (c) => ({ ...c, body: { elements: [{ tag: 'markdown', content: 'x', element_id: '1abc' }] } }), /element_id/],
    ['element_id too long', (c) => ({ ...c, body: { elements: [{ tag: 'markdown', content: 'x', element_id: 'a'.repeat(21) }] } }), /element_id/],
    ['duplicate element_id', (c) => ({ ...c, body: { elements: [markdown('a', 'x1'), markdown('b', 'x1')] } }), /duplicate element_id/],
    ['more than 200 components', (c) => ({ ...c, body: { elements: Array.from({ length: 201 }, () => ({ tag: 'hr' })) } }), /> 200/],
    ['larger than 30 KB', (c) => ({ ...c, body: { elements: [markdown('字'.repeat(11000))] } }), /30 KB/],
    ['initial_option not among options', (c) => ({ ...c, body: { elements: [form('f', [{ ...select('s', '选', [{ label: 'A', value: 'a' }])[1], initial_option: 'z' }, submitButton('b', 'x', { a: 'x' })])] } }), /initial_option/],
    ['markdown table with 6 rows', (c) => ({ ...c, body: { elements: [markdown(['|a|', '|---|', ...Array.from({ length: 6 }, () => '|x|')].join('\n'))] } }), /5/],
    ['button outside a form without behaviors', (c) => ({ ...c, body: { elements: [{ tag: 'button', text: { tag: 'plain_text', content: 'x' } }] } }), /behaviors/],
  ];
  for (const [what, mutate, msg] of broken) {
    it(`rejects: ${what}`, () => {
      const problems = cardProblems(mutate(ok()));
      expect(problems.length, what).toBeGreaterThan(0);
      expect(problems.join('\n')).toMatch(msg);
      expect(() => assertCard(mutate(ok()))).toThrow(/invalid Card JSON 2.0/);
    });
  }

  it('the menu of every role is valid and shows only what the role may do', () => {
    for (const role of ROLES) {
      const actor: Actor = { userId: 1, openId: 'ou_x', role, name: '张三' };
      const c = menuCard(cardRegistry().menuFor(actor, new Set()), '张三');
      assertCard(c);
      const labels = JSON.stringify(c);
      expect(labels.includes('"红冲"')).toBe(can(actor, 'stock.reverse'));
      expect(labels.includes('"入库"')).toBe(can(actor, 'stock.receive'));
      expect(labels.includes('"新建仓库"')).toBe(can(actor, 'warehouse.manage'));
    }
  });

  it('the stock card stays valid with many warehouses and batches, and shows available, value and the low-stock warning', () => {
    const rows = Array.from({ length: 150 }, (_, i) => ({
      warehouseId: (i % 3) + 1,
      warehouseName: `仓库${(i % 3) + 1}`,
      batchNo: `B${String(i).padStart(4, '0')}`,
      receivedAt: '2026-11-25T00:00:00.000Z',
      expiresOn: null,
      expired: false,
      qty: '1',
      qtyText: '1 瓶',
      valueFen: '123',
    }));
    const s: ProductStock = {
      product: { id: 1, sku: 'G001', barcode: null, name: '胶水*特价*', model: null, spec: '500ml', category: null, aliases: [], unitAliases: {}, baseUnit: '瓶', packUnit: null, packFactor: null, purchasePriceFen: null, salePriceFen: null, qtyDecimals: null, safetyStock: '200', leadTimeDays: 0, preferredSupplierId: null, batchTracked: true, archived: false },
      rows,
      perWarehouse: [1, 2, 3].map((w) => ({ warehouseId: w, warehouseName: `仓库${w}`, qty: '50', qtyText: '50 瓶', valueFen: '6150' })),
      totalQty: '150',
      totalQtyText: '150 瓶',
      totalValueFen: '18450',
      avgCost: '123',
      batchNo: null,
      low: { rule: LOW_STOCK_RULE, total: { qty: '150', safetyStock: '200', low: true }, warehouses: [] },
    };
    const c = stockCard(s);
    assertCard(c);
    const text = JSON.stringify(c);
    expect(text).toContain('**现有**（全部仓库）：**150 瓶**');
    expect(text).toContain('**库存金额**：¥184.50（平均成本 ¥1.23 / 瓶）');
    expect(text).toContain('全部仓库合计现有 150 瓶 ≤ 安全库存 200 瓶');
    expect(text).toContain('胶水\\\\*特价\\\\*'); // user text escaped in markdown
    expect(text).toContain('共 150 行');
    assertCard(stockCard({ ...s, rows: [], perWarehouse: [], totalQty: '0', totalQtyText: '0 瓶', totalValueFen: '0' }, { scope: '二号仓' }));
  });

  it('a plain callback button carries behaviors, never a 1.0 value', () => {
    const b = button('x', { a: 'menu' });
    expect(b.behaviors).toEqual([{ type: 'callback', value: { a: 'menu' } }]);
    expect('value' in b).toBe(false);
  });
});

describeDb('every form card is valid Card JSON 2.0', (t) => {
  const admin: Actor = { ...SYSTEM_ACTOR, role: 'admin' as Role };
  it('with an empty database, with a few rows (selects) and with many rows (keyword inputs)', async () => {
    const registry = cardRegistry();
    const at = { now: new Date('2026-11-25T02:00:00Z'), timeZone: 'Asia/Shanghai' };
    const render = async (selectMax: number) => {
      for (const { name } of registry.forms()) {
        const c = await renderForm(registry, name, { conn: t.db, actor: admin, user: null, selectMax, ...at });
        assertCard(c);
      }
    };
    await render(20);
    const wh = await createWarehouse(t.db, admin, { name: '主仓库' });
    const wh2 = await createWarehouse(t.db, admin, { name: '二号仓' });
    for (let i = 1; i <= 25; i++) await createProduct(t.db, admin, { name: `商品${i}`, sku: `S${String(i).padStart(3, '0')}`, batchTracked: i % 5 === 0 });
    await postReceipt(t.db, admin, { warehouse: wh.id, lines: [{ product: 'S005', qty: 3, batchNo: 'B1' }], idempotencyKey: 'seed-1' });
    await openStocktake(t.db, admin, { warehouse: wh.id });
    await render(20); // 25 products > 20: keyword input
    await render(100); // selects with 25 options and batches
    const [u] = await t.db.insert(users).values({ openId: 'ou_last', role: 'clerk', lastWarehouseId: wh2.id }).returning();
    const receipt = await renderForm(registry, 'receipt', { conn: t.db, actor: admin, user: u, selectMax: 100, ...at });
    expect(JSON.stringify(receipt)).toContain('"select_static"');
    // The user's last warehouse is preselected.
    const whSelect = JSON.stringify(receipt).match(/"name":"warehouse"[^]*?"initial_option":"(\d+)"/);
    expect(whSelect?.[1]).toBe(String(wh2.id));
    const big = await renderForm(registry, 'receipt', { conn: t.db, actor: admin, user: null, selectMax: 20, ...at });
    expect(JSON.stringify(big)).toContain('"product_q"');
  });
});

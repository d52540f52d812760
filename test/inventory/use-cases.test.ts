/**
 * The inventory and people use cases through the kernel (src/kernel/invoke.ts), as every
 * adapter reaches them: canonical input in, the services' result out; a Chinese message naming
 * the field for bad input; a refusal naming the action for a missing permission.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { actor, admin, clerk, sales, viewer } from './helpers.js';
import { NOW, call, refused, registry } from './use-cases-harness.js';

const IDS = [
  'inventory.product-create', 'inventory.product-update', 'inventory.product-archive', 'inventory.product-get', 'inventory.products',
  'inventory.warehouse-create', 'inventory.warehouses',
  'inventory.stock', 'inventory.stock-summary', 'inventory.low-stock', 'inventory.balances', 'inventory.moves', 'inventory.document', 'inventory.documents',
  'inventory.stocktake-open', 'inventory.stocktake-count', 'inventory.stocktake-complete', 'inventory.stocktake-post', 'inventory.stocktake-cancel', 'inventory.stocktake',
  'inventory.cost-adjust', 'people.users', 'people.grant-role',
];

describe('the registry', () => {
  it('holds every use case, each bound to its REST route', () => {
    for (const id of IDS) expect(registry.get(id)?.rest, id).toBeDefined();
    const routes = registry.all().filter((u) => u.rest).map((u) => `${u.rest!.method} ${u.rest!.path}`);
    expect(new Set(routes).size).toBe(routes.length);
    expect(registry.require('inventory.moves').rest).toEqual({ method: 'get', path: '/moves' });
    expect(registry.require('people.grant-role').rest).toMatchObject({ method: 'post', path: '/users/{user}/role' });
  });
});

describeDb('use cases', (t) => {
  async function seed() {
    const wh = await call(t.db, admin, 'inventory.warehouse-create', { name: '主仓库' });
    await call(t.db, admin, 'inventory.product-create', { sku: 'A001', name: '螺丝', category: '五金', purchasePrice: '0.35', salePrice: '0.5', safetyStock: '100', packUnit: '盒', packFactor: '100' });
    const rk = await call(t.db, clerk, 'inventory.receive', { lines: [{ product: 'A001', qty: '80', unitPrice: '0.35' }] });
    return { wh, rk };
  }

  it('products: create with yuan prices, get, update, list with search and category, archive', async () => {
    const p = await call(t.db, admin, 'inventory.product-create', { name: '螺丝 M6', category: '五金', purchasePrice: '0.002', salePrice: '6.5', safetyStock: '10', packUnit: '箱', packFactor: '24' });
    expect(p).toMatchObject({ sku: 'P00001', name: '螺丝 M6', purchasePriceFen: '0.2', salePriceFen: '650', safetyStock: '10', packFactor: '24', archived: false });
    await call(t.db, admin, 'inventory.product-create', { sku: 'B001', name: '垫片' });
    expect(await call(t.db, viewer, 'inventory.product-get', { product: 'P00001' })).toMatchObject({ id: p.id, name: '螺丝 M6' });

    const up = await call(t.db, admin, 'inventory.product-update', { product: p.id, salePrice: '7', model: 'M6' });
    expect(up).toMatchObject({ salePriceFen: '700', model: 'M6', purchasePriceFen: '0.2', packUnit: '箱' });
    const cleared = await call(t.db, admin, 'inventory.product-update', { product: 'P00001', purchasePrice: null });
    expect(cleared.purchasePriceFen).toBeNull();

    expect((await call(t.db, viewer, 'inventory.products', { q: 'luosi' })).items.map((x: { sku: string }) => x.sku)).toEqual(['P00001']);
    expect((await call(t.db, viewer, 'inventory.products', { q: 'b001' })).items.map((x: { sku: string }) => x.sku)).toEqual(['B001']);
    expect((await call(t.db, viewer, 'inventory.products', { category: '五金' })).items).toHaveLength(1);

    const archived = await call(t.db, admin, 'inventory.product-archive', { product: 'B001' });
    expect(archived.archived).toBe(true);
    expect((await call(t.db, viewer, 'inventory.products', {})).items.map((x: { sku: string }) => x.sku)).toEqual(['P00001']);
    expect((await call(t.db, viewer, 'inventory.products', { includeArchived: true })).items).toHaveLength(2);
  });

  it('warehouses: create, list (archived only on request)', async () => {
    const a = await call(t.db, admin, 'inventory.warehouse-create', { name: '主仓库' });
    const b = await call(t.db, admin, 'inventory.warehouse-create', { name: '二号仓', code: 'W2', makeDefault: true });
    expect(a).toMatchObject({ code: 'WH01', isDefault: true });
    expect(b).toMatchObject({ code: 'W2', isDefault: true });
    const list = await call(t.db, viewer, 'inventory.warehouses', {});
    expect(list.items.map((w: { name: string; isDefault: boolean }) => [w.name, w.isDefault])).toEqual([['主仓库', false], ['二号仓', true]]);
  });

  it('stock, stock summary and low stock', async () => {
    await seed();
    const s = await call(t.db, viewer, 'inventory.stock', { product: 'A001' });
    expect(s.totalQty).toBe('80');
    expect(s.rows).toHaveLength(1);
    const sum = await call(t.db, clerk, 'inventory.stock-summary', { warehouse: '主仓库' });
    expect(sum.lines.map((l: { sku: string; qty: string; valueFen: string }) => [l.sku, l.qty, l.valueFen])).toEqual([['A001', '80', '2800']]);
    expect(sum.totalValueFen).toBe('2800');
    const low = await call(t.db, viewer, 'inventory.low-stock', {});
    expect(low.total.map((l: { sku: string; shortfall: string }) => [l.sku, l.shortfall])).toEqual([['A001', '20']]);
  });

  it('documents: one with its lines, a filtered list; business time is the unit of work clock', async () => {
    const { rk } = await seed();
    expect(rk.document.docNo).toBe('RK20261125-0001');
    expect(rk.document.businessTime).toBe(NOW.toISOString());
    await call(t.db, sales, 'inventory.issue', { lines: [{ product: 'A001', qty: '5' }] });
    const doc = await call(t.db, viewer, 'inventory.document', { docNo: 'rk20261125-0001' });
    expect(doc.lines.map((l: { sku: string; qty: string }) => [l.sku, l.qty])).toEqual([['A001', '80']]);
    const issues = await call(t.db, viewer, 'inventory.documents', { kind: 'sales_issue' });
    expect(issues.items.map((d: { docNo: string }) => d.docNo)).toEqual(['CK20261125-0001']);
    expect(issues.nextCursor).toBeNull();
    // Business days are Shanghai days: 2026-11-25 holds both, 2026-11-24 none.
    expect((await call(t.db, viewer, 'inventory.documents', { from: '2026-11-25', to: '2026-11-25' })).items).toHaveLength(2);
    expect((await call(t.db, viewer, 'inventory.documents', { to: '2026-11-24' })).items).toHaveLength(0);
    expect((await call(t.db, viewer, 'inventory.documents', { from: '2026-11-25T10:00:00+08:00', to: '2026-11-25T10:00:00+08:00' })).items).toHaveLength(2);
    expect((await call(t.db, viewer, 'inventory.documents', { from: '2026-11-25T10:00:01+08:00' })).items).toHaveLength(0);
    expect((await call(t.db, viewer, 'inventory.documents', { warehouse: '主仓库', kind: 'purchase_receipt' })).items).toHaveLength(1);
  });

  it('stocktake: open (numbered by the clock), count, complete, report, post; cancel another', async () => {
    await seed();
    const st = await call(t.db, clerk, 'inventory.stocktake-open', { warehouse: '主仓库' });
    expect(st).toMatchObject({ docNo: 'PD20261125-0001', status: 'open', complete: false });
    const c = await call(t.db, clerk, 'inventory.stocktake-count', { stocktake: st.docNo, product: 'A001', qty: '78' });
    expect(c).toMatchObject({ countedQty: '78', mode: 'add' });
    const set = await call(t.db, clerk, 'inventory.stocktake-count', { stocktake: st.id, product: 'A001', qty: '77', mode: 'set' });
    expect(set).toMatchObject({ countedQty: '77', entryQty: '-1' });
    // A REST path carries the id as text.
    const done = await call(t.db, clerk, 'inventory.stocktake-complete', { stocktake: String(st.id) });
    expect(done.stocktake.complete).toBe(true);
    const rep = await call(t.db, viewer, 'inventory.stocktake', { stocktake: st.docNo });
    expect(rep.lines.map((l: { sku: string; varianceQty: string }) => [l.sku, l.varianceQty])).toEqual([['A001', '-3']]);
    const posted = await call(t.db, clerk, 'inventory.stocktake-post', { stocktake: st.docNo });
    expect(posted.stocktake.status).toBe('posted');
    expect(posted.posting.document).toMatchObject({ docNo: 'PD20261125-0001', businessTime: NOW.toISOString() });
    expect((await call(t.db, viewer, 'inventory.stock', { product: 'A001' })).totalQty).toBe('77');

    const other = await call(t.db, clerk, 'inventory.stocktake-open', { products: ['A001'], complete: true });
    expect(other.docNo).toBe('PD20261125-0002');
    expect((await call(t.db, clerk, 'inventory.stocktake-cancel', { stocktake: other.docNo })).status).toBe('cancelled');
  });

  it('cost adjustment: a new unit price (yuan per base unit) or a new total value (yuan)', async () => {
    await seed();
    const byPrice = await call(t.db, admin, 'inventory.cost-adjust', { product: 'A001', unitPrice: '0.4', reason: '供应商补差价' });
    expect(byPrice).toMatchObject({ before: { valueFen: '2800' }, after: { valueFen: '3200' }, diffFen: '400', unitCostFen: '40' });
    expect(byPrice.posting.document.docNo).toBe('TZ20261125-0001');
    const byTotal = await call(t.db, admin, 'inventory.cost-adjust', { product: 'A001', totalValue: '30.00' });
    expect(byTotal).toMatchObject({ after: { valueFen: '3000' }, diffFen: '-200' });
    const rk = await call(t.db, admin, 'inventory.cost-adjust', { docNo: 'RK20261125-0001', unitPrice: '0.30' });
    expect(rk.receipt).toMatchObject({ docNo: 'RK20261125-0001', revaluedQty: '80' });
  });

  it('people: list users, grant a role by open_id (new user) and by user id', async () => {
    const boss = await call(t.db, admin, 'people.grant-role', { user: 'ou_boss', role: 'admin', name: '老板' });
    expect(boss).toMatchObject({ user: { openId: 'ou_boss', role: 'admin', roleLabel: '管理员' }, previousRole: null });
    const bossActor = actor('admin', boss.user.id);
    const li = await call(t.db, bossActor, 'people.grant-role', { user: 'ou_li', role: 'clerk' });
    const again = await call(t.db, bossActor, 'people.grant-role', { user: li.user.id, role: 'finance' });
    expect(again).toMatchObject({ user: { openId: 'ou_li', role: 'finance', roleLabel: '财务' }, previousRole: 'clerk' });
    const list = await call(t.db, bossActor, 'people.users', {});
    expect(list.items.map((u: { openId: string; role: string }) => [u.openId, u.role])).toEqual([['ou_boss', 'admin'], ['ou_li', 'finance']]);
    expect(await refused(call(t.db, bossActor, 'people.grant-role', { user: 999, role: 'clerk' }), 'not_found')).toMatch(/找不到用户/);
  });

  it('bad input: a Chinese message naming the field, nothing written', async () => {
    expect(await refused(call(t.db, admin, 'inventory.product-create', { name: '螺丝', purchasePrice: '0.1234567' }), 'invalid_input')).toMatch(/「进价」.*6 位小数/);
    expect(await refused(call(t.db, admin, 'inventory.product-create', { name: '' }), 'invalid_input')).toMatch(/「名称」.*请填写商品名称/);
    expect(await refused(call(t.db, admin, 'inventory.product-create', { name: '螺丝', safetyStock: 5 }), 'invalid_input')).toMatch(/「安全库存」/);
    expect(await refused(call(t.db, admin, 'inventory.warehouse-create', { name: '仓', colour: 'red' }), 'invalid_input')).toMatch(/输入有误/);
    expect(await refused(call(t.db, viewer, 'inventory.balances', { limit: '0' }), 'invalid_input')).toMatch(/「每页条数」每页至少 1 条/);
    expect(await refused(call(t.db, viewer, 'inventory.moves', { cursor: 'bm90LWEtY3Vyc29y' }), 'invalid_input')).toMatch(/「翻页游标」无效/);
    expect(await refused(call(t.db, admin, 'inventory.cost-adjust', { product: 'A001', totalValue: '1.234' }), 'invalid_input')).toMatch(/「新库存金额」|金额格式不对/);
    expect(await refused(call(t.db, admin, 'people.grant-role', { user: 'ou_x', role: 'boss' }), 'invalid_input')).toMatch(/「角色」角色只能是.*finance（财务）/);
    const [{ n }] = await execRows<{ n: number }>(t.db, sql`select (select count(*) from products) + (select count(*) from warehouses) + (select count(*) from users) as n`);
    expect(Number(n)).toBe(0);
  });

  it('permission: refused before anything runs, naming the action', async () => {
    expect(await refused(call(t.db, sales, 'inventory.product-create', { name: '螺丝' }), 'forbidden')).toMatch(/没有权限：销售不能「新增商品」（需要「维护商品」权限）/);
    expect(await refused(call(t.db, clerk, 'inventory.warehouse-create', { name: '仓' }), 'forbidden')).toMatch(/仓管不能「新增仓库」/);
    expect(await refused(call(t.db, clerk, 'inventory.cost-adjust', { product: 'A001', unitPrice: '1' }), 'forbidden')).toMatch(/仓管不能「成本调整」（需要「红冲」权限）/);
    expect(await refused(call(t.db, viewer, 'inventory.stocktake-open', {}), 'forbidden')).toMatch(/只读不能「开始盘点」（需要「盘点」权限）/);
    expect(await refused(call(t.db, actor('finance'), 'people.users', {}), 'forbidden')).toMatch(/财务不能「用户列表」（需要「管理用户」权限）/);
    expect(await refused(call(t.db, actor('finance'), 'inventory.product-update', { product: 1, name: 'x' }), 'forbidden')).toMatch(/财务不能「修改商品」/);
  });
});

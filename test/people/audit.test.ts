/**
 * Audit rows for every write: role grants, admins made by configuration, warehouses created by
 * hand or on the spot by a first posting — and every write use case leaves at least one row in
 * its own transaction. Remembering a user's last warehouse is a preference, not audited.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { createWarehouse, postReceipt, createProduct } from '../../src/inventory/index.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/people/roles.js';
import { actorOf, grantRole, identify, rememberWarehouse } from '../../src/people/users.js';
import { call, registry } from '../inventory/use-cases-harness.js';

interface AuditRow {
  actor_id: number | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describeDb('audit', (t) => {
  const audit = (entity?: string) =>
    execRows<AuditRow>(t.db, sql`select actor_id, action, entity, entity_id, before, after from audit_log ${entity ? sql`where entity = ${entity}` : sql``} order by id`);
  const count = async () => Number((await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from audit_log`))[0].n);

  /** An admin with a users row (audit rows reference users). */
  async function boss(): Promise<Actor> {
    const { user } = await grantRole(t.db, SYSTEM_ACTOR, { openId: 'ou_boss', name: '老板', role: 'admin' });
    return actorOf(user);
  }

  it('a grant is audited: who, whom, role before and after', async () => {
    const b = await boss();
    const { user } = await grantRole(t.db, b, { openId: 'ou_li', role: 'clerk' });
    await grantRole(t.db, b, { openId: 'ou_li', role: 'finance', name: '小李' });
    const rows = (await audit('user')).filter((r) => r.entity_id === String(user.id));
    expect(rows.map((r) => [r.action, r.actor_id, r.before?.role ?? null, r.after?.role])).toEqual([
      ['grant_role', b.userId, null, 'clerk'],
      ['grant_role', b.userId, 'clerk', 'finance'],
    ]);
    expect(rows[1].after).toMatchObject({ openId: 'ou_li', name: '小李', active: true });
  });

  it('a refused grant writes nothing', async () => {
    const b = await boss();
    const before = await count();
    await expect(grantRole(t.db, b, { openId: 'ou_boss', role: 'viewer' })).rejects.toThrow(/不能修改自己/);
    expect(await count()).toBe(before);
  });

  it('an admin made or restored by configuration is audited as the system', async () => {
    const first = await identify(t.db, 'ou_cfg', { adminOpenIds: ['ou_cfg'], name: '配置管理员' });
    expect(first.kind).toBe('known');
    await t.db.execute(sql`update users set role = 'viewer' where open_id = 'ou_cfg'`);
    await identify(t.db, 'ou_cfg', { adminOpenIds: ['ou_cfg'] });
    // Known and unchanged: nothing more.
    await identify(t.db, 'ou_cfg', { adminOpenIds: ['ou_cfg'] });
    await identify(t.db, 'ou_stranger', { adminOpenIds: ['ou_cfg'] });
    const rows = await audit('user');
    expect(rows.map((r) => [r.action, r.actor_id, r.before?.role ?? null, r.after?.role])).toEqual([
      ['admin_from_config', null, null, 'admin'],
      ['admin_from_config', null, 'viewer', 'admin'],
    ]);
  });

  it('warehouses are audited, by hand and when a first posting creates 主仓库', async () => {
    const b = await boss();
    await createProduct(t.db, b, { sku: 'A001', name: '螺丝' });
    await postReceipt(t.db, b, { idempotencyKey: 'rk1', lines: [{ product: 'A001', qty: 5, unitCostFen: 10 }] });
    await createWarehouse(t.db, b, { name: '二号仓' });
    const rows = await audit('warehouse');
    expect(rows.map((r) => [r.action, r.actor_id, r.after?.name])).toEqual([
      ['create', b.userId, '主仓库'],
      ['create', b.userId, '二号仓'],
    ]);
    expect(rows[0].after).toMatchObject({ isDefault: true, implicit: true });
  });

  it('remembering the last warehouse is a preference: no audit row', async () => {
    const b = await boss();
    const wh = await createWarehouse(t.db, b, { name: '主仓库' });
    const before = await count();
    await rememberWarehouse(t.db, b.userId!, wh.id);
    expect(await count()).toBe(before);
  });

  it('every write use case leaves an audit row in its transaction', async () => {
    const b = await boss();
    const steps: [string, unknown][] = [
      ['inventory.warehouse-create', { name: '主仓库' }],
      ['inventory.product-create', { sku: 'A001', name: '螺丝' }],
      ['inventory.product-create', { sku: 'B001', name: '垫片' }],
      ['inventory.product-update', { product: 'A001', salePrice: '1' }],
      ['inventory.product-archive', { product: 'B001' }],
      ['inventory.safety-stock-set', { product: 'A001', warehouse: '主仓库', safetyStock: '5' }],
      ['inventory.receive', { lines: [{ product: 'A001', qty: '10', unitPrice: '1' }] }],
      ['inventory.issue', { lines: [{ product: 'A001', qty: '2' }] }],
      ['inventory.warehouse-create', { name: '二号仓' }],
      ['inventory.transfer', { to: '二号仓', lines: [{ product: 'A001', qty: '1' }] }],
      ['inventory.cost-adjust', { product: 'A001', unitPrice: '1.2' }],
      ['inventory.stocktake-open', { warehouse: '主仓库' }],
      ['inventory.stocktake-count', { stocktake: 'PD20261125-0001', product: 'A001', qty: '6' }],
      ['inventory.stocktake-complete', { stocktake: 'PD20261125-0001' }],
      ['inventory.stocktake-post', { stocktake: 'PD20261125-0001' }],
      ['inventory.stocktake-open', { warehouse: '二号仓' }],
      ['inventory.stocktake-cancel', { stocktake: 'PD20261125-0002' }],
      ['inventory.reverse', { docNo: 'DB20261125-0001' }],
      ['people.grant-role', { user: 'ou_li', role: 'clerk' }],
    ];
    const writes = new Set(registry.all().filter((u) => u.kind === 'write' && /^(inventory|people)\./.test(u.id)).map((u) => u.id));
    const covered = new Set<string>();
    for (const [id, input] of steps) {
      const before = await count();
      await call(t.db, b, id, input);
      expect(await count(), id).toBeGreaterThan(before);
      covered.add(id);
    }
    // Every inventory and people write is in the list above (tokens.* are tested with their module).
    expect([...writes].filter((id) => !covered.has(id))).toEqual([]);
  });
});

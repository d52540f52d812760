/**
 * Issue 8, class 7 — history stays true. A posted document shows the units, pack factor and
 * names it was posted with (stock_moves snapshot columns), whatever happens to the product
 * later; a pack-size change while stock is on hand must be confirmed; a base-unit change
 * under a ledger history is refused with the way out. Through the real chat path (signed event
 * → Hono → DB → fake Feishu; the 单据 answer is the document card) and the services.
 */
import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { getDocument } from '../../src/inventory/documents.js';
import { updateProduct } from '../../src/inventory/products.js';
import { SYSTEM_ACTOR } from '../../src/people/roles.js';
import { isDomainError } from '../../src/errors.js';

const DOC_RE = /[A-Z]{2}\d{8}-\d+/;

describeDb('history stays true', (t) => {
  const h = useBotApp(t);

  async function packOf(sku: string): Promise<{ pack_unit: string | null; pack_factor: string | null; name: string; base_unit: string }> {
    const [r] = await execRows<{ pack_unit: string | null; pack_factor: string | null; name: string; base_unit: string }>(
      t.db,
      sql`select pack_unit, trim_scale(pack_factor)::text as pack_factor, name, base_unit from products where sku = ${sku}`,
    );
    return r;
  }

  async function docNoOf(reply: string): Promise<string> {
    const m = reply.match(DOC_RE);
    expect(m, reply).toBeTruthy();
    return m![0];
  }

  it('a new pack size under stock needs 确认; posted documents keep 48 个（2 箱） in chat, card and service', async () => {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 A001 螺丝M6 包装=箱:24')).toContain('已新增');
    const rk = await docNoOf(await h.say('入库 A001 2箱'));
    const ck = await docNoOf(await h.say('出库 A001 24'));
    expect(await h.say(`单据 ${rk}`)).toContain('48 个（2 箱）');

    // Without 确认: refused, says how the stock reads before and after, nothing written.
    const ask = await h.say('商品 修改 A001 包装=箱:100');
    expect(ask).toContain('现有库存 24 个');
    expect(ask).toContain('24 个（1 箱）');
    expect(ask).toContain('24 个（0.24 箱）');
    expect(ask).toContain('确认无误请在命令后加「确认」');
    expect(ask).toContain('请发送：商品 修改 A001 包装=箱:100 确认');
    expect(await packOf('A001')).toMatchObject({ pack_unit: '箱', pack_factor: '24' });

    // With 确认: changed.
    const done = await h.say('商品 修改 A001 包装=箱:100 确认');
    expect(done).toContain('已修改');
    expect(done).toContain('1 箱 = 100 个');
    expect(await packOf('A001')).toMatchObject({ pack_unit: '箱', pack_factor: '100' });

    // The receipt and the issue still read in the factor they were posted with.
    const rkCard = await h.say(`单据 ${rk}`);
    expect(rkCard).toContain('48 个（2 箱）');
    expect(rkCard).not.toMatch(/0\.48/);
    const ckCard = await h.say(`单据 ${ck}`);
    expect(ckCard).toMatch(/-24 个（-1 箱）/);
    // Today's stock reads in today's units (the 现有库存 part of the card).
    expect(rkCard).toMatch(/现有.*24 个/);

    // The service (REST, exports, replays) returns the same snapshot.
    const doc = await getDocument(t.db, SYSTEM_ACTOR, rk);
    expect(doc.lines[0]).toMatchObject({ qty: '48', qtyText: '48 个（2 箱）', packUnit: '箱', packFactor: '24', baseUnit: '个', name: '螺丝M6', sku: 'A001' });
    expect(doc.lines[0].currentName ?? null).toBeNull();

    // A new posting uses the new factor.
    const rk2 = await docNoOf(await h.say('入库 A001 1箱'));
    expect(await h.say(`单据 ${rk2}`)).toContain('100 个（1 箱）');

    // A reversal of the old issue reads as the issue did: the pack size it was posted with.
    const reversed = await h.say(`红冲 ${ck}`);
    expect(reversed).toContain('+24 个（1 箱）'); // the reply too, not "(约 0.24 箱)"
    const hc = await docNoOf(reversed);
    expect(await h.say(`单据 ${hc}`)).toContain('24 个（1 箱）');
    const [snap] = await execRows<{ pack_factor: string }>(
      t.db,
      sql`select trim_scale(m.pack_factor)::text as pack_factor from stock_moves m join documents d on d.id = m.document_id where d.doc_no = ${hc}`,
    );
    expect(snap.pack_factor).toBe('24');
  });

  it('a renamed product: old documents keep the name they were posted with, and show 现名', async () => {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 B001 扳手 包装=盒:10')).toContain('已新增');
    const rk = await docNoOf(await h.say('入库 B001 3盒'));
    expect(await h.say('商品 修改 B001 名称=活动扳手 编码=B001X')).toContain('已修改');
    const card = await h.say(`单据 ${rk}`);
    expect(card).toContain('扳手（B001；现名 活动扳手，现编码 B001X）');
    const doc = await getDocument(t.db, SYSTEM_ACTOR, rk);
    expect(doc.lines[0]).toMatchObject({ name: '扳手', sku: 'B001', currentName: '活动扳手', currentSku: 'B001X' });
    // A new document is in the new name, without a 现名 note.
    const rk2 = await docNoOf(await h.say('入库 B001X 1盒'));
    const card2 = await h.say(`单据 ${rk2}`);
    expect(card2).toContain('活动扳手（B001X）');
    expect(card2).not.toContain('现名');
  });

  it('without stock a pack change needs no confirmation; the service refuses with needs_confirmation and details', async () => {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 C001 电阻 包装=盘:5000')).toContain('已新增');
    // No stock: nothing reads differently, no question.
    expect(await h.say('商品 修改 C001 包装=盘:4000')).toContain('已修改');
    expect(await h.say('入库 C001 1盘')).toContain('已入库');
    let err: unknown;
    try {
      await updateProduct(t.db, SYSTEM_ACTOR, { product: 'C001', changes: { packUnit: '卷', packFactor: '1000' } });
    } catch (e) {
      err = e;
    }
    expect(isDomainError(err) && err.code).toBe('needs_confirmation');
    expect(isDomainError(err) && err.details).toMatchObject({ qty: '4000', before: '4000 个（1 盘）', after: '4000 个（4 卷）' });
    // Same factor written differently ("4000.0") is no change: no question.
    await updateProduct(t.db, SYSTEM_ACTOR, { product: 'C001', changes: { packUnit: '盘', packFactor: '4000.0' } });
    const p = await updateProduct(t.db, SYSTEM_ACTOR, { product: 'C001', changes: { packUnit: '卷', packFactor: '1000' }, confirm: true });
    expect(p.packFactor).toBe('1000');
  });

  it('the base unit cannot change under a ledger history: refused with the way out, nothing written', async () => {
    expect(await h.say('仓库 新增 主仓库')).toContain('已新增');
    expect(await h.say('商品 新增 D001 螺母')).toContain('已新增');
    expect(await h.say('入库 D001 48')).toContain('已入库');
    const r = await h.say('商品 修改 D001 单位=盒');
    expect(r).toContain('不能把基本单位改成「盒」');
    expect(r).toContain('现有库存 48 个');
    // How many 个 make a 盒 is the user's to say: no made-up factor (tester finding, issue 9).
    expect(r).toContain('包装=盒:<每盒多少个>');
    expect(r).toContain('新建商品');
    expect((await packOf('D001')).base_unit).toBe('个');
    // Even with 确认: a base-unit change is not a matter of confirmation.
    expect(await h.say('商品 修改 D001 单位=盒 确认')).toContain('不能把基本单位改成「盒」');
    // Before any move it is free.
    expect(await h.say('商品 新增 D002 垫片')).toContain('已新增');
    expect(await h.say('商品 修改 D002 单位=盒')).toContain('已修改');
  });
});

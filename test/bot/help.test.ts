/**
 * Help and discovery (issue 10 item 7) and the "message too long" hint (item 11), through the
 * real path: 帮助 <命令> shows that command only; 帮助 lists English names and fits one reply; a
 * misspelled or glued command answers 你是不是想… with the line to copy and runs nothing.
 *
 * SPELLINGS is the table of what people type for a command that is not written right: a
 * regression shows which spelling broke.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execRows } from '../../db/types.js';
import { describeDb } from '../helpers/db.js';
import { useBotApp } from '../helpers/app.js';
import { MAX_REPLY_CHARS } from '../../bot/reply.js';
import { buildCommandRegistry } from '../../bot/registries.js';
import { buildUseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import { ALL_USE_CASES } from '../../src/use-cases.js';
import { suggestCommands } from '../../bot/commands/suggest.js';
import { normalizeText, tokenize } from '../../bot/parse/normalize.js';

/** typed → [the command suggested, the corrected line]. */
const SPELLINGS: [typed: string, command: string, line: string][] = [
  ['出苦 螺丝 5', '出库', '出库 螺丝 5'], // IME homophone
  ['入苦 A001 5 0.5', '入库', '入库 A001 5 0.5'],
  ['入库SCR-M3X8 1', '入库', '入库 SCR-M3X8 1'], // glued to its argument
  ['出库A001 5', '出库', '出库 A001 5'],
  ['库存A001', '库存', '库存 A001'],
  ['库 存', '库存', '库存'], // split by a space
  ['出 库 螺丝 5', '出库', '出库 螺丝 5'],
  ['ruku 螺丝 5', '入库', '入库 螺丝 5'], // pinyin
  ['chuku A001 1', '出库', '出库 A001 1'],
  ['kucun', '库存', '库存'],
  ['pandian 开始', '盘点 开始', '盘点 开始'],
  ['stcok A001', '库存', 'stock A001'], // English typo
  ['recieve A001 5', '入库', 'receive A001 5'],
  ['trasnfer A001 1 @主仓库 @二号仓', '调拨', 'transfer A001 1 @主仓库 @二号仓'],
  ['采购入苦 A001 5', '入库', '采购入库 A001 5'], // a document-kind alias, misspelled
  ['销售出货 A001 1', '出库', '销售出库 A001 1'],
];

/** Typed words that must NOT be taken for a command (a wrong guess is worse than none). */
const NOT_COMMANDS = ['xyz', '螺丝 5', '出货 螺丝 5', 'ot A001', 'inxyz'];

describe('suggestions (pure)', () => {
  const registry = buildCommandRegistry(buildUseCaseRegistry(ALL_USE_CASES));
  const suggest = (typed: string) => {
    const text = normalizeText(typed);
    return suggestCommands(registry, text, tokenize(text));
  };

  it.each(SPELLINGS)('%s → %s', (typed, name, line) => {
    const [first] = suggest(typed);
    expect(first?.command.name).toBe(name);
    expect(first?.line).toBe(line);
  });

  it.each(NOT_COMMANDS)('%s → no suggestion', (typed) => {
    expect(suggest(typed)).toEqual([]);
  });
});

describeDb('help and discovery', (t) => {
  const h = useBotApp(t);
  const documents = async () => (await execRows<{ n: number }>(t.db, sql`select count(*)::int as n from documents`))[0].n;

  it('帮助 <命令>, <命令> 帮助 and help <english> show that command only: usage, hint, every example, its names', async () => {
    for (const typed of ['帮助 出库', '出库 帮助', 'help out', '帮助 发货', '出库 ?']) {
      const r = await h.say(typed);
      expect(r, typed).toContain('用法：出库 <商品> <数量>');
      expect(r, typed).toContain('说明：默认销售出库 CK');
      for (const ex of ['出库 A001 5', '出库 螺丝M6 2盒 @二号仓 客户张三', 'out A001 10 批次=B2311']) expect(r, typed).toContain(ex);
      expect(r, typed).toContain('也可以写：发货、销售出库');
      expect(r, typed).toMatch(/英文：out、issue、ship/);
      expect(r, typed).not.toContain('入库 <商品>');
      expect(r, typed).not.toContain('用户 授权');
    }
  });

  it('帮助 of a group lists its sub-commands; a misspelled topic shows the closest command, said so', async () => {
    const group = await h.say('帮助 盘点');
    expect(group).toContain('「盘点」的命令');
    expect(group).toContain('盘点 开始');
    expect(group).not.toContain('出库 <商品>');
    const typo = await h.say('帮助 出苦');
    expect(typo).toContain('你是不是想看「出库」');
    expect(typo).toContain('用法：出库');
    expect(await h.say('帮助 xyz')).toBe('没有「xyz」这个命令。发送「帮助」查看所有命令。');
  });

  it('帮助 lists every command with its English names and fits one reply; a role without a permission sees it marked', async () => {
    const all = await h.say('帮助');
    expect(all).toContain('出库 <商品>');
    expect(all).toContain('英文：out / issue / ship');
    expect(all).toContain('英文：stock / inventory / inv');
    expect(all).toContain('帮助 出库');
    expect(all.length).toBeLessThanOrEqual(MAX_REPLY_CHARS);
    expect(all).not.toContain('内容过长已截断');
    await h.say('用户 授权 ou_viewer 只读');
    expect(await h.say('帮助 红冲', { openId: 'ou_viewer' })).toContain('你的角色没有这个命令的权限');
  });

  it('a misspelled or glued command answers 你是不是想… with the line to copy, and runs nothing', async () => {
    await h.say('仓库 新增 主仓库');
    await h.say('商品 新增 SCR-M3X8 螺丝M3 单位=个');
    const glued = await h.say('入库SCR-M3X8 1');
    expect(glued).toBe(
      ['没有「入库SCR-M3X8」这个命令，你是不是想用「入库」？改正后是：', '入库 SCR-M3X8 1', '（没有执行任何操作。确认无误请复制上面这行发送；发送「帮助 入库」查看写法。）'].join('\n'),
    );
    expect(await h.say('出苦 SCR-M3X8 1')).toContain('\n出库 SCR-M3X8 1\n');
    expect(await h.say('ruku SCR-M3X8 1')).toContain('\n入库 SCR-M3X8 1\n');
    expect(await h.say('库 存')).toContain('你是不是想用「库存」');
    expect(await documents()).toBe(0);
    // The corrected line works as printed.
    expect(await h.say('入库 SCR-M3X8 1')).toContain('已入库');
    expect(await h.say('xyz 1')).toBe('没有「xyz」这个命令。发送「帮助」查看所有命令和例子。');
  });

  it('a message too long gets a hint for the command typed', async () => {
    const long = `出库 ${Array.from({ length: 200 }, (_, i) => `螺丝${i} 1`).join(' ')}`;
    const r = await h.say(long);
    expect(r).toContain(`消息太长（${long.length} 字），一条消息最多 1000 字，没有执行任何操作。`);
    expect(r).toContain('「出库」的商品多时，请分成几条消息发送');
    expect(r).toContain('\n出库 A001 5');
    const receipt = await h.say(`入库 ${'A001 1 '.repeat(200)}`);
    expect(receipt).toContain('「入库」的商品多时');
    const other = await h.say('x'.repeat(1200));
    expect(other).toContain('请分成几条发送，每条一个命令');
    expect(await documents()).toBe(0);
  });
});

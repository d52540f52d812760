/**
 * `npm run chat` as a newcomer pipes a transcript into it: every line is echoed (你> …) before
 * its reply, and a line ending with \ goes on on the next one (one message of several lines).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

async function chat(input: string): Promise<string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('FEISHU_') && k !== 'DATABASE_URL' && k !== 'DATA_DIR') env[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bot/chat-cli.ts'), '--memory'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stdin.end(input);
  const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  expect(code).toBe(0);
  return out;
}

it('a piped transcript echoes each message before its reply, and joins lines continued with \\', async () => {
  const out = await chat('仓库 新增 主仓库\n商品 新增 A001 螺丝 \\\n 单位=个\n库存 A001\n');
  expect(out).toContain('你> 仓库 新增 主仓库');
  // The continued line is one message: the product got its unit, and the echo shows both lines.
  expect(out).toMatch(/你> 商品 新增 A001 螺丝 \n\s+单位=个/);
  expect(out.indexOf('你> 库存 A001')).toBeGreaterThan(out.indexOf('你> 商品 新增'));
  expect(out).toMatch(/螺丝/);
});

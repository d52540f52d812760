/**
 * `npm run verify` on a DATA_DIR without a database (issue 8 tester: a mistyped path printed
 * "数据库尚未初始化" and CREATED an empty x/pglite): refused with 找不到数据库, nothing created.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { hasPgliteDatabase, pglitePath, verifyCommand } from '../db/data-dir.js';
import { openPglite } from '../db/pglite.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');

describe('npm run verify: DATA_DIR without a database', () => {
  it('the real CLI refuses (exit 2, 找不到数据库：<path>) and creates nothing', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'verify-cli-'));
    try {
      const dir = join(tmp, 'mistyped');
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent' };
      delete env.DATABASE_URL;
      const r = await run(join(ROOT, 'node_modules/.bin/tsx'), ['db/verify-cli.ts'], { cwd: ROOT, env }).then(
        (x) => ({ code: 0, out: x.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
      expect(r.code).toBe(2);
      expect(r.out).toContain(`找不到数据库：${pglitePath(dir)}`);
      expect(r.out).not.toContain('尚未初始化');
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('hasPgliteDatabase: false for a missing or empty directory, true once PGlite has written one (read-only check)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'verify-dir-'));
    try {
      expect(hasPgliteDatabase(join(tmp, 'nope'))).toBe(false);
      expect(existsSync(join(tmp, 'nope'))).toBe(false);
      expect(hasPgliteDatabase(tmp)).toBe(false);
      const db = await openPglite(tmp);
      await db.close();
      expect(hasPgliteDatabase(tmp)).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the command npm run chat prints is exact and shell-safe', () => {
    expect(verifyCommand('./data-chat')).toBe('DATA_DIR=./data-chat npm run verify');
    expect(verifyCommand('/tmp/my data')).toBe("DATA_DIR='/tmp/my data' npm run verify");
  });
});

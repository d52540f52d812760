import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, missingFeishuSettings } from '../src/config.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has the documented defaults with no environment at all', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toBe('./data');
    expect(c.FEISHU_BASE_URL).toBe('https://open.feishu.cn');
    expect(c.APP_TIMEZONE).toBe('Asia/Shanghai');
    expect(c.FEISHU_ADMIN_OPEN_IDS).toEqual([]);
    expect(missingFeishuSettings(c)).toContain('FEISHU_APP_ID');
  });

  it('parses every variable of the contract', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://u:p@db:5432/jxc',
      DATA_DIR: '/var/lib/jxc',
      FEISHU_APP_ID: 'cli_x',
      FEISHU_APP_SECRET: 's',
      FEISHU_VERIFICATION_TOKEN: 'v',
      FEISHU_ENCRYPT_KEY: 'k',
      FEISHU_BASE_URL: 'http://127.0.0.1:9999/',
      FEISHU_ADMIN_OPEN_IDS: 'ou_a, ou_b，ou_c',
      APP_TIMEZONE: 'Asia/Hong_Kong',
    });
    expect(c.PORT).toBe(8080);
    expect(c.FEISHU_BASE_URL).toBe('http://127.0.0.1:9999');
    expect(c.FEISHU_ADMIN_OPEN_IDS).toEqual(['ou_a', 'ou_b', 'ou_c']);
    expect(missingFeishuSettings(c)).toEqual([]);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://root@localhost/jxc' }, 'DATABASE_URL'],
    [{ FEISHU_BASE_URL: 'open.feishu.cn' }, 'FEISHU_BASE_URL'],
    [{ APP_TIMEZONE: 'Mars/Olympus' }, 'APP_TIMEZONE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ FEISHU_APP_ID: 'cli_x' }, 'FEISHU_APP_SECRET'],
  ])('rejects %j naming %s in Chinese and English', (env, variable) => {
    const e = errorOf(env as Record<string, string>);
    expect(e.issues.map((i) => i.variable)).toContain(variable);
    expect(e.message).toContain(variable);
    expect(e.message).toMatch(/配置错误/);
    expect(e.message).toMatch(/invalid configuration/);
  });

  it('never echoes a secret-bearing value', () => {
    const e = errorOf({ DATABASE_URL: 'mysql://root:hunter2@localhost/jxc' });
    expect(e.message).not.toContain('hunter2');
  });
});

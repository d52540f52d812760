/**
 * `npm start` as a newcomer runs it: a real process, no Feishu settings, the embedded
 * database in a fresh DATA_DIR; clean shutdown; restart after a kill; refusals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, waitForHealth, type ServerProcess } from './helpers/server-process.js';

const running: ServerProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
});

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const p = startServer(env, await freePort());
  running.push(p);
  return p;
}

describe('npm start (src/server.ts)', () => {
  it('serves /healthz on the embedded database, logs where data lives and what Feishu needs, stops cleanly', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'jxc-')), 'data');
    const p = await start({ DATA_DIR: dir });
    const h = await waitForHealth(p, 45_000);
    expect(h.body).toMatchObject({ status: 'ok', db: 'pglite' });
    expect(h.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(existsSync(dir)).toBe(true);
    expect(p.output()).toContain(dir);
    expect(p.output()).toContain('FEISHU_APP_ID');
    expect(p.output()).toContain('/feishu/events');
    expect(p.output()).toContain('/feishu/card');
    expect(p.output()).toContain('npm run chat');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('stopped cleanly');
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(false);

    // Restart on the same directory: data is still there, migrations are not re-applied.
    const again = await start({ DATA_DIR: dir });
    await waitForHealth(again, 45_000);
    expect(again.output()).toMatch(/"applied":\[\]/);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('`npm start | tee log`, then Ctrl-C: the whole process group stops, the server shuts down cleanly and leaves no process behind', async () => {
    // A terminal's Ctrl-C signals every process of the foreground group at once (npm, the
    // server, tee). A launcher that relays signals (tsx's CLI SIGKILLs a child that does not
    // acknowledge within 30 ms) would cut the shutdown short on a busy machine: npm start runs
    // node itself, so the signal reaches the server and its own shutdown runs.
    const dir = join(mkdtempSync(join(tmpdir(), 'jxc-')), 'data');
    const port = await freePort();
    const log = join(dir, '..', 'log.txt');
    const group = spawn('bash', ['-c', `npm start | tee ${log}`], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FEISHU_') && k !== 'DATABASE_URL')), PORT: String(port), DATA_DIR: dir, LOG_LEVEL: 'info' },
      detached: true,
      stdio: 'ignore',
    });
    const ended = new Promise<void>((res) => group.on('exit', () => res()));
    const probe = { child: group, port, output: () => (existsSync(log) ? readFileSync(log, 'utf8') : ''), exited: ended.then(() => group.exitCode) };
    await waitForHealth(probe, 60_000);
    const serverPid = Number(readFileSync(join(dir, 'pglite.lock'), 'utf8'));
    process.kill(-group.pid!, 'SIGINT');
    await ended;
    // The server may still be finishing its shutdown when the shell returns: wait for it to go.
    await new Promise<void>((res) => {
      const check = () => {
        try {
          process.kill(serverPid, 0);
          setTimeout(check, 50);
        } catch {
          res();
        }
      };
      check();
    });
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(false);
    // Bounds the waits on two process starts (npm, then the server) on a loaded machine, not a speed.
  }, 180_000);

  it('comes back after being killed (SIGKILL) with its data intact', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'jxc-')), 'data');
    const p = await start({ DATA_DIR: dir });
    await waitForHealth(p, 45_000);
    p.child.kill('SIGKILL');
    await p.exited;
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(true); // stale: its pid is gone
    const again = await start({ DATA_DIR: dir });
    const h = await waitForHealth(again, 45_000);
    expect(h.body.status).toBe('ok');
    expect(again.output()).toMatch(/"applied":\[\]/);
  });

  it('refuses a second process on the same data directory with a clear message', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'jxc-')), 'data');
    const first = await start({ DATA_DIR: dir });
    await waitForHealth(first, 45_000);
    const second = await start({ DATA_DIR: dir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('正被另一个进程');
    expect(second.output()).toContain('single-process');
    // The first one is unharmed.
    expect((await waitForHealth(first, 10_000)).body.status).toBe('ok');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://root@localhost/jxc' }, 'DATABASE_URL'],
  ])('stops at start on a bad value %j, naming %s', async (env, variable) => {
    const p = await start(env as Record<string, string>);
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain(variable);
    expect(p.output()).toContain('配置错误');
  });

  // Registered only when a Postgres is available (CI always has one).
  if (process.env.TEST_DATABASE_URL) it('uses Postgres when DATABASE_URL is set', async () => {
    const p = await start({ DATABASE_URL: process.env.TEST_DATABASE_URL! });
    const h = await waitForHealth(p, 45_000);
    expect(h.body).toMatchObject({ status: 'ok', db: 'postgres' });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

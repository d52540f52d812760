/**
 * The Workers entry running in workerd (`wrangler dev`, local mode) against real Postgres
 * through the Hyperdrive binding: proves the bundle boots (the Feishu SDK, postgres.js over
 * Workers sockets, migrations) — not just that it compiles. Postgres only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openTestDatabase } from './helpers/db.js';
import { freePort } from './helpers/server-process.js';

const ROOT = join(import.meta.dirname, '..');

function encrypt(key: string, obj: unknown): string {
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
  return Buffer.concat([iv, c.update(JSON.stringify(obj), 'utf8'), c.final()]).toString('base64');
}

describe('Workers bundle', () => {
  it('builds offline with wrangler deploy --dry-run', async () => {
    const { execFile } = await import('node:child_process');
    const { mkdtempSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const out = mkdtempSync(join(tmpdir(), 'jxc-worker-'));
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out],
        { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve())),
    );
    expect(statSync(join(out, 'worker.js')).size).toBeGreaterThan(10_000);
  });
});

if (process.env.TEST_DATABASE_URL) {
  describe('Workers entry in workerd (wrangler dev) [postgres]', () => {
    let child: ChildProcess | undefined;
    let closeDb: (() => Promise<void>) | undefined;
    afterAll(async () => {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        // wrangler normally stops at once; one that hangs is killed rather than left behind.
        const stuck = setTimeout(() => c.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(stuck);
      }
      await closeDb?.();
    });

    it('boots, migrates through Hyperdrive, answers /healthz, a Feishu challenge and a cron run', async () => {
      const database = await openTestDatabase('postgres');
      closeDb = () => database.close();
      // Hyperdrive's local mode insists on a password; trust auth ignores it.
      const url = new URL(database.url!);
      url.password = 'local';
      const port = await freePort();
      const encryptKey = 'worker-test-key';
      child = spawn(
        process.execPath,
        [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '--port', String(port), '--ip', '127.0.0.1',
          '--var', `FEISHU_ENCRYPT_KEY:${encryptKey}`, '--var', 'FEISHU_VERIFICATION_TOKEN:vt', '--log-level', 'warn'],
        {
          cwd: ROOT,
          env: { ...process.env, CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: url.toString(), WRANGLER_SEND_METRICS: 'false', CI: 'true' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));

      // Until /healthz answers 200, or wrangler gives up (exits, or says the runtime failed to
      // start — it then keeps running): fail at once with its output, not at the timeout.
      const gaveUp = () => child!.exitCode !== null || /failed to start/i.test(out);
      let health: { status: number; body: any } | undefined;
      while (!gaveUp()) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/healthz`);
          health = { status: r.status, body: await r.json() };
          if (r.status === 200) break;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(health, out).toBeDefined();
      expect(health!.body, out).toMatchObject({ status: 'ok', db: 'postgres' });

      // An encrypted url_verification, as Feishu sends it when an Encrypt Key is set.
      const challenge = await fetch(`http://127.0.0.1:${port}/feishu/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ encrypt: encrypt(encryptKey, { challenge: 'c-123', token: 'vt', type: 'url_verification' }) }),
      });
      expect(challenge.status).toBe(200);
      expect(await challenge.json()).toEqual({ challenge: 'c-123' });

      // An unsigned event is refused.
      const forged = await fetch(`http://127.0.0.1:${port}/feishu/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ encrypt: encrypt(encryptKey, { schema: '2.0', header: { event_id: 'x', event_type: 'im.message.receive_v1', token: 'vt' }, event: {} }) }),
      });
      expect(forged.status).toBe(401);

      // A cron trigger runs to completion.
      const cron = await fetch(`http://127.0.0.1:${port}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`);
      expect(cron.status, out).toBe(200);
    });
  });
}

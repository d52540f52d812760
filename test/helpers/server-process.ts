/** Start `src/server.ts` as a real child process (what `npm start` runs) and talk to it over HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<number | null>;
}

export function startServer(env: Record<string, string>, port: number): ServerProcess {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('FEISHU_') && k !== 'DATABASE_URL' && k !== 'DATA_DIR') clean[k] = v;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: { ...clean, PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, port, output: () => out, exited };
}

/**
 * Poll GET /healthz of `p` until it answers 200. Fails at once, with the process output, when
 * the process exits first; `timeoutMs` only bounds a process that keeps running unhealthy.
 */
export async function waitForHealth(p: ServerProcess, timeoutMs: number): Promise<{ status: number; body: any }> {
  const t0 = Date.now();
  let last: unknown;
  let exited = false;
  void p.exited.then(() => (exited = true));
  while (Date.now() - t0 < timeoutMs) {
    if (exited) throw new Error(`the server exited (code ${p.child.exitCode}) before /healthz was 200:\n${p.output()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${p.port}/healthz`);
      const body = await r.json();
      if (r.status === 200) return { status: r.status, body };
      last = body;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`healthz not 200 within ${timeoutMs} ms: ${JSON.stringify(last)}\n${p.output()}`);
}

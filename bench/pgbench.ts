/**
 * pgbench TPC-B on the same server, as the yardstick for our own numbers:
 * `pgbench -i -s 1` into a fresh database jxc_bench_pgbench, then `pgbench -c 8 -j 2 -T 10 -n`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import postgres from 'postgres';

const run = promisify(execFile);

export function pgbenchPath(): string {
  for (const p of ['/usr/lib/postgresql/15/bin/pgbench', '/usr/bin/pgbench', '/usr/local/bin/pgbench']) if (existsSync(p)) return p;
  return 'pgbench';
}

export function withDb(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

export async function recreateDatabase(url: string, name: string): Promise<string> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return withDb(url, name);
}

export interface PgbenchResult {
  tps: number;
  clients: number;
  threads: number;
  seconds: number;
  scale: number;
}

export async function runPgbench(url: string, opts: { clients?: number; threads?: number; seconds?: number; scale?: number } = {}): Promise<PgbenchResult> {
  const clients = opts.clients ?? 8;
  const threads = opts.threads ?? 2;
  const seconds = opts.seconds ?? 10;
  const scale = opts.scale ?? 1;
  // Several benches (inventory, bot) share this database: a session advisory lock on the
  // admin connection serialises them, so one run never drops the database under another.
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  let stdout: string;
  try {
    await admin`select pg_advisory_lock(${0x4a5842})`;
    const dbUrl = await recreateDatabase(url, 'jxc_bench_pgbench');
    const bin = pgbenchPath();
    await run(bin, ['-i', '-s', String(scale), '-q', dbUrl], { maxBuffer: 1 << 24 });
    ({ stdout } = await run(bin, ['-c', String(clients), '-j', String(threads), '-T', String(seconds), '-n', dbUrl], { maxBuffer: 1 << 24 }));
  } finally {
    await admin.end();
  }
  const m = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(stdout) ?? /tps = ([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`cannot parse pgbench output:\n${stdout}`);
  return { tps: Number(m[1]), clients, threads, seconds, scale };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  console.log(await runPgbench(url));
}

/**
 * When TEST_DATABASE_URL is set, build one migrated template database that every test file
 * clones (CREATE DATABASE … TEMPLATE): migrations run once, each file starts clean.
 * Names carry this process's pid so two runs on one server never touch each other's databases.
 */
import postgres from 'postgres';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { openPostgres } from '../db/postgres.js';
import { migrate } from '../db/migrate.js';
import { TEST_DB_PREFIX, withDatabaseName } from './helpers/db.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The PGlite template: initdb and the migrations run once per run, here; every test database
 * starts from this dumped data directory (test/helpers/db.ts), which is several times faster
 * than an initdb per test file on a 2-core machine.
 *
 * The copies only ever use the `postgres` database, so template0 and template1 are dropped
 * first: half the files to unpack, and each copy opens in about 70 % of the time.
 */
async function pgliteTemplate(): Promise<string> {
  const pg = new PGlite();
  try {
    await pg.waitReady;
    await migrate(drizzle(pg) as unknown as Parameters<typeof migrate>[0]);
    await pg.exec(`update pg_database set datistemplate = false, datallowconn = true where datname in ('template0', 'template1')`);
    await pg.exec('drop database template0');
    await pg.exec('drop database template1');
    await pg.exec('checkpoint');
    const dump = await pg.dumpDataDir('none');
    const file = join(tmpdir(), `${TEST_DB_PREFIX}${process.pid}_pglite.tar`);
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    return file;
  } finally {
    await pg.close();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = `${TEST_DB_PREFIX}${process.pid}_tpl`;
  project.provide('templateDb', template);
  const pgliteFile = await pgliteTemplate();
  project.provide('pgliteTemplate', pgliteFile);
  const dropPglite = () => rmSync(pgliteFile, { force: true });
  const url = process.env.TEST_DATABASE_URL;
  // CI must run the Postgres half (and its Postgres-only concurrency tests): without the URL
  // they would simply not register and the run would look green. Fail instead.
  if (!url && process.env.CI) {
    dropPglite();
    throw new Error('CI 必须设置 TEST_DATABASE_URL（Postgres 上的测试不能静默跳过）/ CI needs TEST_DATABASE_URL: the Postgres tests must not be skipped silently');
  }
  if (!url) return async () => dropPglite();
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (e) {
    await admin.end();
    throw new Error(`TEST_DATABASE_URL 不可连接 / cannot connect to TEST_DATABASE_URL: ${(e as Error).message}`);
  }
  // Leftovers of interrupted runs (their process is gone).
  const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${TEST_DB_PREFIX + '%'}`;
  for (const r of stale) {
    const pid = Number(r.datname.slice(TEST_DB_PREFIX.length).split('_')[0]);
    if (!alive(pid)) await admin.unsafe(`drop database if exists ${r.datname} with (force)`);
  }
  await admin.unsafe(`drop database if exists ${template} with (force)`);
  await admin.unsafe(`create database ${template}`);
  const tpl = openPostgres(withDatabaseName(url, template), { max: 1 });
  try {
    await migrate(tpl.db);
  } finally {
    await tpl.close();
  }
  return async () => {
    dropPglite();
    const left = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${TEST_DB_PREFIX + process.pid + '_%'}`;
    for (const r of left) await admin.unsafe(`drop database if exists ${r.datname} with (force)`);
    await admin.end();
  };
}

/**
 * When TEST_DATABASE_URL is set, build one migrated template database that every test file
 * clones (CREATE DATABASE … TEMPLATE): migrations run once, each file starts clean.
 * Names carry this process's pid so two runs on one server never touch each other's databases.
 */
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = `${TEST_DB_PREFIX}${process.pid}_tpl`;
  project.provide('templateDb', template);
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return async () => {};
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
    const left = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${TEST_DB_PREFIX + process.pid + '_%'}`;
    for (const r of left) await admin.unsafe(`drop database if exists ${r.datname} with (force)`);
    await admin.end();
  };
}

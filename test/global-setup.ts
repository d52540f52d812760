/**
 * When TEST_DATABASE_URL is set, build one migrated template database that every test file
 * clones (CREATE DATABASE … TEMPLATE): migrations run once, each file starts clean.
 */
import postgres from 'postgres';
import { openPostgres } from '../db/postgres.js';
import { migrate } from '../db/migrate.js';
import { TEMPLATE_DB, withDatabaseName } from './helpers/db.js';

export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return async () => {};
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (e) {
    await admin.end();
    throw new Error(`TEST_DATABASE_URL 不可连接 / cannot connect to TEST_DATABASE_URL: ${(e as Error).message}`);
  }
  // Leftovers of an interrupted run.
  const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like 'jxc_test_%'`;
  for (const r of stale) await admin.unsafe(`drop database if exists ${r.datname} with (force)`);
  await admin.unsafe(`create database ${TEMPLATE_DB}`);
  const tpl = openPostgres(withDatabaseName(url, TEMPLATE_DB), { max: 1 });
  try {
    await migrate(tpl.db);
  } finally {
    await tpl.close();
  }
  return async () => {
    await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await admin.end();
  };
}

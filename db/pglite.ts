/**
 * Embedded PGlite (Node only). Persisted under DATA_DIR/pglite, or in memory when dataDir is
 * null (tests). PGlite is single-process: a second process opening the same directory would
 * corrupt it, so a pid lock file refuses it with a clear message.
 */
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { mkdirSync, openSync, writeSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as schema from './schema.js';
import type { Database, Db } from './types.js';

export class DataDirLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take DATA_DIR/pglite.lock or explain who holds it. Stale locks (dead pid) are replaced. */
function lockDataDir(dir: string): () => void {
  const file = join(dir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) {
        throw new DataDirLockedError(
          `数据目录 ${dir} 正被另一个进程 (pid ${pid}) 使用：内嵌数据库只能由一个进程打开。请先停止它，或设置 DATA_DIR 使用其他目录，或设置 DATABASE_URL 使用 Postgres。\n` +
            `Data directory ${dir} is in use by another process (pid ${pid}); the embedded database (PGlite) is single-process. Stop it, choose another DATA_DIR, or set DATABASE_URL.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`无法锁定数据目录 ${dir} / cannot lock data directory ${dir}`);
}

/**
 * Open PGlite in `dataDir` (null: in memory). `loadDataDir`, for in-memory databases only, starts
 * from a dumped data directory (PGlite's dumpDataDir tarball) instead of running initdb: the test
 * suite migrates one template once and gives every test file a copy (~0.5 s instead of ~3 s).
 */
export async function openPglite(dataDir: string | null, opts: { loadDataDir?: Blob } = {}): Promise<Database & { path: string | null }> {
  let unlock = () => {};
  let path: string | null = null;
  if (dataDir) {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(dir);
    path = join(dir, 'pglite');
  }
  let pg: PGlite;
  try {
    pg = path ? new PGlite(path) : new PGlite(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : undefined);
    await pg.waitReady;
  } catch (e) {
    unlock();
    throw e;
  }
  const db = drizzle(pg, { schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'pglite',
    path,
    async ping() {
      await pg.query('select 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pg.close();
      } finally {
        unlock();
      }
    },
  };
}

/** Node's database opener: DATABASE_URL → postgres.js pool; unset → PGlite under DATA_DIR. */
import type { Database } from './types.js';
import { openPostgres } from './postgres.js';
import { openPglite } from './pglite.js';

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string | null;
}

export async function openDatabase(opts: OpenOptions): Promise<Database & { path?: string | null }> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  return openPglite(opts.dataDir);
}

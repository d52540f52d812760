/**
 * Where the embedded database of a DATA_DIR lives, and whether there is one: read-only checks
 * for tools that must never create a database by accident (npm run verify on a mistyped path
 * would otherwise run initdb there and report an "empty" database).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The PGlite directory under a DATA_DIR (db/pglite.ts opens DATA_DIR/pglite). Absolute. */
export function pglitePath(dataDir: string): string {
  return join(resolve(dataDir), 'pglite');
}

/** True when DATA_DIR holds a PGlite database (its PG_VERSION file); never creates anything. */
export function hasPgliteDatabase(dataDir: string): boolean {
  return existsSync(join(pglitePath(dataDir), 'PG_VERSION'));
}

/** A path as one shell word: bare when safe, else single-quoted ("DATA_DIR='my data' npm run verify"). */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The exact command that checks the ledger of this DATA_DIR (printed by npm run chat). */
export function verifyCommand(dataDir: string): string {
  return `DATA_DIR=${shellWord(dataDir)} npm run verify`;
}

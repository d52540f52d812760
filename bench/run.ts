/**
 * `npm run bench`: every benchmark against real Postgres (BENCH_DATABASE_URL, default the local
 * test server), each next to a pgbench TPC-B figure measured in the same run on the same server.
 * Tables are printed; JSON is saved under bench/results/. Select with args: `npm run bench -- inventory`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchInventory } from './inventory.js';
import { benchBot } from './bot.js';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suites: Record<string, (url: string) => Promise<object>> = { inventory: benchInventory, bot: benchBot };
const wanted = process.argv.slice(2).filter((a) => a in suites);
const run = wanted.length ? wanted : Object.keys(suites);

const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const summary: Record<string, object> = {};
for (const name of run) {
  console.log(`\n== bench: ${name} (${url.replace(/:[^:@/]*@/, ':***@')})`);
  summary[name] = await suites[name](url);
}
writeFileSync(join(dir, 'summary.json'), JSON.stringify({ at: new Date().toISOString(), url: url.replace(/:[^:@/]*@/, ':***@'), results: summary }, null, 2));
console.log(`\nsaved ${join(dir, 'summary.json')}`);
process.exit(0);

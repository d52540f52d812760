/**
 * A product name with spaces or digits in a command (issue 10 item 3): `出库 Type-C 母座 16P 3`,
 * `入库 杜邦线 20cm 5`, `盘点 录入 杜邦线 20cm 98`. A command's parse is synchronous and splits
 * the product from the quantity at the first number-looking word (args.ts splitProductAndQty),
 * which would read 16P as the quantity. So before parse, for every command that takes a product
 * (CommandSpec.takesProduct), the router asks the catalog once: the LONGEST run of leading words
 * of each line that is a product's name, alias, SKU or barcode (compared as search compares:
 * case, spaces and × / x / * do not matter) becomes one word. Nothing matches → the words stay
 * as typed, and parse splits them as before (fuzzy names, not_found and the picker answer as
 * they always did). Which product the joined name means is still resolveProduct's question:
 * two products with that name → the picker, never a guess.
 */
import type { Conn } from '../../db/types.js';
import { phrasesNamingProducts } from '../../src/inventory/product-names.js';
import { compactFold } from '../../src/inventory/search.js';
import { LINE_BREAK } from './lines.js';

/** Longest product name tried, in words. */
const MAX_NAME_WORDS = 8;

/** A word that is no part of a name: an option (键=值), a warehouse (@仓库), a line break. */
const notNameWord = (t: string) => t === LINE_BREAK || t.startsWith('@') || t.indexOf('=') > 0;

/** Where each line's leading name words are: [start, end) of the run in `args`. */
function leadingRuns(args: readonly string[]): [number, number][] {
  const runs: [number, number][] = [];
  let i = 0;
  while (i < args.length) {
    // Options and warehouses may come first on a line ("@主仓 Type-C 母座 16P 3").
    while (i < args.length && args[i] !== LINE_BREAK && notNameWord(args[i])) i++;
    const start = i;
    while (i < args.length && !notNameWord(args[i])) i++;
    if (i - start >= 2) runs.push([start, i]);
    while (i < args.length && args[i] !== LINE_BREAK) i++;
    i++;
  }
  return runs;
}

const phrase = (args: readonly string[], start: number, n: number) => args.slice(start, start + n).join(' ');

/**
 * The lengths tried for a run of `len` words from `start`, longest first. Every command that
 * takes a product reads a quantity or a price after it, so a run ending in a bare number is not
 * all name: "出库 A001 5" asks the catalog nothing (the most frequent message stays one query).
 */
function lengths(args: readonly string[], start: number, len: number): number[] {
  const out: number[] = [];
  for (let n = Math.min(len, MAX_NAME_WORDS); n >= 2; n--) {
    if (n === len && /^\d+(?:[.,]\d+)*$/.test(args[start + n - 1])) continue;
    out.push(n);
  }
  return out;
}

/**
 * `args` with each line's longest leading catalog name joined into one word (see the file
 * comment). One query for the whole message; none when no line has a phrase to try.
 */
export async function joinProductWords(conn: Conn, args: readonly string[]): Promise<string[]> {
  const runs = leadingRuns(args);
  if (!runs.length) return [...args];
  const tried = runs.flatMap(([s, e]) => lengths(args, s, e - s).map((n) => phrase(args, s, n)));
  if (!tried.length) return [...args];
  const named = await phrasesNamingProducts(conn, tried);
  if (!named.size) return [...args];
  const out = [...args];
  // Right to left, so earlier runs keep their positions while later ones are joined.
  for (const [s, e] of [...runs].reverse()) {
    for (const n of lengths(args, s, e - s)) {
      if (named.has(compactFold(phrase(args, s, n)))) {
        out.splice(s, n, phrase(args, s, n));
        break;
      }
    }
  }
  return out;
}

/**
 * Multi-line chat entry (issue 10, settled): the lines of one message — separated by a new
 * line, ； or ; — make ONE document with several lines:
 *
 *   入库 螺丝 100 0.35；垫片 200 0.1 @主仓库        出库
 *                                                   螺丝 10
 *                                                   垫片 20
 *
 * A command that takes lines (CommandSpec.lines) receives its args line by line with LINE_BREAK
 * between them; each line is normalised on its own (normalize.ts), so the structure survives
 * the normaliser (which reads ； as a space). A comma between digits stays in its number
 * (`螺丝 1,000` is one line of 1 000): commas never separate lines.
 */
import { normalizeText, REMARK_KEY, tokenize } from './normalize.js';

/** The word between two lines in a multi-line command's args: never a token (tokens hold no line break). */
export const LINE_BREAK = '\n';

/**
 * A message's non-empty lines, raw: split on new lines, and on ； / ; — except inside a remark
 * (备注=…, 原因=…), which runs to the end of its line with its semicolons (备注=订单 PO-7; 含税).
 */
export function messageLines(text: string): string[] {
  return text.split(/[\r\n]+/).flatMap((line) => {
    const remark = REMARK_KEY.exec(line);
    const at = remark ? remark.index + remark[1].length : line.length;
    const parts = line.slice(0, at).split(/[；;]+/);
    parts[parts.length - 1] += line.slice(at);
    return parts.filter((l) => l.trim() !== '');
  });
}

/**
 * The args of a multi-line command: the message's tokens line by line, LINE_BREAK between
 * lines, without the first `headTokens` tokens (the command's name, which the router matched on
 * the whole text). Null when the name does not fit on the first line (the router then passes
 * the args as one line).
 */
export function argsByLine(text: string, headTokens: number): string[] | null {
  const lines = messageLines(text)
    .map((l) => tokenize(normalizeText(l)))
    .filter((t) => t.length > 0);
  if (!lines.length || lines[0].length < headTokens) return null;
  const first = lines[0].slice(headTokens);
  const rest = first.length ? [first, ...lines.slice(1)] : lines.slice(1);
  return rest.flatMap((l, i) => (i === 0 ? l : [LINE_BREAK, ...l]));
}

/** Args split back into lines (a command's parse reads them one by one). One line when none was broken. */
export function splitArgLines(args: readonly string[]): string[][] {
  const out: string[][] = [[]];
  for (const t of args) {
    if (t === LINE_BREAK) out.push([]);
    else out[out.length - 1].push(t);
  }
  return out.filter((l, i) => l.length > 0 || i === 0);
}

/** The args without line breaks: what a one-line reading sees (the lines joined by spaces, as before). */
export const withoutLineBreaks = (args: readonly string[]): string[] => args.filter((t) => t !== LINE_BREAK);

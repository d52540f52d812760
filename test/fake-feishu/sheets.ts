/**
 * In-memory Feishu Sheets: spreadsheets → sheets → sparse grids, with the v2 range forms
 * (`id!A1:D5`, `id!A:D`, `id!A1:D`, `id`), write limits (5000 rows × 100 cols, 50 000 chars per
 * cell) and a revision counter.
 */
import { randomBytes } from 'node:crypto';

export type Cell = string | number | boolean | null | Record<string, unknown>;

export interface FakeSheet {
  sheetId: string;
  title: string;
  index: number;
  hidden: boolean;
  rows: Cell[][];
  rowCount: number;
  columnCount: number;
}

export interface FakeSpreadsheet {
  token: string;
  title: string;
  folderToken: string;
  ownerId: string;
  revision: number;
  sheets: FakeSheet[];
}

export class SheetError extends Error {
  constructor(public code: number, message: string, public httpStatus = 400) {
    super(message);
  }
}

export const MAX_ROWS = 5000;
export const MAX_COLS = 100;
export const MAX_CELL_CHARS = 50_000;

export function newSheetId(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const b = randomBytes(6);
  return Array.from(b, (x) => chars[x % chars.length]).join('');
}

export function colToIndex(col: string): number {
  let n = 0;
  for (const ch of col.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function indexToCol(i: number): string {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export interface ParsedRange {
  sheetId: string;
  startRow: number; // 0-based
  startCol: number;
  endRow: number | null; // inclusive; null = open
  endCol: number | null;
}

/** The four documented forms. */
export function parseRange(range: string): ParsedRange {
  const bang = range.indexOf('!');
  if (bang < 0) {
    if (!range || /[:]/.test(range)) throw new SheetError(90202, `invalid range: ${range}`);
    return { sheetId: range, startRow: 0, startCol: 0, endRow: null, endCol: null };
  }
  const sheetId = range.slice(0, bang);
  const spec = range.slice(bang + 1);
  const m = spec.match(/^([A-Za-z]+)(\d*)(?::([A-Za-z]+)(\d*))?$/);
  if (!sheetId || !m) throw new SheetError(90202, `invalid range: ${range}`);
  const startCol = colToIndex(m[1]);
  const startRow = m[2] ? Number(m[2]) - 1 : 0;
  const endCol = m[3] ? colToIndex(m[3]) : m[2] ? startCol : startCol;
  const endRow = m[3] ? (m[4] ? Number(m[4]) - 1 : null) : m[2] ? startRow : null;
  if (startRow < 0 || (endRow !== null && endRow < startRow) || endCol < startCol) throw new SheetError(90202, `invalid range: ${range}`);
  return { sheetId, startRow, startCol, endRow, endCol };
}

export function formatRange(sheetId: string, r0: number, c0: number, r1: number, c1: number): string {
  return `${sheetId}!${indexToCol(c0)}${r0 + 1}:${indexToCol(c1)}${r1 + 1}`;
}

export class FakeSheets {
  readonly spreadsheets = new Map<string, FakeSpreadsheet>();

  create(title: string, folderToken = ''): FakeSpreadsheet {
    const token = 'shtcn' + randomBytes(10).toString('hex');
    const s: FakeSpreadsheet = {
      token,
      title,
      folderToken,
      ownerId: 'ou_app_owner',
      revision: 0,
      sheets: [{ sheetId: newSheetId(), title: 'Sheet1', index: 0, hidden: false, rows: [], rowCount: 200, columnCount: 20 }],
    };
    this.spreadsheets.set(token, s);
    return s;
  }

  get(token: string): FakeSpreadsheet {
    const s = this.spreadsheets.get(token);
    if (!s) throw new SheetError(1310214, 'spreadsheet not found', 404);
    return s;
  }

  sheet(s: FakeSpreadsheet, sheetId: string): FakeSheet {
    const sh = s.sheets.find((x) => x.sheetId === sheetId);
    if (!sh) throw new SheetError(90215, `sheetId not found: ${sheetId}`);
    return sh;
  }

  /** Values of a whole sheet as rows (trailing empties trimmed) — for test assertions. */
  values(token: string, sheetId?: string): Cell[][] {
    const s = this.get(token);
    const sh = sheetId ? this.sheet(s, sheetId) : s.sheets[0];
    return sh.rows.map((r) => [...(r ?? [])]);
  }

  private checkValues(values: unknown): Cell[][] {
    if (!Array.isArray(values) || values.some((r) => !Array.isArray(r))) throw new SheetError(90202, 'values must be a 2-D array');
    const v = values as Cell[][];
    if (v.length > MAX_ROWS) throw new SheetError(90202, `too many rows (> ${MAX_ROWS})`);
    if (v.some((r) => r.length > MAX_COLS)) throw new SheetError(90202, `too many columns (> ${MAX_COLS})`);
    for (const r of v) for (const c of r) if (typeof c === 'string' && c.length > MAX_CELL_CHARS) throw new SheetError(90202, `cell too long (> ${MAX_CELL_CHARS} chars)`);
    return v;
  }

  private writeAt(sh: FakeSheet, r0: number, c0: number, values: Cell[][]): void {
    values.forEach((row, i) => {
      const target = (sh.rows[r0 + i] ??= []);
      row.forEach((cell, j) => {
        target[c0 + j] = cell;
      });
    });
    sh.rowCount = Math.max(sh.rowCount, sh.rows.length);
    sh.columnCount = Math.max(sh.columnCount, ...sh.rows.map((r) => r?.length ?? 0));
  }

  put(token: string, range: string, values: unknown) {
    const s = this.get(token);
    const r = parseRange(range);
    const sh = this.sheet(s, r.sheetId);
    const v = this.checkValues(values);
    const rows = v.length;
    const cols = Math.max(0, ...v.map((x) => x.length));
    if ((r.endRow !== null && r.startRow + rows - 1 > r.endRow) || (r.endCol !== null && r.startCol + cols - 1 > r.endCol)) {
      throw new SheetError(90202, `range ${range} is smaller than the data (${rows}×${cols})`);
    }
    this.writeAt(sh, r.startRow, r.startCol, v);
    s.revision++;
    return {
      spreadsheetToken: token,
      updatedRange: formatRange(sh.sheetId, r.startRow, r.startCol, r.startRow + Math.max(rows, 1) - 1, r.startCol + Math.max(cols, 1) - 1),
      updatedRows: rows,
      updatedColumns: cols,
      updatedCells: v.reduce((n, x) => n + x.length, 0),
      revision: s.revision,
    };
  }

  append(token: string, range: string, values: unknown, option: string) {
    const s = this.get(token);
    const r = parseRange(range);
    const sh = this.sheet(s, r.sheetId);
    const v = this.checkValues(values);
    const cols = Math.max(0, ...v.map((x) => x.length));
    const c1 = r.startCol + Math.max(cols, 1) - 1;
    const empty = (i: number) => {
      const row = sh.rows[i];
      if (!row) return true;
      for (let c = r.startCol; c <= c1; c++) if (row[c] !== undefined && row[c] !== null && row[c] !== '') return false;
      return true;
    };
    let at = r.startRow;
    while (at < sh.rows.length && !empty(at)) at++;
    if (option === 'INSERT_ROWS') {
      sh.rows.splice(at, 0, ...v.map(() => [] as Cell[]));
    }
    this.writeAt(sh, at, r.startCol, v);
    s.revision++;
    const updatedRange = formatRange(sh.sheetId, at, r.startCol, at + Math.max(v.length, 1) - 1, c1);
    return {
      revision: s.revision,
      spreadsheetToken: token,
      tableRange: updatedRange,
      updates: {
        revision: s.revision,
        spreadsheetToken: token,
        updatedCells: v.reduce((n, x) => n + x.length, 0),
        updatedColumns: cols,
        updatedRange,
        updatedRows: v.length,
      },
    };
  }

  read(token: string, range: string) {
    const s = this.get(token);
    const r = parseRange(range);
    const sh = this.sheet(s, r.sheetId);
    const lastRow = r.endRow ?? Math.max(r.startRow, sh.rows.length - 1);
    const lastCol = r.endCol ?? Math.max(r.startCol, ...sh.rows.map((x) => (x?.length ?? 1) - 1));
    const values: Cell[][] = [];
    for (let i = r.startRow; i <= lastRow; i++) {
      const row: Cell[] = [];
      for (let j = r.startCol; j <= lastCol; j++) row.push(sh.rows[i]?.[j] ?? null);
      values.push(row);
    }
    return {
      majorDimension: 'ROWS',
      range: formatRange(sh.sheetId, r.startRow, r.startCol, lastRow, lastCol),
      revision: s.revision,
      values,
    };
  }

  batchUpdateSheets(token: string, requests: unknown): unknown[] {
    const s = this.get(token);
    if (!Array.isArray(requests)) throw new SheetError(90202, 'requests must be an array');
    const replies: unknown[] = [];
    for (const req of requests as Record<string, any>[]) {
      if (req.addSheet) {
        const p = req.addSheet.properties ?? {};
        if (!p.title) throw new SheetError(90202, 'addSheet needs a title');
        if (s.sheets.some((x) => x.title === p.title)) throw new SheetError(90210, `sheet title exists: ${p.title}`);
        const sh: FakeSheet = { sheetId: newSheetId(), title: p.title, index: p.index ?? s.sheets.length, hidden: false, rows: [], rowCount: 200, columnCount: 20 };
        s.sheets.splice(Math.min(sh.index, s.sheets.length), 0, sh);
        s.sheets.forEach((x, i) => (x.index = i));
        replies.push({ addSheet: { properties: { sheetId: sh.sheetId, title: sh.title, index: sh.index } } });
      } else if (req.updateSheet) {
        const p = req.updateSheet.properties ?? {};
        const sh = this.sheet(s, p.sheetId);
        if (p.title) sh.title = p.title;
        if (typeof p.hidden === 'boolean') sh.hidden = p.hidden;
        replies.push({ updateSheet: { properties: { sheetId: sh.sheetId, title: sh.title, index: sh.index } } });
      } else if (req.deleteSheet) {
        const sh = this.sheet(s, req.deleteSheet.sheetId);
        if (s.sheets.length === 1) throw new SheetError(90202, 'cannot delete the only sheet');
        s.sheets = s.sheets.filter((x) => x !== sh);
        s.sheets.forEach((x, i) => (x.index = i));
        replies.push({ deleteSheet: { result: true, sheetId: sh.sheetId } });
      } else if (req.copySheet) {
        const src = this.sheet(s, req.copySheet.source?.sheetId);
        const title = req.copySheet.destination?.title ?? `${src.title} 副本`;
        const sh: FakeSheet = { ...src, sheetId: newSheetId(), title, index: s.sheets.length, rows: src.rows.map((r) => [...(r ?? [])]) };
        s.sheets.push(sh);
        replies.push({ copySheet: { properties: { sheetId: sh.sheetId, title: sh.title, index: sh.index } } });
      } else {
        throw new SheetError(90202, `unsupported request: ${Object.keys(req).join(',')}`);
      }
    }
    s.revision++;
    return replies;
  }
}

/**
 * Periods as people say them (流水, 单据 lists): 今天, 昨天, 本周, 上周, 本月, 上月, 近7天 (also
 * 最近7天, 近 30 天), English today / yesterday / this-week / last-month, a month without its year
 * 11月 or a day 11月30日 / 11-30 / 30号 (the latest such one not after today), a month 2026-11, a day 2026-11-25, a range 2026-11-01~2026-11-15 (also ～,
 * 至, 到). Reading the word (parsePeriod) is separate from placing it in time (periodRange):
 * the word is checked where it is typed, the range is computed from the business day "today" in
 * the company time zone (src/shared/time.ts), never from the server's clock. Days are
 * "YYYY-MM-DD", both ends included. Weeks start on Monday (the Chinese working week).
 */

type NamedPeriod = 'today' | 'yesterday' | 'thisWeek' | 'lastWeek' | 'thisMonth' | 'lastMonth';

export type PeriodSpec =
  | { kind: NamedPeriod }
  | { kind: 'lastDays'; days: number }
  | { kind: 'month'; month: string }
  | { kind: 'range'; from: string; to: string }
  /** A month or day written without its year (11月, 11月30日, 11-30, 30号): the latest one not after today. */
  | { kind: 'yearless'; month: number | null; day: number | null };

/** A period placed in time: first and last business day (included), and how to say it. */
export interface Period {
  from: string;
  to: string;
  label: string;
}

const WORDS = new Map<string, NamedPeriod>(Object.entries({
  今天: 'today',
  今日: 'today',
  昨天: 'yesterday',
  昨日: 'yesterday',
  本周: 'thisWeek',
  这周: 'thisWeek',
  上周: 'lastWeek',
  本月: 'thisMonth',
  这个月: 'thisMonth',
  上月: 'lastMonth',
  上个月: 'lastMonth',
  // English, as the commands have English names too (ledger A001 today).
  today: 'today',
  yesterday: 'yesterday',
  thisweek: 'thisWeek',
  lastweek: 'lastWeek',
  thismonth: 'thisMonth',
  lastmonth: 'lastMonth',
} satisfies Record<string, NamedPeriod>));

/** 2026年11月, 11月份, 11月30日, 11月30号: a month or a day in Chinese, the year optional. */
const CHINESE_DATE = /^(?:(\d{4})年)?(\d{1,2})月份?(?:(\d{1,2})[日号])?$/;
/** 11-30, 11/30: a day of this year (a 4-digit first part is a year-month: 2026-11). */
const MONTH_DAY = /^(\d{1,2})[-/.](\d{1,2})$/;
/** 30号, 30日: a day of this month. */
const DAY_OF_MONTH = /^(\d{1,2})[日号]$/;

const DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const MONTH = /^(\d{4})-(\d{1,2})$/;

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-2-3" → "2026-02-03" when it is a real calendar day, else null. */
function calendarDay(text: string): string | null {
  const m = DAY.exec(text.replace(/[/.]/g, '-'));
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return `${y}-${pad(mo)}-${pad(d)}`;
}

/** The examples every refusal shows. */
export const PERIOD_EXAMPLES = '今天、昨天、本周、本月、上月、近7天、11月、11月30日、2026-11、2026-11-25 或 2026-11-01~2026-11-15';

/**
 * The period a word names, or null when the word is no period at all (it may be a product).
 * Throws RangeError with a Chinese reason for a word that is meant as a date but is not one
 * (2026-02-30, a range ending before it starts, 近0天).
 */
export function parsePeriod(word: string): PeriodSpec | null {
  const w = word.trim();
  const named = WORDS.get(w.toLowerCase().replace(/[\s_-]/g, ''));
  if (named) return { kind: named };
  const last = /^(?:近|最近)\s*(\d{1,4})\s*(?:天|日)$/.exec(w);
  if (last) {
    const days = Number(last[1]);
    if (days < 1 || days > 3660) throw new RangeError(`「${w}」的天数要在 1–3660 之间`);
    return { kind: 'lastDays', days };
  }
  const range = /^(\S+?)\s*(?:~|～|至|到)\s*(\S+)$/.exec(w);
  if (range && DAY.test(range[1].replace(/[/.]/g, '-'))) {
    const from = calendarDay(range[1]);
    const to = calendarDay(range[2]);
    if (!from || !to) throw new RangeError(`「${w}」里有不存在的日期，写成 2026-11-01~2026-11-15`);
    if (to < from) throw new RangeError(`「${w}」的结束日期早于开始日期`);
    return { kind: 'range', from, to };
  }
  if (DAY.test(w.replace(/[/.]/g, '-'))) {
    const d = calendarDay(w);
    if (!d) throw new RangeError(`没有「${w}」这一天`);
    return { kind: 'range', from: d, to: d };
  }
  const zh = CHINESE_DATE.exec(w);
  if (zh) {
    const [mo, d] = [Number(zh[2]), zh[3] === undefined ? null : Number(zh[3])];
    if (mo < 1 || mo > 12) throw new RangeError(`没有「${w}」这个月`);
    if (zh[1]) {
      if (d === null) return { kind: 'month', month: `${zh[1]}-${pad(mo)}` };
      const day = calendarDay(`${zh[1]}-${mo}-${d}`);
      if (!day) throw new RangeError(`没有「${w}」这一天`);
      return { kind: 'range', from: day, to: day };
    }
    if (d !== null && !calendarDay(`2024-${mo}-${d}`)) throw new RangeError(`没有「${w}」这一天`);
    return { kind: 'yearless', month: mo, day: d };
  }
  const md = MONTH_DAY.exec(w);
  if (md) {
    const [mo, d] = [Number(md[1]), Number(md[2])];
    if (!calendarDay(`2024-${mo}-${d}`)) throw new RangeError(`没有「${w}」这一天`);
    return { kind: 'yearless', month: mo, day: d };
  }
  const dm = DAY_OF_MONTH.exec(w);
  if (dm) {
    const d = Number(dm[1]);
    if (d < 1 || d > 31) throw new RangeError(`没有「${w}」这一天`);
    return { kind: 'yearless', month: null, day: d };
  }
  const m = MONTH.exec(w.replace(/[/.]/g, '-'));
  if (m) {
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) throw new RangeError(`没有「${w}」这个月`);
    return { kind: 'month', month: `${m[1]}-${pad(mo)}` };
  }
  return null;
}

const DAY_MS = 86_400_000;
const toNum = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / DAY_MS;
const toDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const monthEnd = (month: string) => toDay(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1) / DAY_MS - 1);

/** The period `spec` names when the business day is `today` ("YYYY-MM-DD"). */
export function periodRange(spec: PeriodSpec, today: string): Period {
  const t = toNum(today);
  // getUTCDay: 0 = Sunday; Monday-based weeks.
  const monday = t - ((new Date(t * DAY_MS).getUTCDay() + 6) % 7);
  switch (spec.kind) {
    case 'today':
      return { from: today, to: today, label: `今天（${today}）` };
    case 'yesterday': {
      const d = toDay(t - 1);
      return { from: d, to: d, label: `昨天（${d}）` };
    }
    case 'thisWeek':
      return { from: toDay(monday), to: today, label: `本周（${toDay(monday)}~${today}）` };
    case 'lastWeek':
      return { from: toDay(monday - 7), to: toDay(monday - 1), label: `上周（${toDay(monday - 7)}~${toDay(monday - 1)}）` };
    case 'thisMonth': {
      const m = today.slice(0, 7);
      return { from: `${m}-01`, to: today, label: `本月（${m}-01~${today}）` };
    }
    case 'lastMonth': {
      const prev = toDay(toNum(`${today.slice(0, 7)}-01`) - 1).slice(0, 7);
      return { from: `${prev}-01`, to: monthEnd(prev), label: `上月（${prev}）` };
    }
    case 'lastDays': {
      const from = toDay(t - spec.days + 1);
      return { from, to: today, label: `近${spec.days}天（${from}~${today}）` };
    }
    case 'month':
      return { from: `${spec.month}-01`, to: monthEnd(spec.month), label: spec.month };
    case 'range':
      return { from: spec.from, to: spec.to, label: spec.from === spec.to ? spec.from : `${spec.from}~${spec.to}` };
    case 'yearless':
      return yearlessRange(spec, today);
  }
}

/**
 * The latest month or day of that name not after `today`: 11月 in January is last November;
 * 30号 on the 5th is the 30th of last month (31号 the last month that has one; 2月29日 the last
 * leap year). parsePeriod checked that such a day exists in some year.
 */
function yearlessRange(spec: { month: number | null; day: number | null }, today: string): Period {
  const [ty, tm] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  if (spec.day === null) {
    const y = spec.month! > tm ? ty - 1 : ty;
    const month = `${y}-${pad(spec.month!)}`;
    return { from: `${month}-01`, to: monthEnd(month), label: month };
  }
  // Walk back month by month (or year by year for a named month) to the first real day ≤ today.
  for (let i = 0; i < 12 * 8; i++) {
    const back = spec.month === null ? tm - 1 - i : spec.month - 1 - 12 * i;
    const y = ty + Math.floor(back / 12);
    const mo = (((back % 12) + 12) % 12) + 1;
    const day = calendarDay(`${y}-${mo}-${spec.day}`);
    if (day && day <= today) return { from: day, to: day, label: day };
  }
  return { from: today, to: today, label: today };
}

/** The periods of 流水 and 单据 (src/shared/periods.ts): every accepted spelling and its range. */
import { describe, expect, it } from 'vitest';
import { parsePeriod, periodRange } from '../../src/shared/periods.js';

// 2026-11-25 is a Wednesday.
const TODAY = '2026-11-25';
const range = (w: string) => {
  const p = parsePeriod(w);
  if (!p) throw new Error(`not a period: ${w}`);
  const r = periodRange(p, TODAY);
  return [r.from, r.to];
};

describe('periods as people write them', () => {
  it.each([
    ['今天', '2026-11-25', '2026-11-25'],
    ['昨天', '2026-11-24', '2026-11-24'],
    ['本周', '2026-11-23', '2026-11-25'],
    ['上周', '2026-11-16', '2026-11-22'],
    ['本月', '2026-11-01', '2026-11-25'],
    ['上月', '2026-10-01', '2026-10-31'],
    ['近7天', '2026-11-19', '2026-11-25'],
    ['最近30天', '2026-10-27', '2026-11-25'],
    ['2026-11', '2026-11-01', '2026-11-30'],
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2026-11-03', '2026-11-03', '2026-11-03'],
    ['2026/11/3', '2026-11-03', '2026-11-03'],
    ['2026-11-01~2026-11-15', '2026-11-01', '2026-11-15'],
    ['2026-11-01～2026-11-15', '2026-11-01', '2026-11-15'],
    ['2026-11-01至2026-11-15', '2026-11-01', '2026-11-15'],
    // Without the year: the latest such month or day not after today (2026-11-25).
    ['11月', '2026-11-01', '2026-11-30'],
    ['11月份', '2026-11-01', '2026-11-30'],
    ['12月', '2025-12-01', '2025-12-31'],
    ['11月20日', '2026-11-20', '2026-11-20'],
    ['11月30号', '2025-11-30', '2025-11-30'],
    ['11-20', '2026-11-20', '2026-11-20'],
    ['3/8', '2026-03-08', '2026-03-08'],
    ['20号', '2026-11-20', '2026-11-20'],
    ['30号', '2026-10-30', '2026-10-30'],
    ['31日', '2026-10-31', '2026-10-31'],
    ['2月29日', '2024-02-29', '2024-02-29'],
    ['2026年11月', '2026-11-01', '2026-11-30'],
    ['2026年11月3日', '2026-11-03', '2026-11-03'],
    // English, as the commands have English names.
    ['today', '2026-11-25', '2026-11-25'],
    ['Yesterday', '2026-11-24', '2026-11-24'],
    ['this-month', '2026-11-01', '2026-11-25'],
    ['last_month', '2026-10-01', '2026-10-31'],
  ])('%s → %s … %s', (w, from, to) => {
    expect(range(w)).toEqual([from, to]);
  });

  it('上月 in January is December of the year before; 本周 on a Sunday starts the Monday before', () => {
    expect(periodRange({ kind: 'lastMonth' }, '2027-01-10')).toMatchObject({ from: '2026-12-01', to: '2026-12-31' });
    expect(periodRange({ kind: 'thisWeek' }, '2026-11-29')).toMatchObject({ from: '2026-11-23', to: '2026-11-29' });
  });

  it('words that are no period are null (a product); dates that do not exist are refused', () => {
    for (const w of ['A001', '螺丝M6', 'constructor', 'M3X8', '2026']) expect(parsePeriod(w)).toBeNull();
    expect(() => parsePeriod('2026-02-30')).toThrow('没有「2026-02-30」这一天');
    expect(() => parsePeriod('2026-13')).toThrow('没有「2026-13」这个月');
    expect(() => parsePeriod('2026-11-15~2026-11-01')).toThrow('结束日期早于开始日期');
    expect(() => parsePeriod('近0天')).toThrow('1–3660');
    expect(() => parsePeriod('2月30日')).toThrow('没有「2月30日」这一天');
    expect(() => parsePeriod('13月')).toThrow('没有「13月」这个月');
    expect(() => parsePeriod('32号')).toThrow('没有「32号」这一天');
  });
});

/**
 * Business-day arithmetic in the app's time zone (APP_TIMEZONE, default Asia/Shanghai).
 * Document numbers (RK20261125-0001) and default batch numbers are per business day, which is
 * a Shanghai day even when the server runs in UTC. No Node imports: Workers use it too.
 */
let appTimezone = 'Asia/Shanghai';

/** Called once at start by the runtime with config.APP_TIMEZONE. */
export function setAppTimezone(tz: string): void {
  appTimezone = tz;
}
export function getAppTimezone(): string {
  return appTimezone;
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/** "20261125": the calendar day of `at` in `tz`. */
export function dayKey(at: Date, tz: string = appTimezone): string {
  let f = fmtCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    fmtCache.set(tz, f);
  }
  return f.format(at).replace(/-/g, '');
}

/** "2026-11-25": the calendar day of `at` in `tz`, as ISO date text (the form expiry days are stored in). */
export function isoDay(at: Date, tz: string = appTimezone): string {
  return dayKey(at, tz).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
}

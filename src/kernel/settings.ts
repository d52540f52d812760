/**
 * Typed company settings, stored in the `settings` table (one row per key, jsonb value) and
 * read through deps. A setting is declared once with its zod schema and default:
 *
 *   export const unusualSettings = defineSetting({ key: 'inventory.unusual', label: '异常录入提醒',
 *     schema: z.object({...}), default: DEFAULT_UNUSUAL_SETTINGS });
 *
 * The environment gives defaults where it has them (APP_TIMEZONE for 'company.timezone'); a
 * stored value wins. A stored value that no longer parses (an older release wrote another
 * shape) falls back to the default and is logged, never crashes a request.
 */
import { eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { settings } from '../../db/schema.js';
import type { Conn } from '../../db/types.js';
import { DomainError } from '../errors.js';
import { jsonSafe } from '../shared/json.js';

export interface SettingDef<T> {
  /** `<module>.<name>`: 'company.timezone'. */
  key: string;
  /** What admins see (设置 card, audit). */
  label: string;
  schema: z.ZodType<T>;
  default: T;
}

export function defineSetting<T>(d: SettingDef<T>): SettingDef<T> {
  return Object.freeze(d);
}

/** Read access for use cases and adapters. Values are cached per reader (one request). */
export interface SettingsReader {
  get<T>(def: SettingDef<T>): Promise<T>;
}

/**
 * A reader over `conn` (the unit of work's transaction, or the pool for reads). `envDefaults`
 * overrides declared defaults by key (e.g. { 'company.timezone': config.APP_TIMEZONE }).
 * `onInvalid` hears about stored values that no longer parse.
 */
export function settingsReader(conn: Conn, envDefaults: Record<string, unknown> = {}, onInvalid?: (key: string, err: unknown) => void): SettingsReader {
  const cache = new Map<string, unknown>();
  return {
    async get<T>(def: SettingDef<T>): Promise<T> {
      if (cache.has(def.key)) return cache.get(def.key) as T;
      const [row] = await conn.select({ value: settings.value }).from(settings).where(eq(settings.key, def.key));
      let value: T = def.key in envDefaults ? def.schema.parse(envDefaults[def.key]) : def.default;
      if (row) {
        const r = def.schema.safeParse(row.value);
        if (r.success) value = r.data;
        else onInvalid?.(def.key, r.error);
      }
      cache.set(def.key, value);
      return value;
    },
  };
}

/**
 * Store a setting (inside the caller's transaction; the caller audits it). The value is
 * validated by the setting's schema: a bad value is a DomainError('invalid_input') naming the
 * setting.
 */
export async function writeSetting<T>(tx: Conn, def: SettingDef<T>, value: unknown, now: Date): Promise<T> {
  const r = def.schema.safeParse(value);
  if (!r.success) {
    throw new DomainError('invalid_input', `设置「${def.label}」的值不对：${r.error.issues[0]?.message ?? '格式不对'}。`, { key: def.key });
  }
  const json = jsonSafe(r.data) as object;
  await tx
    .insert(settings)
    .values({ key: def.key, value: json, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: json, updatedAt: now } });
  return r.data;
}

/** Stored values of several keys at once (the settings card lists them). */
export async function storedSettings(conn: Conn, keys: string[]): Promise<Map<string, unknown>> {
  if (keys.length === 0) return new Map();
  const rows = await conn.select().from(settings).where(inArray(settings.key, keys));
  return new Map(rows.map((r) => [r.key, r.value]));
}

// ───────────── kernel settings every module may read ─────────────

/** IANA time zone of business days; env APP_TIMEZONE is the default. */
export const timeZoneSetting = defineSetting({
  key: 'company.timezone',
  label: '时区',
  schema: z.string().min(1).refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, '不是有效的时区，例如 Asia/Shanghai'),
  default: 'Asia/Shanghai',
});

/**
 * Modules switched off (their commands, menu entries and REST routes answer "未开通").
 * Filtered per request: the registries stay as built.
 */
export const disabledModulesSetting = defineSetting({
  key: 'company.disabled_modules',
  label: '停用的模块',
  schema: z.array(z.string().min(1)).max(50),
  default: [] as string[],
});

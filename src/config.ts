/**
 * The environment contract (../shared/ARCHITECTURE.md), validated with zod at start.
 * A bad value stops start with a message naming the variable, in Chinese and English.
 * No Node imports: the Workers entry parses its bindings with the same function.
 */
import { z } from 'zod';

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const configSchema = z.object({
  PORT: z
    .string()
    .optional()
    .transform((s) => (s === undefined || s.trim() === '' ? '3000' : s.trim()))
    .pipe(
      z
        .string()
        .regex(/^\d+$/, { message: '必须是 1–65535 的整数 / must be an integer 1–65535' })
        .transform(Number)
        .refine((n) => n >= 1 && n <= 65535, { message: '必须是 1–65535 的整数 / must be an integer 1–65535' }),
    ),
  DATABASE_URL: optionalText.refine((u) => u === undefined || /^postgres(ql)?:\/\/.+/.test(u), {
    message: '必须以 postgres:// 或 postgresql:// 开头；不设置则使用内嵌数据库 / must start with postgres:// or postgresql://; leave unset for the embedded database',
  }),
  DATA_DIR: optionalText.transform((s) => s ?? './data'),
  FEISHU_APP_ID: optionalText,
  FEISHU_APP_SECRET: optionalText,
  FEISHU_VERIFICATION_TOKEN: optionalText,
  FEISHU_ENCRYPT_KEY: optionalText,
  FEISHU_BASE_URL: optionalText
    .transform((s) => s ?? 'https://open.feishu.cn')
    .pipe(
      z
        .string()
        .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: '必须是 http(s):// 开头的地址 / must be an http(s):// URL' })
        .transform((s) => s.replace(/\/+$/, '')),
    ),
  FEISHU_ADMIN_OPEN_IDS: optionalText.transform((s) =>
    (s ?? '')
      .split(/[,，\s]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  ),
  APP_TIMEZONE: optionalText
    .transform((s) => s ?? 'Asia/Shanghai')
    .refine(validTimezone, { message: '不是有效的 IANA 时区，例如 Asia/Shanghai / not a valid IANA time zone, e.g. Asia/Shanghai' }),
  LOG_LEVEL: optionalText
    .transform((s) => s ?? 'info')
    .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
});

const SECRET_VARS = new Set(['DATABASE_URL', 'FEISHU_APP_SECRET', 'FEISHU_ENCRYPT_KEY', 'FEISHU_VERIFICATION_TOKEN']);

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(public readonly issues: { variable: string; message: string }[]) {
    super(
      '配置错误 / invalid configuration:\n' +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Parse an environment (process.env or Workers bindings). Throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, unknown>): Config {
  const plain: Record<string, string | undefined> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    plain[key] = typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
  }
  const r = configSchema.safeParse(plain);
  if (r.success) {
    const c = r.data;
    if (Boolean(c.FEISHU_APP_ID) !== Boolean(c.FEISHU_APP_SECRET)) {
      throw new ConfigError([
        {
          variable: c.FEISHU_APP_ID ? 'FEISHU_APP_SECRET' : 'FEISHU_APP_ID',
          message: 'FEISHU_APP_ID 与 FEISHU_APP_SECRET 需同时设置 / FEISHU_APP_ID and FEISHU_APP_SECRET must be set together',
        },
      ]);
    }
    return c;
  }
  throw new ConfigError(
    r.error.issues.map((i) => {
      const variable = String(i.path[0] ?? '?');
      // Never echo secrets (a DATABASE_URL carries a password) into logs.
      const shown = SECRET_VARS.has(variable) ? '***' : JSON.stringify(plain[variable] ?? null);
      return { variable, message: `${i.message}（当前值 / got: ${shown}）` };
    }),
  );
}

/** Which Feishu settings are missing: logged at start so an operator knows what to configure. */
export function missingFeishuSettings(c: Config): string[] {
  const missing: string[] = [];
  if (!c.FEISHU_APP_ID) missing.push('FEISHU_APP_ID');
  if (!c.FEISHU_APP_SECRET) missing.push('FEISHU_APP_SECRET');
  if (!c.FEISHU_VERIFICATION_TOKEN) missing.push('FEISHU_VERIFICATION_TOKEN');
  if (!c.FEISHU_ENCRYPT_KEY) missing.push('FEISHU_ENCRYPT_KEY');
  if (c.FEISHU_ADMIN_OPEN_IDS.length === 0) missing.push('FEISHU_ADMIN_OPEN_IDS');
  return missing;
}

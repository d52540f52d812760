/**
 * Running a use case: the one place that checks its permission and parses its input, for
 * every adapter. Chat, cards, REST and jobs build a Caller and call `invoke` with a connection
 * (the unit of work's transaction for writes, the pool for reads).
 */
import type { Conn } from '../../db/types.js';
import type { AppDeps } from '../deps.js';
import type { Logger } from '../log.js';
import { requirePermission, type Actor } from '../people/roles.js';
import { getAppTimezone } from '../shared/time.js';
import { draftsOf } from './drafts.js';
import { humanInput } from './human-input.js';
import { settingsReader, type SettingsReader } from './settings.js';
import type { ReferenceMode, UseCase, UseCaseContext } from './use-case.js';
import { parseInput } from './validate.js';

/** Who asks, and under which key. */
export interface Caller {
  actor: Actor;
  /** See UseCaseContext.idempotencyKey; '' for reads. */
  idempotencyKey: string;
  logger: Logger;
  /** The unit's clock reading; default deps.now(). */
  now?: Date;
  /** Settings already read in this request (shared, so each key is read once). */
  settings?: SettingsReader;
  /** How text references are read (default 'search': chat and cards; REST sets 'exact'). */
  references?: ReferenceMode;
  /**
   * Who wrote the input: 'human' (chat, cards) is normalised first (src/kernel/human-input.ts:
   * full-width, 1,000, ¥/元, 十箱 …); 'canonical' (the default: REST, jobs, a use case calling
   * another) goes to the schema as is, so a machine client gets a 422 instead of a guess.
   */
  input?: InputSource;
}

/** See Caller.input. */
export type InputSource = 'human' | 'canonical';

/** Environment defaults of kernel settings (APP_TIMEZONE for company.timezone). */
export function envSettingDefaults(deps: Pick<AppDeps, 'config'>): Record<string, unknown> {
  return deps.config.APP_TIMEZONE ? { 'company.timezone': deps.config.APP_TIMEZONE } : {};
}

/** The context a use case runs with (exported for adapters that render with the same settings). */
export function useCaseContext(deps: Pick<AppDeps, 'now' | 'config'>, conn: Conn, caller: Caller): UseCaseContext {
  const now = caller.now ?? deps.now();
  const settings = caller.settings ?? settingsReader(conn, envSettingDefaults(deps), (key, err) => caller.logger.warn({ key, err: String(err) }, 'stored setting no longer valid; default used'));
  const ctx: UseCaseContext = {
    conn,
    actor: caller.actor,
    now,
    timeZone: getAppTimezone(),
    idempotencyKey: caller.idempotencyKey,
    settings,
    drafts: draftsOf(conn, caller.actor, now),
    logger: caller.logger,
    references: caller.references ?? 'search',
    call: (u, input) => run(ctx, u, input),
  };
  return ctx;
}

async function run<I, O>(ctx: UseCaseContext, u: UseCase<I, O>, raw: unknown, source: InputSource = 'canonical'): Promise<O> {
  // Named as the user asked it: "仓管不能「成本调整」（需要「红冲」权限）".
  requirePermission(ctx.actor, u.permission, u.label);
  const input = parseInput(u.input, source === 'human' ? humanInput(raw) : raw) as I;
  return u.run(ctx, input);
}

/**
 * Check `u`'s permission for the caller, parse `raw` with its canonical schema, run it.
 * Throws DomainError('forbidden' | 'invalid_input' | whatever the use case raises).
 */
export async function invoke<I, O>(deps: Pick<AppDeps, 'now' | 'config'>, conn: Conn, caller: Caller, u: UseCase<I, O>, raw: unknown): Promise<O> {
  return run(useCaseContext(deps, conn, caller), u, raw, caller.input);
}

/**
 * Modules switched off (company.disabled_modules, src/kernel/settings.ts) are filtered per
 * request: the registry stays as built, a callback reads the setting once and refuses what
 * belongs to a module that is off — a menu built before it was switched off, a forwarded card.
 */
import type { AppDeps } from '../../src/deps.js';
import { envSettingDefaults } from '../../src/kernel/invoke.js';
import { disabledModulesSetting, settingsReader } from '../../src/kernel/settings.js';
import type { Conn } from '../../db/types.js';
import type { Logger } from '../../src/log.js';
import { moduleOf } from '../../src/kernel/use-case.js';
import { can } from '../../src/people/roles.js';
import { toast, type ActionContext, type CardAction, type CardAnswer, type CardFlow, type CardForm } from './registry.js';

/** The modules switched off, read through `conn` (a stored value that no longer parses counts as none, logged). */
export async function disabledModules(deps: Pick<AppDeps, 'config'>, conn: Conn, logger: Logger): Promise<ReadonlySet<string>> {
  const reader = settingsReader(conn, envSettingDefaults(deps), (key, err) => logger.warn({ key, err: String(err) }, 'stored setting no longer valid; default used'));
  return new Set(await reader.get(disabledModulesSetting));
}

/** The refusal of an entry whose module is off, or null when it may run. */
export function moduleOff(c: Pick<ActionContext, 'registry' | 'disabled'>, entry: CardAction | CardForm | CardFlow, what: string): CardAnswer | null {
  const m = c.registry.access(entry).module;
  return m && c.disabled.has(m) ? toast('warning', `「${what}」未开通（模块已停用），请联系管理员。`) : null;
}

/**
 * May this user run use case `id` right now (its permission, its module on)? For buttons that
 * are shown only to those who may tap them (红冲 on a summary).
 */
export function mayUse(c: Pick<ActionContext, 'registry' | 'actor'> & { disabled?: ReadonlySet<string> }, id: string): boolean {
  const u = c.registry.useCases.get(id);
  if (!u || !can(c.actor, u.permission)) return false;
  return !c.disabled?.has(moduleOf(u));
}

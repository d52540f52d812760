/** Tunables of the card layer, per app instance (tests shrink them). */
import type { Conn } from '../../db/types.js';
import type { AppDeps } from '../../src/deps.js';
import { unusualEntrySetting, type UnusualSettings } from '../../src/inventory/unusual.js';
import { envSettingDefaults } from '../../src/kernel/invoke.js';
import { settingsReader } from '../../src/kernel/settings.js';
import type { Logger } from '../../src/log.js';
import type { ActionContext, FormContext } from './registry.js';

/**
 * Card-layer tunables only. The unusual-entry thresholds are not here: they are the company
 * setting inventory.unusual_entry (src/inventory/unusual.ts), the one source for the posting
 * use cases, chat and cards (see unusualThresholds).
 */
export interface CardSettings {
  /**
   * Feishu drops a callback not answered within 3 s (200341). Work still running after this
   * budget is answered with a 处理中 card and finished through the delayed-update API.
   */
  budgetMs: number;
  /** A stocktake posting with more lines than this goes straight to 处理中 + delayed update. */
  largeStocktakeLines: number;
  /** More products than this: the form has a keyword input (resolved server-side) instead of a select. */
  selectMax: number;
  /** Wait before calling the delayed-update API (it must come after our HTTP answer). */
  updateDelayMs: number;
}

export const DEFAULT_CARD_SETTINGS: CardSettings = {
  budgetMs: 2500,
  largeStocktakeLines: 50,
  selectMax: 20,
  updateDelayMs: 300,
};

const byDeps = new WeakMap<AppDeps, CardSettings>();

export function configureCards(deps: AppDeps, s: Partial<CardSettings>): void {
  byDeps.set(deps, { ...cardSettings(deps), ...s });
}

export function cardSettings(deps: AppDeps): CardSettings {
  return byDeps.get(deps) ?? DEFAULT_CARD_SETTINGS;
}

/**
 * The unusual-entry thresholds a card checks with: the stored company setting (its default when
 * none is stored, or when the stored value no longer parses: logged), read through `conn`, the
 * same value the posting use case reads, so a card never asks about what REST would post.
 */
export async function unusualThresholds(deps: Pick<AppDeps, 'config'>, conn: Conn, logger: Logger): Promise<UnusualSettings> {
  const reader = settingsReader(conn, envSettingDefaults(deps), (key, err) => logger.warn({ key, err: String(err) }, 'stored setting no longer valid; default used'));
  return reader.get(unusualEntrySetting);
}

/** What a form's `load` reads with, for the user of a callback (`conn`: the pool, or the unit's transaction). */
export function formContext(c: Pick<ActionContext, 'deps' | 'actor' | 'user' | 'now' | 'timeZone'>, conn: Conn, user: FormContext['user'] = c.user): FormContext {
  return { conn, actor: c.actor, user, selectMax: cardSettings(c.deps).selectMax, now: c.now, timeZone: c.timeZone };
}

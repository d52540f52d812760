/**
 * Interactive cards (Card JSON 2.0): the 菜单 command, form cards for every module's use
 * cases, and the card.action.trigger handler that answers in place.
 *
 * bot/registries.ts builds the card registry once per app with buildCardRegistry and puts the
 * handler in the event map; the registry reaches the handler as ctx.registries.cards. A module
 * adds cards by exporting a CardModule (bot/cards/inventory/index.ts) and listing it below.
 */
import type { UseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import { buildCardRegistryFrom } from './build.js';
import { coreCards } from './core.js';
import { inventoryCards } from './inventory/index.js';
import type { CardModule, CardRegistry } from './registry.js';

/** Every module's cards, in menu order. */
export const CARD_MODULES: readonly CardModule[] = [coreCards, inventoryCards];

/**
 * The app's card registry over `useCases`, validated (bot/cards/build.ts): throws RegistryError
 * for a name twice, an unknown use case, a form whose fields do not match its use case's input.
 */
export function buildCardRegistry(useCases: UseCaseRegistry, modules: readonly CardModule[] = CARD_MODULES): CardRegistry {
  return buildCardRegistryFrom(useCases, modules);
}

export { cardCommands } from './commands.js';
export { configureCards, cardSettings, DEFAULT_CARD_SETTINGS, type CardSettings } from './settings.js';
export { renderForm } from './forms.js';
export { menuCard } from './menu.js';
export { handleCardAction, toResponse } from './handler.js';
export { cardText, type Card } from './card.js';
export type { CardRegistry, CardModule, CardAction, CardForm, CardFlow, MenuEntry } from './registry.js';

/**
 * Interactive cards (Card JSON 2.0): the 菜单 command, form cards for every inventory action,
 * and the card.action.trigger handler that answers in place. Loaded by bot/routes.ts.
 */
import './handler.js';
import './actions.js';
import './commands.js';

export { configureCards, cardSettings, DEFAULT_CARD_SETTINGS, type CardSettings } from './settings.js';
export { menuCard, menuLabels, renderForm } from './forms.js';
export { handleCardAction, toResponse } from './handler.js';
export { cardText, type Card } from './card.js';

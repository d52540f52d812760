/**
 * Card actions, registered in one line next to their handler (Bolt's `app.action`):
 *
 *   onCardAction('receipt.submit', { permission: 'stock.receive', run });
 *
 * Every button we render carries `behaviors: [{type:'callback', value: {a: <action>, k?: <key>}}]`;
 * the dispatcher (handler.ts) finds the action by `value.a`, checks the permission, and runs it.
 */
import type { AppDeps } from '../../src/deps.js';
import type { Logger } from '../../src/log.js';
import type { Actor, Permission } from '../../src/people/roles.js';
import type { UserRow } from '../../src/people/users.js';
import type { ActionValue, Card } from './card.js';

export interface RawAction {
  tag?: string;
  name?: string;
  value?: unknown;
  form_value?: Record<string, unknown>;
  input_value?: string;
  option?: string;
  options?: string[];
  timezone?: string;
}

export interface ActionContext {
  deps: AppDeps;
  logger: Logger;
  actor: Actor;
  user: UserRow;
  value: ActionValue;
  /** form_value of a form submit ({} otherwise). */
  form: Record<string, unknown>;
  action: RawAction;
  /** The callback's delayed-update token (c-…), valid 30 min, 2 uses. */
  eventToken: string | undefined;
  messageId: string | undefined;
  chatId: string | undefined;
  now: Date;
}

export type ToastType = 'info' | 'success' | 'error' | 'warning';

/** What an action answers: a toast, a replacement card, or both. */
export interface CardAnswer {
  toast?: { type: ToastType; content: string };
  card?: Card;
}

export interface CardActionSpec {
  /** Checked before run (the services check again: the rule lives there). */
  permission?: Permission;
  run(ctx: ActionContext): Promise<CardAnswer>;
}

const actions = new Map<string, CardActionSpec>();

export function onCardAction(name: string, spec: CardActionSpec): void {
  if (actions.has(name)) throw new Error(`card action registered twice: ${name}`);
  actions.set(name, spec);
}

export function cardAction(name: string): CardActionSpec | undefined {
  return actions.get(name);
}

export const toast = (type: ToastType, content: string): CardAnswer => ({ toast: { type, content: content.slice(0, 300) } });

/**
 * The card registry's shapes. A module's card file exports its actions, forms, flows and menu
 * entries as VALUES (bot/cards/inventory/*.ts); bot/cards/index.ts buildCardRegistry puts them
 * together once per app and validates them against the use cases (bot/cards/build.ts). Nothing
 * registers itself at import time.
 *
 * Every button we render carries `behaviors: [{type:'callback', value: {a: <action>, k?: <key>}}]`;
 * the dispatcher (handler.ts) finds the action by `value.a` in the registry on the event
 * context, checks the permission of its use case (or its own), refuses a module switched off,
 * and runs it.
 */
import type { Conn } from '../../db/types.js';
import type { AppDeps } from '../../src/deps.js';
import type { UseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import type { UnitOfWork } from '../../src/kernel/unit-of-work.js';
import type { Logger } from '../../src/log.js';
import type { ProductView } from '../../src/inventory/products.js';
import type { Actor, Permission } from '../../src/people/roles.js';
import type { UserRow } from '../../src/people/users.js';
import type { ActionValue, ButtonType, Card } from './card.js';
import type { FieldReader } from './fields.js';

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

/** What an action is handed for one callback. */
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
  /** The callback's clock reading (deps.now(), once). */
  now: Date;
  /** IANA zone of the times shown on cards. */
  timeZone: string;
  /** The app's card registry (and through it, the use cases). */
  registry: CardRegistry;
  /** Modules switched off for this company (company.disabled_modules), read once per callback. */
  disabled: ReadonlySet<string>;
}

export type ToastType = 'info' | 'success' | 'error' | 'warning';

/** What an action answers: a toast, a replacement card, or both. */
export interface CardAnswer {
  toast?: { type: ToastType; content: string };
  card?: Card;
}

/**
 * Who may use an entry: the permission of the use case it runs (checked with the use case's
 * label) — or, for an entry that runs no use case (navigation, a view whose use case does not
 * exist yet), its own `permission`. The module is the use case's, else `module`, else the card
 * module's that listed it.
 */
interface Access {
  /** Use-case id (`inventory.receive`). Must exist in the use-case registry. */
  useCase?: string;
  /** Only for entries without a use case. */
  permission?: Permission;
  /** Only for entries without a use case; default the card module's. */
  module?: string;
}

export interface CardAction extends Access {
  /** `value.a` of the buttons that trigger it: 'receipt.submit'. Unique. */
  name: string;
  run(c: ActionContext): Promise<CardAnswer>;
}

/** What a form's `load` reads with. */
export interface FormContext {
  conn: Conn;
  actor: Actor;
  user: Pick<UserRow, 'id' | 'lastWarehouseId'> | null;
  /** More products than this: a keyword input instead of a select. */
  selectMax: number;
  now: Date;
  timeZone: string;
}

/** A form field: where it lands in the use case's canonical input, and how its text is read. */
export interface FormField {
  /** Key path in the canonical input; a list is entered through its first item: 'lines.qty'. */
  path: string;
  read: FieldReader;
}

/**
 * A form card opened from the menu (`value('open', {f: name})`). Rendering is split so the
 * renderer stays pure: `load` reads the database and issues the one-time keys, `view` turns
 * that data into Card JSON (snapshot-tested).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface CardForm<D = any> extends Access {
  name: string;
  /** Menu and permission wording when there is no use case. */
  title: string;
  /**
   * Form field name → canonical input path (validated against the use case's input schema at
   * build: every field must land on a key the schema knows, every required key needs a field).
   */
  fields?: Record<string, FormField>;
  load(f: FormContext): Promise<D>;
  view(d: D): Card;
}

/**
 * What waits in card_tokens.context between two cards of a flow (picker, confirmation). The
 * flow is named by string and resolved through the registry, so a module adds flows without
 * touching a central list.
 */
export interface Pending<I = unknown> {
  flow: string;
  /** The use case's canonical input (for flows that run one), without any idempotency key. */
  input: I;
  /** The idempotency key the effect posts under: `card:<form key>` or the chat message's `msg:…`. */
  key: string;
  /** The form key (or message key) the chain started from. */
  origin: string;
  /** Candidate product ids (picker). */
  candidates?: number[];
  /** Batch chosen from a select as "productId:batchNo": the product it belongs to. */
  batchOf?: number;
}

/** The card a flow ends with (stored with the key: a second tap answers it again). */
export type FlowAnswer = CardAnswer & { card: Card };

/**
 * A form flow: from a submitted form to an effect, through the product picker and the
 * unusual-entry confirmation when needed (flows.ts runs it). Declared in the module's own card
 * file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface CardFlow<I = any, R = any> extends Access {
  /** Stored in card_tokens (Pending.flow): keep it stable. */
  name: string;
  /** What the picker asks for: 请选择要「入库」的商品 (default: the use case's label). */
  label?: string;
  /** The product the input names (picker, unusual-entry check). */
  productRef(input: I): number | string;
  setProduct(input: I, id: number): void;
  /** The quantity as typed (picker text, confirmation). */
  qty(input: I): string;
  /** Rules a user can fix on the form before anything is read: a Chinese message, or null. */
  validate?(input: I): string | null;
  /**
   * Reads with the product resolved: the reasons to ask 确认 first (unusual entry), [] when
   * none. Throws the DomainError of a quantity or price the product cannot take.
   */
  inspect?(c: ActionContext, product: ProductView, p: Pending<I>): Promise<string[]>;
  /** Read-only flows (a query) have nothing to confirm. */
  readOnly?: boolean;
  /**
   * Only for flows without a use case: the effect, inside the key's unit of work. With a use
   * case, flows.ts invokes it (permission, canonical parse, run) under Pending.key.
   */
  run?(uow: UnitOfWork, c: ActionContext, p: Pending<I>): Promise<R>;
  /** The card after the effect (summary renderer), inside the same unit of work. */
  summary(uow: UnitOfWork, c: ActionContext, result: R, p: Pending<I>): Promise<FlowAnswer>;
}

/** A menu button: opens a form, or runs an action (its permission and module are those of what it opens). */
export interface MenuEntry {
  label: string;
  form?: string;
  action?: string;
  type?: Extract<ButtonType, 'primary' | 'default' | 'danger'>;
}

/** What one module contributes (bot/cards/inventory/index.ts). */
export interface CardModule {
  /** Module name: the default module of entries without a use case ('inventory'; '' = never switched off). */
  module: string;
  actions?: readonly CardAction[];
  forms?: readonly CardForm[];
  flows?: readonly CardFlow[];
  menu?: readonly MenuEntry[];
}

/** The resolved access of an action, form or flow. */
export interface ResolvedAccess {
  permission: Permission | undefined;
  /** What permission messages call it: the use case's label, else undefined (the permission's own label). */
  label: string | undefined;
  /** null: never switched off (navigation). */
  module: string | null;
}

/** A menu entry ready to render. */
export interface MenuButton {
  label: string;
  value: ActionValue;
  type: Extract<ButtonType, 'primary' | 'default' | 'danger'>;
}

/** The card registry: a value built once per app (bot/cards/index.ts buildCardRegistry). */
export interface CardRegistry {
  readonly useCases: UseCaseRegistry;
  action(name: string): CardAction | undefined;
  form(name: string): CardForm | undefined;
  flow(name: string): CardFlow | undefined;
  forms(): readonly CardForm[];
  /** Every menu entry, in module order. */
  menu(): readonly MenuEntry[];
  access(entry: CardAction | CardForm | CardFlow): ResolvedAccess;
  /** The menu this actor sees with these modules switched off. */
  menuFor(actor: Actor, disabled: ReadonlySet<string>): MenuButton[];
}

export const toast = (type: ToastType, content: string): CardAnswer => ({ toast: { type, content: content.slice(0, 300) } });

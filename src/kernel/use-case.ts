/**
 * A use case is THE definition of one thing a user can do (`inventory.issue`): who may do it,
 * what input it takes, what it is called, and what it does. Chat commands, card forms and
 * actions, the menu, help, REST routes and the OpenAPI document all point at a definition by
 * its id; none of them restates its permission, its limits or its label.
 *
 *   export const issueStock = defineUseCase({
 *     id: 'inventory.issue', kind: 'write', permission: 'stock.issue',
 *     label: '出库', summary: '商品出库（销售或领用），先到期的批次先出',
 *     input: issueCanonical, rest: { method: 'post', path: '/issues' },
 *     run: (ctx, input) => postIssue(ctx.conn, ctx.actor, { ...toService(input), idempotencyKey: ctx.idempotencyKey }),
 *   });
 *
 * `input` is the canonical, strict schema (what REST accepts and OpenAPI publishes: decimal
 * strings for quantities and money, yuan for money). Chat and card adapters put a normaliser
 * in front of it; a normaliser never writes, it only produces canonical input or a message.
 * `run` returns a plain result or throws a DomainError (src/errors.ts: Chinese message + code).
 */
import type { z } from 'zod';
import type { Conn } from '../../db/types.js';
import type { Logger } from '../log.js';
import type { Actor, Permission } from '../people/roles.js';
import type { Drafts } from './drafts.js';
import type { SettingsReader } from './settings.js';

/** `read` never writes (REST GET, no idempotency key); `write` runs in a unit of work with a key. */
export type UseCaseKind = 'read' | 'write';

/**
 * How text references in input (商品 "笔", 仓库 "WH01") are read:
 * - 'search' (chat, cards): forgiving — a unique partial, pinyin or initials match is taken,
 *   because a person sees the echo and can reverse;
 * - 'exact' (REST): only an exact reference — SKU, barcode, warehouse code or full name
 *   (case-insensitive, trimmed); anything else is not_found with `candidates`, several exact
 *   matches are ambiguous. A machine client never sees an echo, so nothing is guessed;
 * - 'exact-or-id' (REST, when every text reference came from the URL): as 'exact', and then a
 *   text of digits that matches no code is read as an id (a URL can only carry text, and
 *   numeric SKUs exist, so codes win). Never for a JSON body, where an id is a number.
 */
export type ReferenceMode = 'search' | 'exact' | 'exact-or-id';

/** The optional last parameter of services that resolve references (default 'search'). */
export interface ReferenceOptions {
  references?: ReferenceMode;
}

/**
 * What a use case sees. Inside a write, `conn` is the unit of work's transaction: touch only
 * it. `now` and `timeZone` come from deps (no `new Date()` inside services).
 */
export interface UseCaseContext {
  conn: Conn;
  actor: Actor;
  /** The effect's clock reading (one per unit of work, so every row of it agrees). */
  now: Date;
  /** IANA zone of business days (APP_TIMEZONE, or the company setting). */
  timeZone: string;
  /**
   * Stable per effect: `msg:<message_id>`, `card:<token>`, `rest:<token id>:<Idempotency-Key>`,
   * `job:<name>:<slot>`. Postings store it, so a redelivery replays instead of posting twice.
   * For reads it is ''.
   */
  idempotencyKey: string;
  settings: SettingsReader;
  drafts: Drafts;
  logger: Logger;
  /** How text references are read (see ReferenceMode); use cases pass it to services as `{ references }`. */
  references: ReferenceMode;
  /**
   * Run another use case in the same unit of work (a receipt posting plus its purchase-order
   * line update is one effect): its permission is checked for the same actor.
   */
  call<I, O>(useCase: UseCase<I, O>, input: unknown): Promise<O>;
}

/** How a use case is reached over REST (`/api/v1` + path). Omitted: not exposed over REST. */
export interface RestBinding {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono/OpenAPI style path under /api/v1, e.g. '/receipts' or '/documents/{docNo}'. */
  path: string;
  /** HTTP status of a success (default: 201 for a write on POST, else 200). */
  status?: number;
}

export interface UseCase<I = unknown, O = unknown> {
  /** `<module>.<action>`, lower case: 'inventory.issue'. Stable: REST clients and logs name it. */
  id: string;
  kind: UseCaseKind;
  /** Checked by the kernel before run, for every adapter (src/people/roles.ts). */
  permission: Permission;
  /** Canonical strict input (see the file comment). Parsed by the kernel before run. */
  input: z.ZodType<I>;
  /** Published response shape (OpenAPI); results are serialised with src/shared/json.ts. */
  output?: z.ZodType;
  /** What users call it (帮助, menu, permission messages): '出库'. */
  label: string;
  /** One line for help text and the API reference. */
  summary: string;
  rest?: RestBinding;
  run(ctx: UseCaseContext, input: I): Promise<O>;
}

/** The module of a use case: the part of its id before the first dot ('inventory'). */
export const moduleOf = (u: Pick<UseCase, 'id'>): string => u.id.slice(0, u.id.indexOf('.'));

/** Identity with inference: `defineUseCase({...})` types `run`'s input from `input`. */
export function defineUseCase<I, O>(u: UseCase<I, O>): UseCase<I, O> {
  return Object.freeze(u);
}

/** Any use case, for lists and registries. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyUseCase = UseCase<any, any>;

/**
 * Chat commands as values. Each domain file exports its list of specs next to their handlers
 * (grammY / Bolt style), and bot/registries.ts builds ONE registry from the lists when the app
 * is built (validated there: a name or alias twice, an unknown use case, a restated permission
 * stop the start):
 *
 *   export const inventoryCommands: CommandSpec[] = [
 *     command({ name: '出库', aliases: ['out', 'issue'], useCase: 'inventory.issue',
 *       usage, example, parse, run: (ctx, input) => ctx.invoke(input) }),
 *   ];
 *
 * A command points at a use case (src/kernel/use-case.ts) by id: the use case's permission is
 * checked before parse, its label names the refusal, its summary is the 帮助 line. The command
 * keeps only chat wording: its name, aliases, usage, examples, a chat hint, and `parse` — the
 * chat normaliser that turns words into the use case's CANONICAL input (or throws UsageError
 * with a Chinese reason). `run` calls the use case through ctx.invoke (src/kernel/invoke.ts)
 * and renders the result. Names may be several words ('商品 新增'); the router matches the
 * longest name or alias. Nothing here knows about inventory.
 */
import type { Tx } from '../../db/types.js';
import type { AppDeps } from '../../src/deps.js';
import type { Caller } from '../../src/kernel/invoke.js';
import type { UseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import type { AnyUseCase } from '../../src/kernel/use-case.js';
import type { Logger } from '../../src/log.js';
import type { Actor, Permission } from '../../src/people/roles.js';
import type { BotRegistries } from '../registries.js';

/**
 * A colleague @mentioned in the message. Commands only ever see colleagues: the bot's own
 * mention is consumed by group addressing (bot/messages.ts) and never reaches ctx.mentions.
 */
export interface Mention {
  /** Placeholder in the text: "@_user_1". */
  key: string;
  openId?: string;
  name?: string;
}

/** What a command may reply: plain text, or a card (JSON 2.0) with a text fallback for the CLI. */
export type Reply = string | { text: string; card?: Record<string, unknown> };

export interface ParseContext {
  actor: Actor;
  /** Colleagues @mentioned in the message (never the bot); only a takesPerson command sees their placeholders. */
  mentions: Mention[];
}

export interface CommandContext extends ParseContext {
  /**
   * The message's transaction. The command runs under a savepoint (src/kernel/savepoint.ts): a
   * thrown error undoes only the command's writes; the message's key and reply still commit.
   */
  tx: Tx;
  deps: AppDeps;
  logger: Logger;
  /** Stable per inbound message ("msg:om_…"): the use cases' idempotency key. */
  idempotencyKey: string;
  /** The message's clock reading (the unit of work's). */
  now: Date;
  /** Who runs use cases for this message (actor, key, logger, clock, the request's settings). */
  caller: Caller;
  /** This command's use case; undefined for chat-only commands (帮助, 确认, 菜单). */
  useCase: AnyUseCase | undefined;
  /** The app's registries (帮助 lists the commands, 菜单 reads the cards' menu). */
  registries: BotRegistries;
  /** Modules switched off for this request (company.disabled_modules). */
  disabled: ReadonlySet<string>;
  /**
   * Run a use case for this message through src/kernel/invoke.ts: its permission is checked,
   * `input` is parsed with its canonical schema, it runs in the message's transaction with the
   * message's idempotency key. `id` defaults to the command's own use case; another one must
   * exist in the registry (a missing id is a programming error). Returns the use case's result
   * (the caller names its type); throws what the use case throws (DomainError).
   */
  invoke<O = unknown>(input: unknown, id?: string): Promise<O>;
  /**
   * Run `fn` after the message's unit of work committed — never when the command failed (its
   * writes were undone) nor when the unit rolled back. For what must not be stored: the plain
   * API token is sent this way (bot/commands/tokens.ts).
   */
  afterCommit(fn: () => void): void;
  /**
   * Send `text` as a reply of its own right after the message's unit commits, straight through
   * the Feishu client: never stored (not in the outbox, not in processed_events, not logged).
   * For what is shown once (the plain API token). Nothing is sent if the command fails or the
   * unit rolls back; a failed send is lost — the stored reply must say what to do then. Throws
   * DomainError('conflict') when there is no Feishu client (offline mode), which undoes the
   * command.
   */
  replySecret(text: string): void;
  /**
   * What a redelivery of this message answers (stored in processed_events.result, so it must
   * hold nothing secret). Default: a redelivery answers nothing — the first reply is already
   * queued.
   */
  onRedelivery(text: string): void;
}

export interface CommandSpec<P = unknown> {
  /** What users type: '出库', '商品 新增'. Unique with the aliases (case-insensitive). */
  name: string;
  aliases?: string[];
  /**
   * The use case this command runs (id, e.g. 'inventory.issue'): its permission, label and
   * summary. Omitted only for chat-only commands (帮助, 确认, 菜单).
   */
  useCase?: string;
  /** Only for a chat-only command that needs one: a command with a use case takes the use case's. */
  permission?: Permission;
  /** Only for a chat-only command: its 帮助 line. A command with a use case shows the use case's summary. */
  summary?: string;
  /** Chat-only wording added to the 帮助 line: how to write it here (the price rule, 确认…). */
  hint?: string;
  /** e.g. "出库 <商品> <数量>[单位] [@仓库] [批次=…] [备注…]" */
  usage: string;
  example: string | string[];
  /** Hidden from 帮助 (still works). */
  hidden?: boolean;
  /**
   * Takes a person (@某人) as a parameter: colleagues' mention placeholders stay in its args and
   * resolve through ctx.mentions. For every other command bot/messages.ts removes them before
   * parsing ("@机器人 出库 螺丝 5 @张三" runs 出库 螺丝 5).
   */
  takesPerson?: boolean;
  /**
   * Several lines of one message (a new line, ；or ;) make one document: the args carry
   * LINE_BREAK between the lines (bot/parse/lines.ts). Other commands read the message as one line.
   */
  lines?: boolean;
  /**
   * The leading words of each line may be a product name with spaces or digits (`Type-C 母座 16P`):
   * before parse the router joins the longest catalog match into one word (bot/parse/product-words.ts).
   */
  takesProduct?: boolean;
  /** The chat normaliser: words → the use case's canonical input (never writes). */
  parse(args: string[], ctx: ParseContext): P;
  run(ctx: CommandContext, input: P): Promise<Reply>;
}

/** Identity with inference: `run`'s input is typed by what `parse` returns. */
export function command<P>(spec: CommandSpec<P>): CommandSpec {
  return spec;
}

/** A command in a built registry, resolved against the use cases (frozen: a command is what it declared). */
export interface RegisteredCommand extends CommandSpec<unknown> {
  /** The use case's permission, or the chat-only command's own. */
  permission?: Permission;
  /** The 帮助 line: the use case's summary (or the chat-only summary), then the hint. */
  summary: string;
  /** The summary without the chat hint: the one line 帮助's overview shows (帮助 <命令> shows both). */
  brief: string;
  /** The module the command belongs to (its use case's): switched off → "未开通". */
  module: string | null;
}

/** Bad command syntax: the router answers with the reason, the usage and an example. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How names are compared: trimmed, case-insensitive, single spaces. */
export const commandKey = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

export type MatchResult =
  | { kind: 'command'; command: RegisteredCommand; args: string[]; via: string }
  | { kind: 'group'; head: string; commands: RegisteredCommand[] }
  | { kind: 'none' };

/**
 * The commands of an app, looked up by name or alias. Built by bot/registries.ts (which
 * resolves and validates the specs); immutable afterwards.
 */
export class CommandRegistry {
  private readonly byKey = new Map<string, RegisteredCommand>();
  /** Same keys without spaces: "盘点开始" works like "盘点 开始". */
  private readonly byCompact = new Map<string, RegisteredCommand>();
  private maxWords = 1;
  private readonly list: readonly RegisteredCommand[];

  /** Throws Error naming the key when a name or alias is taken twice. */
  constructor(list: readonly RegisteredCommand[]) {
    for (const cmd of list) {
      for (const k of [cmd.name, ...(cmd.aliases ?? [])].map(commandKey)) {
        if (this.byKey.has(k)) throw new Error(`command name or alias registered twice: ${k}`);
        this.byKey.set(k, cmd);
        this.maxWords = Math.max(this.maxWords, k.split(' ').length);
      }
    }
    // After every full key: a compact form never shadows a real name or alias.
    for (const cmd of list) {
      for (const k of [cmd.name, ...(cmd.aliases ?? [])].map(commandKey)) {
        const compact = k.replace(/ /g, '');
        if (compact !== k && !this.byKey.has(compact)) this.byCompact.set(compact, cmd);
      }
    }
    this.list = Object.freeze([...list]);
  }

  /** Every command, in 帮助 order. */
  all(): readonly RegisteredCommand[] {
    return this.list;
  }

  get(name: string): RegisteredCommand | undefined {
    return this.byKey.get(commandKey(name));
  }

  match(tokens: string[]): MatchResult {
    if (tokens.length === 0) return { kind: 'none' };
    for (let n = Math.min(this.maxWords, tokens.length); n >= 1; n--) {
      const k = commandKey(tokens.slice(0, n).join(' '));
      const cmd = this.byKey.get(k);
      if (cmd) return { kind: 'command', command: cmd, args: tokens.slice(n), via: tokens.slice(0, n).join(' ') };
    }
    const compact = this.byCompact.get(commandKey(tokens[0]));
    if (compact) return { kind: 'command', command: compact, args: tokens.slice(1), via: tokens[0] };
    // "商品" alone (or "商品 xyz"): the group's sub-commands.
    const head = commandKey(tokens[0]);
    const group = this.list.filter((c) => [c.name, ...(c.aliases ?? [])].some((n) => commandKey(n).split(' ').length > 1 && commandKey(n).split(' ')[0] === head));
    if (group.length) return { kind: 'group', head: tokens[0], commands: group };
    return { kind: 'none' };
  }
}

/**
 * Chat commands, registered next to their handlers (grammY / Bolt style):
 *
 *   commands.register('出库', { aliases: ['out', 'issue'], permission: 'stock.issue',
 *     summary, usage, example, parse, run });
 *
 * Names may be several words ('商品 新增'); the router matches the longest name or alias.
 * The registry knows nothing about inventory: `parse` turns tokens into service input (or
 * throws UsageError with a Chinese reason), `run` calls a service and renders the reply.
 */
import type { Tx } from '../../db/types.js';
import type { AppDeps } from '../../src/deps.js';
import type { Logger } from '../../src/log.js';
import type { Actor, Permission } from '../../src/people/roles.js';

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
  /** The business transaction (a savepoint: a thrown error undoes only the command's writes). */
  tx: Tx;
  deps: AppDeps;
  logger: Logger;
  /** Stable per inbound message ("msg:om_…"): pass to services as the posting's idempotency key. */
  idempotencyKey: string;
  now: Date;
}

export interface CommandSpec<P = unknown> {
  aliases?: string[];
  /** Checked before parse for a quick answer; services check again (the rule lives there). */
  permission?: Permission;
  /** One line for 帮助. */
  summary: string;
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
  parse(args: string[], ctx: ParseContext): P;
  run(ctx: CommandContext, input: P): Promise<Reply>;
}

export interface RegisteredCommand extends CommandSpec<unknown> {
  name: string;
}

/** Bad command syntax: the router answers with the reason, the usage and an example. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const key = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

export type MatchResult =
  | { kind: 'command'; command: RegisteredCommand; args: string[]; via: string }
  | { kind: 'group'; head: string; commands: RegisteredCommand[] }
  | { kind: 'none' };

export class CommandRegistry {
  private readonly list: RegisteredCommand[] = [];
  private readonly byKey = new Map<string, RegisteredCommand>();
  /** Same keys without spaces: "盘点开始" works like "盘点 开始". */
  private readonly byCompact = new Map<string, RegisteredCommand>();
  private maxWords = 1;

  register<P>(name: string, spec: CommandSpec<P>): this {
    // Frozen: a command is what it registered. Cards and replies are produced by the command
    // itself (bot/cards/replies.ts), never by patching the registry's objects afterwards.
    const cmd: RegisteredCommand = Object.freeze({ ...(spec as CommandSpec<unknown>), name });
    for (const k of [name, ...(spec.aliases ?? [])].map(key)) {
      if (this.byKey.has(k)) throw new Error(`command name or alias registered twice: ${k}`);
      this.byKey.set(k, cmd);
      const compact = k.replace(/ /g, '');
      if (compact !== k && !this.byKey.has(compact)) this.byCompact.set(compact, cmd);
      this.maxWords = Math.max(this.maxWords, k.split(' ').length);
    }
    this.list.push(cmd);
    return this;
  }

  all(): readonly RegisteredCommand[] {
    return this.list;
  }

  get(name: string): RegisteredCommand | undefined {
    return this.byKey.get(key(name));
  }

  match(tokens: string[]): MatchResult {
    if (tokens.length === 0) return { kind: 'none' };
    for (let n = Math.min(this.maxWords, tokens.length); n >= 1; n--) {
      const k = key(tokens.slice(0, n).join(' '));
      const cmd = this.byKey.get(k);
      if (cmd) return { kind: 'command', command: cmd, args: tokens.slice(n), via: tokens.slice(0, n).join(' ') };
    }
    const compact = this.byCompact.get(key(tokens[0]));
    if (compact) return { kind: 'command', command: compact, args: tokens.slice(1), via: tokens[0] };
    // "商品" alone (or "商品 xyz"): the group's sub-commands.
    const head = key(tokens[0]);
    const group = this.list.filter((c) => [c.name, ...(c.aliases ?? [])].some((n) => key(n).split(' ').length > 1 && key(n).split(' ')[0] === head));
    if (group.length) return { kind: 'group', head: tokens[0], commands: group };
    return { kind: 'none' };
  }
}

/** The process-wide registry the bot uses; bot/commands/index.ts registers every command. */
export const commands = new CommandRegistry();

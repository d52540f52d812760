/**
 * The chat adapter's registries as values: built once per app from the modules' lists
 * (bot/routes.ts, called by buildApp) and handed to every handler through the EventContext.
 * Nothing registers itself at import time.
 *
 * Built and validated here, so a mistake stops the start instead of answering wrongly later
 * (RegistryError, src/kernel/use-case-registry.ts):
 * - a command name or alias twice (case-insensitive, spaces normalised);
 * - a command pointing at a use case the registry does not have;
 * - a command restating a permission or a summary (its use case's are the only ones) — or a
 *   chat-only command without a summary;
 * - the card registry's own checks (bot/cards buildCardRegistry).
 */
import { RegistryError, type UseCaseRegistry } from '../src/kernel/use-case-registry.js';
import { moduleOf } from '../src/kernel/use-case.js';
import { buildCardRegistry, cardCommands, handleCardAction } from './cards/index.js';
import type { CardRegistry } from './cards/registry.js';
import { chatCommandLists } from './commands/index.js';
import { commandKey, CommandRegistry, type CommandSpec, type RegisteredCommand } from './commands/registry.js';
import type { EventHandler } from './events.js';
import { handleMessage } from './messages.js';

export interface BotRegistries {
  useCases: UseCaseRegistry;
  commands: CommandRegistry;
  /** Event type → handler (im.message.receive_v1, card.action.trigger). */
  events: ReadonlyMap<string, EventHandler>;
  cards: CardRegistry;
}

/** Every chat command, in 帮助 order: core, then each domain, then the cards' (菜单). */
export function commandSpecs(): readonly CommandSpec[] {
  return [...chatCommandLists.flat(), ...cardCommands];
}

/**
 * Resolve `specs` against `useCases` and build the command registry (see the file comment for
 * what is refused with a RegistryError).
 */
export function buildCommandRegistry(useCases: UseCaseRegistry, specs: readonly CommandSpec[] = commandSpecs()): CommandRegistry {
  const taken = new Map<string, string>();
  const resolved: RegisteredCommand[] = [];
  for (const spec of specs) {
    for (const k of [spec.name, ...(spec.aliases ?? [])].map(commandKey)) {
      const other = taken.get(k);
      if (other !== undefined) throw new RegistryError(`command name or alias "${k}" registered twice: by "${other}" and "${spec.name}"`);
      taken.set(k, spec.name);
    }
    resolved.push(resolve(spec, useCases));
  }
  return new CommandRegistry(resolved);
}

function resolve(spec: CommandSpec, useCases: UseCaseRegistry): RegisteredCommand {
  const hint = spec.hint ? `。${spec.hint}` : '';
  if (spec.useCase === undefined) {
    if (!spec.summary?.trim()) throw new RegistryError(`command "${spec.name}" runs no use case and has no summary for 帮助`);
    return Object.freeze({ ...spec, summary: spec.summary + hint, brief: spec.summary, module: null });
  }
  const u = useCases.get(spec.useCase);
  if (!u) throw new RegistryError(`command "${spec.name}" points at unknown use case "${spec.useCase}"`);
  if (spec.permission !== undefined && spec.permission !== u.permission) {
    throw new RegistryError(`command "${spec.name}" says permission "${spec.permission}" but its use case "${u.id}" needs "${u.permission}"`);
  }
  if (spec.permission !== undefined) throw new RegistryError(`command "${spec.name}": the permission is its use case's ("${u.id}"), not its own`);
  if (spec.summary !== undefined) throw new RegistryError(`command "${spec.name}": the summary is its use case's ("${u.id}"); put chat wording in hint`);
  // Frozen: a command is what it declared. Cards and replies are produced by the command itself
  // (bot/cards/replies.ts), never by patching the registry's objects afterwards.
  return Object.freeze({ ...spec, permission: u.permission, summary: u.summary + hint, brief: u.summary, module: moduleOf(u) });
}

/** The registries of one app (bot/routes.ts builds them once). Throws RegistryError (see the file comment). */
export function buildBotRegistries(useCases: UseCaseRegistry): BotRegistries {
  const events = new Map<string, EventHandler>([
    ['im.message.receive_v1', handleMessage],
    ['card.action.trigger', handleCardAction],
  ]);
  return Object.freeze({ useCases, commands: buildCommandRegistry(useCases), events, cards: buildCardRegistry(useCases) });
}

/**
 * The chat registries are values built when the app is built (bot/registries.ts), validated
 * there: a contradiction stops the start with a RegistryError instead of answering wrongly later.
 */
import { describe, expect, it } from 'vitest';
import { buildBotRegistries, buildCommandRegistry, commandSpecs } from '../../bot/registries.js';
import { command, type CommandSpec } from '../../bot/commands/registry.js';
import { buildUseCases } from '../../src/app.js';
import { buildFullApp } from '../../bot/app.js';
import { loadConfig } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import { buildUseCaseRegistry, RegistryError } from '../../src/kernel/use-case-registry.js';
import { silentLogger } from '../../src/log.js';
import { ALL_USE_CASES } from '../../src/use-cases.js';

const useCases = buildUseCases();
const chatOnly = (name: string, extra: Partial<CommandSpec> = {}) =>
  command({ name, summary: '说明', usage: name, example: name, parse: () => ({}), run: async () => 'ok', ...extra } as CommandSpec);

describe('chat registries', () => {
  it('are built from the modules lists: commands point at use cases and take their permission and summary', () => {
    const r = buildBotRegistries(useCases);
    const issue = r.commands.get('出库')!;
    expect(issue.useCase).toBe('inventory.issue');
    expect(issue.permission).toBe(useCases.require('inventory.issue').permission);
    expect(issue.summary.startsWith(useCases.require('inventory.issue').summary)).toBe(true);
    expect(issue.module).toBe('inventory');
    // Every command with a use case resolves to it.
    for (const c of r.commands.all()) {
      if (c.useCase) expect(c.permission, c.name).toBe(useCases.require(c.useCase).permission);
      else expect(c.module, c.name).toBeNull();
    }
    expect([...r.events.keys()].sort()).toEqual(['card.action.trigger', 'im.message.receive_v1']);
    expect(r.useCases).toBe(useCases);
    expect(r.cards).toBeTruthy();
  });

  it('two builds are two values: nothing is shared through module state', () => {
    const a = buildBotRegistries(useCases);
    const b = buildBotRegistries(useCases);
    expect(a.commands).not.toBe(b.commands);
    expect(a.commands.all().map((c) => c.name)).toEqual(b.commands.all().map((c) => c.name));
  });

  it('refuse a name or an alias twice (case and spaces do not matter)', () => {
    expect(() => buildCommandRegistry(useCases, [...commandSpecs(), chatOnly('出库')])).toThrow(RegistryError);
    expect(() => buildCommandRegistry(useCases, [...commandSpecs(), chatOnly('新命令', { aliases: ['OUT'] })])).toThrow(/"out" registered twice/);
    expect(() => buildCommandRegistry(useCases, [chatOnly('盘点  开始'), chatOnly('盘点 开始')])).toThrow(/twice/);
  });

  it('refuse a command pointing at a use case that does not exist', () => {
    expect(() => buildCommandRegistry(useCases, [chatOnly('发货单', { useCase: 'sales.ship', summary: undefined })])).toThrow(/发货单.*unknown use case "sales\.ship"/);
    // The app's own commands against a registry missing one of their use cases: start fails.
    const without = buildUseCaseRegistry(ALL_USE_CASES.filter((u) => u.id !== 'inventory.issue'));
    expect(() => buildCommandRegistry(without)).toThrow(/"出库" points at unknown use case "inventory\.issue"/);
  });

  it('refuse a permission that disagrees with the use case, or any restated permission or summary', () => {
    expect(() => buildCommandRegistry(useCases, [chatOnly('出', { useCase: 'inventory.issue', summary: undefined, permission: 'stock.view' })])).toThrow(
      /"出" says permission "stock\.view" but its use case "inventory\.issue" needs "stock\.issue"/,
    );
    expect(() => buildCommandRegistry(useCases, [chatOnly('出', { useCase: 'inventory.issue', summary: undefined, permission: 'stock.issue' })])).toThrow(RegistryError);
    expect(() => buildCommandRegistry(useCases, [chatOnly('出', { useCase: 'inventory.issue' })])).toThrow(/summary is its use case's/);
    expect(() => buildCommandRegistry(useCases, [chatOnly('无说明', { summary: undefined })])).toThrow(/no summary/);
  });

  it('buildApp fails when the chat definitions contradict the use cases (start fails, nothing is served)', () => {
    const deps = { config: loadConfig({ LOG_LEVEL: 'silent' }), logger: silentLogger } as unknown as AppDeps;
    expect(() => buildFullApp(deps, { useCases: ALL_USE_CASES.filter((u) => u.id !== 'people.grant-role') })).toThrow(RegistryError);
    expect(() => buildFullApp(deps)).not.toThrow();
  });
});

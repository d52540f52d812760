/** The use-case registry refuses contradictory definitions when built (start fails), and the real list builds. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildUseCaseRegistry, RegistryError } from '../../src/kernel/use-case-registry.js';
import { defineUseCase, moduleOf, type AnyUseCase } from '../../src/kernel/use-case.js';
import { ALL_USE_CASES } from '../../src/use-cases.js';
import type { Permission } from '../../src/people/roles.js';

const uc = (over: Partial<AnyUseCase> = {}): AnyUseCase =>
  defineUseCase({
    id: 'inventory.demo-thing',
    kind: 'write',
    permission: 'stock.view',
    label: '示例',
    summary: '示例用例',
    input: z.object({}),
    run: async () => null,
    ...over,
  });

describe('use-case registry', () => {
  it('builds from every module and finds use cases by id and module', () => {
    const r = buildUseCaseRegistry(ALL_USE_CASES);
    expect(r.get('inventory.issue')?.label).toBe('出库');
    expect(r.modules()).toContain('inventory');
    expect(r.all().length).toBe(ALL_USE_CASES.length);
    expect(moduleOf(r.require('inventory.receive'))).toBe('inventory');
    expect(() => r.require('inventory.nope')).toThrow(RegistryError);
  });

  it.each([
    ['a duplicate id', [uc(), uc()], /defined twice/],
    ['a malformed id', [uc({ id: 'Demo Thing' })], /module\.action/],
    ['an undeclared module', [uc({ id: 'demo.thing' })], /not declared/],
    ['an unknown permission', [uc({ permission: 'stock.fly' as Permission })], /unknown permission/],
    ['an empty label', [uc({ label: ' ' })], /label/],
    ['a REST route bound twice', [uc({ rest: { method: 'post', path: '/things' } }), uc({ id: 'inventory.demo-other', rest: { method: 'post', path: '/things' } })], /bound twice/],
    ['a malformed REST path', [uc({ rest: { method: 'post', path: 'things' } })], /malformed/],
    ['a read bound to POST', [uc({ kind: 'read', rest: { method: 'post', path: '/things' } })], /GET/],
  ])('refuses %s', (_what, list, message) => {
    expect(() => buildUseCaseRegistry(list)).toThrow(RegistryError);
    expect(() => buildUseCaseRegistry(list)).toThrow(message);
  });
});

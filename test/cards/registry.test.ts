/**
 * The card registry is a value built once per app and validated when built: every broken
 * definition stops the build with a RegistryError naming it, instead of answering wrongly later.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildCardRegistry, CARD_MODULES } from '../../bot/cards/index.js';
import { read } from '../../bot/cards/fields.js';
import type { CardAction, CardFlow, CardForm, CardModule } from '../../bot/cards/registry.js';
import { card } from '../../bot/cards/card.js';
import { buildUseCaseRegistry, RegistryError } from '../../src/kernel/use-case-registry.js';
import { defineUseCase } from '../../src/kernel/use-case.js';
import type { Actor } from '../../src/people/roles.js';
import { cardRegistry } from './helpers.js';

const make = defineUseCase({
  id: 'purchasing.make',
  kind: 'write',
  permission: 'stock.receive',
  label: '制作',
  summary: '测试用',
  input: z.strictObject({
    to: z.string(),
    remark: z.string().optional(),
    lines: z.array(z.strictObject({ qty: z.string(), note: z.string().optional() })).min(1),
  }),
  run: async () => ({}),
});
const peek = defineUseCase({ id: 'sales.peek', kind: 'read', permission: 'stock.view', label: '查看', summary: '测试用', input: z.strictObject({}), run: async () => ({}) });
const useCases = buildUseCaseRegistry([make, peek]);

const view = () => card('x', 'blue', []);
const form = (over: Partial<CardForm> = {}): CardForm => ({
  name: 'make',
  title: '制作',
  useCase: 'purchasing.make',
  fields: { to: { path: 'to', read: read.text }, qty: { path: 'lines.qty', read: read.text }, note: { path: 'lines.note', read: read.opt } },
  load: async () => ({}),
  view,
  ...over,
});
const action = (over: Partial<CardAction> = {}): CardAction => ({ name: 'make.submit', useCase: 'purchasing.make', run: async () => ({}), ...over });
const flow = (over: Partial<CardFlow> = {}): CardFlow => ({
  name: 'make',
  useCase: 'purchasing.make',
  productRef: () => 1,
  setProduct: () => {},
  qty: () => '1',
  summary: async () => ({ card: view() }),
  ...over,
});
const mod = (m: Partial<CardModule>): CardModule => ({ module: 'purchasing', ...m });
const build = (...modules: CardModule[]) => buildCardRegistry(useCases, modules);

describe('buildCardRegistry', () => {
  it('builds a consistent definition, and the app\'s own modules over every use case', () => {
    const r = build(mod({ forms: [form()], actions: [action()], flows: [flow()], menu: [{ form: 'make', label: '制作' }] }));
    expect(r.form('make')?.name).toBe('make');
    expect(r.action('make.submit')?.name).toBe('make.submit');
    expect(r.flow('make')?.name).toBe('make');
    // Permission and module come from the use case, the label names it in refusals.
    expect(r.access(r.action('make.submit')!)).toEqual({ permission: 'stock.receive', label: '制作', module: 'purchasing' });
    const app = cardRegistry();
    expect(app.forms().length).toBeGreaterThan(5);
    expect(buildCardRegistry(app.useCases, CARD_MODULES).menu().map((m) => m.label)).toContain('多行入库');
  });

  const broken: [string, () => unknown, RegExp][] = [
    ['an action name twice', () => build(mod({ actions: [action()] }), mod({ module: 'x', actions: [action()] })), /card action "make.submit" defined twice/],
    ['a form name twice', () => build(mod({ forms: [form(), form()] })), /card form "make" defined twice/],
    ['a flow name twice', () => build(mod({ flows: [flow(), flow()] })), /card flow "make" defined twice/],
    ['an action pointing at an unknown use case', () => build(mod({ actions: [action({ useCase: 'purchasing.nothing' })] })), /card action "make.submit" points at unknown use case "purchasing.nothing"/],
    ['a form pointing at an unknown use case', () => build(mod({ forms: [form({ useCase: 'purchasing.nothing' })] })), /card form "make" points at unknown use case "purchasing.nothing"/],
    ['a flow pointing at an unknown use case', () => build(mod({ flows: [flow({ useCase: 'purchasing.nothing' })] })), /card flow "make" points at unknown use case/],
    [
      'a form field the schema does not know',
      () => build(mod({ forms: [form({ fields: { ...form().fields, colour: { path: 'lines.colour', read: read.opt } } })] })),
      /field "colour" → "lines\.colour", a key use case "purchasing\.make" does not know/,
    ],
    ['a form field on an unknown top-level key', () => build(mod({ forms: [form({ fields: { ...form().fields, when: { path: 'when', read: read.opt } } })] })), /field "when" → "when"/],
    [
      'a required key without a field',
      () => build(mod({ forms: [form({ fields: { qty: { path: 'lines.qty', read: read.text } } })] })),
      /use case "purchasing\.make" requires "to" and no field fills it/,
    ],
    [
      'a required line key without a field',
      () => build(mod({ forms: [form({ fields: { to: { path: 'to', read: read.text }, note: { path: 'lines.note', read: read.opt } } })] })),
      /requires "lines\.qty" and no field fills it/,
    ],
    ['fields on a form that runs no use case', () => build(mod({ forms: [form({ useCase: undefined, permission: 'stock.view' })] })), /declares fields but runs no use case/],
    ['an action restating a permission its use case has', () => build(mod({ actions: [action({ permission: 'stock.receive' })] })), /the permission is its use case's/],
    ['a flow with neither a use case nor a run of its own', () => build(mod({ flows: [flow({ useCase: undefined })] })), /runs no use case and has no run of its own/],
    ['a menu entry opening an unknown form', () => build(mod({ menu: [{ form: 'nothing', label: '空' }] })), /menu entry "空" opens unknown form "nothing"/],
    ['a menu entry running an unknown action', () => build(mod({ menu: [{ action: 'nothing', label: '空' }] })), /menu entry "空" runs unknown action "nothing"/],
    ['a menu label twice', () => build(mod({ forms: [form()], menu: [{ form: 'make', label: '制作' }, { form: 'make', label: '制作' }] })), /menu entry "制作" listed twice/],
  ];
  for (const [what, fn, msg] of broken) {
    it(`refuses ${what}`, () => {
      expect(fn).toThrow(RegistryError);
      expect(fn).toThrow(msg);
    });
  }

  it('the app\'s cards need their use cases: without inventory.receive the build stops', () => {
    const withoutReceive = buildUseCaseRegistry(cardRegistry().useCases.all().filter((u) => u.id !== 'inventory.receive'));
    expect(() => buildCardRegistry(withoutReceive)).toThrow(/points at unknown use case "inventory\.receive"/);
  });

  it('the menu is filtered per request: by permission, and by the modules switched off', () => {
    const r = build(
      mod({ forms: [form()], menu: [{ form: 'make', label: '制作' }] }),
      mod({ module: 'sales', actions: [action({ name: 'peek', useCase: 'sales.peek' })], menu: [{ action: 'peek', label: '查看' }] }),
    );
    const clerk: Actor = { userId: 2, openId: 'ou_c', name: null, role: 'clerk' };
    const viewer: Actor = { userId: 3, openId: 'ou_v', name: null, role: 'viewer' };
    const labels = (a: Actor, off: string[] = []) => r.menuFor(a, new Set(off)).map((m) => m.label);
    expect(labels(clerk)).toEqual(['制作', '查看']);
    expect(labels(viewer)).toEqual(['查看']);
    expect(labels(clerk, ['purchasing'])).toEqual(['查看']);
    expect(labels(clerk, ['purchasing', 'sales'])).toEqual([]);
    expect(r.menuFor(clerk, new Set())[0].value).toEqual({ a: 'open', f: 'make' });
  });
});

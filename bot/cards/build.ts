/**
 * buildCardRegistry: the modules' card values → one validated registry. Built once per app
 * (bot/registries.ts puts it on the event context); a definition that contradicts another or
 * the use cases stops the start with a RegistryError instead of answering wrongly later:
 * - an action, form or flow name twice;
 * - an action, form or flow pointing at a use case that does not exist;
 * - a form whose fields do not match its use case's canonical input (a field on a key the
 *   schema does not know, a required key no field fills, fields without a use case);
 * - a menu entry opening a form or action nobody defined.
 */
import { RegistryError, type UseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import { moduleOf } from '../../src/kernel/use-case.js';
import { can, type Actor } from '../../src/people/roles.js';
import { value } from './card.js';
import type { CardAction, CardFlow, CardForm, CardModule, CardRegistry, MenuButton, MenuEntry, ResolvedAccess } from './registry.js';
import { requiredPaths, schemaAt } from './schema-paths.js';

type Entry = CardAction | CardForm | CardFlow;

function checkFields(form: CardForm, useCases: UseCaseRegistry): void {
  if (!form.fields) return;
  if (!form.useCase) throw new RegistryError(`card form "${form.name}" declares fields but runs no use case`);
  const schema = useCases.require(form.useCase).input;
  const filled = new Set<string>();
  const prefixes = new Set<string>(['']);
  for (const [name, f] of Object.entries(form.fields)) {
    if (!schemaAt(schema, f.path)) throw new RegistryError(`card form "${form.name}": field "${name}" → "${f.path}", a key use case "${form.useCase}" does not know`);
    const keys = f.path.split('.');
    for (let i = 1; i <= keys.length; i++) filled.add(keys.slice(0, i).join('.'));
    for (let i = 1; i < keys.length; i++) prefixes.add(keys.slice(0, i).join('.'));
  }
  for (const prefix of prefixes) {
    for (const key of requiredPaths(schema, prefix)) {
      if (!filled.has(key)) throw new RegistryError(`card form "${form.name}": use case "${form.useCase}" requires "${key}" and no field fills it`);
    }
  }
}

/**
 * Build and validate the card registry over `useCases` from the modules' card values (see the
 * file comment for what is refused).
 */
export function buildCardRegistryFrom(useCases: UseCaseRegistry, modules: readonly CardModule[]): CardRegistry {
  const actions = new Map<string, CardAction>();
  const forms = new Map<string, CardForm>();
  const flows = new Map<string, CardFlow>();
  const moduleOfEntry = new Map<Entry, string>();
  const menu: MenuEntry[] = [];

  const add = <E extends Entry>(kind: string, map: Map<string, E>, e: E, module: string) => {
    if (map.has(e.name)) throw new RegistryError(`card ${kind} "${e.name}" defined twice`);
    if (e.useCase !== undefined && !useCases.get(e.useCase)) throw new RegistryError(`card ${kind} "${e.name}" points at unknown use case "${e.useCase}"`);
    if (e.useCase !== undefined && e.permission !== undefined) throw new RegistryError(`card ${kind} "${e.name}": the permission is its use case's, not its own`);
    map.set(e.name, e);
    moduleOfEntry.set(e, module);
  };
  for (const m of modules) {
    for (const a of m.actions ?? []) add('action', actions, a, m.module);
    for (const f of m.forms ?? []) add('form', forms, f, m.module);
    for (const f of m.flows ?? []) add('flow', flows, f, m.module);
    menu.push(...(m.menu ?? []));
  }
  for (const f of forms.values()) checkFields(f, useCases);
  for (const f of flows.values()) {
    if (!f.useCase && !f.run) throw new RegistryError(`card flow "${f.name}" runs no use case and has no run of its own`);
  }
  const labels = new Set<string>();
  for (const e of menu) {
    if (!!e.form === !!e.action) throw new RegistryError(`menu entry "${e.label}" must open one form or run one action`);
    if (e.form && !forms.has(e.form)) throw new RegistryError(`menu entry "${e.label}" opens unknown form "${e.form}"`);
    if (e.action && !actions.has(e.action)) throw new RegistryError(`menu entry "${e.label}" runs unknown action "${e.action}"`);
    if (labels.has(e.label)) throw new RegistryError(`menu entry "${e.label}" listed twice`);
    labels.add(e.label);
  }

  const access = (e: Entry): ResolvedAccess => {
    if (e.useCase) {
      const u = useCases.require(e.useCase);
      return { permission: u.permission, label: u.label, module: moduleOf(u) };
    }
    const module = e.module ?? moduleOfEntry.get(e) ?? '';
    return { permission: e.permission, label: undefined, module: module || null };
  };
  const target = (e: MenuEntry): Entry => (e.form ? forms.get(e.form)! : actions.get(e.action!)!);
  const allowed = (actor: Actor, disabled: ReadonlySet<string>, e: MenuEntry) => {
    const a = access(target(e));
    return (!a.permission || can(actor, a.permission)) && !(a.module && disabled.has(a.module));
  };
  const frozenMenu = Object.freeze(menu);
  const formList = Object.freeze([...forms.values()]);

  return {
    useCases,
    action: (name) => actions.get(name),
    form: (name) => forms.get(name),
    flow: (name) => flows.get(name),
    forms: () => formList,
    menu: () => frozenMenu,
    access,
    menuFor: (actor, disabled): MenuButton[] =>
      frozenMenu
        .filter((e) => allowed(actor, disabled, e))
        .map((e) => ({ label: e.label, value: e.form ? value('open', { f: e.form }) : value(e.action!), type: e.type ?? 'default' })),
  };
}

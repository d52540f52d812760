/**
 * The use-case registry: a value built once in buildApp from the modules' lists, validated
 * there (a mistake stops the start, it never surfaces as a wrong answer later), and filtered
 * per request when a module is switched off (never rebuilt).
 */
import { PERMISSIONS, type Permission } from '../people/roles.js';
import { MODULE_LABELS } from './modules.js';
import { moduleOf, type AnyUseCase } from './use-case.js';

const ID = /^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9-]*)+$/;
const REST_PATH = /^\/[a-z0-9-]+(?:\/(?:[a-z0-9-]+|\{[a-zA-Z]+\}))*$/;

/** Thrown by the builders when definitions contradict each other: start fails with this text. */
export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface UseCaseRegistry {
  /** Every use case, in the order the modules listed them. */
  all(): readonly AnyUseCase[];
  /** By id; undefined when unknown. */
  get(id: string): AnyUseCase | undefined;
  /** By id; throws RegistryError when unknown (a definition pointing at a missing use case). */
  require(id: string): AnyUseCase;
  /** Module names, in first-seen order ('inventory', 'people', …). */
  modules(): readonly string[];
}

/**
 * Build and validate. Refuses: a malformed id, an id twice, a module not in MODULE_LABELS, a permission not in
 * src/people/roles.ts PERMISSIONS, an empty label or summary, a REST path that is malformed or
 * bound twice (same method and path).
 */
export function buildUseCaseRegistry(list: readonly AnyUseCase[], permissions: readonly Permission[] = PERMISSIONS): UseCaseRegistry {
  const byId = new Map<string, AnyUseCase>();
  const routes = new Map<string, string>();
  const known = new Set<string>(permissions);
  for (const u of list) {
    if (!ID.test(u.id)) throw new RegistryError(`use case id "${u.id}" must look like "module.action" (lower case)`);
    if (byId.has(u.id)) throw new RegistryError(`use case "${u.id}" defined twice`);
    if (!(moduleOf(u) in MODULE_LABELS)) throw new RegistryError(`use case "${u.id}": module "${moduleOf(u)}" is not declared in src/kernel/modules.ts`);
    if (!known.has(u.permission)) throw new RegistryError(`use case "${u.id}" needs unknown permission "${u.permission}"`);
    if (!u.label.trim() || !u.summary.trim()) throw new RegistryError(`use case "${u.id}" needs a label and a summary`);
    if (u.rest) {
      if (!REST_PATH.test(u.rest.path)) throw new RegistryError(`use case "${u.id}": REST path "${u.rest.path}" is malformed`);
      const route = `${u.rest.method.toUpperCase()} ${u.rest.path}`;
      const other = routes.get(route);
      if (other) throw new RegistryError(`REST route ${route} bound twice: "${other}" and "${u.id}"`);
      routes.set(route, u.id);
      if (u.kind === 'read' && u.rest.method !== 'get') throw new RegistryError(`use case "${u.id}" only reads: bind it to GET`);
    }
    byId.set(u.id, u);
  }
  const all = Object.freeze([...list]);
  const modules = Object.freeze([...new Set(list.map(moduleOf))]);
  return {
    all: () => all,
    get: (id) => byId.get(id),
    require(id) {
      const u = byId.get(id);
      if (!u) throw new RegistryError(`no use case "${id}"`);
      return u;
    },
    modules: () => modules,
  };
}

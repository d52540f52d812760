/**
 * Walking a use case's canonical input schema by key path ('lines.qty'), for the check that a
 * form's fields match the schema (build.ts). Wrappers (optional, nullable, default, pipe from a
 * transform…) are looked through; a list is entered through its item schema.
 */
import type { z } from 'zod';

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; getter?: () => z.ZodType };

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

/** The schema under the wrappers: an object, an array, a string… */
function core(s: z.ZodType): { schema: z.ZodType; def: Def } {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const def = (cur as unknown as { _zod: { def: Def } })._zod.def;
    if (WRAPPERS.has(def.type) && def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else if (def.type === 'lazy' && def.getter) cur = def.getter();
    else return { schema: cur, def };
  }
  return { schema: cur, def: (cur as unknown as { _zod: { def: Def } })._zod.def };
}

/** The keys of an object schema (after wrappers and through lists), or null when it is no object. */
export function objectShape(s: z.ZodType): Record<string, z.ZodType> | null {
  let { def } = core(s);
  if (def.type === 'array' && def.element) def = core(def.element).def;
  return def.type === 'object' && def.shape ? def.shape : null;
}

/** The schema at `path` ('lines.qty'), or null when a key on the way is unknown. */
export function schemaAt(root: z.ZodType, path: string): z.ZodType | null {
  let cur: z.ZodType = root;
  for (const key of path.split('.')) {
    const shape = objectShape(cur);
    if (!shape || !(key in shape)) return null;
    cur = shape[key];
  }
  return cur;
}

/** A key the input must have: the schema refuses it absent (no optional, no default). */
export function isRequired(s: z.ZodType): boolean {
  return !s.safeParse(undefined).success;
}

/**
 * Required keys of the object at `prefix` ('' = the root, 'lines' = a line), as full paths.
 * Only objects the form reaches are asked about (a field under 'lines.' reaches 'lines').
 */
export function requiredPaths(root: z.ZodType, prefix: string): string[] {
  const at = prefix ? schemaAt(root, prefix) : root;
  const shape = at ? objectShape(at) : null;
  if (!shape) return [];
  return Object.entries(shape)
    .filter(([, s]) => isRequired(s))
    .map(([k]) => (prefix ? `${prefix}.${k}` : k));
}

/** True when the key at `path` holds a list (its fields are entered through the first item). */
export function isListAt(root: z.ZodType, path: string): boolean {
  const s = schemaAt(root, path);
  return !!s && core(s).def.type === 'array';
}

/**
 * A REST request → the use case's input object. Path parameters (`/documents/{docNo}`) and,
 * for GET and DELETE, query parameters are merged into the input; POST, PUT and PATCH take a
 * JSON object body (path parameters are merged into it). The use case's canonical schema then
 * validates everything, so a mistake in any part comes back as one invalid_input problem.
 *
 * Query strings only carry text, so each value is converted by the type of the field it
 * fills in the input schema (nothing is guessed for unknown fields):
 * - number fields: "20" → 20 (z.coerce fields are left to zod);
 * - boolean fields: true/false, 1/0, yes/no, 是/否;
 * - array fields: repeat the key (`?sku=A&sku=B`; `sku[]=A` works too); one value is a one-item
 *   list; items are converted by the array's element type;
 * - fields that accept text (strings, enums, and id-or-code references) stay text: in a query
 *   string a reference is its code or name;
 * - an empty value (`?cursor=`) counts as absent;
 * - nested objects cannot be written in a query string.
 */
import type { z } from 'zod';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** The schema under wrappers that do not change what a query value must look like. */
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const d = defOf(cur);
    if (['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional'].includes(d.type)) cur = d.innerType as z.ZodType;
    else if (d.type === 'pipe') cur = d.in as z.ZodType;
    else if (d.type === 'lazy') cur = (d.getter as () => z.ZodType)();
    else return cur;
  }
  return cur;
}

/** The fields of an object schema (under wrappers), or null when the input is not an object. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  const s = unwrap(schema);
  const d = defOf(s);
  return d.type === 'object' ? (d.shape as Record<string, z.ZodType>) : null;
}

/** Whether the object schema refuses unknown keys (z.strictObject). */
export function isStrictObject(schema: z.ZodType): boolean {
  const d = defOf(unwrap(schema));
  return d.type === 'object' && !!d.catchall && defOf(d.catchall).type === 'never';
}

type Scalar = 'number' | 'boolean' | 'text' | 'other';

function scalarOf(s: z.ZodType): Scalar {
  const d = defOf(unwrap(s));
  switch (d.type) {
    case 'number':
      return d.coerce ? 'text' : 'number';
    case 'boolean':
      return d.coerce ? 'text' : 'boolean';
    case 'string':
    case 'enum':
    case 'template_literal':
    case 'bigint':
    case 'date':
      return 'text';
    case 'literal': {
      const v = (d.values as unknown[])[0];
      return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'text';
    }
    case 'union': {
      const kinds = (d.options as z.ZodType[]).map(scalarOf);
      if (kinds.includes('text')) return 'text';
      return kinds.find((k) => k !== 'other') ?? 'other';
    }
    default:
      return 'other';
  }
}

const TRUE = new Set(['true', '1', 'yes', '是']);
const FALSE = new Set(['false', '0', 'no', '否']);

function convert(v: string, kind: Scalar): unknown {
  if (kind === 'number' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  if (kind === 'boolean') {
    const t = v.trim().toLowerCase();
    if (TRUE.has(t)) return true;
    if (FALSE.has(t)) return false;
  }
  // Anything else stays as written: the schema names the field and the rule.
  return v;
}

/**
 * Text values (a query string's `key → values`, or path parameters) → input fields typed by
 * `schema` (see the file comment).
 */
export function fromTextParams(schema: z.ZodType, params: Record<string, string[]>): Record<string, unknown> {
  const shape = objectShape(schema) ?? {};
  const grouped = new Map<string, string[]>();
  for (const [rawKey, rawValues] of Object.entries(params)) {
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
    grouped.set(key, [...(grouped.get(key) ?? []), ...rawValues.filter((v) => v !== '')]);
  }
  const out: Record<string, unknown> = {};
  for (const [key, values] of grouped) {
    if (values.length === 0) continue;
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    const d = field ? defOf(unwrap(field)) : undefined;
    if (d?.type === 'array') {
      const kind = scalarOf(d.element as z.ZodType);
      out[key] = values.map((v) => convert(v, kind));
    } else {
      // A repeated key for a single-valued field: the list goes to zod, which names the field.
      out[key] = values.length === 1 ? convert(values[0], field ? scalarOf(field) : 'text') : values;
    }
  }
  return out;
}

/** A field that takes an id or a text reference (kernel refOf: integer | text). */
function isReference(s: z.ZodType): boolean {
  const d = defOf(unwrap(s));
  if (d.type !== 'union') return false;
  const kinds = (d.options as z.ZodType[]).map((o) => defOf(unwrap(o)).type);
  return kinds.includes('number') && kinds.includes('string');
}

/** Whether `value` (JSON, read along `schema`) holds a reference written as text anywhere. */
function hasTextReference(schema: z.ZodType, value: unknown): boolean {
  if (isReference(schema)) return typeof value === 'string';
  const d = defOf(unwrap(schema));
  if (d.type === 'array' && Array.isArray(value)) return value.some((v) => hasTextReference(d.element as z.ZodType, v));
  if (d.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    const shape = d.shape as Record<string, z.ZodType>;
    return Object.entries(value).some(([k, v]) => Object.hasOwn(shape, k) && hasTextReference(shape[k], v));
  }
  return false;
}

/**
 * How the use case reads the request's text references (kernel ReferenceMode): always exactly;
 * digits may also be an id ('exact-or-id') only when no text reference came in the JSON body —
 * in a URL an id can only be text, in JSON it is a number, so "5" there is a code and nothing else.
 */
export function referenceModeOf(schema: z.ZodType, body: Record<string, unknown> | null): 'exact' | 'exact-or-id' {
  return body && hasTextReference(schema, body) ? 'exact' : 'exact-or-id';
}

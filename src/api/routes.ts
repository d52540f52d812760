/**
 * HTTP rules every REST-bound use case follows (nothing here names a use case):
 * - read use cases are GET (the registry enforces it) and need scope '<module>:read';
 *   write use cases need '<module>:write' and an Idempotency-Key;
 * - success status: the binding's `status`, else 201 for a write on POST, else 200;
 * - POST, PUT and PATCH take a JSON body; GET and DELETE take query parameters.
 */
import type { RestBinding } from '../kernel/use-case.js';
import type { AnyUseCase } from '../kernel/use-case.js';
import type { Access } from '../people/tokens.js';

/** Scope access a use case needs. */
export const accessOf = (u: AnyUseCase): Access => (u.kind === 'write' ? 'write' : 'read');

/** Methods whose input comes in a JSON body. */
export const bodyMethod = (m: RestBinding['method']) => m === 'post' || m === 'put' || m === 'patch';

export const successStatus = (u: AnyUseCase): number => u.rest?.status ?? (u.kind === 'write' && u.rest?.method === 'post' ? 201 : 200);

/** '/documents/{docNo}/reversal' → ['docNo']. */
export const pathParams = (path: string): string[] => [...path.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1]);

/** OpenAPI path → Hono path ('/documents/{docNo}' → '/documents/:docNo'). */
export const honoPath = (path: string) => path.replace(/\{([a-zA-Z]+)\}/g, ':$1');

/** A matcher of a binding's path (for 405: the path exists under another method). */
export function pathMatcher(path: string): RegExp {
  const re = path
    .split(/(\{[a-zA-Z]+\})/)
    .map((part) => (/^\{[a-zA-Z]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}/?$`);
}

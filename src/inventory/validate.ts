import type { z } from 'zod';
import { DomainError } from '../errors.js';

/** Validate service input; the message lists each problem with its field path. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const msgs = r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  throw new DomainError('invalid_input', `输入有误：${msgs.join('；')}`, { issues: r.error.issues });
}

import { Hono } from 'hono';
import type { AppDeps } from '../src/deps.js';

// Replaced by the webhook implementation (issue 4).
export function feishuRoutes(_deps: AppDeps): Hono {
  return new Hono();
}

/**
 * Who sees costs: THE filter every output showing cost or profit goes through. An actor
 * without 'cost.view' (src/people/roles.ts: sales, viewer) gets the same result with the cost
 * fields left out — unit and average costs, stock values, document values (COGS), purchase
 * prices, stocktake gain/loss values, cost-adjustment amounts — at any depth. Quantities,
 * names and sale prices stay. Use cases call it on their result; chat and card renderers call
 * it on the service result before rendering (and must not print a field that is absent).
 */
import { canSeeCost, type Actor } from '../../people/roles.js';

/**
 * The keys that carry cost (fen, fen per base unit), wherever they appear in a result. One
 * list: a new output with a cost field either names it like these or adds it here.
 */
export const COST_FIELDS = [
  'unitCost',
  'avgCost',
  'valueFen',
  'totalValueFen',
  'purchasePriceFen',
  'enteredUnitPrice',
  'varianceValueFen',
  'totalGainFen',
  'totalLossFen',
  'diffFen',
  'unitCostFen',
  'originalUnitCost',
] as const;
export type CostField = (typeof COST_FIELDS)[number];

const COST = new Set<string>(COST_FIELDS);

/** `T` as an actor without cost.view may receive it: every cost field optional, at any depth. */
export type CostFiltered<T> = T extends readonly (infer U)[]
  ? CostFiltered<U>[]
  : T extends object
    ? { [K in keyof T as K extends CostField ? never : K]: CostFiltered<T[K]> } & { [K in keyof T as K extends CostField ? K : never]?: T[K] }
    : T;

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!COST.has(k)) out[k] = strip(x);
  return out;
}

/**
 * `result` for `actor`: unchanged (the same object) when they may see costs, else a copy
 * without the cost fields (plain objects and arrays are copied; other values are kept as they are).
 */
export function costFiltered<T>(actor: Actor, result: T): CostFiltered<T> {
  return (canSeeCost(actor) ? result : strip(result)) as CostFiltered<T>;
}

/**
 * The card (and chat-picker) normaliser in front of the canonical use-case schemas
 * (src/kernel/canonical.ts): what people type becomes canonical text where it can be written
 * so, by THE kernel rule every human adapter shares (src/kernel/human-input.ts: full-width
 * digits, "1,000" → "1000", 十箱 → "10箱", "¥6.5元/箱" → "6.5/箱"), and an amount in fen → yuan
 * text. What cannot be written so is left as typed: the product-aware check (units.ts
 * parseQuantity, prices.ts) that runs next explains it in the user's words ("数量「2,5」看不懂：
 * 小数请用点号…"). A normaliser never writes.
 */
import { fenToYuan } from '../../src/shared/money.js';
import { FIELD_KIND, humanMoney, humanQty, humanValue } from '../../src/kernel/human-input.js';

const QTY = /^\d{1,15}(\.\d{1,6})?\s*(\p{L}{1,10}(\s*\d{1,15}(\.\d{1,6})?\s*\p{L}{1,10})?)?$/u;
const PRICE = /^\d{1,11}(\.\d{1,6})?(\/[^\s/]{1,10})?$/;

/** A quantity as typed → canonical quantity text ("１,０００" → "1000", "十箱" → "10箱"), or as typed. */
export function canonicalQty(typed: string | number): string {
  const raw = String(typed).trim();
  const s = humanQty(raw);
  return QTY.test(s) ? s : raw;
}

/** A unit price as typed ("¥6.5元 / 箱") → canonical ("6.5/箱"), or as typed. */
export function canonicalPrice(typed: string): string {
  const raw = typed.trim();
  const s = humanMoney(raw);
  return PRICE.test(s) ? s : raw;
}

/**
 * A form's values as typed → each declared field's text normalised by the kind of the schema
 * key it lands on (its path's last key: 'lines.qty' → qty; src/kernel/human-input.ts
 * FIELD_KIND), before the field readers see them: "２" in 数量, "¥６.５" in 采购价 and "Ａ００１"
 * in 商品 read as 2, 6.5 and A001, as they do in chat. Fields without a kind are kept.
 */
export function humanForm(fields: Readonly<Record<string, { path: string }>>, fv: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fv };
  for (const [name, f] of Object.entries(fields)) {
    const kind = FIELD_KIND[f.path.slice(f.path.lastIndexOf('.') + 1)];
    const v = fv[name];
    if (kind && typeof v === 'string') out[name] = humanValue(kind, v);
  }
  return out;
}

/** A line amount in whole fen → canonical yuan text ("1300" → "13.00"). */
export const canonicalAmount = (fen: bigint | string | number): string => fenToYuan(fen);

type Line = Record<string, unknown> & { qty?: unknown; unitPrice?: unknown; amountFen?: unknown; amount?: unknown };

/**
 * A posting's input in the services' shape (what chat commands parse today: amountFen, numbers,
 * prices as typed, an idempotencyKey) or already canonical → the canonical input of
 * inventory.receive / issue / transfer. Idempotent: canonical input comes back equal.
 */
export function canonicalPosting<T extends object>(input: T): Record<string, unknown> {
  const { idempotencyKey: _k, confirmed: _c, ...rest } = input as Record<string, unknown>;
  const lines = Array.isArray(rest.lines) ? (rest.lines as Line[]) : undefined;
  if (!lines) return rest;
  return {
    ...rest,
    lines: lines.map((l) => {
      const { amountFen, ...line } = l;
      const out: Line = { ...line };
      if (l.qty !== undefined) out.qty = canonicalQty(l.qty as string | number);
      if (typeof l.unitPrice === 'string') out.unitPrice = canonicalPrice(l.unitPrice);
      if (amountFen !== undefined && amountFen !== null && l.amount === undefined) out.amount = canonicalAmount(amountFen as bigint | string);
      for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
      return out;
    }),
  };
}

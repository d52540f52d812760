/**
 * The card (and chat-picker) normaliser in front of the canonical use-case schemas
 * (src/kernel/canonical.ts): what people type becomes canonical text where it can be written
 * so — thousands separators dropped ("1,000" → "1000"), full-width digits and spaces tidied,
 * "¥6.5元/箱" → "6.5/箱", an amount in fen → yuan text. What cannot be written so is left as
 * typed: the product-aware check (units.ts parseQuantity, prices.ts) that runs next explains it
 * in the user's words ("数量「2,5」看不懂：小数请用点号…"). A normaliser never writes.
 */
import { fenToYuan } from '../../src/shared/money.js';
import { NumberCommaError, stripThousands } from '../../src/shared/decimal.js';
import { splitPriceText } from '../../src/inventory/prices.js';

const QTY = /^\d{1,15}(\.\d{1,6})?\s*(\p{L}{1,10}(\s*\d{1,15}(\.\d{1,6})?\s*\p{L}{1,10})?)?$/u;
const YUAN = /^\d{1,11}(\.\d{1,6})?$/;

/** Full-width digits, point, comma and space → ASCII. */
function halfWidth(s: string): string {
  return s.replace(/[\uFF10-\uFF19\uFF0E\u3000]/g, (ch) => (ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0)));
}

function withoutThousands(s: string): string | null {
  try {
    return stripThousands(s);
  } catch (e) {
    if (e instanceof NumberCommaError) return null;
    throw e;
  }
}

/** A quantity as typed → canonical quantity text ("1,000" → "1000"), or as typed. */
export function canonicalQty(typed: string | number): string {
  const raw = String(typed).trim();
  const s = withoutThousands(halfWidth(raw).replace(/\s+/g, ' '));
  return s !== null && QTY.test(s) ? s : raw;
}

/** Yuan as typed ("¥1,200.5元") → "1200.5", or null when it is not plain yuan. */
function yuanText(typed: string): string | null {
  const s = withoutThousands(halfWidth(typed).trim().replace(/^[¥￥]\s*/, '').replace(/\s*(?:元|块钱)$/, ''));
  return s !== null && YUAN.test(s) ? s : null;
}

/** A unit price as typed ("¥6.5元 / 箱") → canonical ("6.5/箱"), or as typed. */
export function canonicalPrice(typed: string): string {
  const raw = typed.trim();
  const { yuan, unit } = splitPriceText(raw);
  const y = yuanText(yuan);
  if (y === null) return raw;
  if (unit === null) return y;
  const u = unit.trim();
  return u && !/\s/.test(u) && u.length <= 10 ? `${y}/${u}` : raw;
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

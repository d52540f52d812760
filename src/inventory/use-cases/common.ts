/**
 * Canonical pieces the inventory use cases share beyond src/kernel/canonical.ts: time-range
 * bounds, decimal text for quantity-like fields, stocktake references, and the business-time
 * rule. (Yes/no filters are plain booleans: the REST adapter converts query text by field type.)
 */
import { z } from 'zod';
import { timeOf } from '../../kernel/canonical.js';
import type { UseCaseContext } from '../../kernel/use-case.js';

/** A time-range bound: a business day "2026-11-25" (in the app's time zone) or an ISO instant with offset. */
export const timeBound = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: '时间写成 2026-11-25（按营业日）或 2026-11-25T09:30:00+08:00' })
  .describe('营业日 YYYY-MM-DD（应用时区）或 ISO 8601 时间（带时区）');

/** A non-negative decimal as text, ≤ 6 decimals ("24", "0.5"): safety stock, pack factor. */
export const decimalText = z
  .string()
  .trim()
  .regex(/^\d{1,14}(\.\d{1,6})?$/, '写成十进制数，例如 24 或 0.5（最多 6 位小数）')
  .describe('十进制文本，最多 6 位小数，例如 "24"、"0.5"');

/**
 * A unit price in yuan per BASE unit, ≤ 6 decimals ("6.5", "0.002"): kernel yuanPrice without
 * its "/箱" form, because a product's price and a corrected average are per base unit.
 */
export const baseUnitPrice = z
  .string()
  .trim()
  .regex(/^\d{1,11}(\.\d{1,6})?$/, '格式不对：写成 6.5 或 0.002（元/基本单位，最多 6 位小数）')
  .describe('单价（元/基本单位，最多 6 位小数），例如 "6.5"、"0.002"');

/**
 * A stocktake by id or by its number (PD20261125-0001). Digits as text are the id (a REST path
 * carries text; a stocktake number always starts with PD, so nothing is ambiguous).
 */
export const stocktakeRef = z
  .union([z.number().int().positive(), z.string().trim().min(1, '请填写盘点单').max(40)])
  .transform((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v))
  .describe('盘点单：id（整数）或单号，例如 PD20261125-0001');

/** Business time of a write: as given, else the unit of work's clock (never a service's own). */
export const businessTimeOf = (ctx: UseCaseContext, iso: string | undefined): Date => timeOf(iso) ?? ctx.now;

/**
 * The whole domain's schema, as far as it can be foreseen.
 *
 * Conventions (why they matter):
 * - Money is integer fen in `bigint` columns (mode 'bigint' in JS): no float ever touches money.
 * - Quantities are Postgres `numeric(20,6)` in the product's base unit, read as strings and
 *   handled with decimal.js: exact, and a pack unit (1 箱 = 24 个) is converted before storage.
 * - Unit costs are `numeric(24,6)` fen per base unit: an average cost is rarely whole fen, but
 *   every *value* posted to the ledger is whole fen (see src/inventory/valuation.ts).
 * - Posted rows (documents, stock_moves, payments, finance_entries, audit_log) are append-only;
 *   corrections are reversal documents that point at the original.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  pgSequence,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const qty = (name: string) => numeric(name, { precision: 20, scale: 6 });
const cost = (name: string) => numeric(name, { precision: 24, scale: 6 });
const fen = (name: string) => bigint(name, { mode: 'bigint' });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

// ───────────────────────────── people ─────────────────────────────

/** Feishu users known to the bot. Role names: admin, manager, clerk, purchaser, sales, viewer. */
export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  openId: text('open_id').notNull().unique(),
  name: text('name'),
  /**
   * When `name` was last read from Feishu's contact API (src/people/contact-names.ts); null:
   * never (a name typed by an admin or taken from an @mention is kept until a read succeeds).
   */
  nameFetchedAt: ts('name_fetched_at'),
  role: text('role').notNull().default('viewer'),
  active: boolean('active').notNull().default(true),
  /** Last warehouse used: preselected in forms and implied by commands without @仓库. */
  lastWarehouseId: integer('last_warehouse_id'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Role → permission overrides (defaults live in src/people/roles.ts). */
export const roles = pgTable('roles', {
  name: text('name').primaryKey(),
  label: text('label').notNull(),
  permissions: jsonb('permissions').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
});

/** REST API tokens for ERP/CRM integration (hash only). */
/**
 * REST bearer tokens (src/api). Only the SHA-256 of a token is stored; the plain token is shown
 * once at creation. `scopes` are '<module>:read' / '<module>:write' (write implies read);
 * `prefix` (the first characters) lets admins tell tokens apart in 令牌 列表. A token acts as
 * `userId` (the admin who created it) limited to its scopes.
 */
export const apiTokens = pgTable('api_tokens', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  prefix: text('prefix').notNull().default(''),
  scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
  userId: integer('user_id').notNull().references(() => users.id),
  createdAt: createdAt(),
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
  revokedBy: integer('revoked_by').references(() => users.id),
});

/**
 * Documents saved but not posted (a purchase order being filled in over several cards). A draft
 * is private data of its use case (`kind` = the use-case id that posts it); posting it is a
 * separate use case that reads it and marks it posted in the same unit of work.
 */
export const drafts = pgTable(
  'drafts',
  {
    id: serial('id').primaryKey(),
    kind: text('kind').notNull(),
    ownerId: integer('owner_id').references(() => users.id),
    data: jsonb('data').notNull(),
    status: text('status', { enum: ['draft', 'posted', 'discarded'] }).notNull().default('draft'),
    postedRef: text('posted_ref'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('drafts_owner_kind_idx').on(t.ownerId, t.kind, t.status)],
);

// ───────────────────────────── master data ─────────────────────────────

export const warehouses = pgTable(
  'warehouses',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull().unique(),
    isDefault: boolean('is_default').notNull().default(false),
    archived: boolean('archived').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('warehouses_one_default').on(t.isDefault).where(sql`${t.isDefault}`)],
);

export const suppliers = pgTable('suppliers', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull().unique(),
  contact: text('contact'),
  phone: text('phone'),
  address: text('address'),
  /** 资质: licences, certificates, with expiry dates. */
  qualifications: jsonb('qualifications').$type<{ name: string; expiresOn?: string }[]>().notNull().default(sql`'[]'::jsonb`),
  /** 信用评价 A/B/C/D, maintained by purchasing. */
  creditRating: text('credit_rating'),
  paymentTermsDays: integer('payment_terms_days').notNull().default(30),
  archived: boolean('archived').notNull().default(false),
  searchText: text('search_text').notNull().default(''),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const customers = pgTable('customers', {
  id: serial('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull().unique(),
  contact: text('contact'),
  phone: text('phone'),
  address: text('address'),
  creditLimitFen: fen('credit_limit_fen').notNull().default(sql`0`),
  paymentTermsDays: integer('payment_terms_days').notNull().default(30),
  archived: boolean('archived').notNull().default(false),
  searchText: text('search_text').notNull().default(''),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const products = pgTable(
  'products',
  {
    id: serial('id').primaryKey(),
    sku: text('sku').notNull().unique(),
    barcode: text('barcode').unique(),
    name: text('name').notNull(),
    model: text('model'),
    spec: text('spec'),
    category: text('category'),
    baseUnit: text('base_unit').notNull().default('个'),
    packUnit: text('pack_unit'),
    /** How many base units one pack unit holds (1 箱 = 24 个). */
    packFactor: qty('pack_factor'),
    /**
     * Default prices, fen per BASE unit with up to 6 decimals (¥0.002 = 0.2 fen): electronic parts
     * cost less than a fen each. Line amounts are round-half-up(qty × price) to whole fen.
     */
    purchasePriceFen: cost('purchase_price_fen'),
    salePriceFen: cost('sale_price_fen'),
    /**
     * Decimal places a quantity of this product may have (0–6). Null: the base unit's default
     * (个/台/箱/pcs 0, 千克/米/升 3; src/inventory/units.ts).
     */
    qtyDecimals: integer('qty_decimals'),
    safetyStock: qty('safety_stock').notNull().default('0'),
    leadTimeDays: integer('lead_time_days').notNull().default(0),
    preferredSupplierId: integer('preferred_supplier_id').references(() => suppliers.id),
    batchTracked: boolean('batch_tracked').notNull().default(false),
    /**
     * Other names people use for the product (别名: "杜邦线20", "M3螺丝"): matched exactly like the
     * name when a command names a product, and part of the search haystack.
     */
    aliases: jsonb('aliases').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /**
     * The product's own unit spellings (单位别名), alias → one of its units: {"pcs": "个", "条": "根"}.
     * Added to the common synonyms (src/inventory/units.ts) when a quantity of this product is read.
     */
    unitAliases: jsonb('unit_aliases').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    /** name + model + spec + pinyin (full and initials), lower-cased: the fuzzy-search haystack. */
    searchText: text('search_text').notNull().default(''),
    archivedAt: ts('archived_at'),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('products_name_idx').on(t.name),
    // resolveProduct and the issue fast path look SKUs up case-insensitively (every chat 出库).
    index('products_sku_lower_idx').on(sql`lower(${t.sku})`),
    check('products_pack_factor_positive', sql`${t.packFactor} is null or ${t.packFactor} > 0`),
    check('products_safety_stock_nonneg', sql`${t.safetyStock} >= 0`),
    check('products_qty_decimals_range', sql`${t.qtyDecimals} is null or ${t.qtyDecimals} between 0 and 6`),
  ],
);

/**
 * Batches (批次). Every balance row names a batch; products that are not batch-tracked
 * keep their stock in one implicit batch whose batch_no is '' so the ledger has one shape.
 */
export const batches = pgTable(
  'batches',
  {
    id: serial('id').primaryKey(),
    productId: integer('product_id').notNull().references(() => products.id),
    batchNo: text('batch_no').notNull(),
    /** First receipt time: the FIFO key for issues without a batch. */
    receivedAt: ts('received_at').notNull().defaultNow(),
    expiresOn: text('expires_on'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('batches_product_batch_no').on(t.productId, t.batchNo)],
);

// ───────────────────────────── inventory ledger ─────────────────────────────

/**
 * A posted stock document: receipt, issue, transfer, stocktake posting, opening balance,
 * reversal. Header of one or more stock_moves. Never updated except for the one-time
 * `reversed_by_doc_id` link written in the reversal's own transaction.
 */
export const documents = pgTable(
  'documents',
  {
    id: serial('id').primaryKey(),
    docNo: text('doc_no').notNull().unique(),
    /** purchase_receipt | production_receipt | sales_issue | internal_issue | transfer | stocktake | opening | reversal | … */
    kind: text('kind').notNull(),
    warehouseId: integer('warehouse_id').references(() => warehouses.id),
    toWarehouseId: integer('to_warehouse_id').references(() => warehouses.id),
    actorId: integer('actor_id').references(() => users.id),
    businessTime: ts('business_time').notNull().defaultNow(),
    remark: text('remark'),
    /** The posting's idempotency key (event id, card token, REST Idempotency-Key). */
    idempotencyKey: text('idempotency_key').unique(),
    reversesDocId: integer('reverses_doc_id'),
    reversedByDocId: integer('reversed_by_doc_id'),
    /** What business document this posting fulfils: purchase_order, sales_order, stocktake… */
    sourceType: text('source_type'),
    sourceId: integer('source_id'),
    partyType: text('party_type'),
    partyId: integer('party_id'),
    totalValueFen: fen('total_value_fen').notNull().default(sql`0`),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('documents_reverses_once').on(t.reversesDocId).where(sql`${t.reversesDocId} is not null`),
    index('documents_source_idx').on(t.sourceType, t.sourceId),
    index('documents_business_time_idx').on(t.businessTime),
  ],
);

/** The append-only ledger. Sum(qty) per (product, warehouse, batch) = stock_balances.qty. */
export const stockMoves = pgTable(
  'stock_moves',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    documentId: integer('document_id').notNull().references(() => documents.id),
    lineNo: integer('line_no').notNull(),
    kind: text('kind').notNull(),
    productId: integer('product_id').notNull().references(() => products.id),
    warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
    batchId: integer('batch_id').notNull().references(() => batches.id),
    /** Signed, base unit: + in, − out. */
    qty: qty('qty').notNull(),
    /** Fen per base unit (informational; value_fen is authoritative). */
    unitCost: cost('unit_cost').notNull(),
    /** Signed whole fen; sum over a product = its stock value. */
    valueFen: fen('value_fen').notNull(),
    actorId: integer('actor_id').references(() => users.id),
    businessTime: ts('business_time').notNull(),
    recordedAt: ts('recorded_at').notNull().defaultNow(),
    reversesMoveId: bigint('reverses_move_id', { mode: 'number' }),
    /**
     * The product as it was when posted (history stays true after a rename or a new pack
     * size): SKU, name, base unit, pack unit and base units per pack unit.
     */
    sku: text('sku'),
    productName: text('product_name'),
    baseUnit: text('base_unit'),
    packUnit: text('pack_unit'),
    packFactor: qty('pack_factor'),
    /** The quantity as the user wrote it ("2箱3个"), when it came from a person. */
    enteredQty: text('entered_qty'),
    /** The unit price the user gave, fen per base unit (6 dp), when one was given. */
    enteredUnitPrice: cost('entered_unit_price'),
    /**
     * A sales issue's selling price (出库 … 售价=…), fen per base unit (6 dp), and the line's sales
     * amount in whole fen (round-half-up of qty × price): kept on the document until sales
     * orders carry it. Null when no price was given, and on every other kind of move.
     */
    salePrice: cost('sale_price'),
    saleAmountFen: fen('sale_amount_fen'),
  },
  (t) => [
    index('stock_moves_product_idx').on(t.productId, t.warehouseId, t.batchId),
    index('stock_moves_document_idx').on(t.documentId),
    index('stock_moves_business_time_idx').on(t.businessTime),
    // "The product's last N moves of a kind" (src/inventory/history.ts), read before every chat posting.
    index('stock_moves_product_kind_idx').on(t.productId, t.kind, t.id),
    // A cost adjustment (成本调整) moves value only: its qty is 0. Every other move moves goods.
    check('stock_moves_qty_nonzero', sql`${t.qty} <> 0 or ${t.kind} = 'cost_adjustment'`),
  ],
);

/** Balance per (product, warehouse, batch), maintained in the posting transaction. */
export const stockBalances = pgTable(
  'stock_balances',
  {
    productId: integer('product_id').notNull().references(() => products.id),
    warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
    batchId: integer('batch_id').notNull().references(() => batches.id),
    qty: qty('qty').notNull().default('0'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    lastMoveId: bigint('last_move_id', { mode: 'number' }),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.warehouseId, t.batchId] }),
    // The last line of defence: two clerks selling the last unit can never both win.
    check('stock_balances_qty_nonneg', sql`${t.qty} >= 0`),
  ],
);

/** Moving weighted average per product: qty and value on hand across warehouses. */
export const stockValuations = pgTable(
  'stock_valuations',
  {
    productId: integer('product_id').primaryKey().references(() => products.id),
    qty: qty('qty').notNull().default('0'),
    valueFen: fen('value_fen').notNull().default(sql`0`),
    /** Current average cost, fen per base unit (value/qty, or the last cost when qty is 0). */
    avgCost: cost('avg_cost').notNull().default('0'),
    /**
     * The range of unit costs (fen per base unit) that entered since the quantity was last zero,
     * cost adjustments included; null while nothing entered. The average must stay inside it
     * (DOMAIN.md valuation rules; src/inventory/valuation.ts).
     */
    minCost: cost('min_cost'),
    maxCost: cost('max_cost'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('stock_valuations_qty_nonneg', sql`${t.qty} >= 0`),
    check('stock_valuations_value_nonneg', sql`${t.valueFen} >= 0`),
  ],
);

/**
 * An optional safety stock per (product, warehouse), for per-warehouse low-stock lists. The
 * product's own safety_stock applies to its total across warehouses (src/inventory/lowstock.ts).
 */
export const warehouseSafetyStocks = pgTable(
  'warehouse_safety_stocks',
  {
    productId: integer('product_id').notNull().references(() => products.id),
    warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
    /** Base unit; 0 is never low. */
    safetyStock: qty('safety_stock').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.warehouseId] }), check('warehouse_safety_stocks_nonneg', sql`${t.safetyStock} >= 0`)],
);

/**
 * Document numbers (RK20261125-0001), see src/inventory/numbering.ts: one Postgres SEQUENCE per
 * prefix hands out values without a lock held to commit; a day's number is the value minus the
 * day's `base`, recorded once per prefix and business day in doc_sequences.
 */
// One per DOC_PREFIX (src/inventory/moves.ts); test/inventory/numbering.test.ts checks they match.
export const docNoRk = pgSequence('doc_no_rk');
export const docNoSc = pgSequence('doc_no_sc');
export const docNoQc = pgSequence('doc_no_qc');
export const docNoCk = pgSequence('doc_no_ck');
export const docNoLy = pgSequence('doc_no_ly');
export const docNoDb = pgSequence('doc_no_db');
export const docNoPd = pgSequence('doc_no_pd');
export const docNoHc = pgSequence('doc_no_hc');
export const docNoTz = pgSequence('doc_no_tz');
// Purchasing, sales, finance: one per prefix in src/kernel/numbering.ts (a test checks both ways).
export const docNoCg = pgSequence('doc_no_cg');
export const docNoXs = pgSequence('doc_no_xs');
export const docNoFk = pgSequence('doc_no_fk');
export const docNoSk = pgSequence('doc_no_sk');

export const docSequences = pgTable(
  'doc_sequences',
  {
    prefix: text('prefix').notNull(),
    day: text('day').notNull(),
    /** The prefix's sequence value just before the day's first number: number = value − base. */
    base: bigint('base', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.day] })],
);

export const stocktakes = pgTable('stocktakes', {
  id: serial('id').primaryKey(),
  docNo: text('doc_no').notNull().unique(),
  warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
  /** open | posted | cancelled */
  status: text('status').notNull().default('open'),
  /** null = every product in the warehouse. */
  productIds: jsonb('product_ids').$type<number[] | null>(),
  openedBy: integer('opened_by').references(() => users.id),
  openedAt: ts('opened_at').notNull().defaultNow(),
  /** Highest stock_moves.id when the count opened: later moves on counted products are flagged. */
  openedAtMoveId: bigint('opened_at_move_id', { mode: 'number' }).notNull().default(0),
  postedDocId: integer('posted_doc_id').references(() => documents.id),
  postedAt: ts('posted_at'),
  /**
   * 全盘: the whole stocktake is declared complete, so a batch or product in scope that was not
   * counted is counted as 0. Without it an absent count is not a zero count.
   */
  complete: boolean('complete').notNull().default(false),
  /** Products declared complete one by one: their uncounted batches are counted as 0. */
  completeProductIds: jsonb('complete_product_ids').$type<number[]>().notNull().default(sql`'[]'::jsonb`),
});

/**
 * Counted quantities; several entries for the same product/batch add up. An entry may be
 * negative (a correction: 减), but the sum per product/batch never is (checked by the service).
 */
export const stocktakeEntries = pgTable(
  'stocktake_entries',
  {
    id: serial('id').primaryKey(),
    stocktakeId: integer('stocktake_id').notNull().references(() => stocktakes.id),
    productId: integer('product_id').notNull().references(() => products.id),
    batchId: integer('batch_id').references(() => batches.id),
    qty: qty('qty').notNull(),
    actorId: integer('actor_id').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('stocktake_entries_idx').on(t.stocktakeId, t.productId)],
);

// ───────────────────────────── purchasing & sales ─────────────────────────────

export const purchaseOrders = pgTable('purchase_orders', {
  id: serial('id').primaryKey(),
  docNo: text('doc_no').notNull().unique(),
  supplierId: integer('supplier_id').notNull().references(() => suppliers.id),
  warehouseId: integer('warehouse_id').references(() => warehouses.id),
  /** draft | approved | partially_received | received | closed | cancelled */
  status: text('status').notNull().default('draft'),
  orderDate: ts('order_date').notNull().defaultNow(),
  expectedDate: text('expected_date'),
  totalFen: fen('total_fen').notNull().default(sql`0`),
  actorId: integer('actor_id').references(() => users.id),
  remark: text('remark'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const purchaseOrderLines = pgTable('purchase_order_lines', {
  id: serial('id').primaryKey(),
  orderId: integer('order_id').notNull().references(() => purchaseOrders.id),
  lineNo: integer('line_no').notNull(),
  productId: integer('product_id').notNull().references(() => products.id),
  qty: qty('qty').notNull(),
  receivedQty: qty('received_qty').notNull().default('0'),
  unitPriceFen: cost('unit_price_fen').notNull(),
  amountFen: fen('amount_fen').notNull(),
});

export const salesOrders = pgTable('sales_orders', {
  id: serial('id').primaryKey(),
  docNo: text('doc_no').notNull().unique(),
  customerId: integer('customer_id').notNull().references(() => customers.id),
  warehouseId: integer('warehouse_id').references(() => warehouses.id),
  /** draft | confirmed | partially_shipped | shipped | closed | cancelled */
  status: text('status').notNull().default('draft'),
  orderDate: ts('order_date').notNull().defaultNow(),
  promisedDate: text('promised_date'),
  totalFen: fen('total_fen').notNull().default(sql`0`),
  actorId: integer('actor_id').references(() => users.id),
  remark: text('remark'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const salesOrderLines = pgTable('sales_order_lines', {
  id: serial('id').primaryKey(),
  orderId: integer('order_id').notNull().references(() => salesOrders.id),
  lineNo: integer('line_no').notNull(),
  productId: integer('product_id').notNull().references(() => products.id),
  qty: qty('qty').notNull(),
  shippedQty: qty('shipped_qty').notNull().default('0'),
  unitPriceFen: cost('unit_price_fen').notNull(),
  amountFen: fen('amount_fen').notNull(),
});

/** Plans (采购计划/销售计划): computed suggestions, kept for history and approval. */
export const plans = pgTable('plans', {
  id: serial('id').primaryKey(),
  kind: text('kind').notNull(),
  periodStart: text('period_start').notNull(),
  periodEnd: text('period_end').notNull(),
  status: text('status').notNull().default('draft'),
  lines: jsonb('lines').$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
  actorId: integer('actor_id').references(() => users.id),
  createdAt: createdAt(),
});

// ───────────────────────────── finance ─────────────────────────────

/** Receivables and payables settled: money in from customers, out to suppliers. Append-only. */
export const payments = pgTable(
  'payments',
  {
    id: serial('id').primaryKey(),
    docNo: text('doc_no').notNull().unique(),
    /** receipt (收款, from a customer) | payment (付款, to a supplier) */
    direction: text('direction').notNull(),
    partyType: text('party_type').notNull(),
    partyId: integer('party_id').notNull(),
    amountFen: fen('amount_fen').notNull(),
    orderType: text('order_type'),
    orderId: integer('order_id'),
    method: text('method'),
    businessTime: ts('business_time').notNull().defaultNow(),
    actorId: integer('actor_id').references(() => users.id),
    idempotencyKey: text('idempotency_key').unique(),
    reversesPaymentId: integer('reverses_payment_id'),
    createdAt: createdAt(),
  },
  (t) => [check('payments_amount_nonzero', sql`${t.amountFen} <> 0`)],
);

/** Income / expense journal for the finance report (revenue, COGS, other expenses). */
export const financeEntries = pgTable(
  'finance_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** income | expense */
    kind: text('kind').notNull(),
    category: text('category').notNull(),
    amountFen: fen('amount_fen').notNull(),
    documentId: integer('document_id').references(() => documents.id),
    paymentId: integer('payment_id').references(() => payments.id),
    businessTime: ts('business_time').notNull(),
    actorId: integer('actor_id').references(() => users.id),
    memo: text('memo'),
    createdAt: createdAt(),
  },
  (t) => [index('finance_entries_time_idx').on(t.businessTime)],
);

// ───────────────────────────── platform ─────────────────────────────

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actorId: integer('actor_id').references(() => users.id),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('audit_log_entity_idx').on(t.entity, t.entityId)],
);

/** Dedupe of inbound effects (Feishu event_id / message_id, card tokens, REST keys). */
export const processedEvents = pgTable('processed_events', {
  key: text('key').primaryKey(),
  kind: text('kind').notNull(),
  result: jsonb('result'),
  createdAt: createdAt(),
});

/** One-time keys embedded in rendered form cards: consumed in the posting transaction. */
export const cardTokens = pgTable('card_tokens', {
  token: text('token').primaryKey(),
  kind: text('kind').notNull(),
  userId: integer('user_id').references(() => users.id),
  context: jsonb('context'),
  createdAt: createdAt(),
  consumedAt: ts('consumed_at'),
  result: jsonb('result'),
});

/**
 * Messages that must reach Feishu, written in the business transaction and delivered by the
 * drain (src/outbox). `dedupe_key` makes a re-queued reply a no-op; `uuid` goes to Feishu so a
 * retried send after a lost response is deduplicated on their side too.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind').notNull(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    payload: jsonb('payload').notNull(),
    /** pending | sent | dead */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    result: jsonb('result'),
    createdAt: createdAt(),
    sentAt: ts('sent_at'),
  },
  (t) => [index('outbox_pending_idx').on(t.status, t.nextAttemptAt)],
);

/** Where each synced ledger/report lives in Feishu Sheets and how far it has been written. */
export const sheetSyncState = pgTable('sheet_sync_state', {
  key: text('key').primaryKey(),
  spreadsheetToken: text('spreadsheet_token'),
  sheetId: text('sheet_id'),
  cursor: bigint('cursor', { mode: 'number' }).notNull().default(0),
  lastSyncedAt: ts('last_synced_at'),
  lastError: text('last_error'),
});

/** A cron run is claimed once per slot, so several instances never send two digests. */
export const cronClaims = pgTable(
  'cron_claims',
  {
    job: text('job').notNull(),
    slot: text('slot').notNull(),
    claimedBy: text('claimed_by').notNull(),
    claimedAt: ts('claimed_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.job, t.slot] })],
);

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

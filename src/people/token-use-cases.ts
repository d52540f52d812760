/**
 * REST API tokens as use cases: 新建 (tokens.create), 列表 (tokens.list), 撤销 (tokens.revoke).
 * The chat command `令牌 新建 <名称> <范围…>` / `令牌 列表` / `令牌 撤销 <名称|编号|前缀>` is built
 * over these; the service (src/people/tokens.ts) keeps the rules.
 *
 * Input is chat-friendly on purpose: `name` is one word of text; `scopes` is a list of texts,
 * each "inventory:read" / "inventory:write" / "*:read", or in Chinese "库存:读", "库存:写",
 * "全部:读" (several per item allowed, separated by commas or spaces).
 *
 * Deliberately NOT bound to REST: a token must never be able to mint tokens (a token acts as
 * an admin, so a token-created token could carry scopes its parent never had).
 *
 * Shown once: tokens.create's live result carries `secret`; whoever keeps a result for a
 * replay stores `forReplay(result)` (secret: null, "not shown again"), and a second run with
 * the same idempotency key answers the same without a secret. Audit rows never hold it.
 */
import { z } from 'zod';
import { defineUseCase, type AnyUseCase } from '../kernel/use-case.js';
import { createToken, listTokens, revokeToken } from './tokens.js';

const tokenViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string().describe('令牌开头几位，例如 "jxc_AbCd1234…"（仅用于辨认）'),
  scopes: z.array(z.string()).describe('范围，例如 ["inventory:write", "people:read"]'),
  scopeText: z.string().describe('范围的中文说明，例如 "库存：读写；人员：只读"'),
  userId: z.number().int().describe('令牌代表的用户（创建者）'),
  userName: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable().describe('最近使用时间（最多每分钟记录一次）'),
  revokedAt: z.string().nullable(),
});

export const createTokenInput = z.strictObject({
  name: z.string().trim().min(1, '请填写令牌名称，例如 erp').max(60).describe('令牌名称（一个词，例如 erp-sync）'),
  scopes: z
    .array(z.string().trim().min(1, '范围不能为空').max(200))
    .min(1, '请至少写一个范围，例如 库存:读 或 inventory:write')
    .max(20)
    .describe('范围：inventory:read / inventory:write / *:read …；也可写 库存:读、库存:写、全部:读'),
});

export const createTokenOutput = z.object({
  token: tokenViewSchema,
  secret: z.string().nullable().describe('令牌明文，只在第一次创建的结果里出现；重放时为 null'),
  notice: z.string(),
});

export const createApiToken = defineUseCase({
  id: 'tokens.create',
  kind: 'write',
  permission: 'user.manage',
  label: '新建令牌',
  summary: '新建一个 REST API 令牌（只显示一次），按模块授予读或写范围',
  input: createTokenInput,
  output: createTokenOutput,
  run: (ctx, i) => createToken(ctx.conn, ctx.actor, i, { now: ctx.now, idempotencyKey: ctx.idempotencyKey }),
});

export const listTokensInput = z.strictObject({
  includeRevoked: z.boolean().default(false).describe('true：连已撤销的一起列出'),
});

export const listApiTokens = defineUseCase({
  id: 'tokens.list',
  kind: 'read',
  permission: 'user.manage',
  label: '令牌列表',
  summary: '列出 REST API 令牌（名称、开头几位、范围、最近使用），不含令牌本身',
  input: listTokensInput,
  output: z.object({ items: z.array(tokenViewSchema) }),
  run: async (ctx, i) => ({ items: await listTokens(ctx.conn, ctx.actor, { includeRevoked: i.includeRevoked }) }),
});

export const revokeTokenInput = z.strictObject({
  token: z
    .union([z.number().int().positive(), z.string().trim().min(1, '请写要撤销的令牌：名称、编号或开头几位').max(100)])
    .describe('要撤销的令牌：编号、名称，或开头几位（jxc_AbCd1234）'),
});

export const revokeApiToken = defineUseCase({
  id: 'tokens.revoke',
  kind: 'write',
  permission: 'user.manage',
  label: '撤销令牌',
  summary: '撤销一个 REST API 令牌：立即失效，不可恢复',
  input: revokeTokenInput,
  output: z.object({ token: tokenViewSchema }),
  run: async (ctx, i) => ({ token: await revokeToken(ctx.conn, ctx.actor, i.token, { now: ctx.now }) }),
});

export const tokenUseCases: readonly AnyUseCase[] = [createApiToken, listApiTokens, revokeApiToken];

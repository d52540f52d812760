/**
 * The outbox effect 'user_name': read a colleague's display name from Feishu's contact API
 * (GET /open-apis/contact/v3/users/:open_id?user_id_type=open_id → data.user.name, through the
 * SDK's contact.v3.user.get) and store it (src/people/contact-names.ts recordFetchedName). Runs
 * after the commit that queued it, like every outbox row: never inside a business transaction.
 *
 * Answers Feishu gives and what they mean here:
 * - code 0: the name (an empty one is no name).
 * - 41050 "no user authority": the user is outside the app's contact range (通讯录权限范围);
 *   99991672: the app lacks the contact scope. Retrying cannot fix either — only an admin can,
 *   in the developer console — so the read is recorded as done without a name (the open_id
 *   shows; asked again after a week) and the row ends `sent`, not `dead`, with a warning saying
 *   what to enable.
 * - anything else is thrown: the outbox retries what is worth retrying (5xx, 429, network) and
 *   gives up on the rest like for a message.
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import type { AppDeps } from '../deps.js';
import { recordFetchedName } from '../people/contact-names.js';
import { FeishuApiError } from './index.js';

/** Feishu codes meaning "this app may not read this user": recorded, not retried. */
export const NO_CONTACT_ACCESS: ReadonlyMap<number, string> = new Map([
  [41050, '该用户不在应用的通讯录权限范围内（开发者后台 → 权限管理 → 数据权限 → 通讯录权限范围，设为全部成员或加上此人）'],
  [99991672, '应用没有通讯录权限（开发者后台 → 权限管理，开通「获取用户基本信息」contact:user.base:readonly 并发布）'],
]);

/** The Feishu error code of a failed call: from the body of a 200, or of a non-2xx (axios). */
function feishuCode(e: unknown): number | undefined {
  if (e instanceof FeishuApiError) return e.code;
  const code = (e as { response?: { data?: { code?: unknown } } })?.response?.data?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Read and store `openId`'s name (see the file comment). Returns what the outbox row keeps as its result. */
export async function deliverUserName(deps: AppDeps, client: lark.Client, openId: string): Promise<Record<string, unknown>> {
  let name: string | null;
  try {
    const r = await client.contact.v3.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } });
    if (typeof r?.code === 'number' && r.code !== 0) throw new FeishuApiError(r.code, r.msg ?? 'error');
    const raw = r?.data?.user?.name;
    name = typeof raw === 'string' && raw.trim() ? raw.trim() : null;
  } catch (e) {
    const code = feishuCode(e);
    const why = code !== undefined ? NO_CONTACT_ACCESS.get(code) : undefined;
    if (!why) throw e;
    deps.logger.warn({ openId, code }, `读取飞书用户名失败，暂时显示 open_id：${why} / contact name not readable (code ${code}); open_id shown`);
    await recordFetchedName(deps.database.db, openId, null, deps.now());
    return { name: null, code };
  }
  await recordFetchedName(deps.database.db, openId, name, deps.now());
  return { name };
}

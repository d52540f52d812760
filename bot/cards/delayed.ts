/**
 * Delayed card update (protocol notes §3.3): POST /open-apis/interactive/v1/card/update with the
 * callback's event.token (c-…, 30 min, 2 uses). It must come AFTER our HTTP answer to the
 * callback (earlier calls fail or are reverted), so it always runs through deps.defer and waits
 * `updateDelayMs` first; transient failures are retried a few times.
 */
import type { AppDeps } from '../../src/deps.js';
import type { Logger } from '../../src/log.js';
import type { Card } from './card.js';
import { cardSettings } from './settings.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Codes retrying cannot fix: bad/expired/overused token, recalled card, bad card. */
const FINAL = new Set([300020, 300030, 300040, 200000, 200310, 11311, 10002, 100000]);

export async function sendDelayedUpdate(deps: AppDeps, logger: Logger, eventToken: string | undefined, card: Card): Promise<boolean> {
  if (!eventToken) {
    logger.warn('no callback token; cannot update the card later');
    return false;
  }
  const client = deps.feishu;
  if (!client) {
    logger.warn('飞书未配置（离线模式），无法延迟更新卡片 / offline: delayed card update skipped');
    return false;
  }
  const base = cardSettings(deps).updateDelayMs;
  await sleep(base);
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      const res = (await client.request({
        method: 'POST',
        url: '/open-apis/interactive/v1/card/update',
        data: { token: eventToken, card },
      })) as { code?: number; msg?: string };
      if (!res || res.code === 0 || res.code === undefined) return true;
      logger.warn({ code: res.code, msg: res.msg, attempt }, '延迟更新卡片失败 / delayed card update failed');
      if (FINAL.has(res.code)) return false;
    } catch (e) {
      logger.warn({ err: (e as Error).message, attempt }, '延迟更新卡片失败 / delayed card update failed');
    }
    await sleep(base * 2 ** attempt);
  }
  return false;
}

/** Run the update after the response (deps.defer). */
export function deferUpdate(deps: AppDeps, logger: Logger, eventToken: string | undefined, card: Promise<Card>): void {
  deps.defer(
    card.then(
      (c) => sendDelayedUpdate(deps, logger, eventToken, c),
      (e) => logger.error({ err: (e as Error).message }, 'deferred card work failed'),
    ),
  );
}

/**
 * The outbound Feishu client: the official SDK pointed at FEISHU_BASE_URL (the real Open API,
 * Lark, or test/fake-feishu). A private token cache per client so a fake and a real client
 * with the same app id never share tokens (protocol notes §8.7).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import type { Config } from '../src/config.js';

export function createFeishuClient(config: Config, opts: { httpInstance?: lark.HttpInstance } = {}): lark.Client | null {
  if (!config.FEISHU_APP_ID || !config.FEISHU_APP_SECRET) return null;
  return new lark.Client({
    appId: config.FEISHU_APP_ID,
    appSecret: config.FEISHU_APP_SECRET,
    appType: lark.AppType.SelfBuild,
    domain: config.FEISHU_BASE_URL,
    cache: new lark.DefaultCache(),
    loggerLevel: lark.LoggerLevel.warn,
    ...(opts.httpInstance ? { httpInstance: opts.httpInstance } : {}),
  });
}

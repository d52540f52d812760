/**
 * `npm run chat`: talk to the bot in a terminal as a Feishu user, no Feishu app needed.
 *
 * In-process: the real Hono app on 127.0.0.1:<random>, the embedded database (PGlite) in
 * DATA_DIR (default ./data-chat, so it never collides with `npm start` on ./data; CHAT_DATA_DIR
 * is the older name; `--memory` for a throwaway database; the directory and the matching
 * `DATA_DIR=… npm run verify` are printed at start), and test/fake-feishu as the Open API. Each line you type is sent as
 * an encrypted, signed im.message.receive_v1 event; the bot's replies (delivered through the
 * outbox and the official SDK to the fake) are printed, cards as readable text.
 *
 * You are an admin (your open_id is in FEISHU_ADMIN_OPEN_IDS). Special lines:
 *   /as ou_xxx     speak as another user (e.g. to try permissions)   /me  back to the admin
 *   /name ou_xxx 张三  the colleague's name in Feishu's contact directory (the bot reads it)
 *   /click 2 [确定] [字段=值 …]   press button 2 of the last card (form fields as 字段=值; 确定 answers
 *                      the confirmation dialog Feishu shows first for buttons like 红冲)
 *   /quit          exit (EOF / Ctrl-D too)
 * Mention someone with @ou_xxx (becomes a real mention): 用户 授权 @ou_zhang 仓管
 *   /group         speak in a group chat: only lines that @机器人 (the bot's real mention) are
 *                  commands, like in Feishu; /p2p back to the private chat
 * A line ending with \ goes on on the next line: one message of several lines (多行入库/出库).
 * Works with piped input: printf '帮助\n库存\n' | npm run chat (each line is echoed as 你> …).
 */
import { trackDeferred } from '../src/deferred.js';
import { serve } from '@hono/node-server';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { openPglite } from '../db/pglite.js';
import { migrate } from '../db/migrate.js';
import { buildFullApp } from './app.js';
import { loadConfig } from '../src/config.js';
import type { AppDeps } from '../src/deps.js';
import type { Logger } from '../src/log.js';
import { configureOutbox, startOutboxDrain } from '../src/outbox/index.js';
import { VERSION } from '../src/version.js';
import { setAppTimezone } from '../src/shared/time.js';
import { startFakeFeishu } from '../test/fake-feishu/index.js';
import { createFeishuClient, invalidateFeishuToken } from './feishu-client.js';
import { cardButtons, cardFieldNames, cardSelects, cardToText, choiceValue } from './card-text.js';
import { verifyCommand } from '../db/data-dir.js';
import { resolve } from 'node:path';

const ME = 'ou_chat_cli_admin';

async function main(): Promise<void> {
  const memory = process.argv.includes('--memory');
  // DATA_DIR as for every other command; CHAT_DATA_DIR (older name) still works. The default is
  // ./data-chat, never `npm start`'s ./data: two processes on one PGlite directory would be refused.
  const dataDir = memory ? null : process.env.DATA_DIR || process.env.CHAT_DATA_DIR || './data-chat';
  const interactive = Boolean(process.stdin.isTTY);
  const say = (s: string) => process.stdout.write(s + '\n');
  // Which database this is and how to check it; on stderr when piped, so stdout stays the replies.
  const where = dataDir
    ? `数据目录：${resolve(dataDir)}（退出后检查台账：${verifyCommand(dataDir)}）`
    : '数据：内存（--memory，退出后不保留）';
  (interactive ? process.stdout : process.stderr).write(where + '\n');

  const database = await openPglite(dataDir);
  await migrate(database.db);
  const fake = await startFakeFeishu({ encryptKey: 'chat-cli-encrypt-key', verificationToken: 'chat-cli-token' });
  // Feishu's contact API knows you by name (单据「经办」, 用户 列表); colleagues you speak as with /as keep
  // their open_id until /name gives them one, as an app without the contact scope would show them.
  fake.setUserName(ME, '我');
  const config = loadConfig({
    FEISHU_APP_ID: fake.appId,
    FEISHU_APP_SECRET: fake.appSecret,
    FEISHU_ENCRYPT_KEY: fake.encryptKey,
    FEISHU_VERIFICATION_TOKEN: fake.verificationToken,
    FEISHU_BASE_URL: fake.baseUrl,
    FEISHU_ADMIN_OPEN_IDS: ME,
    DATA_DIR: dataDir ?? undefined,
    APP_TIMEZONE: process.env.APP_TIMEZONE,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  });
  setAppTimezone(config.APP_TIMEZONE);
  // Sync, as in src/server.ts: an async pino stream spins forever at exit on a broken pipe.
  const logger = pino({ level: config.LOG_LEVEL }, pino.destination({ dest: 2, sync: true })) as unknown as Logger;
  const deferred = trackDeferred(logger);
  const deps: AppDeps = {
    config,
    database,
    readiness: { ready: true },
    logger,
    feishu: createFeishuClient(config, { logger }),
    version: VERSION,
    now: () => new Date(),
    invalidateFeishuToken,
    defer: deferred.defer,
  };
  configureOutbox(deps, { baseDelayMs: 100, maxDelayMs: 2000 });
  const app = buildFullApp(deps);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feishu/events`;
  const stopDrain = startOutboxDrain(deps, { intervalMs: 200 });

  let as = ME;
  let group = false;
  let lastCard: { messageId: string; card: unknown } | undefined;
  const show = (content: string, msgType: string): string => {
    if (msgType !== 'interactive') return content;
    const card = JSON.parse(content);
    const buttons = cardButtons(card);
    let i = 0;
    // Number the buttons so /click n can press them.
    return cardToText(card).replace(/\[按钮：/g, () => `[${++i} 按钮：`) + (buttons.length ? '\n（/click 编号 按按钮）' : '');
  };
  if (interactive) {
    say(`进销存助手 · 终端聊天（你是管理员 ${ME}）`);
    say('输入「帮助」查看命令，「菜单」打开卡片；/click 编号 按卡片按钮，表单字段写成 字段=值（选择项可写卡片上显示的文字，如 product=GLU；飞书会弹确认框的按钮，如红冲：/click 编号 确定）；/as ou_xxx 切换用户，/me 切回，/name ou_xxx 张三 给同事起飞书名字；/group 到群里说话（@机器人 才回答），/p2p 回单聊；/quit 退出。');
  }

  const handle = async (line: string): Promise<boolean> => {
    const text = line.trim();
    if (!text) return true;
    if (text === '/quit' || text === '/exit') return false;
    if (text.startsWith('/as ')) {
      as = text.slice(4).trim() || ME;
      say(`（现在以 ${as} 的身份发言）`);
      return true;
    }
    if (text.startsWith('/name ')) {
      // What the colleague's Feishu profile says: the bot reads it through the contact API.
      const [id, ...name] = text.slice(6).trim().split(/\s+/);
      if (!id || !name.length) return say('（写成 /name ou_xxx 张三）'), true;
      fake.setUserName(id, name.join(' '));
      say(`（飞书通讯录里 ${id} 的名字是「${name.join(' ')}」；机器人下次见到他时读取）`);
      return true;
    }
    if (text.startsWith('/click')) {
      // 字段="带 空格 的值" stays one field; a value may hold "=" (remark=A=B): split at the first one.
      const [, n, ...rest] = [...text.matchAll(/[^\s="]+="[^"]*"|\S+/g)].map((m) => m[0].replace(/^([^=]+)="(.*)"$/, '$1=$2'));
      if (!lastCard) return say('（还没有卡片）'), true;
      const b = cardButtons(lastCard.card)[Number(n) - 1];
      if (!b) return say('（没有这个按钮编号）'), true;
      // Feishu shows the button's confirmation dialog first (红冲…): so does the terminal.
      const agreed = rest[0] === '确定';
      const fields = agreed ? rest.slice(1) : rest;
      if (b.confirm && !agreed) {
        return say(`（飞书会先弹出确认框：「${b.confirm.title}」${b.confirm.text} 确定请发：/click ${n} 确定）`), true;
      }
      // Feishu only sends fields the card has: a name it does not know would be dropped silently.
      const known = cardFieldNames(lastCard.card);
      const field = (f: string): [string, string] | null => (f.includes('=') ? [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)] : null);
      const unknown = fields.map((f) => field(f)?.[0] ?? f).filter((k) => k && !known.includes(k));
      if (unknown.length) {
        return say(`（这张卡片没有字段：${unknown.join('、')}。可填的字段：${known.join('、') || '无'}，写成 字段=值，例如 ${known[0] ?? 'qty'}=…）`), true;
      }
      // A select's choice may be typed as the text the card shows (胶水 or GLU), not only its hidden value.
      const selects = cardSelects(lastCard.card);
      const form_value = Object.fromEntries(
        fields
          .map(field)
          .filter((kv): kv is [string, string] => kv !== null)
          .map(([k, v]) => [k, choiceValue(selects.get(k), v)]),
      );
      try {
        const r = await fake.clickCard(url, {
          messageId: lastCard.messageId,
          operatorOpenId: as,
          action: { tag: 'button', ...(b.name ? { name: b.name } : {}), ...(b.value !== undefined ? { value: b.value } : {}), ...(b.formSubmit || fields.length ? { form_value } : {}) },
        });
        await deferred.settle();
        if (r.toast) say(`（提示：${r.toast.content ?? ''}）`);
        const m = fake.messages.get(lastCard.messageId)!;
        lastCard = { messageId: m.message_id, card: JSON.parse(m.body.content) };
        if (r.card) say(show(m.body.content, 'interactive') + '\n');
      } catch (e) {
        say(`（卡片回调失败：${(e as Error).message}）`);
      }
      return true;
    }
    if (text === '/group' || text === '/p2p') {
      group = text === '/group';
      say(group ? '（现在在群里发言：@机器人 才会回答，例如 @机器人 库存）' : '（回到单聊）');
      return true;
    }
    if (text === '/me') {
      as = ME;
      say(`（现在以管理员 ${ME} 的身份发言）`);
      return true;
    }
    // @ou_xxx → a real mention placeholder, as the Feishu client would send it.
    const mentions: { key: string; openId: string; name: string }[] = [];
    // @机器人 / @bot → the bot's own mention (its open_id is what the bot info API reports).
    const withMentions = text.replace(/@(ou_[A-Za-z0-9_-]+|机器人|bot)(?![A-Za-z0-9_-])/g, (_m, id: string) => {
      const key = `@_user_${mentions.length + 1}`;
      // Feishu puts the colleague's display name in the mention: the directory's (/name), and
      // none the CLI can know otherwise — never the open_id, which would be stored as a name.
      mentions.push(id.startsWith('ou_') ? { key, openId: id, name: fake.userName(id) ?? '' } : fake.botMention(key));
      return key;
    });
    const push = await fake.sendText(url, { openId: as, text: withMentions, mentions, ...(group ? { chatType: 'group' as const, chatId: 'oc_chat_cli_group' } : {}) }, { timeoutMs: 10_000 });
    if (push.status !== 200) {
      say(`（机器人返回 HTTP ${push.status}：${push.text}）`);
      return true;
    }
    await deferred.settle();
    if (group && !mentions.some((m) => m.openId === fake.botOpenId)) {
      say('（群消息没有 @机器人，机器人不会回答）');
      return true;
    }
    try {
      await fake.waitFor(() => {
        const r = fake.repliesTo(push.messageId!);
        return r.length ? r : null;
      }, 15_000);
      // A command may answer in two messages: the reply, and what is shown once and never
      // stored (令牌 新建's token, sent straight after commit): print every reply, in order.
      await deferred.settle();
      for (const reply of fake.repliesTo(push.messageId!)) {
        if (reply.msg_type === 'interactive') lastCard = { messageId: reply.message_id, card: JSON.parse(reply.body.content) };
        const body = reply.msg_type === 'interactive' ? show(reply.body.content, 'interactive') : fake.textOf(reply);
        say(interactive ? `\n助手> ${body.replace(/\n/g, '\n      ')}\n` : body + '\n');
      }
    } catch {
      say('（没有收到回复）');
    }
    return true;
  };

  const rl = createInterface({ input: process.stdin, terminal: interactive });
  const queue: string[] = [];
  let busy = false;
  let closed = false;
  let finished: () => void = () => {};
  const done = new Promise<void>((r) => (finished = r));
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (queue.length) {
      const line = queue.shift()!;
      // Piped input is not echoed by a terminal: print it, so a transcript reads as a conversation.
      if (!interactive) say(`你> ${line.replace(/\n/g, '\n    ')}`);
      const more = await handle(line).catch((e) => {
        say(`（出错：${(e as Error).message}）`);
        return true;
      });
      if (!more) {
        closed = true;
        queue.length = 0;
        rl.close();
      }
    }
    busy = false;
    if (closed) finished();
    else if (interactive) rl.prompt();
  };
  rl.setPrompt('你> ');
  // A message of several lines (多行入库): end a line with \ and go on on the next one.
  let pending: string[] = [];
  rl.on('line', (l) => {
    if (/\\\s*$/.test(l)) {
      pending.push(l.replace(/\\\s*$/, ''));
      if (interactive) {
        rl.setPrompt('  … ');
        rl.prompt();
      }
      return;
    }
    queue.push([...pending, l].join('\n'));
    pending = [];
    rl.setPrompt('你> ');
    void pump();
  });
  rl.on('close', () => {
    if (pending.length) {
      queue.push(pending.join('\n'));
      pending = [];
      void pump();
    }
    closed = true;
    if (!busy) finished();
  });
  if (interactive) rl.prompt();
  await done;

  await stopDrain();
  await new Promise<void>((r) => server.close(() => r()));
  await fake.close();
  await database.close();
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`聊天启动失败 / chat failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

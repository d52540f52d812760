/** Turning a command's Reply into an outbox row (a reply to the user's message). */
import type { Conn } from '../db/types.js';
import type { AppDeps } from '../src/deps.js';
import { enqueueForKick, enqueueForKickAhead, enqueueOutbox, feishuUuid, type OutboxItem, type QueuedOutbox } from '../src/outbox/index.js';
import type { Reply } from './commands/registry.js';

/** Feishu text messages can be long, but a chat answer longer than this is unreadable anyway. */
export const MAX_REPLY_CHARS = 6000;

export function replyText(r: Reply): string {
  return typeof r === 'string' ? r : r.text;
}

export function messageContent(r: Reply): { msgType: 'text' | 'interactive'; content: string } {
  if (typeof r !== 'string' && r.card) return { msgType: 'interactive', content: JSON.stringify(r.card) };
  let text = replyText(r);
  if (text.length > MAX_REPLY_CHARS) text = text.slice(0, MAX_REPLY_CHARS) + '\n…（内容过长已截断）';
  return { msgType: 'text', content: JSON.stringify({ text }) };
}

function replyItem(messageId: string, reply: Reply, dedupeKey: string): OutboxItem {
  const { msgType, content } = messageContent(reply);
  return { kind: 'reply', dedupeKey, payload: { op: 'reply', messageId, msgType, content, uuid: feishuUuid(dedupeKey) } };
}

/** Queue a reply to `messageId` in the caller's transaction; the dedupe key makes it once-only. */
export async function queueReply(conn: Conn, messageId: string, reply: Reply, dedupeKey = `reply:${messageId}`): Promise<number | null> {
  return enqueueOutbox(conn, replyItem(messageId, reply, dedupeKey));
}

/** queueReply for a reply this request delivers itself right after commit (kickQueued). */
export async function queueReplyForKick(conn: Conn, deps: AppDeps, messageId: string, reply: Reply, dedupeKey = `reply:${messageId}`): Promise<QueuedOutbox | null> {
  return enqueueForKick(conn, deps, replyItem(messageId, reply, dedupeKey));
}

/** queueReplyForKick sent ahead of the COMMIT (enqueueForKickAhead: await `done` after commit). */
export async function queueReplyForKickAhead(conn: Conn, deps: AppDeps, messageId: string, reply: Reply, dedupeKey = `reply:${messageId}`): Promise<{ done: Promise<QueuedOutbox | null> }> {
  return enqueueForKickAhead(conn, deps, replyItem(messageId, reply, dedupeKey));
}

/** Turning a command's Reply into an outbox row (a reply to the user's message). */
import { feishuUuid, type OutboxItem } from '../src/outbox/index.js';
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

/**
 * The outbox row of a reply to `messageId`, queued with the unit of work (uow.queue, or
 * uow.queueLast for the message's last write). The dedupe key makes it once-only: one reply
 * per message (`reply:<message_id>`) unless the caller names another.
 */
export function replyItem(messageId: string, reply: Reply, dedupeKey = `reply:${messageId}`): OutboxItem {
  const { msgType, content } = messageContent(reply);
  return { kind: 'reply', dedupeKey, payload: { op: 'reply', messageId, msgType, content, uuid: feishuUuid(dedupeKey) } };
}

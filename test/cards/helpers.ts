/**
 * Card test helpers over the real HTTP path: chat messages through fake.sendText, taps through
 * fake.clickCard (a card.action.trigger built, encrypted and signed as Feishu does). Every card
 * seen (chat replies, callback answers, delayed updates) is checked against test/card-schema.ts.
 */
import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import { users } from '../../db/schema.js';
import { execRows, type Db } from '../../db/types.js';
import type { BotApp } from '../helpers/app.js';
import type { ClickResult, PushOptions, StoredMessage } from '../fake-feishu/index.js';
import { assertCard } from '../card-schema.js';
import { buildCardRegistry, type CardRegistry } from '../../bot/cards/index.js';
import { buildUseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import { ALL_USE_CASES } from '../../src/use-cases.js';

export type J = Record<string, unknown>;

export async function addUser(db: Db, openId: string, role: string, name = openId.replace(/^ou_/, '')): Promise<number> {
  const [u] = await db.insert(users).values({ openId, role, name }).returning();
  return u.id;
}

/** Every interactive message and card change the fake saw passes the schema. */
export function checkAllCards(h: BotApp): number {
  let n = 0;
  for (const s of h.fake.sent) {
    if (s.msg_type !== 'interactive') continue;
    assertCard(s.content);
    n++;
  }
  return n;
}

/** Send a chat message; return the bot's reply message (card or text). */
export async function chat(h: BotApp, text: string, openId = h.adminOpenId): Promise<{ reply: StoredMessage; card: J | null; text: string }> {
  const r = await h.send(text, { openId });
  const [reply] = h.fake.repliesTo(r.messageId);
  expect(reply, `reply to ${text}`).toBeTruthy();
  if (reply.msg_type === 'interactive') {
    const card = JSON.parse(reply.body.content) as J;
    assertCard(card);
    return { reply, card, text: JSON.stringify(card) };
  }
  return { reply, card: null, text: h.fake.textOf(reply) };
}

/** The card currently stored for a message (after in-place updates). */
export function cardOf(h: BotApp, messageId: string): J {
  const m = h.fake.messages.get(messageId);
  if (!m) throw new Error(`no message ${messageId}`);
  const card = JSON.parse(m.body.content) as J;
  assertCard(card);
  return card;
}

export function walk(card: J): J[] {
  const out: J[] = [];
  const go = (els: J[]) => {
    for (const e of els) {
      out.push(e);
      if (Array.isArray(e.elements)) go(e.elements as J[]);
      if (Array.isArray(e.columns)) for (const c of e.columns as J[]) go((c.elements ?? []) as J[]);
    }
  };
  go(((card.body as J).elements ?? []) as J[]);
  return out;
}

export const title = (card: J) => ((card.header as J).title as J).content as string;
export const textOf = (card: J) => walk(card).filter((e) => e.tag === 'markdown').map((e) => e.content as string).join('\n') + '\n' + title(card);

export function buttons(card: J): { text: string; value: J; name?: string; submit: boolean }[] {
  return walk(card)
    .filter((e) => e.tag === 'button')
    .map((b) => ({
      text: (b.text as J).content as string,
      value: (((b.behaviors as J[] | undefined) ?? [])[0]?.value ?? {}) as J,
      name: b.name as string | undefined,
      submit: b.form_action_type === 'submit',
    }));
}

export function button(card: J, text: string | RegExp): { text: string; value: J; name?: string; submit: boolean } {
  const b = buttons(card).find((x) => (typeof text === 'string' ? x.text === text : text.test(x.text)));
  if (!b) throw new Error(`no button ${text} in card "${title(card)}": ${buttons(card).map((x) => x.text).join(', ')}`);
  return b;
}

/** The (first, or named) form's submit button. */
export function submit(card: J, formName?: string): { value: J; name: string } {
  const forms = walk(card).filter((e) => e.tag === 'form' && (!formName || e.name === formName));
  if (!forms.length) throw new Error(`no form in card "${title(card)}"`);
  const btn = walk({ body: { elements: forms[0].elements } } as J).find((e) => e.tag === 'button' && e.form_action_type === 'submit');
  return { value: ((btn!.behaviors as J[])[0].value ?? {}) as J, name: btn!.name as string };
}

export function field(card: J, name: string): J | undefined {
  return walk(card).find((e) => e.name === name && e.tag !== 'form');
}

export function optionValue(card: J, name: string, label: string | RegExp): string {
  const f = field(card, name);
  const opts = (f?.options ?? []) as { text: { content: string }; value: string }[];
  const o = opts.find((x) => (typeof label === 'string' ? x.text.content.includes(label) : label.test(x.text.content)));
  if (!o) throw new Error(`no option ${label} in ${name}: ${opts.map((x) => x.text.content).join(', ')}`);
  return o.value;
}

export interface Tap extends ClickResult {
  /** The card now shown (after the answer). */
  now: J;
}

/** Tap a button (callback value) on a message, optionally submitting a form. */
export async function tap(
  h: BotApp,
  messageId: string,
  b: { value: J | string; name?: string },
  o: { openId?: string; form?: J; url?: string; push?: PushOptions } = {},
): Promise<Tap> {
  const r = await h.fake.clickCard(
    o.url ?? h.eventsUrl,
    {
      messageId,
      operatorOpenId: o.openId ?? h.adminOpenId,
      action: { tag: 'button', ...(b.name ? { name: b.name } : {}), value: b.value, ...(o.form ? { form_value: o.form } : {}) },
    },
    o.push,
  );
  if (r.card) assertCard(r.card.data);
  return { ...r, now: cardOf(h, messageId) };
}

export async function one<T = J>(db: Db, q: ReturnType<typeof sql>): Promise<T> {
  return (await execRows<T>(db, q))[0];
}

export async function count(db: Db, table: string, where = sql`true`): Promise<number> {
  const r = await one<{ n: number }>(db, sql`select count(*)::int as n from ${sql.raw(table)} where ${where}`);
  return Number(r.n);
}

export async function onHand(db: Db, sku: string, wh?: string): Promise<string> {
  const r = await one<{ q: string }>(
    db,
    sql`select trim_scale(coalesce(sum(b.qty), 0))::text as q from stock_balances b join products p on p.id = b.product_id join warehouses w on w.id = b.warehouse_id
        where p.sku = ${sku} ${wh ? sql`and w.name = ${wh}` : sql``}`,
  );
  return r.q;
}

let registry: CardRegistry | undefined;

/** The app's card registry over every module's use cases (what buildApp builds). */
export function cardRegistry(): CardRegistry {
  return (registry ??= buildCardRegistry(buildUseCaseRegistry(ALL_USE_CASES)));
}

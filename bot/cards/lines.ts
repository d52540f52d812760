/**
 * The generic multi-line form of the card adapter: a document with N lines (a receipt today;
 * purchase and sales orders later), filled in over several taps.
 *
 *   open ──▶ card: header, the lines so far (删除第 N 行), an add-line form, 过账 / 放弃草稿
 *   添加一行 ──▶ per-line check (a line's error names it: 第 2 行「数量」…) ──▶ drafts.save ──▶ card again
 *   删除第 N 行 ──▶ drafts.save ──▶ card again
 *   过账 ──▶ every line checked again ──▶ invoke the use case + drafts.markPosted, one unit of work
 *        │ unusual entry (the use case answers needs_confirmation) ──▶ confirmation card, nothing posted
 *        │   确认过账 ──▶ lines checked again ──▶ invoke with confirm: true + markPosted, one unit of work
 *        │   返回修改 ──▶ the draft's card again (fresh key), nothing posted
 *
 * The lines live in a kernel draft (src/kernel/drafts.ts, kind = the use case's id, owned by
 * the user), so they survive between taps; the draft's id lives in the one-time key of the card
 * showing it (card_tokens.context), never in the client. Every tap spends that key (flows.ts
 * stage): a double tap on 添加一行 adds the line once and answers the same card; 过账 posts
 * once under `card:<key>`, and the draft is marked posted in the same transaction. The
 * confirmation card's key remembers the draft and that effect key (`card:<the 过账 card's key>`),
 * so 确认过账 posts under the key 过账 would have used: once, however often either is tapped.
 *
 * A module declares a LineSpec (bot/cards/inventory/receipt-lines.ts) and gets the form and its
 * actions; the form's fields are checked against the use case's schema like any form's.
 */
import type { z } from 'zod';
import type { Conn } from '../../db/types.js';
import { DomainError, isDomainError } from '../../src/errors.js';
import { issueCardToken, type CardToken } from '../../src/interaction/card-tokens.js';
import { draftsOf } from '../../src/kernel/drafts.js';
import type { UnitOfWork } from '../../src/kernel/unit-of-work.js';
import { button, buttonRow, card, form, markdown, md, submitButton, value, type Card, type El } from './card.js';
import { issuesText, readFields } from './fields.js';
import { guarded } from './flow-forms.js';
import { keyOf, stage } from './flows.js';
import { backToMenu } from './forms.js';
import type { ActionContext, CardAction, CardForm, FlowAnswer, FormContext, FormField } from './registry.js';
import { formContext } from './settings.js';
import { invokeIn } from './use-cases.js';
import { messageCard } from './views.js';

type Obj = Record<string, unknown>;

/** A multi-line document form (see the file comment). `C`: the choices its selects offer. */
export interface LineSpec<C, R> {
  /** Form name; its actions are `<name>.add`, `<name>.remove`, `<name>.post`, `<name>.discard`. */
  name: string;
  /** Card title and what the form is called: 多行入库. */
  title: string;
  intro: string;
  /** The use case that posts the document; its id is also the drafts' kind. */
  useCase: string;
  /** Header fields ('kind', 'warehouse') and line fields ('lines.qty'), as any form's. */
  fields: Record<string, FormField>;
  /** The human rules of one line (required fields, lengths): "「数量」请填写数量". */
  lineSchema: z.ZodType;
  /** At most this many lines on one card (default 30). */
  maxLines?: number;
  /** What the selects offer (read when the card is rendered). */
  loadChoices(f: FormContext): Promise<C>;
  /** The header and line fields of the add form, the draft's header preselected. Pure. */
  formFields(choices: C, header: Obj): El[];
  /** The header as people read it ("**类型**：采购入库　**仓库**：主仓库"). Pure. */
  headerText(choices: C, header: Obj): string;
  /** Typed text → canonical where it can be written so (normalise.ts). Pure. */
  normaliseLine?(line: Obj): Obj;
  /**
   * One line with its product resolved: the line as it will be posted (product by id) and how
   * it reads on the card. Throws the DomainError of a quantity or price the product cannot take.
   */
  checkLine(conn: Conn, c: ActionContext, line: Obj, header: Obj): Promise<{ line: Obj; text: string }>;
  /** The card after posting, inside the unit. */
  summary(uow: UnitOfWork, c: ActionContext, result: R): Promise<FlowAnswer>;
  /** The posted document's number (stored on the draft). */
  postedRef(result: R): string;
}

/** A draft of a multi-line document: the header and the checked lines. */
interface LinesDraft {
  header: Obj;
  lines: { input: Obj; text: string }[];
}

/** What the card shows (the view is pure). */
export interface LinesViewData<C> {
  k: string;
  draftId: number | null;
  header: Obj;
  lines: { text: string }[];
  choices: C;
  /** A line on top: what the last tap did. */
  notice?: string;
}

/** What the confirmation card of an unusual multi-line document shows (the view is pure). */
export interface LinesConfirmViewData<C> {
  k: string;
  draftId: number;
  header: Obj;
  lines: { text: string }[];
  choices: C;
  /** The use case's reasons (「第 n 行：…」 per unusual line). */
  reasons: string[];
}

const MAX_LINES = 30;

/** 「请确认」 before posting an unusual multi-line document: 确认过账 / 返回修改 (pure). */
export function linesConfirmView<C>(spec: LineSpec<C, unknown>, d: LinesConfirmViewData<C>): Card {
  const a = (what: string) => value(`${spec.name}.${what}`, { k: d.k });
  const head = spec.headerText(d.choices, d.header);
  const rows = d.lines.map((l, i) => `${i + 1}. ${md(l.text)}`);
  return card(`请确认：这张${spec.title}数据不太寻常`, 'orange', [
    markdown([`**草稿** #${d.draftId}`, head || null, `**商品行**（${rows.length}）：\n${rows.join('\n')}`].filter(Boolean).join('\n')),
    markdown(`<font color="orange">${d.reasons.map((r) => `• ${md(r)}`).join('\n')}</font>\n\n还没有记账。确认无误请点「确认过账」；否则点「返回修改」，删除有问题的行后重新添加。`),
    buttonRow([button('确认过账', a('confirm'), { type: 'primary_filled' }), button('返回修改', a('back'), { type: 'default' })]),
  ]);
}

/** The multi-line card (pure). */
export function linesFormView<C>(spec: LineSpec<C, unknown>, d: LinesViewData<C>): Card {
  const a = (what: string, extra: Obj = {}) => value(`${spec.name}.${what}`, { k: d.k, ...extra });
  const els: El[] = [];
  if (d.notice) els.push(markdown(`<font color="green">✓ ${md(d.notice)}</font>`));
  els.push(markdown(spec.intro));
  const head = spec.headerText(d.choices, d.header);
  const rows = d.lines.map((l, i) => `${i + 1}. ${md(l.text)}`);
  els.push(markdown([d.draftId ? `**草稿** #${d.draftId}` : null, head || null, rows.length ? `**商品行**（${rows.length}）：\n${rows.join('\n')}` : '还没有商品行：在下面填写后点「添加一行」。'].filter(Boolean).join('\n')));
  for (let i = 0; i < d.lines.length; i += 3) {
    els.push(buttonRow(d.lines.slice(i, i + 3).map((_, j) => button(`删除第 ${i + j + 1} 行`, a('remove', { i: i + j }), { type: 'danger_text' }))));
  }
  if (d.lines.length < (spec.maxLines ?? MAX_LINES)) {
    els.push(form(`f_${spec.name.replace(/\./g, '_')}`, [...spec.formFields(d.choices, d.header), submitButton('add', '添加一行', { a: `${spec.name}.add`, k: d.k })]));
  } else {
    els.push(markdown(`已有 ${d.lines.length} 行（一张卡片最多 ${spec.maxLines ?? MAX_LINES} 行）：请先过账，再开一张。`));
  }
  const actions: El[] = [];
  if (d.lines.length) {
    actions.push(
      button(`过账（${d.lines.length} 行）`, a('post'), {
        type: 'primary_filled',
        confirm: { title: '确认过账？', text: `${spec.title}共 ${d.lines.length} 行，过账后不能修改（可红冲）。` },
      }),
    );
  }
  if (d.draftId) actions.push(button('放弃草稿', a('discard'), { type: 'default' }));
  if (actions.length) els.push(buttonRow(actions));
  els.push(backToMenu());
  return card(d.draftId ? `${spec.title} · 草稿 #${d.draftId}` : spec.title, 'blue', els);
}

/** Render the card for draft `draftId` (or none yet) with a fresh key that remembers it. */
async function render<C>(spec: LineSpec<C, unknown>, f: FormContext, draftId: number | null, draft: LinesDraft | null, notice?: string): Promise<Card> {
  const k = await issueCardToken(f.conn, `form:${spec.name}`, f.user?.id ?? null, { form: spec.name, draft: draftId });
  const choices = await spec.loadChoices(f);
  return linesFormView(spec, { k, draftId, header: draft?.header ?? {}, lines: draft?.lines ?? [], choices, notice });
}

/** The draft id a card's key remembers (null: no line added yet). */
const draftIdOf = (row: CardToken): number | null => {
  const d = (row.context as { draft?: unknown } | null)?.draft;
  return typeof d === 'number' ? d : null;
};

/** The effect key a confirmation card's key remembers (the 过账 card's `card:<key>`). */
const effectOf = (row: CardToken): string | null => {
  const e = (row.context as { effect?: unknown } | null)?.effect;
  return typeof e === 'string' ? e : null;
};

/** Line `n` checked: its human rules, then with its product; every message names the line. */
async function checkLineAt<C>(spec: LineSpec<C, unknown>, conn: Conn, c: ActionContext, n: number, line: Obj, header: Obj): Promise<{ input: Obj; text: string }> {
  const where = `第 ${n} 行`;
  const human = spec.lineSchema.safeParse(line);
  if (!human.success) throw new DomainError('invalid_input', issuesText(human.error.issues, where), { line: n });
  try {
    const r = await spec.checkLine(conn, c, line, header);
    return { input: r.line, text: r.text };
  } catch (e) {
    if (isDomainError(e)) throw new DomainError(e.code, `${where}：${e.message}`, { ...e.details, line: n });
    throw e;
  }
}

/**
 * The form and the six actions of a multi-line document (see the file comment), and its
 * confirmation card's view (for the renderer snapshots).
 */
export function lineForm<C, R>(spec: LineSpec<C, R>): { form: CardForm<LinesViewData<C>>; actions: CardAction[]; confirmView: (d: LinesConfirmViewData<C>) => Card } {
  const s = spec as LineSpec<C, unknown>;
  const kind = spec.useCase;
  const drafts = (uow: UnitOfWork, c: ActionContext) => draftsOf(uow.tx, c.actor, uow.now);
  const again = async (uow: UnitOfWork, c: ActionContext, id: number | null, d: LinesDraft | null, notice: string) => render(s, formContext(c, uow.tx), id, d, notice);

  const add: CardAction = {
    name: `${spec.name}.add`,
    useCase: spec.useCase,
    run: (c) =>
      guarded(async () => {
        const schema = c.registry.useCases.require(spec.useCase).input;
        const read = readFields(spec.fields, c.form, schema) as Obj & { lines?: Obj[] };
        const { lines: typed, ...header } = read;
        const line = spec.normaliseLine ? spec.normaliseLine(typed?.[0] ?? {}) : (typed?.[0] ?? {});
        return stage(c, keyOf(c), async (uow, row) => {
          let id = draftIdOf(row);
          const d: LinesDraft = id === null ? { header: {}, lines: [] } : (await drafts(uow, c).load<LinesDraft>(kind, id)).data;
          const n = d.lines.length + 1;
          if (n > (spec.maxLines ?? MAX_LINES)) throw new DomainError('invalid_input', `一张卡片最多 ${spec.maxLines ?? MAX_LINES} 行：请先过账，再开一张。`);
          d.header = header;
          d.lines.push(await checkLineAt(s, uow.tx, c, n, line, header));
          id = await drafts(uow, c).save(kind, d, id ?? undefined);
          return { toast: { type: 'success', content: `已添加第 ${n} 行` }, card: await again(uow, c, id, d, `已添加第 ${n} 行：${d.lines[n - 1].text}`) };
        });
      }),
  };

  const remove: CardAction = {
    name: `${spec.name}.remove`,
    useCase: spec.useCase,
    run: (c) =>
      stage(c, keyOf(c), async (uow, row) => {
        const id = draftIdOf(row);
        const i = Number(c.value.i);
        if (id === null) throw new DomainError('not_found', '这张卡片还没有商品行。');
        const d = (await drafts(uow, c).load<LinesDraft>(kind, id)).data;
        if (!Number.isInteger(i) || i < 0 || i >= d.lines.length) throw new DomainError('not_found', `没有第 ${i + 1} 行，请看卡片上的最新内容。`);
        const [gone] = d.lines.splice(i, 1);
        await drafts(uow, c).save(kind, d, id);
        return { toast: { type: 'success', content: `已删除第 ${i + 1} 行` }, card: await again(uow, c, id, d, `已删除第 ${i + 1} 行：${gone.text}`) };
      }),
  };

  /** The draft a key remembers with its lines checked again (a product may have been archived or changed since). */
  const checkedDraft = async (uow: UnitOfWork, c: ActionContext, row: CardToken) => {
    const id = draftIdOf(row);
    const d = id === null ? null : (await drafts(uow, c).load<LinesDraft>(kind, id)).data;
    if (id === null || !d?.lines.length) throw new DomainError('invalid_input', '至少需要一行商品：填写后点「添加一行」。');
    const lines: Obj[] = [];
    for (let n = 1; n <= d.lines.length; n++) lines.push((await checkLineAt(s, uow.tx, c, n, d.lines[n - 1].input, d.header)).input);
    return { id, d, lines };
  };
  const postIn = async (uow: UnitOfWork, c: ActionContext, id: number, input: Obj, effectKey: string) => {
    const result = await invokeIn<R>(uow, c, spec.useCase, input, effectKey);
    await drafts(uow, c).markPosted(kind, id, spec.postedRef(result));
    return spec.summary(uow, c, result);
  };

  const post: CardAction = {
    name: `${spec.name}.post`,
    useCase: spec.useCase,
    run: (c) =>
      stage(c, keyOf(c), async (uow, row) => {
        const { id, d, lines } = await checkedDraft(uow, c, row);
        const effect = `card:${keyOf(c)}`;
        try {
          // No confirm: the use case holds an unusual line (every line is checked) and says why.
          return await postIn(uow, c, id, { ...d.header, lines }, effect);
        } catch (e) {
          // The refusal is raised before anything is written, so this unit of work stays usable.
          if (!isDomainError(e) || e.code !== 'needs_confirmation') throw e;
          const reasons = Array.isArray(e.details?.reasons) ? (e.details.reasons as unknown[]).map(String) : [e.message];
          const k = await issueCardToken(uow.tx, `form:${spec.name}`, c.user?.id ?? null, { form: spec.name, draft: id, effect });
          const choices = await spec.loadChoices(formContext(c, uow.tx));
          return { card: linesConfirmView(s, { k, draftId: id, header: d.header, lines: d.lines, choices, reasons }) };
        }
      }),
  };

  const confirm: CardAction = {
    name: `${spec.name}.confirm`,
    useCase: spec.useCase,
    run: (c) =>
      stage(c, keyOf(c), async (uow, row) => {
        const effect = effectOf(row);
        if (effect === null) throw new DomainError('not_found', '这张卡片不是过账确认，请看卡片上的最新内容。');
        const { id, d, lines } = await checkedDraft(uow, c, row);
        return postIn(uow, c, id, { ...d.header, lines, confirm: true }, effect);
      }),
  };

  const back: CardAction = {
    name: `${spec.name}.back`,
    useCase: spec.useCase,
    run: (c) =>
      stage(c, keyOf(c), async (uow, row) => {
        const id = draftIdOf(row);
        if (id === null) throw new DomainError('not_found', '这张卡片还没有商品行。');
        const d = (await drafts(uow, c).load<LinesDraft>(kind, id)).data;
        return { toast: { type: 'info', content: '没有过账，可以继续修改' }, card: await again(uow, c, id, d, '已返回修改，还没有记账：可删除有问题的行、重新添加，再点「过账」。') };
      }),
  };

  const discard: CardAction = {
    name: `${spec.name}.discard`,
    useCase: spec.useCase,
    run: (c) =>
      stage(c, keyOf(c), async (uow, row) => {
        const id = draftIdOf(row);
        if (id !== null) await drafts(uow, c).discard(kind, id);
        return {
          toast: { type: 'info', content: '已放弃草稿' },
          card: messageCard('已放弃草稿', 'grey', `${md(spec.title)}草稿已删除，没有记账。`, [buttonRow([button(`新的${spec.title}`, value('open', { f: spec.name })), button('菜单', value('menu'))])]),
        };
      }),
  };

  const cardForm: CardForm<LinesViewData<C>> = {
    name: spec.name,
    title: spec.title,
    useCase: spec.useCase,
    fields: spec.fields,
    async load(f) {
      const k = await issueCardToken(f.conn, `form:${spec.name}`, f.user?.id ?? null, { form: spec.name, draft: null });
      return { k, draftId: null, header: {}, lines: [], choices: await spec.loadChoices(f) };
    },
    view: (d) => linesFormView(s, d),
  };
  return { form: cardForm, actions: [add, remove, post, confirm, back, discard], confirmView: (d) => linesConfirmView(s, d) };
}

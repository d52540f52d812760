/**
 * Card actions every module's cards use: the menu, opening a form, 刷新结果, and the steps of a
 * pending flow (确认 / 取消 / a picked candidate). A flow's steps check the permission of the
 * flow's use case and its module, not a permission of their own.
 */
import { peekCardToken } from '../../src/interaction/card-tokens.js';
import type { Card } from './card.js';
import { moduleOff } from './access.js';
import { cancelledCard, commitPending, expiredAnswer, keyOf, mayRun, pendingOf, proceed, stage, usedAnswer } from './flows.js';
import { renderForm } from './forms.js';
import { menuCard } from './menu.js';
import { toast, type ActionContext, type CardAction, type CardAnswer, type CardModule, type Pending } from './registry.js';
import { formContext } from './settings.js';

const NOT_ALLOWED = '你没有这个操作的权限，请联系管理员授权。';

/** The Pending behind a confirm/pick key that this user may complete, or the answer refusing it. */
async function pendingFor(c: ActionContext, k: string | undefined): Promise<{ k: string; p: Pending } | { answer: CardAnswer }> {
  const used = await usedAnswer(c, k);
  if (used) return { answer: used };
  const p = pendingOf(c.registry, await peekCardToken(c.deps.database.db, k!));
  if (!p) return { answer: expiredAnswer() };
  const flow = c.registry.flow(p.flow)!;
  const off = moduleOff(c, flow, flow.label ?? p.flow);
  if (off) return { answer: off };
  if (!mayRun(c, p)) return { answer: toast('error', NOT_ALLOWED) };
  return { k: k!, p };
}

const actions: CardAction[] = [
  {
    name: 'menu',
    run: async (c) => ({ card: menuCard(c.registry.menuFor(c.actor, c.disabled), c.user.name) }),
  },
  {
    name: 'open',
    async run(c) {
      const f = typeof c.value.f === 'string' ? c.registry.form(c.value.f) : undefined;
      if (!f) return expiredAnswer();
      const off = moduleOff(c, f, f.title);
      if (off) return off;
      return { card: await renderForm(c.registry, f.name, formContext(c, c.deps.database.db)) };
    },
  },
  {
    name: 'refresh',
    async run(c) {
      const row = await peekCardToken(c.deps.database.db, keyOf(c) ?? '');
      const r = (row?.result ?? null) as { card?: Card; pending?: boolean } | null;
      if (!row || !row.consumedAt || !r?.card) return toast('info', '还没有结果，请稍候再点「刷新结果」。');
      if (r.pending) return toast('info', '仍在处理中，请稍候再点「刷新结果」。');
      return { card: r.card };
    },
  },
  {
    name: 'confirm',
    async run(c) {
      const got = await pendingFor(c, keyOf(c));
      if ('answer' in got) return got.answer;
      return commitPending(c, got.k, got.p);
    },
  },
  {
    name: 'cancel',
    run: (c) => stage(c, keyOf(c), async () => ({ toast: { type: 'info', content: '已取消' }, card: cancelledCard() })),
  },
  {
    name: 'pick',
    async run(c) {
      const chosen = Number(c.value.p);
      const got = await pendingFor(c, keyOf(c));
      if ('answer' in got) return got.answer;
      const { k, p } = got;
      if (!Number.isInteger(chosen)) return expiredAnswer();
      if (p.candidates && !p.candidates.includes(chosen)) return toast('error', '这个商品不在候选列表中，请重新选择。');
      c.registry.flow(p.flow)!.setProduct(p.input, chosen);
      return proceed(c, k, { ...p, candidates: undefined });
    },
  },
];

/** Navigation and flow steps: no module of their own (never switched off). */
export const coreCards: CardModule = { module: '', actions };

/**
 * 红冲 on cards: the button on a summary (its own one-time key, context {docNo}) and the 红冲
 * form by document number, both through inventory.reverse under `card:<key>`.
 */
import type { PostingResult } from '../../../src/inventory/documents.js';
import { peekCardToken } from '../../../src/interaction/card-tokens.js';
import { input, type Card } from '../card.js';
import { read } from '../fields.js';
import { useCaseSubmit } from '../flow-forms.js';
import { expiredAnswer, keyOf, stage, usedAnswer, who } from '../flows.js';
import { formCard, formKey } from '../forms.js';
import { type ActionContext, type CardAction, type CardAnswer, type CardForm } from '../registry.js';
import { invokeIn } from '../use-cases.js';
import { REVERSE, summaryFor } from './shared.js';

/** The summary's 红冲 button: the document is in the key's context, the reason says who tapped. */
async function reverseAnswer(c: ActionContext, k: string, docNo: string): Promise<CardAnswer> {
  return stage(c, k, async (uow) => {
    const r = await invokeIn<PostingResult>(uow, c, REVERSE, { docNo, reason: `卡片红冲（${who(c)}）` }, `card:${k}`);
    return { toast: { type: 'success', content: `已红冲 ${docNo}，红冲单 ${r.document.docNo}` }, card: await summaryFor(uow.tx, c, r) };
  });
}

export function reverseFormView(d: { k: string }): Card {
  return formCard({
    formName: 'reverse',
    title: '红冲单据',
    intro: '红冲会生成一张相反的单据，抵消原单的全部库存变动。每张单据只能红冲一次。',
    fields: [input('doc_no', '要红冲的单号', { required: true, placeholder: '例如 CK20261125-0001', maxLength: 40 }), input('reason', '原因（可选）', { maxLength: 500 })],
    submitText: '红冲',
    k: d.k,
  });
}

export const reversalForms: CardForm[] = [
  {
    name: 'reverse',
    title: '红冲',
    useCase: REVERSE,
    fields: { doc_no: { path: 'docNo', read: read.text }, reason: { path: 'reason', read: read.note } },
    load: async (f) => ({ k: await formKey(f, 'reverse') }),
    view: reverseFormView,
  },
];

export const reversalActions: CardAction[] = [
  {
    name: 'reverse',
    useCase: REVERSE,
    async run(c) {
      const k = keyOf(c);
      const used = await usedAnswer(c, k);
      if (used) return used;
      const row = await peekCardToken(c.deps.database.db, k!);
      const docNo = (row?.context as { docNo?: string } | null)?.docNo;
      if (!docNo) return expiredAnswer();
      return reverseAnswer(c, k!, docNo);
    },
  },
  useCaseSubmit<PostingResult>({
    action: 'reverse.submit',
    form: 'reverse',
    useCase: REVERSE,
    summary: async (uow, c, r, i) => ({ toast: { type: 'success', content: `已红冲 ${String(i.docNo)}，红冲单 ${r.document.docNo}` }, card: await summaryFor(uow.tx, c, r) }),
  }),
];

/**
 * Submit actions of forms, the same for every module: read the form's declared fields
 * (registry.ts CardForm.fields) into its use case's input shape, then either hand it to a flow
 * (flows.ts: picker, confirmation) or run the use case at once — under the form's one-time key.
 */
import type { UnitOfWork } from '../../src/kernel/unit-of-work.js';
import { expiredAnswer, keyOf, stage, submitFlow, usedAnswer } from './flows.js';
import { check, FieldError, readFields } from './fields.js';
import { toast, type ActionContext, type CardAction, type CardAnswer, type FlowAnswer, type Pending } from './registry.js';
import { invokeIn } from './use-cases.js';
import { humanForm } from './normalise.js';

/** FieldError (a field that cannot be read) → an error toast naming it; the form stays as filled. */
export async function guarded(fn: () => Promise<CardAnswer>): Promise<CardAnswer> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FieldError) return toast('error', `请修改：${e.message}`);
    throw e;
  }
}

export interface FlowSubmit {
  /** The action name the form's submit button carries: '<form>.submit'. */
  action: string;
  /** The form whose fields are read. */
  form: string;
  /** The flow the input enters. */
  flow: string;
  /** The use case the action runs (its permission is checked before anything is read). */
  useCase: string;
  /** Human text → canonical where it can be written so (normalise.ts); default: as read. */
  normalise?(input: Record<string, unknown>): Record<string, unknown>;
  /** What the Pending carries besides the input (a batch select's product). */
  extra?(fv: Record<string, unknown>): Partial<Pick<Pending, 'batchOf'>>;
}

/** The submit action of a flow form (see the file comment). */
export function flowSubmit(o: FlowSubmit): CardAction {
  return {
    name: o.action,
    useCase: o.useCase,
    run: (c) =>
      guarded(async () => {
        const k = keyOf(c);
        if (!k) return expiredAnswer();
        const form = c.registry.form(o.form);
        if (!form?.fields) throw new Error(`card form "${o.form}" declares no fields`);
        const schema = form.useCase ? c.registry.useCases.require(form.useCase).input : undefined;
        const raw = readFields(form.fields, humanForm(form.fields, c.form), schema);
        const input = o.normalise ? o.normalise(raw) : raw;
        return submitFlow(c, k, { flow: o.flow, origin: k, key: `card:${k}`, input, ...(o.extra?.(c.form) ?? {}) });
      }),
  };
}

export interface UseCaseSubmit<R> {
  /** The action name the form's submit button carries: '<form>.submit'. */
  action: string;
  /** The form whose fields are read; its use case is the one run. */
  form: string;
  useCase: string;
  /**
   * Rules a user can fix, checked first with the wording the services use (the canonical
   * schema's, which follows, is terser): a message, or null.
   */
  validate?(input: Record<string, unknown>): string | null;
  /** The card after the effect, inside the key's unit of work. */
  summary(uow: UnitOfWork, c: ActionContext, result: R, input: Record<string, unknown>): Promise<FlowAnswer>;
}

/**
 * The submit action of a form that runs its use case directly (no product to pick, nothing to
 * confirm): read the declared fields, check them with the use case's canonical schema (a toast
 * naming the field: 请修改：「名称」请填写商品名称), then spend the key running the use case
 * under `card:<key>`.
 */
export function useCaseSubmit<R>(o: UseCaseSubmit<R>): CardAction {
  return {
    name: o.action,
    useCase: o.useCase,
    run: (c) =>
      guarded(async () => {
        const k = keyOf(c);
        const used = await usedAnswer(c, k);
        if (used) return used;
        const form = c.registry.form(o.form);
        if (!form?.fields) throw new Error(`card form "${o.form}" declares no fields`);
        const schema = c.registry.useCases.require(o.useCase).input;
        const input = readFields(form.fields, humanForm(form.fields, c.form), schema);
        const human = o.validate?.(input) ?? null;
        if (human) return toast('error', human);
        const v = check(schema, input);
        if (!v.ok) return toast('error', v.message);
        return stage(c, k, async (uow) => o.summary(uow, c, await invokeIn<R>(uow, c, o.useCase, input, `card:${k}`), input));
      }),
  };
}

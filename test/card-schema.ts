/**
 * A schema of the Card JSON 2.0 structure (protocol notes §4), so a malformed card fails a
 * test here rather than on a user's phone. Checks:
 * - `schema: "2.0"`, `config.update_multi` true when given, header title plain_text, template
 *   one of the documented colours, `body.elements` an array;
 * - only known component tags, each with its required fields (button text plain_text and
 *   `behaviors` instead of the 1.0 `value`/`url`; select options with plain_text labels and an
 *   initial_option among them; input max_length 1..1000; date yyyy-MM-dd …);
 * - `form` only at the body root, never nested, no table inside a form or column;
 * - every interactive component inside a form has a `name`, unique in the card, and each form
 *   has a submit button (`form_action_type: "submit"`, with a name);
 * - at most 200 components, element_id `[A-Za-z][A-Za-z0-9_]{0,19}` and unique, ≤ 5 tables,
 *   markdown tables ≤ 5 data rows, serialized size ≤ 30 KB.
 */
import { z } from 'zod';

export const TEMPLATES = ['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default'] as const;
export const MAX_CARD_BYTES = 30 * 1024;
export const MAX_ELEMENTS = 200;
const ELEMENT_ID = /^[A-Za-z][A-Za-z0-9_]{0,19}$/;

const plainText = z.object({ tag: z.literal('plain_text'), content: z.string().min(1).max(1000) });
const textish = z.object({ tag: z.enum(['plain_text', 'lark_md']), content: z.string() });

const base = {
  element_id: z.string().regex(ELEMENT_ID, 'element_id: letter first, ≤ 20 chars of [A-Za-z0-9_]').optional(),
  margin: z.string().optional(),
};

const behavior = z.discriminatedUnion('type', [
  z.object({ type: z.literal('callback'), value: z.union([z.record(z.string(), z.unknown()), z.string()]) }),
  z.object({ type: z.literal('open_url'), default_url: z.string().url(), pc_url: z.string().optional(), ios_url: z.string().optional(), android_url: z.string().optional() }),
]);

const option = z.object({ text: plainText, value: z.string().min(1).max(200) });

export const INTERACTIVE = ['input', 'select_static', 'multi_select_static', 'select_person', 'multi_select_person', 'date_picker', 'picker_time', 'picker_datetime', 'checker', 'button', 'overflow'] as const;

const elementSchemas: Record<string, z.ZodType> = {
  markdown: z.object({ ...base, tag: z.literal('markdown'), content: z.string(), text_align: z.enum(['left', 'center', 'right']).optional(), text_size: z.string().optional() }).strict(),
  div: z.object({ ...base, tag: z.literal('div'), text: textish }).strict(),
  hr: z.object({ ...base, tag: z.literal('hr') }).strict(),
  button: z
    .object({
      ...base,
      tag: z.literal('button'),
      text: plainText,
      type: z.enum(['default', 'primary', 'danger', 'text', 'primary_text', 'danger_text', 'primary_filled', 'danger_filled', 'laser']).optional(),
      size: z.enum(['tiny', 'small', 'medium', 'large']).optional(),
      width: z.string().optional(),
      name: z.string().min(1).optional(),
      form_action_type: z.enum(['submit', 'reset']).optional(),
      confirm: z.object({ title: plainText, text: plainText }).optional(),
      disabled: z.boolean().optional(),
      behaviors: z.array(behavior).min(1).optional(),
    })
    .strict(),
  input: z
    .object({
      ...base,
      tag: z.literal('input'),
      name: z.string().min(1).optional(),
      required: z.boolean().optional(),
      placeholder: plainText.optional(),
      default_value: z.string().optional(),
      label: plainText.optional(),
      label_position: z.enum(['top', 'left']).optional(),
      input_type: z.enum(['text', 'multiline_text', 'password']).optional(),
      rows: z.number().int().min(1).optional(),
      max_length: z.number().int().min(1).max(1000).optional(),
      width: z.string().optional(),
      behaviors: z.array(behavior).optional(),
    })
    .strict(),
  select_static: z
    .object({
      ...base,
      tag: z.literal('select_static'),
      name: z.string().min(1).optional(),
      required: z.boolean().optional(),
      placeholder: plainText.optional(),
      width: z.string().optional(),
      options: z.array(option).min(1),
      initial_option: z.string().optional(),
      behaviors: z.array(behavior).optional(),
    })
    .strict()
    .refine((s) => s.initial_option === undefined || s.options.some((o) => o.value === s.initial_option), 'initial_option must be one of the options')
    .refine((s) => new Set(s.options.map((o) => o.value)).size === s.options.length, 'option values must be unique'),
  multi_select_static: z
    .object({
      ...base,
      tag: z.literal('multi_select_static'),
      name: z.string().min(1).optional(),
      required: z.boolean().optional(),
      placeholder: plainText.optional(),
      width: z.string().optional(),
      options: z.array(option).min(1),
      selected_values: z.array(z.string()).optional(),
    })
    .strict()
    .refine((s) => !s.selected_values || s.selected_values.every((v) => s.options.some((o) => o.value === v)), 'selected_values must be among the options')
    .refine((s) => new Set(s.options.map((o) => o.value)).size === s.options.length, 'option values must be unique'),
  date_picker: z
    .object({
      ...base,
      tag: z.literal('date_picker'),
      name: z.string().min(1).optional(),
      required: z.boolean().optional(),
      placeholder: plainText.optional(),
      width: z.string().optional(),
      initial_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    })
    .strict(),
  form: z.object({ ...base, tag: z.literal('form'), name: z.string().min(1), elements: z.array(z.record(z.string(), z.unknown())).min(1) }).strict(),
  column_set: z
    .object({
      ...base,
      tag: z.literal('column_set'),
      flex_mode: z.enum(['none', 'stretch', 'flow', 'bisect', 'trisect']).optional(),
      horizontal_spacing: z.string().optional(),
      background_style: z.string().optional(),
      columns: z.array(
        z
          .object({
            ...base,
            tag: z.literal('column'),
            width: z.string().optional(),
            weight: z.number().optional(),
            vertical_align: z.string().optional(),
            elements: z.array(z.record(z.string(), z.unknown())),
          })
          .strict(),
      ),
    })
    .strict(),
  table: z
    .object({
      ...base,
      tag: z.literal('table'),
      page_size: z.number().int().min(1).max(10),
      row_height: z.string().optional(),
      header_style: z.record(z.string(), z.unknown()).optional(),
      columns: z
        .array(
          z.object({
            name: z.string().min(1),
            display_name: z.string().optional(),
            data_type: z.enum(['text', 'lark_md', 'options', 'number', 'persons', 'date', 'markdown']),
            width: z.string().optional(),
            horizontal_align: z.enum(['left', 'center', 'right']).optional(),
            format: z.record(z.string(), z.unknown()).optional(),
          }),
        )
        .min(1),
      rows: z.array(z.record(z.string(), z.unknown())),
    })
    .strict(),
};

export const ALLOWED_TAGS = Object.keys(elementSchemas);

export const cardSchema = z
  .object({
    schema: z.literal('2.0'),
    config: z
      .object({
        update_multi: z.literal(true).optional(),
        width_mode: z.enum(['fill', 'default', 'compact']).optional(),
        summary: z.object({ content: z.string() }).optional(),
        enable_forward: z.boolean().optional(),
      })
      .strict()
      .optional(),
    card_link: z.object({ url: z.string() }).optional(),
    header: z
      .object({
        title: plainText,
        subtitle: plainText.optional(),
        template: z.enum(TEMPLATES),
        text_tag_list: z.array(z.unknown()).optional(),
        padding: z.string().optional(),
      })
      .strict(),
    body: z
      .object({
        direction: z.enum(['vertical', 'horizontal']).optional(),
        padding: z.string().optional(),
        vertical_spacing: z.string().optional(),
        elements: z.array(z.record(z.string(), z.unknown())).min(1),
      })
      .strict(),
  })
  .strict()
  .superRefine((card, ctx) => {
    const add = (message: string, path: (string | number)[] = []) => ctx.addIssue({ code: 'custom', message, path });
    const bytes = Buffer.byteLength(JSON.stringify(card));
    if (bytes > MAX_CARD_BYTES) add(`card is ${bytes} bytes (> 30 KB)`);
    let count = 0;
    let tables = 0;
    const ids = new Set<string>();
    const names = new Map<string, string>();
    const walk = (els: Record<string, unknown>[], path: (string | number)[], where: { root: boolean; form: string | null; column: boolean }) => {
      els.forEach((el, i) => {
        const p = [...path, i];
        count++;
        const tag = el.tag;
        if (typeof tag !== 'string' || !(tag in elementSchemas)) {
          add(`tag "${String(tag)}" is not an allowed Card 2.0 component here (${ALLOWED_TAGS.join(', ')})`, p);
          return;
        }
        const r = elementSchemas[tag].safeParse(el);
        if (!r.success) for (const iss of r.error.issues) add(`${tag}: ${iss.message}`, [...p, ...iss.path.map((x) => (typeof x === 'symbol' ? String(x) : x))]);
        if (typeof el.element_id === 'string') {
          if (ids.has(el.element_id)) add(`duplicate element_id ${el.element_id}`, p);
          ids.add(el.element_id);
        }
        if (tag === 'form') {
          if (!where.root) add('form is only allowed at the body root (not nested, not in a column)', p);
          const formName = String(el.name);
          const children = (el.elements ?? []) as Record<string, unknown>[];
          const before = names.size;
          walk(children, [...p, 'elements'], { root: false, form: formName, column: false });
          const submits = collect(children).filter((c) => c.tag === 'button' && c.form_action_type === 'submit');
          if (!submits.length) add(`form "${formName}" has no submit button (form_action_type: "submit")`, p);
          for (const s of submits) if (typeof s.name !== 'string' || !s.name) add(`submit button of form "${formName}" needs a name`, p);
          void before;
          return;
        }
        if (tag === 'table') {
          tables++;
          if (where.form || where.column || !where.root) add('table is only allowed at the body root (not in a form or column)', p);
        }
        if (tag === 'markdown' && typeof el.content === 'string') {
          for (const t of markdownTables(el.content)) if (t > 5) add(`markdown table with ${t} data rows (Feishu shows at most 5)`, p);
        }
        if (where.form && (INTERACTIVE as readonly string[]).includes(tag)) {
          const n = el.name;
          if (typeof n !== 'string' || !n) add(`${tag} inside form "${where.form}" has no name (Feishu error 200530)`, p);
          else {
            if (names.has(n)) add(`interactive name "${n}" is used twice in the card`, p);
            names.set(n, tag);
          }
        }
        if (tag === 'button' && !where.form && !(el.behaviors as unknown[] | undefined)?.length) add('a button outside a form needs behaviors (2.0 has no top-level value/url)', p);
        if (tag === 'column_set') {
          const cols = (el.columns ?? []) as Record<string, unknown>[];
          cols.forEach((col, j) => {
            count++;
            walk((col.elements ?? []) as Record<string, unknown>[], [...p, 'columns', j, 'elements'], { root: false, form: where.form, column: true });
          });
        }
      });
    };
    walk(card.body.elements, ['body', 'elements'], { root: true, form: null, column: false });
    if (count > MAX_ELEMENTS) add(`card has ${count} components (> ${MAX_ELEMENTS})`);
    if (tables > 5) add(`card has ${tables} tables (> 5)`);
  });

function collect(els: Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const e of els) {
    out.push(e);
    if (Array.isArray(e.elements)) out.push(...collect(e.elements as Record<string, unknown>[]));
    if (Array.isArray(e.columns)) for (const c of e.columns as Record<string, unknown>[]) out.push(...collect((c.elements ?? []) as Record<string, unknown>[]));
  }
  return out;
}

/** Data-row counts of the markdown tables in a text. */
function markdownTables(md: string): number[] {
  const out: number[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*\|/.test(lines[i]) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) {
      let n = 0;
      let j = i + 2;
      while (j < lines.length && /^\s*\|/.test(lines[j])) {
        n++;
        j++;
      }
      out.push(n);
      i = j - 1;
    }
  }
  return out;
}

export type CardJson = z.infer<typeof cardSchema>;

/** Throws with every problem listed when `card` (object or JSON string) is not a valid 2.0 card. */
export function assertCard(card: unknown): CardJson {
  const obj = typeof card === 'string' ? JSON.parse(card) : card;
  const r = cardSchema.safeParse(obj);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(card)'}: ${i.message}`);
    throw new Error(`invalid Card JSON 2.0:\n${lines.join('\n')}`);
  }
  return r.data;
}

export function cardProblems(card: unknown): string[] {
  const r = cardSchema.safeParse(typeof card === 'string' ? JSON.parse(card) : card);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(card)'}: ${i.message}`);
}

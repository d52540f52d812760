/**
 * Card JSON 2.0 builders (protocol notes §4). Every card the bot emits is built here, so the
 * structural rules live in one place:
 * - `schema: "2.0"` always (a 1.0 card in a 2.0 callback answer fails with 200830);
 * - `config.update_multi: true` (the only value 2.0 supports: a shared card);
 * - header title is plain_text, template one of the documented colours;
 * - buttons carry `behaviors: [{type:'callback', value}]` (the 1.0 `action` wrapper is gone);
 * - a form sits at the body root, every interactive child has a unique `name`, and it has one
 *   submit button (`form_action_type: 'submit'`).
 * test/card-schema.ts checks all of it for every card a test sees.
 */

export type Template =
  | 'blue'
  | 'wathet'
  | 'turquoise'
  | 'green'
  | 'yellow'
  | 'orange'
  | 'red'
  | 'carmine'
  | 'violet'
  | 'purple'
  | 'indigo'
  | 'grey'
  | 'default';

export type El = Record<string, unknown>;
export type Card = {
  schema: '2.0';
  config: { update_multi: true; width_mode?: 'fill' | 'default' | 'compact'; summary?: { content: string } };
  header: { title: { tag: 'plain_text'; content: string }; subtitle?: { tag: 'plain_text'; content: string }; template: Template };
  body: { elements: El[] };
};

const plain = (content: string) => ({ tag: 'plain_text' as const, content });

export function card(title: string, template: Template, elements: El[], opts: { subtitle?: string; summary?: string } = {}): Card {
  return {
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill', ...(opts.summary ? { summary: { content: opts.summary.slice(0, 100) } } : {}) },
    header: { title: plain(title.slice(0, 100)), ...(opts.subtitle ? { subtitle: plain(opts.subtitle.slice(0, 100)) } : {}), template },
    body: { elements },
  };
}

/** Markdown is rendered by Feishu: escape what users typed so `*`, `<`, `[` show as text. */
export function md(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/([\\*_~`[\]<>#|])/g, '\\$1');
}

export const markdown = (content: string, elementId?: string): El => ({ tag: 'markdown', content, ...(elementId ? { element_id: elementId } : {}) });
export const hr = (): El => ({ tag: 'hr' });

export type ButtonType = 'default' | 'primary' | 'danger' | 'text' | 'primary_filled' | 'danger_filled' | 'primary_text' | 'danger_text' | 'laser';

/** A callback button outside a form. */
export function button(text: string, value: Record<string, unknown>, opts: { type?: ButtonType; confirm?: { title: string; text: string }; name?: string; width?: 'default' | 'fill' } = {}): El {
  return {
    tag: 'button',
    text: plain(text),
    type: opts.type ?? 'default',
    ...(opts.width ? { width: opts.width } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.confirm ? { confirm: { title: plain(opts.confirm.title), text: plain(opts.confirm.text) } } : {}),
    behaviors: [{ type: 'callback', value }],
  };
}

/** Buttons side by side (column_set; each button in its own column). */
export function buttonRow(buttons: El[]): El {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: '8px',
    columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [b] })),
  };
}

export interface Option {
  label: string;
  value: string;
}

const label = (text: string) => plain(text);

export function input(name: string, text: string, opts: { placeholder?: string; required?: boolean; defaultValue?: string; maxLength?: number } = {}): El {
  return {
    tag: 'input',
    name,
    label: label(text),
    label_position: 'top',
    placeholder: plain(opts.placeholder ?? `请输入${text}`),
    required: opts.required ?? false,
    width: 'fill',
    ...(opts.defaultValue !== undefined && opts.defaultValue !== '' ? { default_value: opts.defaultValue } : {}),
    ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
  };
}

/**
 * select_static has no label in 2.0: a small markdown caption goes above it (not interactive,
 * so no name needed).
 */
export function select(name: string, text: string, options: Option[], opts: { placeholder?: string; required?: boolean; initial?: string | null } = {}): El[] {
  const initial = opts.initial && options.some((o) => o.value === opts.initial) ? opts.initial : undefined;
  return [
    markdown(`**${text}**${opts.required ? ' <font color="red">*</font>' : ''}`),
    {
      tag: 'select_static',
      name,
      placeholder: plain(opts.placeholder ?? `请选择${text}`),
      required: opts.required ?? false,
      width: 'fill',
      options: options.map((o) => ({ text: plain(o.label.slice(0, 100)), value: o.value })),
      ...(initial ? { initial_option: initial } : {}),
    },
  ];
}

export function multiSelect(name: string, text: string, options: Option[], opts: { placeholder?: string; required?: boolean; selected?: string[] } = {}): El[] {
  return [
    markdown(`**${text}**`),
    {
      tag: 'multi_select_static',
      name,
      placeholder: plain(opts.placeholder ?? `请选择${text}`),
      required: opts.required ?? false,
      width: 'fill',
      options: options.map((o) => ({ text: plain(o.label.slice(0, 100)), value: o.value })),
      ...(opts.selected?.length ? { selected_values: opts.selected } : {}),
    },
  ];
}

export function datePicker(name: string, text: string, opts: { initialDate?: string; required?: boolean } = {}): El[] {
  return [
    markdown(`**${text}**`),
    {
      tag: 'date_picker',
      name,
      placeholder: plain(`请选择${text}`),
      required: opts.required ?? false,
      width: 'fill',
      ...(opts.initialDate ? { initial_date: opts.initialDate } : {}),
    },
  ];
}

/** The form's submit button. `value` comes back as action.value (and the name as action.name). */
export function submitButton(name: string, text: string, value: Record<string, unknown>): El {
  return {
    tag: 'button',
    name,
    text: plain(text),
    type: 'primary_filled',
    width: 'fill',
    form_action_type: 'submit',
    behaviors: [{ type: 'callback', value }],
  };
}

export function form(name: string, elements: El[]): El {
  return { tag: 'form', name, elements };
}

/** A table (2.0, root level only). Cells are text. */
export function table(columns: { name: string; title: string; align?: 'left' | 'right' | 'center' }[], rows: Record<string, string>[], pageSize = 10): El {
  return {
    tag: 'table',
    page_size: Math.max(1, Math.min(10, pageSize)),
    row_height: 'low',
    header_style: { text_align: 'left', background_style: 'grey', bold: true, lines: 1 },
    columns: columns.map((c) => ({ name: c.name, display_name: c.title, data_type: 'text', width: 'auto', horizontal_align: c.align ?? 'left' })),
    rows,
  };
}

/** The callback value every button of ours carries. */
export interface ActionValue {
  /** Which handler (bot/cards/actions.ts). */
  a: string;
  /** One-time key (card_tokens.token) when the action posts or completes something. */
  k?: string;
  [extra: string]: unknown;
}

export const value = (a: string, extra: Record<string, unknown> = {}): ActionValue => ({ a, ...extra });

/** Text of a card for logs and the terminal chat (header + markdown). */
export function cardText(c: Card): string {
  const out: string[] = [c.header.title.content];
  const walk = (els: El[]) => {
    for (const e of els) {
      if (e.tag === 'markdown' && typeof e.content === 'string') out.push(e.content.replace(/\\(.)/g, '$1').replace(/<[^>]+>/g, ''));
      if (Array.isArray(e.elements)) walk(e.elements as El[]);
      if (Array.isArray(e.columns)) for (const col of e.columns as El[]) if (Array.isArray(col.elements)) walk(col.elements as El[]);
    }
  };
  walk(c.body.elements);
  return out.join('\n');
}

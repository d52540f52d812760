/** A Feishu card (JSON 2.0 or 1.0) as readable plain text — for the terminal chat and logs. */
type Node = Record<string, unknown>;

function text(v: unknown): string {
  if (!v) return '';
  if (typeof v === 'string') return v;
  const o = v as Node;
  if (typeof o.content === 'string') return o.content;
  if (o.i18n && typeof o.i18n === 'object') return String(Object.values(o.i18n as Node)[0] ?? '');
  return '';
}

function walk(el: unknown, out: string[], indent = ''): void {
  if (!el || typeof el !== 'object') return;
  if (Array.isArray(el)) return el.forEach((x) => walk(x, out, indent));
  const o = el as Node;
  switch (o.tag) {
    case 'markdown':
    case 'lark_md':
      // What the reader sees: Feishu renders `\_` as `_` (bot/cards/card.ts md escapes user text)
      // and colours <font> text instead of showing the tag. Tags first: an escaped `\<` is text.
      out.push(indent + String(o.content ?? '').replace(/(?<!\\)<\/?(?:font|text_tag)\b[^>]*(?<!\\)>/g, '').replace(/\\([\\*_~`[\]<>#|])/g, '$1'));
      return;
    case 'plain_text':
      out.push(indent + String(o.content ?? ''));
      return;
    case 'div':
      if (o.text) out.push(indent + text(o.text));
      if (Array.isArray(o.fields)) for (const f of o.fields as Node[]) out.push(indent + text(f.text));
      return;
    case 'hr':
      out.push(indent + '────────');
      return;
    case 'button':
      out.push(`${indent}[按钮：${text(o.text)}]`);
      return;
    case 'input':
      out.push(`${indent}[输入 ${o.name ?? ''}：${text(o.label) || text(o.placeholder)}${o.default_value ? ` = ${o.default_value}` : ''}]`);
      return;
    case 'select_static':
    case 'multi_select_static': {
      const opts = ((o.options as Node[] | undefined) ?? []).map((x) => text(x.text)).join(' / ');
      out.push(`${indent}[选择 ${o.name ?? ''}：${opts}]`);
      return;
    }
    case 'date_picker':
    case 'picker_time':
    case 'picker_datetime':
      out.push(`${indent}[日期 ${o.name ?? ''}${o.initial_date ? ` = ${o.initial_date}` : ''}]`);
      return;
    case 'table': {
      const cols = (o.columns as Node[] | undefined) ?? [];
      out.push(indent + cols.map((c) => String(c.display_name ?? c.name)).join(' | '));
      for (const r of (o.rows as Node[] | undefined) ?? []) out.push(indent + cols.map((c) => String(r[String(c.name)] ?? '')).join(' | '));
      return;
    }
    case 'form':
      out.push(`${indent}〔表单 ${o.name ?? ''}〕`);
      walk(o.elements, out, indent + '  ');
      return;
    case 'column_set':
      walk(o.columns, out, indent);
      return;
    case 'column':
    case 'collapsible_panel':
      walk(o.elements, out, indent);
      return;
    case 'action':
      walk(o.actions, out, indent);
      return;
    case 'chart':
      out.push(`${indent}[图表]`);
      return;
    case 'img':
      out.push(`${indent}[图片]`);
      return;
    default:
      if (o.elements) walk(o.elements, out, indent);
      else if (o.text) out.push(indent + text(o.text));
  }
}

export function cardToText(card: unknown): string {
  if (!card || typeof card !== 'object') return String(card);
  const c = card as Node;
  const out: string[] = [];
  const header = c.header as Node | undefined;
  if (header?.title) out.push(`【${text(header.title)}】`);
  if (header?.subtitle) out.push(text(header.subtitle));
  const body = (c.body as Node | undefined)?.elements ?? c.elements;
  walk(body, out);
  return out.join('\n');
}

export interface CardButton {
  label: string;
  /** The callback value (behaviors[].value, or the 1.0 `value`). */
  value: unknown;
  name?: string;
  /** Inside a form: a submit button (its click carries form_value). */
  formSubmit?: boolean;
  /** A second-confirmation dialog Feishu shows before sending the callback (e.g. 红冲). */
  confirm?: { title: string; text: string };
}

/** Every button of a card, in reading order (numbered in cardToText output). */
export function cardButtons(card: unknown): CardButton[] {
  const out: CardButton[] = [];
  const walk = (el: unknown, inForm: boolean) => {
    if (!el || typeof el !== 'object') return;
    if (Array.isArray(el)) return el.forEach((x) => walk(x, inForm));
    const o = el as Node;
    if (o.tag === 'button') {
      const beh = (o.behaviors as Node[] | undefined)?.find((b) => b.type === 'callback');
      const confirm = o.confirm as { title?: unknown; text?: unknown } | undefined;
      out.push({
        label: text(o.text),
        value: beh?.value ?? o.value,
        name: typeof o.name === 'string' ? o.name : undefined,
        formSubmit: inForm && o.form_action_type === 'submit',
        ...(confirm ? { confirm: { title: text(confirm.title), text: text(confirm.text) } } : {}),
      });
      return;
    }
    const form = inForm || o.tag === 'form';
    for (const k of ['elements', 'columns', 'actions']) if (o[k]) walk(o[k], form);
    if (o.body) walk(o.body, form);
  };
  walk(card, false);
  return out;
}

/** A select's choices: what the user reads (text) and what Feishu sends (value). */
export interface SelectChoice {
  text: string;
  value: string;
}

/** The choices of every select of a card, by field name (for the terminal chat's 字段=值). */
export function cardSelects(card: unknown): Map<string, SelectChoice[]> {
  const out = new Map<string, SelectChoice[]>();
  const walk = (el: unknown) => {
    if (!el || typeof el !== 'object') return;
    if (Array.isArray(el)) return el.forEach(walk);
    const o = el as Node;
    if ((o.tag === 'select_static' || o.tag === 'multi_select_static') && typeof o.name === 'string') {
      out.set(o.name, ((o.options as Node[] | undefined) ?? []).map((x) => ({ text: text(x.text), value: String(x.value ?? '') })));
      return;
    }
    for (const k of ['elements', 'columns', 'actions']) if (o[k]) walk(o[k]);
    if (o.body) walk(o.body);
  };
  walk(card);
  return out;
}

/**
 * What Feishu would send for `typed` in the select `choices`: a choice's value as is, else the
 * one choice whose text is `typed` or contains it (「GLU」 in 「胶水（GLU）」); `typed` unchanged
 * when none or several match (the form then says what is wrong, as it would in Feishu).
 */
export function choiceValue(choices: readonly SelectChoice[] | undefined, typed: string): string {
  if (!choices || choices.some((c) => c.value === typed)) return typed;
  const exact = choices.filter((c) => c.text === typed);
  if (exact.length === 1) return exact[0].value;
  const partial = choices.filter((c) => c.text.includes(typed));
  if (partial.length === 1) return partial[0].value;
  // As on a phone, letter case does not matter when picking what the card shows (led50 = LED50).
  const folded = choices.filter((c) => c.text.toLowerCase().includes(typed.toLowerCase()));
  return folded.length === 1 ? folded[0].value : typed;
}

/** The names of a card's form fields (inputs and selects), in reading order: what 字段=值 may name. */
export function cardFieldNames(card: unknown): string[] {
  const out: string[] = [];
  const walk = (el: unknown) => {
    if (!el || typeof el !== 'object') return;
    if (Array.isArray(el)) return el.forEach(walk);
    const o = el as Node;
    if (['input', 'select_static', 'multi_select_static', 'date_picker'].includes(String(o.tag)) && typeof o.name === 'string') out.push(o.name);
    for (const k of ['elements', 'columns', 'actions']) if (o[k]) walk(o[k]);
    if (o.body) walk(o.body);
  };
  walk(card);
  return out;
}

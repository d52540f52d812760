/** Shared text rendering for command replies. */
import type { DomainError } from '../../src/errors.js';

interface Candidate {
  id?: number;
  sku?: string;
  name?: string;
  label?: string;
  spec?: string | null;
  model?: string | null;
}

/** A domain error as a chat answer; an ambiguous name lists numbered candidates. */
export function renderDomainError(e: DomainError): string {
  const d = e.details ?? {};
  const cands = (d.candidates ?? d.matches) as Candidate[] | undefined;
  if (e.code === 'ambiguous' && Array.isArray(cands) && cands.length && !/\n1\. /.test(e.message)) {
    const lines = cands.slice(0, 10).map((c, i) => {
      const label = c.label ?? [c.sku, c.name, c.spec, c.model].filter(Boolean).join(' ');
      return `${i + 1}. ${label}`;
    });
    const hint = cands[0]?.sku ? `\n请用编码重新发送，例如把名称换成「${cands[0].sku}」。` : '';
    const msg = /候选|哪一个|哪个/.test(e.message) ? e.message : `${e.message}\n找到多个，请指明是哪一个：`;
    return `${msg}\n${lines.join('\n')}${hint}`;
  }
  return e.message;
}

/** "-5 个（-5 个）" → "-5 个": the pack-unit hint only when it says something new. */
export function tidyQty(s: string): string {
  const m = s.match(/^(-?)([\d.]+ \S+)（-?([\d.]+ \S+)）$/);
  return m && m[2] === m[3] ? m[1] + m[2] : s;
}

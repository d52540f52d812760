/**
 * Fuzzy product search. products.search_text is the haystack: name, model and spec plus the
 * name's full pinyin (no tones, no spaces) and initials, lower-cased, so 螺丝 is found by
 * "螺", "luosi" and "ls". Queries match when every whitespace-separated term is a substring.
 */
import { pinyin } from 'pinyin-pro';

const HAN = /[\u3400-\u9fff]/;

export function buildSearchText(p: { name: string; model?: string | null; spec?: string | null }): string {
  const plain = [p.name, p.model, p.spec].filter(Boolean).join(' ');
  const parts = [plain];
  if (HAN.test(plain)) {
    const compact = plain.replace(/\s+/g, '');
    const full = pinyin(compact, { toneType: 'none', type: 'array', nonZh: 'consecutive' }) as string[];
    const initials = pinyin(compact, { pattern: 'first', toneType: 'none', type: 'array', nonZh: 'consecutive' }) as string[];
    parts.push(full.join(''), initials.join(''));
    // Name alone too: "ls" should match 螺丝 even when model/spec follow.
    const nameCompact = p.name.replace(/\s+/g, '');
    if (nameCompact !== compact && HAN.test(nameCompact)) {
      parts.push((pinyin(nameCompact, { toneType: 'none', type: 'array' }) as string[]).join(''));
      parts.push((pinyin(nameCompact, { pattern: 'first', toneType: 'none', type: 'array' }) as string[]).join(''));
    }
  }
  return parts.join(' ').toLowerCase();
}

/** Lower-cased terms of a query; LIKE wildcards escaped. */
export function searchTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/[\s,，]+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => t.replace(/[\\%_]/g, (c) => '\\' + c));
}

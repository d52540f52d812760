/** The terminal chat's reading of cards: select choices typed as the text the card shows. */
import { describe, expect, it } from 'vitest';
import { cardFieldNames, cardSelects, choiceValue } from '../../bot/card-text.js';

const card = {
  schema: '2.0',
  body: {
    elements: [
      {
        tag: 'form',
        name: 'f',
        elements: [
          { tag: 'select_static', name: 'product', options: [{ text: { tag: 'plain_text', content: '胶水（GLU）' }, value: '3' }, { text: { tag: 'plain_text', content: '胶带（GLT）' }, value: '4' }] },
          { tag: 'input', name: 'qty' },
        ],
      },
    ],
  },
};

describe('card selects in the terminal chat', () => {
  const choices = cardSelects(card).get('product');

  it('finds every select with its choices', () => {
    expect(choices).toEqual([
      { text: '胶水（GLU）', value: '3' },
      { text: '胶带（GLT）', value: '4' },
    ]);
  });

  it('maps what the card shows to the value Feishu would send; leaves anything unclear as typed', () => {
    expect(choiceValue(choices, '3')).toBe('3');
    expect(choiceValue(choices, 'GLU')).toBe('3');
    expect(choiceValue(choices, '胶水（GLU）')).toBe('3');
    expect(choiceValue(choices, '胶')).toBe('胶'); // two choices contain it: the form says so
    expect(choiceValue(undefined, '5')).toBe('5'); // not a select
  });

  it('lists the form fields 字段=值 may name (so a label typed instead is caught, not dropped)', () => {
    expect(cardFieldNames(card)).toEqual(['product', 'qty']);
  });
});

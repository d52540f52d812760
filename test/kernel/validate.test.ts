/** Input errors name the field the way users know it, per use case, and name unknown fields. */
import { describe, expect, it } from 'vitest';
import { parseInput } from '../../src/kernel/validate.js';
import { buildUseCaseRegistry } from '../../src/kernel/use-case-registry.js';
import { ALL_USE_CASES } from '../../src/use-cases.js';
import type { DomainError } from '../../src/errors.js';

const registry = buildUseCaseRegistry(ALL_USE_CASES);
const messageOf = (id: string, input: unknown): string => {
  try {
    parseInput(registry.require(id).input, input);
  } catch (e) {
    return (e as DomainError).message;
  }
  throw new Error('expected invalid input');
};

describe('input messages', () => {
  it('one key, two meanings: `from` is 调出仓库 in a transfer and 起始时间 in a listing', () => {
    expect(messageOf('inventory.moves', { from: 'yesterday' })).toContain('「起始时间」');
    expect(messageOf('inventory.documents', { to: 'tomorrow' })).toContain('「截止时间」');
    expect(messageOf('inventory.transfer', { from: '', to: '', lines: [{ product: 'A001', qty: '1' }] })).toContain('「调出仓库」');
  });

  it('an unknown field is named, not "格式不对"', () => {
    expect(messageOf('inventory.issue', { lines: [{ product: 'A001', qty: '1' }], price: '3' })).toContain('没有这些字段：price');
  });

  it('a line error names the line and the field', () => {
    expect(messageOf('inventory.receive', { lines: [{ product: 'A', qty: '1' }, { product: 'B', qty: '1.5.2' }] })).toContain('第 2 行「数量」');
  });
});

describe('enum refusals', () => {
  it('list the codes with their Chinese names', () => {
    expect(messageOf('inventory.issue', { kind: 'sale', lines: [{ product: 'A001', qty: '1' }] })).toContain('「类型」只能是 sales_issue（销售出库）、internal_issue（领用出库）');
    expect(messageOf('inventory.moves', { kind: 'nope' })).toContain('transfer_out（');
  });
});

/**
 * The application's modules: the first part of every use-case id ('inventory.issue'), what
 * users call them (「库存」模块未开通), and the unit a company switches off
 * (company.disabled_modules) or a REST token is scoped to. A new domain adds its line here.
 */
export const MODULE_LABELS: Readonly<Record<string, string>> = Object.freeze({
  inventory: '库存',
  people: '人员',
  tokens: '令牌',
  purchasing: '采购',
  sales: '销售',
  finance: '财务',
  reports: '报表',
});

/** 'inventory' → '库存'; an unknown module reads as itself. */
export const moduleLabel = (module: string): string => MODULE_LABELS[module] ?? module;

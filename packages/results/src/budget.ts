/**
 * A job's label budget as results record it: labelled images per class, or every training label.
 * (`@udtl/datasets`' `LabelBudget` is the splitter's richer input; the runner converts.)
 */
export type Budget = number | 'all';

/** What a budget may be, for error messages of every reader (config, CSV). */
export const BUDGET_RULE = 'a whole number of labels per class ≥ 1, or "all"';

export function isBudget(value: unknown): value is Budget {
  return value === 'all' || (typeof value === 'number' && Number.isInteger(value) && value >= 1);
}

/** A budget as results.csv writes it ('5', 'all'), back to a Budget; `where` names the place in errors. */
export function parseBudget(text: string, where = 'budget'): Budget {
  if (text === 'all') return 'all';
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${where}: budget "${text}" is not ${BUDGET_RULE}`);
  return Number(text);
}

/** The one text form people read: '5/class', 'all labels'. */
export function formatBudget(budget: Budget): string {
  return budget === 'all' ? 'all labels' : `${budget}/class`;
}

/** Budgets in reading order: increasing counts, then 'all'. */
export function compareBudgets(a: Budget, b: Budget): number {
  if (a === b) return 0;
  if (a === 'all') return 1;
  if (b === 'all') return -1;
  return a - b;
}

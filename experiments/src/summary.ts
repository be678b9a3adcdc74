import type { JobResult } from './jobs.js';

/** Mean accuracy per dataset × method × budget, as a plain-text table (the report does the statistics). */
export function summaryTable(results: JobResult[]): string {
  const cells = new Map<string, number[]>();
  const datasets = new Set<string>(), methods = new Set<string>(), budgets = new Set<string>();
  for (const r of results) {
    if (r.status !== 'ok' || r.fold === 'official') continue;
    const key = `${r.dataset}\t${r.method}\t${r.budget}`;
    cells.set(key, [...(cells.get(key) ?? []), r.metrics.accuracy]);
    datasets.add(r.dataset); methods.add(r.method); budgets.add(String(r.budget));
  }
  const budgetList = [...budgets].sort((a, b) => (a === 'all' ? 1 : b === 'all' ? -1 : Number(a) - Number(b)));
  const header = ['dataset', 'method', ...budgetList.map((b) => (b === 'all' ? 'all labels' : `${b}/class`))];
  const rows = [header];
  for (const d of datasets) for (const m of methods) {
    rows.push([d, m, ...budgetList.map((b) => {
      const v = cells.get(`${d}\t${m}\t${b}`);
      return v ? (v.reduce((s, x) => s + x, 0) / v.length).toFixed(3) : '';
    })]);
  }
  const widths = header.map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return ['mean accuracy over folds', ...rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join('  '))].join('\n');
}

/**
 * The first `max` distinct errors of failed jobs, each with how many jobs it stopped and one of
 * them, so the terminal says why a run failed (the full list is in manifest.json).
 */
export function failureDigest(results: JobResult[], max = 3): string[] {
  const byError = new Map<string, { count: number; first: string }>();
  for (const r of results) {
    if (r.status !== 'failed') continue;
    const error = r.error ?? 'unknown error';
    const seen = byError.get(error);
    if (seen) seen.count++;
    else byError.set(error, { count: 1, first: r.key.replaceAll('|', ' ') });
  }
  const cut = (s: string) => (s.length > 400 ? `${s.slice(0, 400)}…` : s);
  const lines = [...byError].slice(0, max).map(([error, { count, first }]) => `  ${count} job${count > 1 ? 's' : ''} (e.g. ${first}): ${cut(error)}`);
  if (byError.size > max) lines.push(`  … and ${byError.size - max} other distinct error${byError.size - max > 1 ? 's' : ''}`);
  return lines;
}

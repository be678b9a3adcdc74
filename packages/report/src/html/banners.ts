import type { RunData } from '../results/types.js';
import type { Summary } from '../summary.js';
import { esc } from './format.js';

export interface Banner {
  kind: 'smoke' | 'incomplete' | 'small-test';
  text: string;
}

/** A run on fixture images or a config that says so: its numbers check the pipeline, nothing more. */
function isSmokeRun(run: RunData): string | undefined {
  const cfg = run.manifest?.config ?? {};
  const ids = [...new Set([...(run.manifest?.datasets ?? []).map((d) => d.id), ...run.results.map((r) => r.dataset)])];
  const tiny = ids.filter((d) => /(^|-)(tiny|fixture|smoke)(-|$)/.test(d));
  if (cfg.name === 'quick' || cfg.quick === true) return `this is a --quick smoke run (config "${String(cfg.name ?? 'quick')}")`;
  if (tiny.length) return `it runs on fixture data (${tiny.join(', ')})`;
  if (typeof cfg.description === 'string' && /smoke test|mean nothing/i.test(cfg.description)) return 'its config describes it as a smoke test';
  return undefined;
}

/**
 * Warnings that change how every number below must be read, shown above the verdict:
 * smoke/fixture runs, incomplete runs, and test folds too small to resolve the smallest gain of
 * interest (one image moves accuracy by more than δ when a test fold holds fewer than 1/δ images).
 */
export function runBanners(run: RunData, summaries: Summary[], smallestGain: number): Banner[] {
  const out: Banner[] = [];
  const smoke = isSmokeRun(run);
  if (smoke) out.push({ kind: 'smoke', text: `Smoke test, not evidence: ${smoke}. Its verdicts only show that the pipeline runs end to end; do not cite them.` });
  const m = run.manifest;
  if (m?.complete === false) {
    const ok = run.jobs.filter((j) => j.status === 'ok').length;
    out.push({ kind: 'incomplete', text: `Incomplete run: ${ok} of ${m.jobs?.total ?? 'an unknown number of'} planned jobs finished. Verdicts and charts cover only those and may change when the run is resumed.` });
  }
  const needed = Math.ceil(1 / smallestGain);
  const small: string[] = [];
  for (const dataset of [...new Set(summaries.map((s) => s.dataset))]) {
    const sizes = summaries.filter((s) => s.dataset === dataset && s.protocol === 'cv' && s.metric === 'n_test').map((s) => s.mean);
    if (!sizes.length) continue;
    const n = Math.min(...sizes);
    if (n < needed) small.push(`${dataset} (≈${Math.round(n)} test images per fold: one image moves accuracy by ${(100 / n).toFixed(1)} points)`);
  }
  if (small.length) {
    out.push({ kind: 'small-test', text: `Test sets too small to resolve δ = ${(100 * smallestGain).toFixed(1).replace(/\.0$/, '')} point(s) — a fold needs at least ${needed} test images for one image to move accuracy by less than δ: ${small.join('; ')}.` });
  }
  return out;
}

export function bannersHtml(banners: Banner[]): string {
  return banners.map((b) => `<div class="banner banner-${b.kind}" role="alert"><strong>${esc(b.kind === 'smoke' ? 'Smoke test' : b.kind === 'incomplete' ? 'Incomplete run' : 'Small test sets')}</strong> — ${esc(b.text)}</div>`).join('\n');
}

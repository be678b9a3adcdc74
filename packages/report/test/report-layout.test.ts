import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_FIGURES_ID } from '../src/html/keyfigures.js';
import { configName, selectionName, selectionSummary } from '../src/html/verdict.js';
import { buildReport } from '../src/report.js';
import { writeSyntheticRun, type SyntheticOptions } from '../src/synthetic.js';

let root: string;
beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'udtl-layout-'))));
afterAll(() => rm(root, { recursive: true, force: true }));

async function report(name: string, options: SyntheticOptions, edit?: (dir: string) => Promise<void>) {
  const dir = join(root, name);
  await writeSyntheticRun(dir, options);
  if (edit) await edit(dir);
  const result = await buildReport(dir, { png: false });
  return { dir, result, html: await readFile(result.htmlPath, 'utf8') };
}
const editJson = async (path: string, change: (x: any) => void) => {
  const x = JSON.parse(await readFile(path, 'utf8'));
  change(x);
  await writeFile(path, JSON.stringify(x));
};
const keyFiguresOf = (html: string) => JSON.parse(html.match(new RegExp(`<script type="application/json" id="${KEY_FIGURES_ID}">([^<]*)</script>`))![1]);
const bannerKinds = (html: string) => [...html.matchAll(/<div class="banner banner-([a-z-]+)"/g)].map((m) => m[1]);

describe('report layout (issue #20)', () => {
  let full: Awaited<ReturnType<typeof report>>;
  beforeAll(async () => void (full = await report('full', { budgets: [5, 20, 'all'], folds: 3 })));

  it('verdict box first, then the lead chart beside the forest plot, then the detailed verdict', () => {
    const at = (s: string) => full.html.indexOf(s);
    expect(at('id="verdict-summary"')).toBeGreaterThan(0);
    expect(at('<section id="lead">')).toBeGreaterThan(at('id="verdict-summary"'));
    expect(at('<section id="verdict">')).toBeGreaterThan(at('<section id="lead">'));
    const lead = full.html.slice(at('<section id="lead">'), at('<section id="verdict">'));
    expect([...lead.matchAll(/<figure class="chart" id="fig-([^"]+)"/g)].map((m) => m[1])).toEqual(['lead-balanced_accuracy', 'forest']);
    expect(lead).toContain('class="lead-row"');
    // Each lead figure is as wide as its SVG so that the two sit side by side on a 1,200 px page.
    const widths = [...lead.matchAll(/<figure[^>]*style="width:(\d+)px"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0] + widths[1] + 32).toBeLessThanOrEqual(1136);
    // The Charts section does not draw them twice.
    expect(full.html.match(/id="fig-forest"/g)).toHaveLength(1);
  });

  it('every "<" in the page opens a tag: p-values below 0.001 are escaped', () => {
    expect(full.html).toMatch(/&lt; 0\.001/);
    expect(full.html.match(/<(?![a-zA-Z/!])/g) ?? []).toEqual([]);
  });

  it('the forest plot shows exactly the adjusted intervals of the verdict, in points', async () => {
    const key = keyFiguresOf(full.html);
    const svg = await readFile(join(full.dir, 'figures', 'forest.svg'), 'utf8');
    const tested = key.verdicts.filter((v: any) => v.ciPoints);
    expect(tested.length).toBeGreaterThan(0);
    const f = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(1)}`; // d3's '+.1f'
    const cut = (x: number) => Math.max(-100, Math.min(100, x)); // a difference of proportions lies in [−100, 100] points
    for (const v of tested) {
      const budget = v.budget === 'all' ? 'all' : String(v.budget);
      expect(svg, `${v.dataset} ${budget} ${v.baseline}`).toContain(`baseline: ${v.baseline}; dataset: ${v.dataset}; budget: ${budget}; Δ (points): ${f(v.deltaPoints)}; adjusted CI low: ${f(cut(v.ciPoints[0]))}; adjusted CI high: ${f(cut(v.ciPoints[1]))}`);
    }
    expect(tested.some((v: any) => Math.abs(v.ciPoints[0]) > 100)).toBe(true); // this run has an interval the plot cuts
    expect(svg).toContain('vs transfer-learned (dashed: δ = +1)');
    expect(svg).toContain('vs fine-tuned (dashed: −margin = −2)');
  });

  it('embeds the key figures as JSON that matches the printed verdicts and metrics', () => {
    const key = keyFiguresOf(full.html);
    expect(key.schema).toBe('udtl-report-key-figures/1');
    expect(key.decision).toEqual({ primaryMetric: 'balanced_accuracy', alpha: 0.05, control: 'zero-bias-cae', smallestGainPoints: 1, marginPoints: 2 });
    expect(key.verdicts).toHaveLength(3 * 3 * 2); // datasets × budgets × claims
    const v = key.verdicts.find((x: any) => x.ciPoints);
    const pts = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(1)}`;
    expect(full.html).toContain(`[${pts(v.ciPoints[0])}, ${pts(v.ciPoints[1])}]`);
    const m = key.metrics.find((x: any) => x.metric === 'accuracy' && x.protocol === 'cv');
    expect(m).toMatchObject({ n: 3 });
    expect(m.mean).toBeGreaterThan(0);
  });

  it('charts keep readable names: no underscore metric id in any chart title or results header', async () => {
    const svg = await readFile(join(full.dir, 'figures', 'lead-balanced_accuracy.svg'), 'utf8');
    expect(svg).toContain('>balanced accuracy against labels per class<');
    expect(svg).not.toMatch(/>[^<]*balanced_accuracy[^<]*</);
    expect(full.html).toContain('<th>balanced accuracy</th>');
    expect(full.html).not.toContain('<th>balanced_accuracy</th>');
  });

  it('prints: a print stylesheet keeps figures within the page and unsplit', () => {
    expect(full.html).toMatch(/@media print\{[^]*figure svg\{max-width:100%;height:auto\}/);
    expect(full.html).toMatch(/@media print\{[^]*break-inside:avoid/);
  });

  it('removes figure files an earlier report drew and this one did not', async () => {
    const stale = join(full.dir, 'figures', 'efficiency-accuracy.svg');
    await writeFile(stale, '<svg/>');
    await buildReport(full.dir, { png: false });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(full.dir, 'figures', 'forest.svg'))).toBe(true);
  });
});

describe('banners above the verdict', () => {
  it('a smoke run on fixture data says its numbers are not evidence', async () => {
    const { html } = await report('smoke', { folds: 3, budgets: ['all'], datasets: [{ id: 'mednist-tiny', classes: ['a', 'b'], nSamples: 60 }] }, (dir) =>
      editJson(join(dir, 'manifest.json'), (m) => (m.config.name = 'quick')));
    expect(bannerKinds(html)).toEqual(['smoke', 'small-test']);
    expect(html).toContain('Smoke test, not evidence: this is a --quick smoke run (config &quot;quick&quot;)');
    expect(html.indexOf('banner-smoke')).toBeLessThan(html.indexOf('id="verdict-summary"'));
    expect(keyFiguresOf(html).banners).toEqual(['smoke', 'small-test']);
  });

  it('an incomplete run, and test folds too small to resolve δ, are flagged', async () => {
    const { html } = await report('partial', { folds: 3, budgets: ['all'], keepFraction: 0.5 });
    expect(bannerKinds(html)).toEqual(['incomplete', 'small-test']);
    expect(html).toMatch(/Incomplete run: \d+ of 36 planned jobs finished/);
    expect(html).toMatch(/brain-tumor-mri \(≈80 test images per fold: one image moves accuracy by 1\.3 points\)/);
  });

  it('a complete run with large test folds has no banner', async () => {
    const { html } = await report('large', { folds: 2, budgets: ['all'], datasets: [{ id: 'd', classes: ['x', 'y'], nSamples: 400 }] });
    expect(bannerKinds(html)).toEqual([]);
  });
});

describe('what was run: starts, reused jobs, compute', () => {
  it('a resumed run says how often it started, which jobs it reused and the total compute', async () => {
    const { html } = await report('resumed', { folds: 2, budgets: ['all'], datasets: [{ id: 'd', classes: ['x', 'y'], nSamples: 40 }] }, async (dir) => {
      await editJson(join(dir, 'manifest.json'), (m) => Object.assign(m, { sessions: 3, firstStartedAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-02T00:00:00.000Z', wallSeconds: 30 }));
      const lines = (await readFile(join(dir, 'jobs.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      lines.forEach((j, i) => Object.assign(j, { finishedAt: i < 3 ? '2026-01-01T01:00:00.000Z' : '2026-01-02T01:00:00.000Z', fitSeconds: 10, predictSeconds: 2 }));
      await writeFile(join(dir, 'jobs.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    });
    expect(html).toContain('<strong>3 times</strong> (resumed); first start 2026-01-01T00:00:00.000Z');
    expect(html).toContain('30.0 s (last start only)');
    expect(html).toContain('3 of 8 finished jobs came from an earlier start (not rerun)');
    expect(html).toContain('96.0 s summed fit + predict time of 8 job(s), 36.0 s of it in earlier starts'); // 8 × (10 + 2) s, 3 of them earlier
  });
});

describe('model-selection names', () => {
  it('names a grid entry by what it changes and says what a fallback is', () => {
    expect(configName({})).toBe('defaults');
    expect(configName({ tap: 'out_relu' })).toBe('tap = out_relu');
    expect(configName({ layers: 1, kernelSize: 1, filters: 2048 })).toBe('layers = 1, kernelSize = 1, filters = 2048');
    expect(configName(undefined)).toBe('not recorded');
    expect(selectionName('fallback')).toBe('fallback (too few labels to select: first configuration)');
    expect(selectionName('inner-cv')).toBe('inner cross-validation');
  });

  it('a fallback job (nothing selected) does not make the grids look unequal', () => {
    const job = (method: string, chosen: Record<string, unknown>) => ({ dataset: 'd', method, fold: 0, repeat: 0, budget: 2, seed: 0, key: method, status: 'ok' as const, chosen });
    const html = selectionSummary([job('zero-bias-cae', { candidates: 8, selection: 'inner-cv', config: {} }), job('fine-tuned', { candidates: 0, selection: 'fallback', config: {} })], ['zero-bias-cae', 'fine-tuned']);
    expect(html).toContain('Every method chose among 8 candidate configurations');
    expect(html).not.toContain('different numbers of candidate configurations');
  });
});

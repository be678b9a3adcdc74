import { Resvg } from '@resvg/resvg-js';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { budgetChart, dejaVuWidth, PAGE_WIDTH, yDomain, cdChart, cdCliques, confusionChart, forestChart, pairedChart, renderSvg, svgToPng, timingChart, type ChartSpec } from '../src/charts/index.js';

/** Items drawn inside Vega's data-mark groups (axes, legends and titles excluded). */
function dataMarks(svg: string): number {
  let n = 0;
  for (const m of svg.matchAll(/<g class="mark-\w+ role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)) n += (m[1].match(/<(path|line|text|rect)\b/g) ?? []).length;
  return n;
}

/** Compiles with a logger that collects Vega-Lite's warnings (e.g. an encoding it had to drop). */
function compileWarnings(spec: ChartSpec): string[] {
  const warnings: string[] = [];
  const logger = { level: () => logger, error: (...a: unknown[]) => (warnings.push(a.join(' ')), logger), warn: (...a: unknown[]) => (warnings.push(a.join(' ')), logger), info: () => logger, debug: () => logger };
  compile(spec, { logger: logger as never });
  return warnings;
}

const methods = ['zero-bias-cae', 'transfer-learned'];

const specs: Record<string, ChartSpec> = {
  budget: budgetChart([
    { dataset: 'dA', method: 'zero-bias-cae', budget: '5', mean: 0.8123, ciLow: 0.75, ciHigh: 0.87 },
    { dataset: 'dA', method: 'transfer-learned', budget: '5', mean: 0.7012 },
    { dataset: 'dA', method: 'zero-bias-cae', budget: 'all', mean: 1, ciLow: 1, ciHigh: 1, labelsPerClass: 61.5 },
    { dataset: 'dA', method: 'transfer-learned', budget: 'all', mean: 0.95, ciLow: 0.9, ciHigh: 1 },
  ], { metric: 'balanced_accuracy', methods, budgets: ['5', 'all'] }),
  forest: forestChart([
    { baseline: 'transfer-learned', dataset: 'dA', budget: '5', delta: 3.2, ciLow: -1.5, ciHigh: 7.9, outcome: 'inconclusive' },
    { baseline: 'transfer-learned', dataset: 'dA', budget: 'all', delta: 0, outcome: 'not testable' },
    { baseline: 'fine-tuned', dataset: 'dA', budget: '5', delta: -0.5, ciLow: -1.8, ciHigh: 0.9, outcome: 'reproduces' },
  ], [{ baseline: 'transfer-learned', value: 1, label: 'δ = +1' }, { baseline: 'fine-tuned', value: -2, label: '−margin = −2' }], { baselines: ['transfer-learned', 'fine-tuned'], metric: 'balanced accuracy' }),
  paired: pairedChart([0, 1, 2].flatMap((f) => [
    { dataset: 'dA', baseline: 'transfer-learned', unit: `fold ${f}`, baselineScore: 0.7 + f / 100, proposedScore: 0.9 },
    { dataset: 'dA', baseline: 'random-backbone', unit: `fold ${f}`, baselineScore: 0.5, proposedScore: 0.9 - f / 100 },
  ]), 'zero-bias-cae', 'accuracy', ['transfer-learned', 'random-backbone']),
  cd: cdChart({ ranks: [{ method: 'a', rank: 1.5 }, { method: 'b', rank: 2.25 }, { method: 'c', rank: 2.25 }], cd: 1.1, nDatasets: 4, alpha: 0.05 }),
  confusion: confusionChart([
    { method: 'zero-bias-cae', truth: 'x', pred: 'x', count: 7, rate: 0.7 },
    { method: 'zero-bias-cae', truth: 'x', pred: 'y', count: 3, rate: 0.3 },
    { method: 'zero-bias-cae', truth: 'y', pred: 'x', count: 0, rate: 0 },
    { method: 'zero-bias-cae', truth: 'y', pred: 'y', count: 11, rate: 1 },
  ], 'dA', ['x', 'y'], ['zero-bias-cae']),
  timing: timingChart(methods.flatMap((method, i) => [
    { dataset: 'dA', method, phase: 'fit' as const, seconds: 12.5 + i },
    { dataset: 'dA', method, phase: 'predict' as const, seconds: 0.25 },
  ]), methods),
};

describe('chart specs', () => {
  it.each(Object.keys(specs))('%s compiles without Vega-Lite warnings', (name) => {
    expect(compileWarnings(specs[name])).toEqual([]);
  });

  it('budget chart: a line per method, a CI rule and a point per method × budget, values in the SVG', async () => {
    const svg = await renderSvg(specs.budget);
    expect(dataMarks(svg)).toBe(2 + 4 + 4);
    expect(svg).toContain('method: zero-bias-cae; dataset: dA; budget: 5; labels used per class: —; mean: 0.812; ciLow: 0.750; ciHigh: 0.870');
    expect(svg).toContain('budget: all; labels used per class: 62'); // 61.5 rounded
  });

  it('paired chart: the diagonal plus one point per fold and baseline', async () => {
    const svg = await renderSvg(specs.paired);
    expect(dataMarks(svg)).toBe(1 + 6);
    expect(svg).toContain('baseline: random-backbone');
    expect(svg).toContain('proposedScore: 0.880');
  });

  it('CD diagram: method labels with ranks, the CD bar and one clique bar', async () => {
    const svg = await renderSvg(specs.cd);
    for (const label of ['a (1.50)', 'b (2.25)', 'c (2.25)', 'CD = 1.10 (Nemenyi, α = 0.05, N = 4 dataset × budget blocks)']) expect(svg).toContain(label);
    // Segments: CD bar + 1 clique + 2 per method.
    expect((svg.match(/<g class="mark-rule role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g) ?? []).map((g) => (g.match(/<line\b/g) ?? []).length)).toContain(1 + 1 + 2 * 3);
  });

  it('confusion chart: a cell and a count per class pair, zeros drawn', async () => {
    const svg = await renderSvg(specs.confusion);
    expect(dataMarks(svg)).toBe(8);
    expect(svg).toMatch(/<text[^>]*>11<\/text>/);
    expect(svg).toMatch(/<text[^>]*>0<\/text>/);
  });

  it('timing chart: a bar per method and phase', async () => {
    const svg = await renderSvg(specs.timing);
    expect(dataMarks(svg)).toBe(4);
    expect(svg).toContain('seconds: 13.50');
  });
});

describe('cdCliques (groups whose average ranks differ by less than the CD)', () => {
  const r = (...ranks: number[]) => ranks.map((rank, i) => ({ method: `m${i + 1}`, rank }));
  it('finds separate, overlapping and no cliques', () => {
    expect(cdCliques(r(1, 1.5, 3, 3.2), 1)).toEqual([['m1', 'm2'], ['m3', 'm4']]);
    expect(cdCliques(r(2.6, 1, 1.8), 1)).toEqual([['m2', 'm3'], ['m3', 'm1']]);
    expect(cdCliques(r(1, 3, 5), 1)).toEqual([]);
    expect(cdCliques(r(1, 1.2, 1.4), 1)).toEqual([['m1', 'm2', 'm3']]);
  });
});

describe('rendering', () => {
  it('prefixes every id and every url(#…) reference so inline SVGs do not clash', async () => {
    const svg = await renderSvg(specs.confusion, 'chartA-'); // its colour legend is a gradient with an id
    const ids = [...svg.matchAll(/id="([^"]+)"/g)].map((m) => m[1]);
    const refs = [...svg.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('chartA-'))).toBe(true);
    expect(refs.every((ref) => ids.includes(ref))).toBe(true);
  });

  it('rasterises to a PNG twice the SVG size', async () => {
    const svg = await renderSvg(specs.timing);
    const width = Number(svg.match(/<svg[^>]*width="(\d+)"/)![1]);
    const height = Number(svg.match(/<svg[^>]*height="(\d+)"/)![1]);
    const png = svgToPng(svg);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * width, 2 * height]);
  });

  it('reports an invalid spec as an error instead of drawing nothing', async () => {
    await expect(renderSvg({ title: 'broken', mark: 'nonsense' } as unknown as ChartSpec)).rejects.toThrow(/^chart "broken" could not be rendered: /);
  });
});

/** Text of every axis label of an SVG (Vega draws them in role-axis-label groups). */
const axisLabels = (svg: string) => [...svg.matchAll(/<g class="mark-text role-axis-label"[^>]*>([\s\S]*?)<\/g>/g)].flatMap((g) => [...g[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]));
const svgWidth = (svg: string) => Number(svg.match(/<svg[^>]*\swidth="([\d.]+)"/)![1]);
/** Every title, subtitle and axis/legend title string anywhere in a spec. */
function titles(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => titles(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'title' || k === 'text' || k === 'subtitle') && typeof v === 'string') out.push(v);
      else if ((k === 'title' || k === 'subtitle') && Array.isArray(v)) out.push(...v.filter((x) => typeof x === 'string'));
      else titles(v, out);
    }
  }
  return out;
}

describe('what a reader sees (issue #20)', () => {
  it('the budget chart labels every budget, "all" included, on its x axis', async () => {
    const labels = axisLabels(await renderSvg(specs.budget));
    expect(labels).toEqual(expect.arrayContaining(['5', 'all']));
    // x is an index axis: no stray numeric tick such as 3.3 for "all" on a log scale.
    expect(labels.filter((l) => /^\d+\.\d$/.test(l))).toEqual([]);
  });

  it('dodges methods at one budget so that their intervals do not share an x position', () => {
    const values = (specs.budget as { data: { values: { method: string; budget: string; x: number }[] } }).data.values;
    const at5 = values.filter((v) => v.budget === '5').map((v) => v.x);
    expect(new Set(at5).size).toBe(2);
    expect(Math.abs(at5[0] - at5[1])).toBeGreaterThanOrEqual(0.3);
  });

  it('one y scale for every panel of a comparison, padded so that a point at 1.0 is drawn whole', () => {
    const spec = budgetChart(['dA', 'dB'].flatMap((dataset, i) => methods.map((method) => ({ dataset, method, budget: 'all', mean: 0.5 + 0.5 * i }))), { metric: 'accuracy', methods, budgets: ['all'] }) as any;
    expect(spec.resolve.scale.y).toBe('shared');
    const [lo, hi] = spec.spec.layer[2].encoding.y.scale.domain;
    expect(lo).toBeLessThan(0.5);
    expect(hi).toBeGreaterThan(1);
    expect(yDomain([0.2, 1])).toEqual([0.2 - 0.032, 1 + 0.032]);
  });

  it('names metrics and classes as words: no title, subtitle or axis title holds an underscore id', () => {
    for (const [name, spec] of Object.entries(specs)) expect(titles(spec).filter((t) => t.includes('_')), name).toEqual([]);
    const confusion = confusionChart([{ method: 'm', truth: 'glioma_tumor', pred: 'no_tumor', count: 1, rate: 1 }], 'd', ['glioma_tumor', 'no_tumor'], ['m']) as any;
    expect(confusion.data.values[0]).toMatchObject({ truth: 'glioma tumor', pred: 'no tumor' });
    expect(JSON.stringify(specs.budget)).toContain('"title":"balanced accuracy"');
  });

  it('text of at least 12 px on axes and legends', () => {
    for (const spec of Object.values(specs)) {
      const config = (spec as any).config;
      expect(config.axis.labelFontSize).toBeGreaterThanOrEqual(12);
      expect(config.legend.labelFontSize).toBeGreaterThanOrEqual(12);
    }
  });

  it('every chart fits the page width, including 4 methods × 6 classes of confusion matrices and 6 datasets', async () => {
    const many = ['AbdomenCT', 'BreastMRI', 'CXR', 'ChestCT', 'Hand', 'HeadCT'];
    const four = ['zero-bias-cae', 'transfer-learned', 'fine-tuned', 'random-backbone'];
    const cells = four.flatMap((method) => many.flatMap((truth) => many.map((pred) => ({ method, truth, pred, count: 5, rate: truth === pred ? 1 : 0 }))));
    const datasets = ['brain-tumor-mri', 'mednist-3000', 'breastmnist', 'busi', 'covid-ct', 'pneumoniamnist'];
    const wide = {
      confusion: confusionChart(cells, 'mednist-3000', many, four),
      budget: budgetChart(datasets.flatMap((dataset) => four.flatMap((method) => ['5', '20', 'all'].map((budget) => ({ dataset, method, budget, mean: 0.8 })))), { metric: 'balanced_accuracy', methods: four, budgets: ['5', '20', 'all'] }),
      paired: pairedChart(datasets.map((dataset) => ({ dataset, baseline: 'b', unit: 'fold 0', baselineScore: 0.7, proposedScore: 0.8 })), 'zero-bias-cae', 'balanced_accuracy', ['b']),
      timing: timingChart(datasets.map((dataset) => ({ dataset, method: 'm', phase: 'fit' as const, seconds: 1 })), ['m']),
    };
    for (const [name, spec] of Object.entries({ ...specs, ...wide })) expect(svgWidth(await renderSvg(spec)), name).toBeLessThanOrEqual(PAGE_WIDTH);
  });

  it('forest plot: the 0 line, the δ and −margin lines, each interval and an open point for an untested cell', async () => {
    const svg = await renderSvg(specs.forest);
    expect(svg).toContain('vs transfer-learned (dashed: δ = +1)');
    expect(svg).toContain('vs fine-tuned (dashed: −margin = −2)');
    expect(svg).toContain('adjusted CI low: −1.5; adjusted CI high: +7.9');
    expect(svg).toContain('dataset: dA; budget: all; Δ (points): +0.0'); // the untested cell keeps its point
    const view = (specs.forest as any).vconcat;
    expect(view.map((v: any) => v.layer.length)).toEqual([4, 4]); // zero, threshold, intervals, points
    expect(view.map((v: any) => v.layer[1].data.values[0].threshold)).toEqual([1, -2]);
    expect(view[0].layer[2].data.values.map((r: any) => r.budget)).toEqual(['5']); // the untested cell has no interval
  });
});

describe('text widths for layout (DejaVu Sans)', () => {
  it('match the width resvg draws with the real font within 4%', () => {
    for (const text of ['brain-tumor-mri · 20/class', 'balanced accuracy against labels per class', 'Δ balanced accuracy (points)', 'AbdomenCT, HeadCT 0123456789']) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="40"><text x="0" y="30" font-family="DejaVu Sans" font-size="12">${text}</text></svg>`;
      const box = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).getBBox();
      expect(box, 'DejaVu Sans must be installed (fonts-dejavu-core)').toBeDefined();
      expect(Math.abs(dejaVuWidth(text, 12) - box!.width) / box!.width, text).toBeLessThan(0.04);
    }
  });
});

import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { cdChart, cdCliques, confusionChart, efficiencyChart, metricChart, pairedChart, renderSvg, svgToPng, timingChart, type ChartSpec } from '../src/charts/index.js';

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
  metric: metricChart([
    { dataset: 'dA', method: 'zero-bias-cae', mean: 0.8123, ciLow: 0.75, ciHigh: 0.87 },
    { dataset: 'dA', method: 'transfer-learned', mean: 0.7012 },
  ], 'accuracy', methods),
  paired: pairedChart([0, 1, 2].flatMap((f) => [
    { dataset: 'dA', baseline: 'transfer-learned', unit: `fold ${f}`, baselineScore: 0.7 + f / 100, proposedScore: 0.9 },
    { dataset: 'dA', baseline: 'random-backbone', unit: `fold ${f}`, baselineScore: 0.5, proposedScore: 0.9 - f / 100 },
  ]), 'zero-bias-cae', 'accuracy', ['transfer-learned', 'random-backbone']),
  efficiency: efficiencyChart([5, 20, 61.5].flatMap((labelsPerClass, i) => methods.map((method, j) => ({
    dataset: 'dA', method, labelsPerClass, budget: String(labelsPerClass), mean: 0.5 + 0.1 * i + 0.01 * j, ciLow: 0.45, ciHigh: 0.9,
  }))), 'accuracy', methods),
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

  it('metric chart: a CI rule and a point per method, values in the SVG', async () => {
    const svg = await renderSvg(specs.metric);
    expect(dataMarks(svg)).toBe(4);
    expect(svg).toContain('method: zero-bias-cae; mean: 0.8123');
    expect(svg).toContain('ciLow: 0.750; ciHigh: 0.870');
  });

  it('paired chart: the diagonal plus one point per fold and baseline', async () => {
    const svg = await renderSvg(specs.paired);
    expect(dataMarks(svg)).toBe(1 + 6);
    expect(svg).toContain('baseline: random-backbone');
    expect(svg).toContain('proposedScore: 0.880');
  });

  it('efficiency chart: a line per method with points on a log axis', async () => {
    const svg = await renderSvg(specs.efficiency);
    expect(dataMarks(svg)).toBeGreaterThanOrEqual(2 + 6);
    expect(svg).toMatch(/log scale/);
    expect(svg).toContain('labelsPerClass: 62'); // 61.5 formatted '.0f' in the tooltip
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

import { describe, expect, it } from 'vitest';
import { esc, num, pRelation, pValue, seconds, signed } from '../src/html/format.js';
import { coverageTable, resultsSection, runSection, significanceSection } from '../src/html/sections.js';
import type { Summary } from '../src/summary.js';

describe('format', () => {
  it('escapes HTML', () => {
    expect(esc(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
  });
  it('never prints NaN or undefined', () => {
    expect([num(NaN), num(undefined), pValue(NaN), signed(NaN), seconds(NaN)]).toEqual(['—', '—', '—', '—', '—']);
    expect([num(Infinity), num(-Infinity)]).toEqual(['∞', '−∞']);
  });
  it('formats numbers, p-values, signed differences and durations', () => {
    expect(num(0.12345)).toBe('0.123');
    // HTML forms: a bare '<' before a digit is a parse error and breaks strict HTML parsers.
    expect([pValue(0.0004), pValue(0.04321), pValue(1)]).toEqual(['&lt; 0.001', '0.043', '1.000']);
    expect([pRelation(0.0004), pRelation(0.04321), pRelation(NaN)]).toEqual(['&lt; 0.001', '= 0.043', '= —']);
    expect([signed(0.02), signed(-0.01), signed(0)]).toEqual(['+0.020', '−0.010', '±0.000']);
    expect([seconds(90), seconds(3600), seconds(10_000)]).toEqual(['90.0 s', '60.0 min', '2.78 h']);
  });
});

const s = (method: string, budget: Summary['budget'], metric: string, mean: number, extra: Partial<Summary> = {}): Summary =>
  ({ dataset: 'd1', method, budget, protocol: 'cv', metric, n: 5, mean, sd: 0.01, ciLow: mean - 0.02, ciHigh: mean + 0.02, ...extra });

describe('results table', () => {
  it('marks the best mean per budget and metric', () => {
    const html = resultsSection([s('a', 5, 'accuracy', 0.7), s('b', 5, 'accuracy', 0.8), s('a', 'all', 'accuracy', 0.9), s('b', 'all', 'accuracy', 0.85)], ['a', 'b']);
    const best = [...html.matchAll(/<span class="best">([\d.]+)/g)].map((m) => m[1]);
    expect(best).toEqual(['0.800', '0.900']);
    expect(html).toContain('d1 — cross-validation');
    expect(html).toContain('0.800 ± 0.010<br><small>[0.780, 0.820]</small>');
  });

  it('says so when a score has no CI and escapes method names', () => {
    const html = resultsSection([s('<b>x</b>', 'all', 'accuracy', 0.5, { n: 1, sd: undefined, ciLow: undefined, ciHigh: undefined })], ['<b>x</b>']);
    expect(html).toContain('no CI (one score)');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it('explains an empty run', () => {
    expect(resultsSection([], [])).toContain('No results to show yet');
  });
});

describe('significance and run sections', () => {
  it('explain why comparisons are skipped', () => {
    expect(significanceSection([], 'zero-bias-cae', ['a', 'b'], 0.05)).toContain('The proposed method zero-bias-cae has no results');
    expect(significanceSection([], 'zero-bias-cae', ['zero-bias-cae'], 0.05)).toContain('Only one method has results');
  });

  it('show backend, GPU, completeness and hashes', () => {
    const html = runSection({ runId: 'r1', complete: false, backend: { name: 'wasm', gpu: false }, datasets: [{ id: 'd1', contentHash: 'abc123', classes: ['x', 'y'] }], weights: [{ backbone: 'mnv2', hash: 'w9' }], wallSeconds: 125 }, '/x');
    for (const text of ['no (CPU only)', 'no — interrupted or still running', 'abc123', 'w9', '2.1 min', 'wasm']) expect(html).toContain(text);
    expect(runSection(undefined, '/x')).toContain('No readable manifest.json in /x');
  });

  it('count finished and failed jobs per dataset and method', () => {
    const job = (dataset: string, method: string, status: 'ok' | 'failed') => ({ key: '', dataset, method, fold: 0, repeat: 0, budget: 'all' as const, seed: 0, status });
    const html = coverageTable([job('d1', 'a', 'ok'), job('d1', 'a', 'ok'), job('d1', 'b', 'failed'), job('d2', 'a', 'ok')]);
    expect(html).toContain('<tr><td>d1</td><td>2</td><td>0 <span class="sig-worse">(1 failed)</span></td></tr>');
    expect(html).toContain('<tr><td>d2</td><td>1</td><td>0</td></tr>');
    expect(coverageTable([])).toBe('');
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../src/report.js';
import { SYNTHETIC_DEFAULTS, writeSyntheticRun } from '../src/synthetic.js';

const SIX = [
  ...SYNTHETIC_DEFAULTS.datasets,
  { id: 'busi', classes: ['benign', 'malignant', 'normal'], nSamples: 150 },
  { id: 'retinamnist', classes: ['0', '1', '2', '3', '4'], nSamples: 200 },
  { id: 'covid-ct', classes: ['covid', 'non-covid'], nSamples: 150 },
];

describe('the across-dataset section of a report over all six datasets (synthetic run)', () => {
  it('ranks 6 datasets × 2 budgets, draws the CD diagram and says N is too small', async () => {
    const root = await mkdtemp(join(tmpdir(), 'udtl-across-'));
    try {
      await writeSyntheticRun(root, { datasets: SIX, budgets: [5, 'all'], folds: 3 });
      const result = await buildReport(root);
      const html = await readFile(result.htmlPath, 'utf8');
      const across = html.slice(html.indexOf('<section id="across">'), html.indexOf('</section>', html.indexOf('<section id="across">')));
      expect(across).toContain('ranked within each dataset × label budget (1 = best; 12 blocks from 6 datasets)');
      for (const id of SIX.map((d) => d.id)) expect(across).toContain(id);
      expect(across).toMatch(/Friedman χ²/);
      expect(across).toMatch(/N is too small for these rank tests to mean much: 6 independent dataset\(s\)/);
      expect(across).toMatch(/12 blocks come from 6 datasets.*not independent/);
      expect(html).toMatch(/<figure class="chart" id="fig-critical-difference"[^>]*><svg/);
      expect(html).toContain('N = 12 dataset × budget blocks');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

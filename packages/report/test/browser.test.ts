import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, inspectReport } from '../src/browser.js';
import { buildReport } from '../src/report.js';
import { writeSyntheticRun } from '../src/synthetic.js';

// CI sets UDTL_REQUIRE_BROWSER=1: a missing Chromium is then a failure, not a skip.
const chromium = chromiumPath();
const required = process.env.UDTL_REQUIRE_BROWSER === '1';
if (!chromium && !required) console.warn('browser tests skipped: Chromium not found at /usr/bin/chromium (set UDTL_CHROMIUM, or UDTL_REQUIRE_BROWSER=1 to fail instead)');

describe.skipIf(!chromium && !required)('the report in headless Chromium', () => {
  let root: string;
  beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'udtl-browser-'))));
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('Chromium is installed', () => {
    expect(chromium, 'Chromium is required here (UDTL_REQUIRE_BROWSER=1) but /usr/bin/chromium does not exist').toBeDefined();
  });

  it('opens without console errors or network requests; every chart has visible marks; screenshot saved', async () => {
    const dir = join(root, 'run');
    await writeSyntheticRun(dir, { budgets: [5, 'all'], folds: 3 });
    const { htmlPath } = await buildReport(dir, { png: false });
    const expected = [...(await readFile(htmlPath, 'utf8')).matchAll(/<figure class="chart" id="fig-([^"]+)"/g)].map((m) => m[1]);
    const seen = await inspectReport(htmlPath, { screenshotPath: join(dir, 'screenshot.png') });
    expect(seen.consoleErrors).toEqual([]);
    expect(seen.externalRequests).toEqual([]);
    expect(seen.title).toBe('udtl report — synthetic-1');
    expect(seen.charts.map((c) => c.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    for (const chart of seen.charts) {
      expect(chart.marks, chart.id).toBeGreaterThan(0);
      // All but degenerate ones (a zero-width CI rule when every fold scored the same) have a size.
      expect(chart.visibleMarks, chart.id).toBeGreaterThan(chart.marks * 0.9);
    }
    // Issue #20: every figure within the 1,200 px page, nothing overflowing sideways, the two lead figures side by side.
    expect(seen.scrollWidth).toBeLessThanOrEqual(1280);
    for (const c of seen.layout) {
      expect(c.width, c.id).toBeLessThanOrEqual(1200);
      expect(c.right, c.id).toBeLessThanOrEqual(1280 - 40);
    }
    const lead = seen.layout.find((c) => c.id === 'lead-balanced_accuracy')!, forest = seen.layout.find((c) => c.id === 'forest')!;
    expect(Math.abs(forest.top - lead.top)).toBeLessThan(5);
    expect(forest.left).toBeGreaterThan(lead.right);
    // Printed: every chart shrinks to the page width.
    expect(seen.print.overflowing).toEqual([]);
    expect(seen.print.scrollWidth).toBeLessThanOrEqual(seen.print.pageWidth);
    const png = await readFile(join(dir, 'screenshot.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1280); // viewport width
    expect(png.readUInt32BE(20)).toBeGreaterThan(2000); // the full page, not one screen
  });

  it('would see a console error and an external request (the check can fail)', async () => {
    const page = join(root, 'bad.html');
    await writeFile(page, '<!DOCTYPE html><title>bad</title><img src="http://192.0.2.1/x.png"><script>console.error("boom")</script>');
    const seen = await inspectReport(page, { timeoutMs: 30_000 });
    expect(seen.consoleErrors.join('\n')).toContain('console.error: boom');
    expect(seen.externalRequests).toContain('http://192.0.2.1/x.png');
    expect(existsSync(join(root, 'screenshot.png'))).toBe(false);
  });
});

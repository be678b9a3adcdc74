import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { atomicWriteFile } from '@udtl/datasets';
import { compareAcrossDatasets } from './across.js';
import { renderSvg, svgToPng } from './charts/index.js';
import { buildFigures, fullBudgets } from './figures.js';
import { esc } from './html/format.js';
import { acrossSection, figuresSection, resultsSection, runSection, significanceSection } from './html/sections.js';
import { STYLE } from './html/style.js';
import { anchorsSection, chosenSection, verdictSection, verdictSummary } from './html/verdict.js';
import { bannersHtml, runBanners } from './html/banners.js';
import { keyFigures, keyFiguresHtml } from './html/keyfigures.js';
import { leadSection, type RenderedFigure } from './html/lead.js';
import { resolutionSection } from './html/resolution.js';
import { readRun } from './results/read.js';
import { summarize } from './summary.js';
import { claimVerdicts } from './verdict-run.js';

export const PROPOSED_METHOD = 'zero-bias-cae';

export interface ReportOptions {
  /** Where to write: a directory (report.html and figures/ inside) or a path ending in .html. Default: the results directory. */
  out?: string;
  /** The method every other one is compared with. */
  control?: string;
  /** Significance level for verdicts, Holm and the Nemenyi CD. */
  alpha?: number;
  /** Primary metric; default: the run config's primaryMetric, else balanced accuracy. */
  metric?: string;
  /** Smallest gain of interest δ in metric units (0.01 = 1 point); default: the config's smallestGain, else 1 point. */
  smallestGain?: number;
  /** Non-inferiority margin in metric units; default: the config's nonInferiorityMargin, else 2 points. */
  margin?: number;
  /** Also write figures/*.png (default true). */
  png?: boolean;
}

export interface ReportResult {
  htmlPath: string;
  /** Paths of the written figure files (SVG and PNG). */
  figures: string[];
  /** Problems with the input, in plain language (also shown at the top of the report). */
  warnings: string[];
}

/**
 * Reads a results directory and writes a self-contained report.html (inline CSS and SVG, no
 * scripts or network) plus figures/*.svg|png. A missing directory is an error; anything missing
 * inside it becomes a warning in the report.
 */
export async function buildReport(resultsDir: string, options: ReportOptions = {}): Promise<ReportResult> {
  const dir = resolve(resultsDir);
  const control = options.control ?? PROPOSED_METHOD;
  const alpha = options.alpha ?? 0.05;
  const run = await readRun(dir);
  const warnings = [...run.warnings];

  const methods = orderMethods(run.results.map((r) => r.method), control);
  const summaries = summarize(run.results);
  const folds = new Set(run.results.filter((r) => r.fold !== 'official').map((r) => `${r.fold}|${r.repeat}|${r.seed}`));
  if (run.results.length && methods.length < 2) warnings.push(`Only one method (${methods[0]}) has results: significance tests are skipped.`);
  if (run.results.length && !methods.includes(control)) warnings.push(`The proposed method ${control} has no results: comparisons against it are skipped.`);
  if (run.results.length && folds.size === 1) warnings.push('Only one cross-validation fold has results: fold-based tests and confidence intervals are skipped.');
  const { metric, thresholds, comparisons, verdicts } = claimVerdicts(run, methods, { control, alpha, metric: options.metric, smallestGain: options.smallestGain, margin: options.margin });
  if (run.results.length && !run.results.some((r) => r.metric === metric)) warnings.push(`The primary metric ${metric} is not in results.csv: no verdict or test can be made.`);
  const across = compareAcrossDatasets(summaries, { control, alpha, metric });
  const rules = { control, alpha, metric, thresholds };
  const datasets = [...new Set([...(run.manifest?.datasets ?? []).map((d) => d.id), ...run.results.map((r) => r.dataset)])];
  const full = fullBudgets(summaries);

  const htmlPath = options.out?.endsWith('.html') ? resolve(options.out) : join(resolve(options.out ?? dir), 'report.html');
  const figureDir = join(dirname(htmlPath), 'figures');
  const written: string[] = [];
  const rendered: RenderedFigure[] = [];
  for (const figure of buildFigures({ run, summaries, across, control, methods, full, metric, comparisons, verdicts, thresholds })) {
    try {
      const svg = await renderSvg(figure.spec, `${figure.id}-`);
      await atomicWriteFile(join(figureDir, `${figure.id}.svg`), svg);
      written.push(join(figureDir, `${figure.id}.svg`));
      if (options.png ?? true) {
        await atomicWriteFile(join(figureDir, `${figure.id}.png`), svgToPng(svg));
        written.push(join(figureDir, `${figure.id}.png`));
      }
      rendered.push({ figure, svg });
    } catch (err) {
      warnings.push(`Chart ${figure.id} could not be drawn: ${(err as Error).message}`);
      rendered.push({ figure, error: (err as Error).message });
    }
  }

  const banners = runBanners(run, summaries, thresholds.smallestGain);
  await removeStaleFigures(figureDir, written);
  const title = `udtl report${run.manifest?.runId ? ` — ${run.manifest.runId}` : ''}`;
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="note">Unsupervised deep transfer feature learning (zero-bias convolutional auto-encoder on frozen ImageNet features) against its baselines. Results directory: <code>${esc(dir)}</code>.</p>
<nav><a href="#verdict">Verdict</a><a href="#lead">Lead chart</a><a href="#run">What was run</a><a href="#results">Results</a><a href="#anchors">Official split</a><a href="#significance">Significance</a><a href="#across">Across datasets</a><a href="#figures">Charts</a><a href="#chosen">Chosen hyper-parameters</a></nav>
${warnings.length ? `<div class="warnings" id="warnings"><strong>Read this first</strong><ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>` : ''}
${bannersHtml(banners)}
${verdictSummary(verdicts, rules)}
${leadSection(rendered)}
${verdictSection(verdicts, rules, methods)}
${runSection(run.manifest, dir, run.jobs)}
${resultsSection(summaries, methods)}
${anchorsSection(summaries, run.manifest, datasets, methods, run.jobs)}
${resolutionSection(summaries, run.predictions, metric, methods)}
${significanceSection(comparisons, control, methods, alpha, metric)}
${acrossSection(across, control)}
${figuresSection(rendered)}
${chosenSection(run.jobs, methods)}
${keyFiguresHtml(keyFigures({ manifest: run.manifest, metric, alpha, control, thresholds, summaries, verdicts, banners }))}
</body></html>
`;
  await atomicWriteFile(htmlPath, html);
  return { htmlPath, figures: written, warnings };
}

/** Figure files of an earlier report that this one did not draw: left behind, they would be mistaken for current ones. */
async function removeStaleFigures(figureDir: string, written: string[]): Promise<void> {
  const keep = new Set(written.map((f) => basename(f)));
  const present = await readdir(figureDir).catch(() => [] as string[]);
  await Promise.all(present.filter((f) => /\.(svg|png)$/.test(f) && !keep.has(f)).map((f) => rm(join(figureDir, f), { force: true })));
}

/** The proposed method first, then the others in the order they first appear. */
function orderMethods(methods: string[], control: string): string[] {
  const unique = [...new Set(methods)];
  return unique.includes(control) ? [control, ...unique.filter((m) => m !== control)] : unique;
}

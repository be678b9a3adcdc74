import { listAnchors } from '../anchors.js';
import { compareBudgets, type Budget, type JobRecord, type RunManifest } from '../results/types.js';
import { wilsonInterval } from '../stats/index.js';
import { fullBudget, type Summary } from '../summary.js';
import type { ClaimVerdict, Outcome } from '../verdict.js';
import { DASH, esc, note, notes, num, pRelation, section, signed, table } from './format.js';

const budgetText = (b: Budget) => (b === 'all' ? 'all labels' : `${b} / class`);
const OUTCOME_CLASS: Record<Outcome, string> = { reproduces: 'sig-better', 'does not reproduce': 'sig-worse', inconclusive: 'inconclusive', 'not run': 'note' };
const outcomeSpan = (o: Outcome, text: string = o) => `<span class="${OUTCOME_CLASS[o]}">${esc(text)}</span>`;
const points = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? DASH : `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(100 * x).toFixed(1)}`);
const claimText = (v: Pick<ClaimVerdict, 'kind' | 'baseline'>) => (v.kind === 'better' ? `better than ${v.baseline}` : `close to ${v.baseline}`);

export interface VerdictRules {
  control: string;
  alpha: number;
  margin: number;
  metric: string;
}

/** One line per dataset for the top of the report. */
export function verdictSummary(verdicts: ClaimVerdict[], rules: VerdictRules): string {
  const head = `<strong>Does the paper's claim reproduce?</strong> (${esc(rules.metric)}, cross-validation; <a href="#verdict">details and decision rule</a>)`;
  if (!verdicts.length) return `<div class="verdict-summary" id="verdict-summary">${head}<p>No cross-validation results for ${esc(rules.control)} or its baselines yet.</p></div>`;
  if (verdicts.every((v) => v.outcome === 'not run' && v.sentence.includes(rules.control))) {
    return `<div class="verdict-summary" id="verdict-summary">${head}<p>${esc(rules.control)} has no results in this run, so the claim cannot be assessed.</p></div>`;
  }
  const lines = [...new Set(verdicts.map((v) => v.dataset))].map((dataset) => {
    const mine = verdicts.filter((v) => v.dataset === dataset);
    const parts = [...new Set(mine.map((v) => v.baseline))].map((baseline) => {
      const rows = mine.filter((v) => v.baseline === baseline);
      const text = rows.every((v) => v.outcome === 'not run')
        ? outcomeSpan('not run', 'not run')
        : rows.map((v) => `${esc(budgetText(v.budget))}: ${outcomeSpan(v.outcome)}`).join(', ');
      return `${esc(claimText(rows[0]))} — ${text}`;
    });
    return `<li><b>${esc(dataset)}</b>: ${parts.join('; ')}</li>`;
  });
  return `<div class="verdict-summary" id="verdict-summary">${head}<ul>${lines.join('')}</ul></div>`;
}

/** With n paired folds the exact two-sided Wilcoxon p is at least 2/2^n: say so when that exceeds α. */
function wilcoxonLimit(verdicts: ClaimVerdict[], alpha: number): string {
  const n = Math.max(0, ...verdicts.filter((v) => v.wilcoxon).map((v) => v.nUnits));
  const floor = 2 / 2 ** n;
  return n && floor > alpha ? `<li>With ${n} folds the exact Wilcoxon test cannot reach p &lt; ${alpha} (smallest possible p = ${floor.toFixed(4)}); the corrected t-test decides.</li>` : '';
}

/** The detailed section: the decision rule in words, then one table per dataset. */
export function verdictSection(verdicts: ClaimVerdict[], rules: VerdictRules, methods: string[]): string {
  const m = `${(100 * rules.margin).toFixed(1).replace(/\.0$/, '')} points`;
  const claimed = [...new Map(verdicts.map((v) => [v.baseline, v])).values()];
  let body = note(
    `The paper (Ahn et al., ISBI 2019) claims that ${rules.control} features classify better than transfer-learned features and come close to fine-tuned CNNs. ` +
    `Δ = ${rules.control} − baseline in ${rules.metric} points, per cross-validation fold; its 95% CI uses the corrected resampled t interval (Nadeau & Bengio), the same standard error as the corrected t-test; d_z = mean/sd of the fold differences. ` +
    `p_holm: Holm over the two comparisons of one dataset and budget. Primary test: corrected t; Wilcoxon on the same differences is shown for robustness. α = ${rules.alpha}.`,
  );
  body += `<ul class="notes">
<li><b>Better than transfer-learned</b> — reproduces: significantly better (p_holm &lt; α). Does not reproduce: significantly worse, or not significant while the CI rules out a gain of ${esc(m)} or more. Otherwise inconclusive at this sample size.</li>
<li><b>Close to fine-tuned</b> (our definition of “close”): not significantly worse and a mean Δ of at least −${esc(m)}. Does not reproduce: significantly worse, or the whole CI below −${esc(m)}. Inconclusive: the CI spans both −${esc(m)} and +${esc(m)}, or Δ is below −${esc(m)} without significance.</li>
${wilcoxonLimit(verdicts, rules.alpha)}<li>A negative or inconclusive result is reported as such: with few folds the corrected CI is wide.</li>
</ul>`;
  const absent = claimed.map((v) => v.baseline).filter((b) => !methods.includes(b));
  if (!methods.includes(rules.control)) absent.unshift(rules.control);
  if (absent.length) body += note(`Not in this run: ${absent.join(', ')} — the comparisons that need ${absent.length > 1 ? 'them' : 'it'} are marked “not run”.`);
  if (!verdicts.length) return section('verdict', "Does the paper's claim reproduce?", body + note('No cross-validation results to assess.'));
  for (const dataset of [...new Set(verdicts.map((v) => v.dataset))]) {
    const rows = verdicts.filter((v) => v.dataset === dataset).map((v) => [
      esc(budgetText(v.budget)), esc(claimText(v)), esc(v.nUnits || DASH),
      v.meanDifference === undefined ? DASH : `${points(v.meanDifference)}${v.ciLow !== undefined ? `<br><small>[${points(v.ciLow)}, ${points(v.ciHigh)}]</small>` : ''}`,
      signed(v.cohensDz, 2),
      v.tTest ? `t = ${num(v.tTest.statistic, 2)} (df ${v.tTest.df})<br>p ${pRelation(v.tTest.pValue)}<br><b>p_holm ${pRelation(v.tTest.pHolm)}</b>` : DASH,
      v.wilcoxon ? `W = ${num(v.wilcoxon.statistic, 1)}<br>p ${pRelation(v.wilcoxon.pValue)}<br>p_holm ${pRelation(v.wilcoxon.pHolm)}` : DASH,
      outcomeSpan(v.outcome, v.sentence),
    ]);
    const cellNotes = [...new Set(verdicts.filter((v) => v.dataset === dataset).flatMap((v) => v.notes))];
    body += `<h3>${esc(dataset)}</h3>` + table(['labels', 'claim', 'folds', `Δ ${esc(rules.metric)} (points) [95% CI]`, 'd_z', 'corrected t', 'Wilcoxon', 'verdict'], rows, 'verdict') + notes(cellNotes);
  }
  return section('verdict', "Does the paper's claim reproduce?", body);
}

/** A chosen value in a table cell: long arrays and objects are summarised, never dumped. */
export function chosenValue(x: unknown): string {
  if (x === null || x === undefined) return DASH;
  if (typeof x === 'number') return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : DASH;
  if (typeof x === 'string') return x.length > 24 ? `${x.slice(0, 12)}…` : x;
  if (typeof x === 'boolean') return x ? 'yes' : 'no';
  if (Array.isArray(x)) {
    if (x.length <= 4) return `[${x.map(chosenValue).join(', ')}]`;
    return `${x.length} values: ${chosenValue(x[0])} … ${chosenValue(x.at(-1))}`;
  }
  const text = JSON.stringify(x);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Per method, a collapsible table of the values each job chose inside its own training fold. */
export function chosenSection(jobs: JobRecord[], methods: string[]): string {
  const title = 'Hyper-parameters chosen inside each training fold';
  const ok = jobs.filter((j) => j.status === 'ok');
  if (!ok.length) return section('chosen', title, note('No finished jobs in jobs.jsonl, so there are no chosen values to show.'));
  let body = note('Each job chose these values (e.g. C by inner cross-validation) from its own labelled training images only; the test fold never took part. Long lists (loss histories, per-candidate scores) are summarised as first … last.');
  const order = [...methods, ...new Set(ok.map((j) => j.method))].filter((m, i, all) => all.indexOf(m) === i);
  body += selectionSummary(ok, order);
  const foldRank = (f: JobRecord['fold']) => (f === 'official' ? Infinity : f);
  for (const method of order) {
    const mine = ok.filter((j) => j.method === method).sort((a, b) =>
      a.dataset.localeCompare(b.dataset) || compareBudgets(a.budget, b.budget) || foldRank(a.fold) - foldRank(b.fold) || a.repeat - b.repeat || a.seed - b.seed);
    if (!mine.length) continue;
    const keys = [...new Set(mine.flatMap((j) => Object.keys(j.chosen ?? {})))];
    if (!keys.length) {
      body += `<details><summary>${esc(method)} — ${mine.length} job(s), no values chosen during fit</summary></details>`;
      continue;
    }
    const rows = mine.map((j) => [esc(j.dataset), esc(budgetText(j.budget)), esc(j.fold), esc(j.repeat), esc(j.seed), ...keys.map((k) => esc(j.chosen && k in j.chosen ? chosenValue(j.chosen[k]) : DASH))]);
    body += `<details class="chosen"><summary>${esc(method)} — ${mine.length} job(s); chosen: ${esc(keys.join(', '))}</summary>${table(['dataset', 'labels', 'fold', 'repeat', 'seed', ...keys.map(esc)], rows, 'chosen')}</details>`;
  }
  return section('chosen', title, body);
}

const countsText = (values: unknown[]) => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(chosenValue(v), (counts.get(chosenValue(v)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([v, n]) => `${v} ×${n}`).join('; ');
};

/**
 * Per method: how many candidate configurations it chose among (a fair comparison gives every
 * method the same number), by which protocol, and which configurations won how often.
 */
export function selectionSummary(jobs: JobRecord[], methods: string[]): string {
  const rows = methods.flatMap((method) => {
    const mine = jobs.filter((j) => j.method === method && j.chosen && 'candidates' in j.chosen);
    if (!mine.length) return [];
    return [[esc(method), esc(countsText(mine.map((j) => j.chosen!.candidates))), esc(countsText(mine.map((j) => j.chosen!.selection ?? DASH))), esc(countsText(mine.map((j) => j.chosen!.config ?? {})))]];
  });
  if (!rows.length) return '';
  const sizes = new Set(jobs.filter((j) => j.chosen && 'candidates' in j.chosen).map((j) => j.chosen!.candidates));
  const fairness = sizes.size > 1
    ? `<p class="sig-worse">The methods chose among different numbers of candidate configurations (${esc([...sizes].join(', '))}): a larger grid has more chances to fit the selection data, so compare with care.</p>`
    : note(`Every method chose among ${esc([...sizes][0])} candidate configurations (grid entries × C values, or × epochs for fine-tuned).`);
  return `<h3>Model selection</h3>${fairness}${table(['method', 'candidates', 'selected by', 'configuration chosen (× jobs)'], rows, 'chosen')}`;
}

/** Our official-split numbers at the full label budget beside published ones, with protocol notes. */
export function anchorsSection(summaries: Summary[], manifest: RunManifest | undefined, datasets: string[], methods: string[] = [], jobs: JobRecord[] = []): string {
  const title = 'Official split: our numbers beside published ones';
  const official = summaries.filter((s) => s.protocol === 'official');
  const shown = datasets.filter((d) => listAnchors(d).length || official.some((s) => s.dataset === d));
  if (!shown.length) return section('anchors', title, note('No dataset in this run has an official train/test split result or a published anchor.'));
  const cfg = manifest?.config ?? {};
  const backbone = typeof cfg.backbone === 'string' ? cfg.backbone : 'the configured backbone';
  const size = typeof cfg.inputSize === 'number' ? `${cfg.inputSize} px` : 'the configured input size';
  const mode = cfg.resizeMode === 'pad' ? 'zero-padded (as MedMNIST+)' : cfg.resizeMode === 'resize' ? 'resized (as MedMNIST v2 at 224 px)' : 'resized or padded as configured';
  let body = note('ACC and AUC in percent on the dataset’s official test split. Ours: mean over seeds (± sd when more than one); with one score, the bracket is the 95% Wilson interval of the accuracy on that test set, which shows how much a test set of this size can tell apart.');
  for (const dataset of shown) {
    const mine = official.filter((s) => s.dataset === dataset);
    const published = listAnchors(dataset);
    body += `<h3>${esc(dataset)}</h3>`;
    if (!mine.length) {
      body += note(`This run has no official-split results for ${dataset}. To get them, set "officialSplit": true in the experiment config (next to "folds") and run again: each method is then also trained on the official training split and tested on the official test split (fold = official).`);
    }
    const budget = fullBudget(mine.map((s) => s.budget));
    const at = (method: string, metric: string) => mine.find((s) => s.method === method && s.budget === budget && s.metric === metric);
    const ran = new Set(mine.filter((s) => s.budget === budget).map((s) => s.method));
    const ours = [...new Set([...methods, ...ran])].filter((m) => ran.has(m)).map((method) => {
      const acc = at(method, 'accuracy'), auc = at(method, 'auc'), nTest = at(method, 'n_test');
      let accText = acc ? (100 * acc.mean).toFixed(1) : DASH;
      if (acc && acc.n > 1 && acc.sd !== undefined) accText += ` ± ${(100 * acc.sd).toFixed(1)}`;
      else if (acc && nTest && Number.isInteger(nTest.mean) && nTest.mean > 0) {
        const w = wilsonInterval(Math.round(acc.mean * nTest.mean), nTest.mean);
        accText += ` <small>[${(100 * w.low).toFixed(1)}, ${(100 * w.high).toFixed(1)}]</small>`;
      }
      return [`<b>ours</b>: ${esc(method)}`, accText, auc ? (100 * auc.mean).toFixed(1) : DASH, esc(acc ? `${acc.n} score(s)` : DASH), esc(`this run (${budgetText(budget!)})`)];
    });
    const theirs = published.map((a) => [esc(a.model), a.accuracy.toFixed(1), a.auc === undefined ? DASH : a.auc.toFixed(1), 'published', esc(a.source)]);
    if (ours.length || theirs.length) body += table(['model', 'ACC (%)', 'AUC (%)', 'n', 'source'], [...ours, ...theirs], 'anchors');
    const protocol: string[] = [];
    if (mine.length) {
      const official = jobs.filter((j) => j.dataset === dataset && j.fold === 'official' && j.budget === budget && j.status === 'ok');
      const onVal = official.filter((j) => j.chosen?.selection === 'validation').length;
      const selection = !official.length
        ? 'how hyper-parameters were chosen is not recorded (no jobs.jsonl)'
        : onVal === official.length
          ? 'hyper-parameters and early stopping chosen on the official validation split (select on val, test on test)'
          : onVal === 0
            ? 'no official validation split was used — hyper-parameters and early stopping were decided on the training images alone (inner cross-validation or a held-out part of them)'
            : `${onVal} of ${official.length} methods chose their hyper-parameters on the official validation split, the others on the training images alone`;
      protocol.push(`Ours: ${backbone} at ${size}, images ${mode}; labelled images from the official training split only (${budgetText(budget!)}${budget === 'all' ? '' : ' — fewer labels than the published models used, so not comparable'}); ${selection}; tested once on the official test split.`);
    }
    for (const a of published) protocol.push(`${a.model} (${a.source.split(',')[0]}): ${a.protocol}`);
    if (!published.length) protocol.push(`No published anchors are registered for ${dataset} (add them with registerAnchor in packages/report/src/anchors.ts).`);
    body += notes(protocol);
  }
  return section('anchors', title, body);
}

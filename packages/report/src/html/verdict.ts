import { listAnchors } from '../anchors.js';
import { compareBudgets, formatBudget, type JobRecord, type RunManifest } from '../results/types.js';
import { wilsonInterval } from '../stats/index.js';
import { fullBudget, type Summary } from '../summary.js';
import { pointsText } from '../text.js';
import type { ClaimVerdict, DecisionThresholds, Outcome } from '../verdict.js';
import { DASH, esc, note, notes, pRelation, section, table } from './format.js';

const OUTCOME_CLASS: Record<Outcome, string> = { reproduces: 'sig-better', 'does not reproduce': 'sig-worse', inconclusive: 'inconclusive', 'not testable': 'note', 'not run': 'note' };
const outcomeSpan = (o: Outcome, text: string = o) => `<span class="${OUTCOME_CLASS[o]}">${esc(text)}</span>`;
const points = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? DASH : `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(100 * x).toFixed(1)}`);
const plain = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? DASH : (100 * x).toFixed(1));
const claimText = (v: Pick<ClaimVerdict, 'kind' | 'baseline'>) => (v.kind === 'better' ? `better than ${v.baseline}` : `close to ${v.baseline}`);
const metricText = (m: string) => m.replace(/_/g, ' ');

export interface VerdictRules {
  control: string;
  alpha: number;
  /** Primary metric. */
  metric: string;
  thresholds: DecisionThresholds;
}

/** Can the run detect what it tests? Per claim: cells whose MDD reaches the claim's threshold. */
export function detectability(verdicts: ClaimVerdict[]): string[] {
  const lines: string[] = [];
  for (const baseline of [...new Set(verdicts.map((v) => v.baseline))]) {
    const mine = verdicts.filter((v) => v.baseline === baseline && v.outcome !== 'not run');
    if (!mine.length) continue;
    const tested = mine.filter((v) => v.power);
    const untestable = mine.length - tested.length;
    const what = mine[0].kind === 'better' ? `a gain of δ = ${pointsText(mine[0].threshold)}` : `non-inferiority within ${pointsText(mine[0].threshold)} when the methods are equal`;
    if (!tested.length) {
      lines.push(`${claimText(mine[0])}: no cell is testable (${untestable} not testable), so this run cannot decide the claim.`);
      continue;
    }
    const able = tested.filter((v) => v.power!.mdd <= v.threshold).length;
    const mdds = tested.map((v) => 100 * v.power!.mdd);
    const range = `${Math.min(...mdds).toFixed(1)}–${Math.max(...mdds).toFixed(1)} points`;
    const verdict = able === tested.length ? 'yes' : able === 0 ? 'no' : 'partly';
    lines.push(`${claimText(mine[0])}: ${verdict} — ${able} of ${tested.length} testable cell(s) could ${mine[0].kind === 'better' ? 'detect' : 'show'} ${what} with 80% power (minimum detectable difference ${range})${untestable ? `; ${untestable} cell(s) not testable` : ''}.`);
  }
  return lines;
}

/** One line per dataset for the top of the report, after the statement of what the run could detect. */
export function verdictSummary(verdicts: ClaimVerdict[], rules: VerdictRules): string {
  const head = `<strong>Does the paper's claim reproduce?</strong> (${esc(metricText(rules.metric))}, the primary metric; cross-validation; <a href="#verdict">details and decision rule</a>)`;
  if (!verdicts.length) return `<div class="verdict-summary" id="verdict-summary">${head}<p>No cross-validation results with both ${esc(rules.control)} and a baseline yet, so the claim cannot be assessed.</p></div>`;
  const power = `<p><b>Could this run detect the effect it tests?</b></p><ul class="power">${detectability(verdicts).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`;
  const lines = [...new Set(verdicts.map((v) => v.dataset))].map((dataset) => {
    const mine = verdicts.filter((v) => v.dataset === dataset);
    const parts = [...new Set(mine.map((v) => v.baseline))].map((baseline) => {
      const rows = mine.filter((v) => v.baseline === baseline);
      const text = rows.every((v) => v.outcome === 'not run')
        ? outcomeSpan('not run', 'not run')
        : rows.map((v) => `${esc(formatBudget(v.budget))}: ${outcomeSpan(v.outcome)}`).join(', ');
      return `${esc(claimText(rows[0]))} — ${text}`;
    });
    return `<li><b>${esc(dataset)}</b>: ${parts.join('; ')}</li>`;
  });
  return `<div class="verdict-summary" id="verdict-summary">${head}${power}<p><b>Verdicts</b></p><ul>${lines.join('')}</ul></div>`;
}

const planText = (v: ClaimVerdict) => {
  if (!v.power) return DASH;
  const p = v.power.plan;
  const reps = p.repeats === undefined ? '> 100' : String(p.repeats);
  const draws = p.draws !== undefined ? String(p.draws) : p.drawVarianceKnown ? '> 100' : v.budget === 'all' ? 'n/a (all labels: one labelled set)' : 'unknown (one draw per fold)';
  return `repeats: ${esc(reps)}<br>draws: ${esc(draws)}${p.floor > v.threshold ? `<br><small>floor ${plain(p.floor)}</small>` : ''}`;
};

/** The detailed section: the procedure and decision rule in words, then one table per dataset. */
export function verdictSection(verdicts: ClaimVerdict[], rules: VerdictRules, methods: string[]): string {
  const d = pointsText(rules.thresholds.smallestGain), m = pointsText(rules.thresholds.margin);
  const metric = metricText(rules.metric);
  const claimed = [...new Map(verdicts.map((v) => [v.baseline, v])).values()];
  let body = note(
    `The paper (Ahn et al., ISBI 2019) claims that ${rules.control} features classify better than transfer-learned features and come close to fine-tuned CNNs. ` +
    `Δ = ${rules.control} − baseline in ${metric} points (the primary metric; accuracy, macro-F1 and AUC are shown beside it). ` +
    `Seeds and labelled draws of one fold are averaged first: the fold, whose test set and unlabelled pool they share, is the unit. ` +
    `The interval is the corrected repeated k-fold t interval of the fold means (Nadeau & Bengio 2003; Bouckaert & Frank 2004): SE² = (1/(k·r) + 1/(k−1))·s², df = k·r − 1. ` +
    `Each claim is one family over every dataset × budget cell of the run where it is testable (m cells): the interval printed is the Bonferroni simultaneous (1 − α/m) interval, α = ${rules.alpha}, and every decision below is read off it — the Significance section prints the same intervals.`,
  );
  body += `<ul class="notes">
<li><b>Better than transfer-learned</b> — reproduces when the adjusted CI of Δ lies above 0 (a CI inside (0, δ) reproduces, said to be smaller than δ); does not reproduce when its upper bound is below the smallest gain of interest δ = ${esc(d)}; otherwise inconclusive.</li>
<li><b>Close to fine-tuned</b> (non-inferiority, margin ${esc(m)}) — reproduces when the adjusted lower bound is above −${esc(m)}; does not reproduce when the upper bound is below −${esc(m)}; otherwise inconclusive.</li>
<li><b>Not testable</b>, with the reason, when the baseline scores within δ of 100% (no room for a gain of δ), when the differences have no variance, or with fewer than two folds. Such cells leave the family.</li>
<li><b>MDD</b>: the smallest true Δ (measured from the decision threshold) that this design detects with 80% power at the adjusted level, (t<sub>1−α/2m</sub> + t<sub>0.8</sub>)·SE from the observed variance. <b>Needed</b>: repeats (at the draws run) or draws per fold (at the repeats run) that would bring the MDD to the threshold (δ for “better”, the margin for “close”), from the fold- and draw-level variance; “floor”: the MDD with unlimited repeats and draws, since the 1/(k−1) term never averages away.</li>
</ul>`;
  const absent = claimed.map((v) => v.baseline).filter((b) => !methods.includes(b));
  if (!methods.includes(rules.control)) absent.unshift(rules.control);
  if (absent.length) body += note(`Not in this run: ${absent.join(', ')} — the comparisons that need ${absent.length > 1 ? 'them' : 'it'} are marked “not run”.`);
  if (!verdicts.length) return section('verdict', "Does the paper's claim reproduce?", body + note('No cross-validation results to assess.'));
  for (const dataset of [...new Set(verdicts.map((v) => v.dataset))]) {
    const rows = verdicts.filter((v) => v.dataset === dataset).map((v) => [
      esc(formatBudget(v.budget)), esc(claimText(v)), esc(v.nUnits || DASH),
      v.meanDifference === undefined ? DASH : `${points(v.meanDifference)}${v.ciLow !== undefined ? `<br><small>[${points(v.ciLow)}, ${points(v.ciHigh)}]</small>` : ''}`,
      v.pAdjusted === undefined ? DASH : `${pRelation(v.pAdjusted)}<br><small>m = ${v.familySize}</small>`,
      v.power ? `${plain(v.power.mdd)}<br><small>vs ${plain(v.threshold)}</small>` : DASH,
      planText(v),
      outcomeSpan(v.outcome, v.sentence),
    ]);
    const cellNotes = [...new Set(verdicts.filter((v) => v.dataset === dataset).flatMap((v) => v.notes))];
    body += `<h3>${esc(dataset)}</h3>` + table(['labels', 'claim', 'folds', `Δ ${esc(metric)} (points) [adjusted CI]`, 'p_adj (Δ = 0)', 'MDD (points)', 'needed for MDD ≤ threshold', 'verdict'], rows, 'verdict') + notes(cellNotes);
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
  body += selectionSummary(ok, order) + gridEdgeSummary(ok, order) + trainingSummary(ok, order);
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
    const rows = mine.map((j) => [esc(j.dataset), esc(formatBudget(j.budget)), esc(j.fold), esc(j.repeat), esc(j.seed), ...keys.map((k) => esc(j.chosen && k in j.chosen ? chosenValue(j.chosen[k]) : DASH))]);
    body += `<details class="chosen"><summary>${esc(method)} — ${mine.length} job(s); chosen: ${esc(keys.join(', '))}</summary>${table(['dataset', 'labels', 'fold', 'repeat', 'seed', ...keys.map(esc)], rows, 'chosen')}</details>`;
  }
  return section('chosen', title, body);
}

/** How a configuration was chosen, in words (the runner records a short protocol id). */
const SELECTION_NAMES: Record<string, string> = {
  'inner-cv': 'inner cross-validation',
  'held-out': 'held-out labels',
  validation: 'official validation split',
  fallback: 'fallback (too few labels to select: first configuration)',
};
export const selectionName = (s: unknown) => (typeof s === 'string' ? SELECTION_NAMES[s] ?? s : DASH);

/** A grid entry by what it changes from the method's defaults: {} → 'defaults', {tap: 'out_relu'} → 'tap = out_relu'. */
export function configName(config: unknown): string {
  if (config === undefined || config === null) return 'not recorded';
  if (typeof config !== 'object' || Array.isArray(config)) return chosenValue(config);
  const entries = Object.entries(config as Record<string, unknown>);
  if (!entries.length) return 'defaults';
  return entries.map(([k, v]) => `${k} = ${typeof v === 'string' ? v : chosenValue(v)}`).join(', ');
}

const countsText = (values: unknown[]) => {
  const counts = new Map<string, number>();
  // Strings are names made for this table (never cut short); other values are summarised.
  const text = (v: unknown) => (typeof v === 'string' ? v : chosenValue(v));
  for (const v of values) counts.set(text(v), (counts.get(text(v)) ?? 0) + 1);
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
    return [[esc(method), esc(countsText(mine.map((j) => j.chosen!.candidates))), esc(countsText(mine.map((j) => selectionName(j.chosen!.selection)))), esc(countsText(mine.map((j) => configName(j.chosen!.config))))]];
  });
  if (!rows.length) return '';
  // A fallback selected nothing (too few labels): its candidate count says nothing about the grid's fairness.
  const sizes = new Set(jobs.filter((j) => j.chosen && 'candidates' in j.chosen && j.chosen.selection !== 'fallback').map((j) => j.chosen!.candidates));
  const fairness = sizes.size > 1
    ? `<p class="sig-worse">The methods chose among different numbers of candidate configurations (${esc([...sizes].join(', '))}): a larger grid has more chances to fit the selection data, so compare with care.</p>`
    : note(`Every method chose among ${esc([...sizes][0])} candidate configurations (grid entries × C values, or × epochs for fine-tuned).`);
  const legend = note('Configuration: the grid entry chosen, named by what it changes from the method’s defaults (“defaults”: the first grid entry). Selected by: inner cross-validation on the training labels; held-out labels (fine-tuned: part of the training labels kept for early stopping); the official validation split; or fallback, when too few labels per class remain to select anything, so the first configuration is used as is.');
  return `<h3>Model selection</h3>${fairness}${legend}${table(['method', 'candidates', 'selected by', 'configuration chosen (× jobs)'], rows, 'chosen')}`;
}

export interface GridEdges {
  method: string;
  /** Jobs that recorded a chosen C and at least two candidate C values. */
  jobs: number;
  low: number;
  high: number;
  /** Edge hits whose score ties an interior C of the same configuration (the edge won only by tie-breaking). */
  tied: number;
}

const sameConfig = (a: unknown, b: unknown) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
/** The score field of a candidate record: its first numeric field other than C. */
const scoreOf = (s: Record<string, unknown>) => Object.entries(s).find(([k, v]) => k !== 'C' && typeof v === 'number')?.[1] as number | undefined;

/** Per method: how often the chosen C is the smallest or largest candidate (from chosen.scores). */
export function countGridEdges(jobs: JobRecord[], methods: string[]): GridEdges[] {
  const out: GridEdges[] = [];
  for (const method of methods) {
    const e: GridEdges = { method, jobs: 0, low: 0, high: 0, tied: 0 };
    for (const j of jobs) {
      const ch = j.chosen;
      if (j.method !== method || !ch || typeof ch.C !== 'number' || !Array.isArray(ch.scores)) continue;
      const scores = (ch.scores as Record<string, unknown>[]).filter((s) => s && typeof s.C === 'number');
      const cs = [...new Set(scores.map((s) => s.C as number))].sort((a, b) => a - b);
      if (cs.length < 2) continue;
      e.jobs++;
      const edge = ch.C === cs[0] ? 'low' : ch.C === cs.at(-1) ? 'high' : undefined;
      if (!edge) continue;
      e[edge]++;
      const mine = scores.filter((s) => sameConfig(s.config, ch.config));
      const best = scoreOf(mine.find((s) => s.C === ch.C) ?? {});
      if (best !== undefined && mine.some((s) => s.C !== cs[0] && s.C !== cs.at(-1) && scoreOf(s) === best)) e.tied++;
    }
    if (e.jobs) out.push(e);
  }
  return out;
}

/** The C-grid edge-hit table: a method that often picks an edge would have wanted a wider grid. */
export function gridEdgeSummary(jobs: JobRecord[], methods: string[]): string {
  const edges = countGridEdges(jobs, methods);
  if (!edges.length) return '';
  const rows = edges.map((e) => {
    const share = (e.low + e.high) / e.jobs;
    const text = `${e.low + e.high} of ${e.jobs} (${(100 * share).toFixed(0)}%)`;
    return [esc(e.method), share > 0.1 ? `<span class="sig-worse">${esc(text)}</span>` : esc(text), esc(e.low), esc(e.high), esc(e.tied)];
  });
  return `<h3>C-grid edge hits</h3>${note('A job hits an edge when its chosen C is the smallest or largest candidate: the best value may lie outside the grid. More than 10% of a method’s jobs (in red) means its grid is not neutral. “Tied”: the edge scored the same as an interior C, so it won only by tie-breaking.')}${table(['method', 'edge hits', 'at smallest C', 'at largest C', 'tied with an interior C'], rows, 'chosen')}`;
}

/** Epochs and convergence of methods that train by gradient steps (fine-tuned), when recorded. */
export function trainingSummary(jobs: JobRecord[], methods: string[]): string {
  const rows = methods.flatMap((method) => {
    const mine = jobs.filter((j) => j.method === method && j.chosen && ('epochs' in j.chosen || 'converged' in j.chosen || 'stepCapHit' in j.chosen));
    if (!mine.length) return [];
    const epochs = mine.map((j) => j.chosen!.epochs).filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
    const count = (key: string, value: boolean) => mine.filter((j) => j.chosen![key] === value).length;
    const known = (key: string) => mine.filter((j) => typeof j.chosen![key] === 'boolean').length;
    const epochText = epochs.length ? `${epochs[0]}–${epochs.at(-1)} (median ${epochs[Math.floor((epochs.length - 1) / 2)]})` : DASH;
    const notConverged = count('converged', false), capHit = count('stepCapHit', true);
    return [[
      esc(method), esc(mine.length), esc(epochText),
      known('converged') ? (notConverged ? `<span class="sig-worse">${esc(`${known('converged') - notConverged} of ${known('converged')}`)}</span>` : esc(`${known('converged')} of ${known('converged')}`)) : DASH,
      known('stepCapHit') ? (capHit ? `<span class="sig-worse">${esc(`${capHit} of ${known('stepCapHit')}`)}</span>` : esc(`0 of ${known('stepCapHit')}`)) : DASH,
    ]];
  });
  if (!rows.length) return '';
  return `<h3>Training length</h3>${note('Epochs chosen on held-out labels and used for the refit on all labels; “converged”: the loss stopped improving before the step cap; a job that hit the cap may be under-trained.')}${table(['method', 'jobs', 'epochs', 'converged', 'step cap hit'], rows, 'chosen')}`;
}

/** Our official-split numbers at the full label budget beside published ones, with protocol notes. */
export function anchorsSection(summaries: Summary[], manifest: Partial<RunManifest> | undefined, datasets: string[], methods: string[] = [], jobs: JobRecord[] = []): string {
  const title = 'Official split: our numbers beside published ones';
  const official = summaries.filter((s) => s.protocol === 'official');
  const shown = datasets.filter((d) => listAnchors(d).length || official.some((s) => s.dataset === d));
  if (!shown.length) return section('anchors', title, note('No dataset in this run has an official train/test split result or a published anchor.'));
  const cfg = manifest?.config ?? {};
  const backbone = typeof cfg.backbone === 'string' ? cfg.backbone : 'the configured backbone';
  const size = typeof cfg.inputSize === 'number' ? `${cfg.inputSize} px` : 'the configured input size';
  const mode = cfg.resizeMode === 'pad' ? 'zero-padded (MedMNIST+ pads only its 28–128 px versions; its 224 px images are not padded)' : cfg.resizeMode === 'resize' ? 'resized (as MedMNIST v2 at 224 px)' : 'resized or padded as configured';
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
      return [`<b>ours</b>: ${esc(method)}`, accText, auc ? (100 * auc.mean).toFixed(1) : DASH, esc(acc ? `${acc.n} score(s)` : DASH), esc(`this run (${formatBudget(budget!)})`)];
    });
    const theirs = published.map((a) => [esc(a.model + (a.f1 === undefined ? '' : ` — F1 ${a.f1.toFixed(1)}%`)), a.accuracy === undefined ? DASH : a.accuracy.toFixed(1), a.auc === undefined ? DASH : a.auc.toFixed(1), 'published', esc(a.source)]);
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
      protocol.push(`Ours: ${backbone} at ${size}, images ${mode}; labelled images from the official training split only (${formatBudget(budget!)}${budget === 'all' ? '' : ' — fewer labels than the published models used, so not comparable'}); ${selection}; tested once on the official test split.`);
    }
    for (const a of published) protocol.push(`${a.model} (${a.source.split(',')[0]}): ${a.protocol}`);
    if (!published.length) protocol.push(`No published anchors are registered for ${dataset} (add them with registerAnchor in packages/report/src/anchors.ts).`);
    body += notes(protocol);
  }
  return section('anchors', title, body);
}

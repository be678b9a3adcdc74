import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseBudget, parseFold, PREDICTIONS_COLUMNS, probabilityColumn, REQUIRED_JOB_COLUMNS, RESULTS_COLUMNS, type Job } from '@udtl/results';
import { DEFAULT_DECISION, PRIMARY_METRICS, type DecisionSettings, type JobRecord, type PredictionRow, type PrimaryMetric, type ResultRow, type RunData, type RunManifest } from './types.js';

function parseInteger(text: string, what: string, where: string): number {
  if (!/^-?\d+$/.test(text)) throw new Error(`${where}: ${what} "${text}" is not an integer`);
  return Number(text);
}

function parseDraw(text: string, where: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${where}: draw "${text}" is not a non-negative integer`);
  return Number(text);
}

/**
 * Calls `onRecord` for each well-formed data row of a CSV file after checking its header. Files
 * without any quote character (what the runner writes unless a name holds a comma) are split
 * directly, several times faster than a general parser on 100k+ prediction rows; any other file
 * goes through csv-parse. Rows with the wrong number of fields (a write cut short) are skipped
 * with a warning.
 */
async function forEachRecord(
  path: string,
  required: readonly string[],
  warnings: string[],
  onRecord: (record: string[], column: (name: string) => number | undefined, row: number, header: readonly string[]) => void,
): Promise<void> {
  const text = await readFile(path, 'utf8');
  const records: Iterable<string[]> = text.includes('"')
    ? (parseCsv(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][])
    : splitLines(text);
  let header: string[] | undefined;
  let index = new Map<string, number>();
  let row = 0, skipped = 0, firstSkipped = 0;
  for (const record of records) {
    if (!header) {
      header = record.map((h) => h.trim());
      const missing = required.filter((c) => !header!.includes(c));
      if (missing.length) throw new Error(`${path}: header lacks column(s) ${missing.join(', ')} (header: ${header.join(',')})`);
      index = new Map(header.map((h, i) => [h, i]));
      continue;
    }
    row++;
    if (record.length !== header.length) {
      if (!skipped++) firstSkipped = row;
      continue;
    }
    onRecord(record, (name) => index.get(name), row, header);
  }
  if (!header) warnings.push(`${path} is empty (no header).`);
  if (skipped) warnings.push(`${path}: ${skipped} row(s) with the wrong number of fields were skipped (first: data row ${firstSkipped}; a write cut short?).`);
}

function* splitLines(text: string): Generator<string[]> {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    if (line) yield line.split(',');
    start = end + 1;
  }
}

/**
 * Parses the job columns (`draw` may be missing: older runs, draw 0); identical rows share one
 * parsed object (there are thousands per job).
 */
function coordsReader(path: string, column: (name: string) => number | undefined) {
  const cols = REQUIRED_JOB_COLUMNS.map((c) => column(c)!);
  const drawCol = column('draw');
  const cache = new Map<string, Job>();
  return (record: string[], row: number): Job => {
    const key = cols.map((i) => record[i]).join(',') + (drawCol === undefined ? '' : `,${record[drawCol]}`);
    let c = cache.get(key);
    if (!c) {
      const where = `${path} data row ${row}`;
      const [dataset, method, fold, repeat, budget, seed] = cols.map((i) => record[i]);
      c = {
        dataset,
        method,
        fold: parseFold(fold, where),
        repeat: parseInteger(repeat, 'repeat', where),
        budget: parseBudget(budget, where),
        seed: parseInteger(seed, 'seed', where),
        draw: drawCol === undefined || record[drawCol] === '' ? 0 : parseDraw(record[drawCol], where),
      };
      cache.set(key, c);
    }
    return c;
  };
}

const optional = (c: string) => c !== 'draw';
/** `p_` as @udtl/results names the probability columns. */
const PROBABILITY_PREFIX = probabilityColumn('');
const REQUIRED_RESULTS = RESULTS_COLUMNS.filter(optional);
const REQUIRED_PREDICTIONS = PREDICTIONS_COLUMNS.filter(optional);

export async function readResultsCsv(path: string, warnings: string[]): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  let empty = 0;
  let coords: ReturnType<typeof coordsReader> | undefined;
  await forEachRecord(path, REQUIRED_RESULTS, warnings, (record, column, row) => {
    coords ??= coordsReader(path, column);
    const text = record[column('value')!].trim();
    // The runner leaves undefined metrics (e.g. AUC with one class in the test fold) empty.
    if (text === '' || text === 'NaN') { empty++; return; }
    const value = Number(text);
    if (!Number.isFinite(value)) throw new Error(`${path} data row ${row}: value "${text}" is not a number`);
    rows.push({ ...coords(record, row), metric: record[column('metric')!], value });
  });
  if (empty) warnings.push(`${path}: ${empty} metric value(s) were empty (undefined for that job) and are left out.`);
  return rows;
}

/** A probability cell as the runner writes it (plain decimal or exponent notation); '' when absent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Slack for a probability computed as 1 − (the others) in floating point. */
const ROUNDING = 1e-9;

/**
 * Reads the `p_<class>` cells of one row into class → probability, leaving out empty cells (the
 * columns are the union over datasets, so a row of one dataset has the others' empty). A cell
 * that is not a probability in [0, 1] is an error naming the file, row and column.
 */
function probabilitiesReader(path: string, header: readonly string[]) {
  const columns = header.flatMap((name, i) => (name.startsWith(PROBABILITY_PREFIX) ? [{ name, className: name.slice(PROBABILITY_PREFIX.length), i }] : []));
  return (record: string[], row: number): Record<string, number> | undefined => {
    let out: Record<string, number> | undefined;
    for (const { name, className, i } of columns) {
      const text = record[i].trim();
      if (text === '') continue;
      const p = DECIMAL.test(text) ? Number(text) : NaN;
      if (!(p >= -ROUNDING && p <= 1 + ROUNDING)) throw new Error(`${path} data row ${row}: column ${name} "${text}" is not a probability in [0, 1]`);
      (out ??= {})[className] = p;
    }
    return out;
  };
}

export async function readPredictionsCsv(path: string, warnings: string[]): Promise<PredictionRow[]> {
  const rows: PredictionRow[] = [];
  let coords: ReturnType<typeof coordsReader> | undefined;
  let probabilities: ReturnType<typeof probabilitiesReader> = () => undefined;
  let cols: number[] = [];
  await forEachRecord(path, REQUIRED_PREDICTIONS, warnings, (record, column, row, header) => {
    if (!coords) {
      coords = coordsReader(path, column);
      cols = ['sample_id', 'true', 'pred'].map((c) => column(c)!);
      probabilities = probabilitiesReader(path, header);
    }
    const p = probabilities(record, row);
    rows.push({ ...coords(record, row), sampleId: record[cols[0]], truth: record[cols[1]], pred: record[cols[2]], dataRow: row, ...(p && { probabilities: p }) });
  });
  return rows;
}

export async function readJobsJsonl(path: string, warnings: string[]): Promise<JobRecord[]> {
  const jobs: JobRecord[] = [];
  const lines = (await readFile(path, 'utf8')).split('\n');
  let bad = 0;
  lines.forEach((text, i) => {
    if (!text.trim()) return;
    try {
      const job = JSON.parse(text) as JobRecord;
      if (typeof job.dataset !== 'string' || typeof job.method !== 'string' || (job.status !== 'ok' && job.status !== 'failed')) throw new Error('missing fields');
      jobs.push({ ...job, draw: typeof job.draw === 'number' ? job.draw : 0 });
    } catch {
      if (!bad++) warnings.push(`${path}:${i + 1}: not a valid job record; such lines are skipped.`);
    }
  });
  if (bad > 1) warnings.push(`${path}: ${bad} invalid line(s) in all.`);
  return jobs;
}

export async function readManifest(path: string, warnings: string[]): Promise<Partial<RunManifest> | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Partial<RunManifest>;
  } catch (err) {
    warnings.push(`${path} could not be read (${(err as Error).message}); run details are unknown.`);
    return undefined;
  }
}

const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/**
 * The primary metric, smallest gain δ and non-inferiority margin the run's config declares
 * (in points); defaults where the manifest is missing or older than these fields. A value outside
 * its range is an error that names it: a wrong setting must not decide a verdict silently.
 */
export function decisionSettings(manifest: Partial<RunManifest> | undefined): DecisionSettings {
  const cfg = manifest?.config ?? {};
  const metric = cfg.primaryMetric ?? DEFAULT_DECISION.primaryMetric;
  if (!(PRIMARY_METRICS as readonly unknown[]).includes(metric)) {
    throw new Error(`manifest config primaryMetric '${String(metric)}' is not one of ${PRIMARY_METRICS.join(', ')}`);
  }
  const points = (name: string, fallback: number) => {
    if (cfg[name] === undefined) return fallback;
    const v = num(cfg[name]);
    if (v === undefined || !(v > 0 && v < 100)) throw new Error(`manifest config ${name} must be a number of points in (0, 100), got ${JSON.stringify(cfg[name])}`);
    return v;
  };
  return {
    primaryMetric: metric as PrimaryMetric,
    smallestGainPoints: points('smallestGain', DEFAULT_DECISION.smallestGainPoints),
    marginPoints: points('nonInferiorityMargin', DEFAULT_DECISION.marginPoints),
  };
}

/**
 * Reads a results directory. A missing directory is an error; missing or damaged files inside it
 * are reported as warnings, so that an interrupted run still gets a report of what is there.
 */
export async function readRun(dir: string): Promise<RunData> {
  if (!existsSync(dir)) throw new Error(`results directory not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new Error(`not a results directory (it is a file): ${dir}`);
  const warnings: string[] = [];
  const file = (name: string) => {
    const path = join(dir, name);
    if (existsSync(path)) return path;
    warnings.push(`${name} is missing from ${dir}.`);
    return undefined;
  };
  const manifestPath = file('manifest.json');
  const resultsPath = file('results.csv');
  const predictionsPath = file('predictions.csv');
  const jobsPath = file('jobs.jsonl');
  const manifest = manifestPath ? await readManifest(manifestPath, warnings) : undefined;
  const results = resultsPath ? await readResultsCsv(resultsPath, warnings) : [];
  const predictions = predictionsPath ? await readPredictionsCsv(predictionsPath, warnings) : [];
  const jobs = jobsPath ? await readJobsJsonl(jobsPath, warnings) : [];
  warnings.push(...completenessWarnings(manifest, jobs));
  return { dir, results, predictions, jobs, manifest, warnings };
}

/** What an interrupted or partly failed run lacks, in words. */
function completenessWarnings(manifest: Partial<RunManifest> | undefined, jobs: JobRecord[]): string[] {
  const out: string[] = [];
  const ok = jobs.filter((j) => j.status === 'ok').length;
  const failed = jobs.filter((j) => j.status === 'failed');
  const total = manifest?.jobs?.total;
  if (manifest && manifest.complete === false) {
    out.push(`The run is incomplete (manifest.complete = false): ${ok} job(s) finished${typeof total === 'number' ? ` of ${total} planned` : ''}. Results below cover only the finished jobs.`);
  } else if (typeof total === 'number' && ok + failed.length < total) {
    out.push(`${total - ok - failed.length} of ${total} planned job(s) have no record in jobs.jsonl.`);
  }
  if (failed.length) {
    const shown = failed.slice(0, 5).map((j) => `${j.key ?? `${j.dataset}/${j.method}`}: ${j.error ?? 'no error message'}`);
    out.push(`${failed.length} job(s) failed — ${shown.join('; ')}${failed.length > 5 ? '; …' : ''}`);
  }
  return out;
}

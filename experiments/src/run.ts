import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem, platform } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as core from '@udtl/core';
import * as datasets from '@udtl/datasets';
import { atomicWriteFile, cacheDir as defaultCacheDir, projectRoot } from '@udtl/datasets';
import { configHash, datasetEntries, type ExperimentConfig } from './config.js';
import { loadExperimentDataset, type GroupTask, type PrepareTask, type Task, type WorkerEnv } from './execute.js';
import { groupJobs, jobKey, type BudgetLabel, type Job, type JobGroup, type JobResult } from './jobs.js';
import { methodParams, resolveMethods } from './methods.js';
import { runPool } from './pool.js';
import { Progress } from './progress.js';
import { RunStore, pointLatest, writeTables } from './store.js';

export interface RunOptions {
  /** Folder that holds run folders (default `<project>/results`). */
  outRoot?: string;
  workers?: number;
  dataDir?: string;
  cacheDir?: string;
  quiet?: boolean;
}

export interface RunSummary {
  runDir: string;
  total: number;
  ran: number;
  skipped: number;
  failed: number;
  results: JobResult[];
}

/** Folds of one dataset for one seed: stratified k-fold (repeated), plus the official split when asked. */
function foldsOf(ds: Awaited<ReturnType<typeof loadExperimentDataset>>, config: ExperimentConfig, seed: number) {
  const folds: Array<{ label: number | 'official'; fold: datasets.Fold }> = datasets
    .stratifiedKFold(ds.samples, { k: config.folds, repeats: config.repeats, seed })
    .map((fold) => ({ label: fold.index, fold }));
  if (config.officialSplit && ds.samples.some((s) => s.split === 'test')) {
    folds.push({ label: 'official', fold: datasets.officialSplit(ds.samples) });
  }
  return folds;
}

/**
 * Run an experiment: every (dataset × method × fold × budget × seed) job not finished yet, in a
 * pool of workers; then write results.csv, predictions.csv, jobs.jsonl and manifest.json.
 */
export async function runExperiment(config: ExperimentConfig, options: RunOptions = {}): Promise<RunSummary> {
  const startedAt = new Date();
  const say = (m: string) => options.quiet || process.stderr.write(`${m}\n`);
  const methods = await resolveMethods(config);
  const resolvedParams = Object.fromEntries(methods.map((m) => [m.name, core.createMethod(m.id, methodParams(config, m)).params]));
  const hash = configHash(config, resolvedParams);
  const outRoot = resolve(options.outRoot ?? join(projectRoot(), 'results'));
  const runDir = join(outRoot, `${config.name}-${hash}`);
  const store = new RunStore(runDir);
  await store.init();
  await atomicWriteFile(join(runDir, 'config.json'), JSON.stringify(config, null, 2));

  const env: WorkerEnv = {
    config,
    methods,
    runDir,
    cacheDir: resolve(options.cacheDir ?? defaultCacheDir()),
    dataDir: options.dataDir,
  };
  const finished = await store.finishedKeys();

  // The grid. Folds are made here, once, and handed to workers as id lists.
  const groups: GroupTask[] = [];
  const datasetInfo: Record<string, unknown>[] = [];
  let total = 0;
  for (const { id } of datasetEntries(config)) {
    const ds = await loadExperimentDataset(env, id);
    datasetInfo.push({
      id,
      contentHash: ds.contentHash,
      nSamples: ds.samples.length,
      classes: ds.info.labels,
      dropped: ds.dropped.length,
      dataFiles: ds.dataFiles,
    });
    for (const seed of config.seeds) {
      for (const { label, fold } of foldsOf(ds, config, seed)) {
        for (const m of methods) {
          const group: JobGroup = { dataset: id, method: m.name, fold: label, repeat: fold.repeat, seed, budgets: [] };
          const budgets: BudgetLabel[] = config.budgets;
          total += budgets.length;
          group.budgets = budgets.filter((budget) => finished.get(jobKey({ ...group, budget })) !== 'ok');
          if (group.budgets.length) groups.push({ kind: 'group', group, fold });
        }
      }
    }
  }
  // Fold-major order: an interrupted run has results for every dataset and method, not just the first dataset.
  const foldRank = (f: number | 'official') => (f === 'official' ? Number.MAX_SAFE_INTEGER : f);
  groups.sort((a, b) => a.group.seed - b.group.seed || foldRank(a.group.fold) - foldRank(b.group.fold));
  const pending = groups.reduce((n, g) => n + g.group.budgets.length, 0);
  say(`run ${basename(runDir)}: ${total} jobs, ${total - pending} already done, ${pending} to run`);

  const workers = Math.max(1, options.workers ?? availableParallelism());
  // Written before any job runs, so an interrupted run's folder says what it was and that it is incomplete.
  const manifest: Record<string, unknown> = {
    runId: basename(runDir),
    configHash: hash,
    config,
    methodParams: resolvedParams,
    gitCommit: gitCommit(),
    versions: versions(),
    datasets: datasetInfo,
    machine: { cores: cpus().length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), platform: `${platform()} ${process.arch}`, cpuModel: cpus()[0]?.model ?? '', workers },
    startedAt: startedAt.toISOString(),
    endedAt: null,
    jobs: { total, done: finishedCount(finished), failed: 0 },
    complete: false,
  };
  await writeManifest(runDir, manifest, true);
  let backend: { name: string; gpu: boolean; engine?: string } | undefined;
  const failures: { job: string; error: string }[] = [];
  if (groups.length) {
    const needPrepare = [...new Set(groups.map((g) => g.group.dataset))];
    const prepare: PrepareTask[] = needPrepare.map((dataset) => ({ kind: 'prepare', dataset, methods: methods.map((m) => m.name) }));
    say(`preparing features for ${needPrepare.join(', ')} with ${Math.min(workers, prepare.length)} worker(s)`);
    await runPool(prepare, workers, env, {
      onMessage: (m) => {
        if (m.type === 'ready') backend = m.backend;
        if (m.type === 'log' && !options.quiet) say(`  ${m.message}`);
      },
      onTaskEnd: (task, error) => {
        if (error) say(`  prepare ${(task as PrepareTask).dataset} failed: ${error} (its jobs will compute what they need)`);
      },
    });

    const progress = new Progress(pending, options.quiet ? (devNull as NodeJS.WriteStream) : process.stderr);
    await runPool(groups, workers, env, {
      onMessage: (m, task) => {
        if (m.type === 'ready') backend = m.backend;
        if (m.type === 'job') {
          progress.tick(m.key.replaceAll('|', ' '), m.status === 'ok');
          if (m.status === 'failed') failures.push({ job: m.key, error: m.error ?? 'unknown error' });
        }
        if (m.type === 'log' && task?.kind === 'group') progress.setCurrent(`${task.group.dataset}/${task.group.method}/fold ${task.group.fold}: ${m.message}`);
      },
      onTaskEnd: async (task, error) => {
        if (!error || task.kind !== 'group') return;
        // The group stopped early (e.g. its worker died): record its unfinished jobs as failed.
        const done = await store.finishedKeys();
        for (const job of groupJobs(task.group)) {
          const key = jobKey(job);
          if (done.has(key)) continue;
          await store.writeResult(failedResult(job, error));
          progress.tick(key.replaceAll('|', ' '), false);
          failures.push({ job: key, error });
        }
      },
    });
    progress.end();
  }

  const results = await store.readResults((file, err) => say(`warning: skipping unreadable job file ${file}: ${err.message}`));
  await writeTables(store, results);
  const failed = results.filter((r) => r.status === 'failed');
  const done = results.filter((r) => r.status === 'ok').length;
  backend ??= results.find((r) => r.status === 'ok')?.backend;
  await writeManifest(runDir, {
    ...manifest,
    backend: backend ?? null,
    weights: weightsFrom(results),
    endedAt: new Date().toISOString(),
    wallSeconds: (Date.now() - startedAt.getTime()) / 1000,
    jobs: { total, done, failed: failed.length },
    failures: failed.map((r) => ({ job: r.key, error: r.error })),
    complete: done === total,
  }, false);
  await mkdir(outRoot, { recursive: true });
  await pointLatest(outRoot, basename(runDir));
  return { runDir, total, ran: pending, skipped: total - pending, failed: failed.length, results };
}

const devNull = { write: () => true, isTTY: false } as unknown;

function failedResult(job: Job, error: string): JobResult {
  return {
    ...job, key: jobKey(job), status: 'failed', error, methodId: job.method, params: {}, chosen: {},
    backend: { name: 'unknown', gpu: false }, metrics: {}, fitSeconds: 0, predictSeconds: 0, classNames: [],
    finishedAt: new Date().toISOString(),
  };
}

const finishedCount = (finished: Map<string, string>) => [...finished.values()].filter((s) => s === 'ok').length;

/**
 * The manifest of a resumed run keeps when it first started and counts its sessions (starts).
 * `starting` is true for the write at the start of a session.
 */
async function writeManifest(runDir: string, manifest: Record<string, unknown>, starting: boolean): Promise<void> {
  const path = join(runDir, 'manifest.json');
  if (existsSync(path)) {
    try {
      const old = JSON.parse(await readFile(path, 'utf8'));
      manifest.firstStartedAt = old.firstStartedAt ?? old.startedAt;
      manifest.sessions = starting ? (old.sessions ?? 1) + 1 : (old.sessions ?? 1);
    } catch {
      /* a corrupt manifest is simply rewritten */
    }
  }
  manifest.sessions ??= 1;
  manifest.firstStartedAt ??= manifest.startedAt;
  await atomicWriteFile(path, JSON.stringify(manifest, null, 2));
}

function weightsFrom(results: JobResult[]): { backbone: string; hash: string }[] {
  const seen = new Map<string, string>();
  for (const r of results) {
    const b = r.chosen?.backbone, h = r.chosen?.weightsHash;
    if (typeof b === 'string' && typeof h === 'string') seen.set(b, h);
  }
  return [...seen].map(([backbone, hash]) => ({ backbone, hash }));
}

function gitCommit(): string | null {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return null;
  }
}

function versions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  const root = projectRoot();
  for (const dir of ['packages/core', 'packages/datasets', 'packages/baselines', 'packages/report', 'experiments']) {
    const file = join(root, dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      out[pkg.name] = pkg.version;
    }
  }
  try {
    const tfPkg = join(dirname(resolve(root, 'packages/core/node_modules/@tensorflow/tfjs-core/package.json')), 'package.json');
    out['@tensorflow/tfjs-core'] = JSON.parse(readFileSync(tfPkg, 'utf8')).version;
  } catch {
    /* not installed where expected */
  }
  return out;
}

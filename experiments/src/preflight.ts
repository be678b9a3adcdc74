/**
 * Checks that stop a run before it starts: settings (output folder, data root, backend and engine
 * names) → datasets load and decode → backbones → label budgets feasible → weights present
 * (downloaded if need be, once nothing else is wrong) → taps. Every problem found is reported at
 * once, naming the bad value; the backend itself starts in the first worker, and the runner stops
 * the run when it cannot.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as core from '@udtl/core';
import * as datasets from '@udtl/datasets';
import type { Budget } from '@udtl/results';
import type { ExperimentConfig, MethodEntry } from './config.js';
import { loadExperimentDataset } from './execute.js';

type LoadedDataset = Awaited<ReturnType<typeof loadExperimentDataset>>;

export interface PlannedFold {
  seed: number;
  label: number | 'official';
  fold: datasets.Fold;
}

/** A dataset as the run will use it: loaded once here, its folds per seed, and the hash its results carry. */
export interface PlannedDataset {
  id: string;
  dataset: LoadedDataset;
  /** Images, labels, splits and class names: a result computed on other data is never reused. */
  dataHash: string;
  folds: PlannedFold[];
}

export class PreflightError extends Error {
  constructor(readonly problems: string[], seconds: number) {
    problems = [...new Set(problems)]; // one file failing two checks is one problem
    super(`preflight found ${problems.length} problem${problems.length > 1 ? 's' : ''} (${seconds.toFixed(1)} s); nothing was run:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'PreflightError';
  }
}

export interface PreflightOptions {
  outRoot: string;
  dataDir?: string;
  cacheDir: string;
  log?: (message: string) => void;
}

/** Images fully decoded per class whatever their files look like: catches a format sharp cannot read. */
const DECODE_SAMPLE_PER_CLASS = 2;

/** Run every check; returns the loaded datasets (reused by the runner) or throws a PreflightError listing every problem. */
export async function preflight(
  config: ExperimentConfig,
  methods: MethodEntry[],
  resolvedParams: Record<string, Record<string, unknown>>,
  options: PreflightOptions,
): Promise<{ datasets: PlannedDataset[]; seconds: number; steps: Record<string, number> }> {
  const t0 = performance.now();
  const problems: string[] = [];
  const steps: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await work();
    } finally {
      steps[step] = +((steps[step] ?? 0) + (performance.now() - t) / 1000).toFixed(3);
    }
  };
  const fail = () => new PreflightError(problems, (performance.now() - t0) / 1000);

  problems.push(...(await timed('settings', () => checkSettings(options))));
  // A wrong data root would turn into downloads of every dataset: stop before loading any.
  if (datasets.dataRootProblem(options.dataDir)) throw fail();

  const planned: PlannedDataset[] = [];
  const env = { config, dataDir: options.dataDir };
  for (const entry of config.datasets.map((d) => (typeof d === 'string' ? { id: d } : d))) {
    try {
      const dataset = await timed('load datasets', () => loadExperimentDataset(env, entry.id));
      problems.push(...(await timed('check images', () => checkDecodable(dataset))));
      const groups = await timed('fold groups', () => datasets.foldGroups(dataset, { nearDuplicates: config.nearDuplicates, cacheDir: options.cacheDir }));
      const folds = config.seeds.flatMap((seed) => foldsOf(dataset, config, seed, groups.groupOf).map((f) => ({ seed, ...f })));
      planned.push({ id: entry.id, dataset, dataHash: dataIdentity(dataset, groups.groups), folds });
    } catch (err) {
      problems.push(`dataset '${entry.id}': ${(err as Error).message}`);
    }
  }

  const uses = backboneUses(methods, resolvedParams);
  problems.push(...checkBackbones(uses));
  for (const p of planned) problems.push(...checkBudgets(p, config.budgets));
  // Downloads (weights) only when everything else is right: a typo should not cost a 244 MB fetch.
  if (!problems.length) problems.push(...(await timed('weights', () => checkWeights(uses, options))));
  if (!problems.length) problems.push(...(await timed('taps', () => checkLayerTaps(uses, options))));
  if (problems.length) throw fail();
  return { datasets: planned, seconds: (performance.now() - t0) / 1000, steps };
}

/** Folds of one dataset for one seed: stratified k-fold (repeated; grouped when `groupOf` is given), plus the official split when asked. */
export function foldsOf(ds: LoadedDataset, config: ExperimentConfig, seed: number, groupOf?: ReadonlyMap<string, string>): Array<{ label: number | 'official'; fold: datasets.Fold }> {
  const options = { k: config.folds, repeats: config.repeats, seed };
  const made = groupOf ? datasets.groupedStratifiedKFold(ds.samples, groupOf, options) : datasets.stratifiedKFold(ds.samples, options);
  const folds: Array<{ label: number | 'official'; fold: datasets.Fold }> = made.map((fold) => ({ label: fold.index, fold }));
  if (config.officialSplit && ds.samples.some((s) => s.split === 'test')) {
    folds.push({ label: 'official', fold: datasets.officialSplit(ds.samples) });
  }
  return folds;
}

/**
 * sha256 over class names and every sample's id, content hash, label and split, and the fold
 * groups when there are any (a new hash threshold regroups the folds: results are then recomputed).
 */
export function dataIdentity(ds: Pick<LoadedDataset, 'info' | 'samples'>, groups: readonly (readonly string[])[] = []): string {
  const h = createHash('sha256').update(JSON.stringify(ds.info.labels));
  const lines = ds.samples.map((s) => `${s.id}\t${s.hash}\t${s.label}\t${s.split}`).sort();
  for (const line of lines) h.update(`\n${line}`);
  if (groups.length) h.update(`\ngroups\n${groups.map((g) => [...g].sort().join('\t')).sort().join('\n')}`);
  return h.digest('hex').slice(0, 16);
}

/** Output folder, data root, and the backend/engine/provider names the workers will be given. */
export function checkSettings(options: Pick<PreflightOptions, 'outRoot' | 'dataDir'>): string[] {
  const problems: string[] = [];
  const out = outFolderProblem(options.outRoot);
  if (out) problems.push(out);
  const data = datasets.dataRootProblem(options.dataDir);
  if (data) problems.push(`${data}: fix the path, or create the folder to download datasets into it`);
  const named = (variable: string, known: string[]) => {
    const value = process.env[variable]?.trim();
    if (value && !known.includes(value)) problems.push(`${variable}='${value}' is not one of ${known.join(', ')}`);
  };
  named('UDTL_BACKEND', core.listBackendCandidates());
  named('UDTL_ENGINE', ['auto', ...core.listFrozenEngines()]);
  named('UDTL_ORT_PROVIDER', ['auto', 'cpu', 'cuda', 'webgpu']);
  named('UDTL_WEBGPU_ADAPTER', ['auto', 'hardware', 'software']);
  return problems;
}

/** `--out` must be a folder (or creatable as one), not a file nor under one. */
export function outFolderProblem(outRoot: string): string | undefined {
  let dir = resolve(outRoot);
  while (!existsSync(dir)) {
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  if (!statSync(dir).isDirectory()) {
    return dir === resolve(outRoot) ? `--out ${dir} is a file; give a folder for run folders` : `--out ${resolve(outRoot)}: ${dir} is a file, not a folder`;
  }
  return undefined;
}

/**
 * Every image of a folder dataset has a readable header (what `datasets inspect` reads), ends the
 * way its format ends (a truncated file does not), and a few per class decode fully. Files whose
 * ending is wrong are decoded fully too, so a truncated image is named here, not by failing jobs.
 */
export async function checkDecodable(ds: LoadedDataset): Promise<string[]> {
  if (ds.info.format.kind === 'npz') return []; // the archive's arrays were read and shape-checked on load
  try {
    await datasets.describeDataset(ds);
  } catch (err) {
    return [`dataset '${ds.info.id}': ${(err as Error).message}`];
  }
  const suspicious: string[] = [];
  const perClass = new Map<number, number>();
  await datasets.forEachLimit(ds.samples, 8, async (s) => {
    const sampled = (perClass.get(s.label) ?? 0) < DECODE_SAMPLE_PER_CLASS;
    if (sampled) perClass.set(s.label, (perClass.get(s.label) ?? 0) + 1);
    if (sampled || !(await endsWell(`${ds.location}/${s.id}`))) suspicious.push(s.id);
  });
  const problems: string[] = [];
  await datasets.forEachLimit(suspicious, Math.max(1, availableParallelism()), async (id) => {
    const path = `${ds.location}/${id}`;
    try {
      await datasets.decodeImageFile(await readFile(path), { height: 8, width: 8, mode: 'resize' }, path);
    } catch (err) {
      problems.push(`dataset '${ds.info.id}': ${(err as Error).message}`);
    }
  });
  return problems.sort();
}

/** JPEG ends with the EOI marker, PNG with its IEND chunk; other formats are not judged by their end. */
async function endsWell(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const tail = Buffer.alloc(Math.min(32, size));
    await fh.read(tail, 0, tail.length, size - tail.length);
    const head = Buffer.alloc(Math.min(4, size));
    await fh.read(head, 0, head.length, 0);
    if (head[0] === 0xff && head[1] === 0xd8) return tail.includes(Buffer.from([0xff, 0xd9]));
    if (head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG') return tail.includes(Buffer.from('IEND', 'latin1'));
    return true;
  } finally {
    await fh.close();
  }
}

/** Each method's backbone and tap under every grid configuration (methods without a backbone have none). */
export function backboneUses(methods: MethodEntry[], resolvedParams: Record<string, Record<string, unknown>>): Array<{ method: string; backbone: string; tap?: string }> {
  const uses: Array<{ method: string; backbone: string; tap?: string }> = [];
  for (const m of methods) {
    const p = resolvedParams[m.name] ?? {};
    if (typeof p.backbone !== 'string') continue;
    const grid = Array.isArray(p.grid) ? (p.grid as Record<string, unknown>[]) : [];
    for (const g of [{}, ...grid]) {
      const backbone = typeof g.backbone === 'string' ? g.backbone : p.backbone;
      const tap = typeof g.tap === 'string' ? g.tap : typeof p.tap === 'string' ? p.tap : undefined;
      if (!uses.some((u) => u.method === m.name && u.backbone === backbone && u.tap === tap)) uses.push({ method: m.name, backbone, tap });
    }
  }
  return uses;
}

/** Backbone ids must be registered; taps among a backbone's named taps pass here, other names are left to `checkLayerTaps`. */
export function checkBackbones(uses: ReturnType<typeof backboneUses>): string[] {
  const problems = new Set<string>();
  for (const u of uses) {
    try {
      core.getBackbone(u.backbone);
    } catch (err) {
      problems.add(`method '${u.method}': ${(err as Error).message}`);
    }
  }
  return [...problems];
}

/**
 * A tap that is not one of the backbone's named taps may still be one of its layers: that needs the
 * model, so the backbone is loaded (on the cpu backend, weights already present) and asked.
 */
export async function checkLayerTaps(uses: ReturnType<typeof backboneUses>, options: Pick<PreflightOptions, 'cacheDir' | 'log'>): Promise<string[]> {
  const unnamed = uses.filter((u) => u.tap !== undefined && !core.getBackbone(u.backbone).taps[u.tap]);
  if (!unnamed.length) return [];
  await core.initBackend({ force: 'cpu' });
  const problems: string[] = [];
  for (const backbone of new Set(unnamed.map((u) => u.backbone))) {
    const net = await core.loadBackbone(backbone, { cacheDir: options.cacheDir, download: false, log: options.log });
    try {
      for (const u of unnamed.filter((x) => x.backbone === backbone)) {
        try {
          net.resolveTap(u.tap);
        } catch (err) {
          problems.push(`method '${u.method}': ${shorten((err as Error).message)}`);
        }
      }
    } finally {
      net.dispose();
    }
  }
  return problems;
}

/** Long lists (a backbone's 100 layers) are cut: the named taps come first and say enough. */
const shorten = (message: string, max = 300) => (message.length > max ? `${message.slice(0, max)}… (udtl backbones list)` : message);

/** The weights of every backbone used are on this machine, or are downloaded now (once, before any worker needs them). */
export async function checkWeights(uses: ReturnType<typeof backboneUses>, options: Pick<PreflightOptions, 'cacheDir' | 'log'>): Promise<string[]> {
  const problems: string[] = [];
  for (const backbone of new Set(uses.map((u) => u.backbone))) {
    const resource = datasets.listResources().find((r) => r.id === backbone);
    if (!resource) continue; // a user-registered backbone: its loader knows where its weights are
    if (await datasets.locateResource(resource, { cacheDir: options.cacheDir })) continue;
    try {
      await datasets.fetchResource(resource, { cacheDir: options.cacheDir, log: options.log });
    } catch (err) {
      problems.push(`weights of backbone '${backbone}' are not on this machine and could not be downloaded (udtl fetch ${backbone}): ${(err as Error).message}`);
    }
  }
  return problems;
}

/** A budget of n labels per class needs n training images of every class in every fold. */
export function checkBudgets(p: Pick<PlannedDataset, 'id' | 'dataset' | 'folds'>, budgets: Budget[]): string[] {
  const wanted = budgets.filter((b): b is number => b !== 'all');
  if (!wanted.length || !p.folds.length) return [];
  const labelOf = new Map(p.dataset.samples.map((s) => [s.id, s.label]));
  let least = { count: Infinity, label: 0, fold: '' as string | number, seed: 0 };
  for (const { seed, label: foldLabel, fold } of p.folds) {
    const counts = new Map<number, number>(p.dataset.info.labels.map((_, i) => [i, 0]));
    for (const id of fold.train) counts.set(labelOf.get(id)!, (counts.get(labelOf.get(id)!) ?? 0) + 1);
    for (const [label, count] of counts) if (count < least.count) least = { count, label, fold: foldLabel, seed };
  }
  const tooBig = wanted.filter((b) => b > least.count);
  if (!tooBig.length) return [];
  const name = p.dataset.info.labels[least.label] ?? String(least.label);
  return [`budgets ${tooBig.join(', ')}: dataset '${p.id}' has only ${least.count} training image${least.count === 1 ? '' : 's'} of class '${name}' in fold ${least.fold} (seed ${least.seed}); the largest feasible budget is ${least.count}`];
}

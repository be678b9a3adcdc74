/**
 * The house's structure as a test: no source file of the repository imports itself back through a
 * circle (type-only imports included), and inside core no folder imports one above it. Imports are
 * read from the source text, which is all `tsc` follows for relative specifiers.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

/** Relative imports of one file, resolved to source paths (`./x.js` → `./x.ts`, a folder → its index). */
function relativeImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const base = resolve(dirname(file), spec);
    const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (hit == null) throw new Error(`${relative(repo, file)}: cannot resolve import '${spec}'`);
    out.push(hit);
  }
  return out;
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan. */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

function importGraph(roots: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of roots.flatMap(sourceFiles)) graph.set(file, relativeImports(file, readFileSync(file, 'utf8')));
  return graph;
}

/**
 * Each package's folders from the bottom up: a folder may import its own rank or lower. In
 * @udtl/backbones: backends, the backbone registry (TFLite/ONNX), the feature cache, the extractor.
 * In @udtl/core: classifiers (pure math) at the bottom, the method contract, the CAE at the top.
 */
const FOLDER_RANK: Record<string, Record<string, number>> = {
  backbones: { 'bench-runner.ts': 0, backend: 0, backbones: 1, cache: 2, extractor: 3 },
  core: { classifiers: 0, method: 1, cae: 2 },
};

/**
 * @udtl/datasets, file by file from the bottom up: the vocabulary and file helpers; registries and
 * readers of one kind of file; downloading, folds and folder scans; loading a dataset; near-duplicate
 * groups and the inspection built on them.
 */
FOLDER_RANK.datasets = {
  'types.ts': 0, 'sources.ts': 0, 'paths.ts': 0, 'fsutil.ts': 0, 'npy.ts': 0, 'seeds.ts': 0, 'stratify.ts': 0,
  'fold-balance.ts': 1, 'registry.ts': 1, 'medmnist-info.ts': 1, 'decode.ts': 1, 'duplicates.ts': 1, 'npzdataset.ts': 1, 'phash.ts': 1, 'imageset.ts': 1,
  fetch: 2, 'download.ts': 2, 'builtin.ts': 2, 'folds.ts': 2, 'imagefolder.ts': 2,
  'dataset.ts': 3,
  'groups.ts': 4, 'inspect.ts': 4,
};

/**
 * @udtl/report, folder or file from the bottom up: the results as read, pure statistics, chart
 * specs, text formatting, the published anchors and the headless browser; per-cell summaries (and
 * the synthetic run); comparisons; the verdict; figures and the run's verdicts; the HTML sections;
 * the report; the terminal summary.
 */
FOLDER_RANK.report = {
  results: 0, stats: 0, charts: 0, 'text.ts': 0, 'anchors.ts': 0, 'browser.ts': 0,
  'summary.ts': 1, 'synthetic.ts': 1,
  'across.ts': 2, 'significance.ts': 2,
  'verdict.ts': 3,
  'figures.ts': 4, 'verdict-run.ts': 4,
  html: 5,
  'report.ts': 6,
  'terminal.ts': 7,
};

/**
 * experiments/src from the bottom up: config, job grid, lock, memory estimates, progress bar and failure digest; the
 * method list and the run store; what a worker runs; the worker pool and the preflight; the
 * executors (local, Slurm); a run and the worker process; the commands; the CLI.
 */
FOLDER_RANK.experiments = {
  'config.ts': 0, 'jobs.ts': 0, 'lock.ts': 0, 'memory.ts': 0, 'progress.ts': 0, 'summary.ts': 0,
  'methods.ts': 1, 'store.ts': 1,
  'execute.ts': 2,
  'pool.ts': 3, 'preflight.ts': 3,
  executors: 4,
  'run.ts': 5, 'worker.ts': 5,
  commands: 6,
  'cli.ts': 7,
};

const sourceDir = (pkg: string) => (pkg === 'experiments' ? join(repo, 'experiments', 'src') : join(repo, 'packages', pkg, 'src'));

/** Which workspace packages each package may import (DESIGN.md's table; experiments may import all). */
const MAY_IMPORT: Record<string, string[]> = {
  '@udtl/datasets': [],
  '@udtl/native': [],
  '@udtl/results': [],
  '@udtl/backbones': ['@udtl/datasets', '@udtl/native'],
  '@udtl/core': ['@udtl/backbones', '@udtl/datasets', '@udtl/results'],
  '@udtl/baselines': ['@udtl/core', '@udtl/backbones', '@udtl/datasets'],
  '@udtl/report': ['@udtl/datasets', '@udtl/results'],
};

describe('import graph', () => {
  it('finds a circle and a back-up arrow in a constructed graph (the checks can fail)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', []],
    ]);
    const found = circles(g).map((c) => [...c].sort());
    expect(found).toContainEqual(['a', 'b', 'c']);
    expect(found).toContainEqual(['d']);
    expect(found).toHaveLength(2);
  });

  it('no source file of the repository is part of an import circle', () => {
    const roots = [...readdirSync(join(repo, 'packages')).map((p) => join(repo, 'packages', p, 'src')), join(repo, 'experiments', 'src')];
    const graph = importGraph(roots);
    expect(graph.size).toBeGreaterThan(100);
    const found = circles(graph).map((c) => c.map((f) => relative(repo, f)).sort());
    expect(found).toEqual([]);
  });

  it.each(Object.keys(FOLDER_RANK))('no folder of %s imports a folder above it', (pkg) => {
    const ranks = FOLDER_RANK[pkg];
    const src = sourceDir(pkg);
    const graph = importGraph([src]);
    const folderOf = (file: string): string => relative(src, file).split('/')[0];
    const backUp: string[] = [];
    const rooms = new Map<string, string[]>();
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      if (from === 'index.ts') continue; // the package's face re-exports everything
      expect(Object.keys(ranks), `${relative(src, file)}: a new folder or file of ${pkg} needs a rank`).toContain(from);
      for (const target of targets) {
        const to = folderOf(target);
        if (ranks[to] > ranks[from]) backUp.push(`${relative(src, file)} → ${relative(src, target)}`);
        if (to !== from) rooms.set(from, [...(rooms.get(from) ?? []), to]);
      }
    }
    expect(backUp).toEqual([]);
    // Rooms of one rank may import each other, but not both ways round.
    expect(circles(rooms)).toEqual([]);
  });

  it('each package declares and imports only the workspace packages below it', () => {
    const dirs = [...readdirSync(join(repo, 'packages')).map((p) => join(repo, 'packages', p)), join(repo, 'experiments')];
    const seen: string[] = [];
    const wrong: string[] = [];
    for (const dir of dirs) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
      seen.push(pkg.name);
      const declared = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter((d) => d.startsWith('@udtl/'));
      const imported = sourceFiles(join(dir, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/from '(@udtl\/[a-z-]+)'|import\('(@udtl\/[a-z-]+)'\)/g)].map((m) => m[1] ?? m[2]));
      const allowed = pkg.name === '@udtl/experiments' ? null : pkg.name.startsWith('@udtl/baseline-') ? ['@udtl/core', '@udtl/datasets'] : MAY_IMPORT[pkg.name];
      expect(allowed, `${pkg.name}: add it to MAY_IMPORT with the packages it may import`).not.toBeUndefined();
      for (const dep of new Set([...declared, ...imported])) {
        if (allowed != null && !allowed.includes(dep)) wrong.push(`${pkg.name} → ${dep}`);
      }
      for (const dep of new Set(imported)) if (!declared.includes(dep) && dep !== pkg.name) wrong.push(`${pkg.name} imports ${dep} without declaring it`);
    }
    expect(seen).toEqual(expect.arrayContaining(['@udtl/datasets', '@udtl/backbones', '@udtl/core', '@udtl/baselines', '@udtl/report', '@udtl/experiments']));
    expect(wrong).toEqual([]);
  });
});

/**
 * The full-MedNIST recipe of the README, timed: `udtl datasets inspect` on the folder, then
 * `udtl run` with transfer-learned and zero-bias-cae (default parameters), 2 folds, budgets 20 per
 * class and all, memory budget 16G, a cold feature cache, the runner's own choice of workers.
 *
 *   pnpm --filter @udtl/experiments bench:mednist [--path <MedNIST folder>] [--fraction f] [--keep]
 *
 * --fraction scales the stand-in's class counts (a quick check of the bench itself).
 *
 * With --path it runs on the real data (`udtl fetch mednist` prints the folder). Without it, on a
 * stand-in of the same shape written under /tmp: 58,954 64×64 greyscale images in MedNIST's six
 * class folders with its class counts (PNG instead of JPEG; textures instead of scans, so its
 * accuracies mean nothing and near-duplicate grouping is off: seeded textures collide in pHash).
 * What it measures is what scales with the shape: decoding, pHash, extraction at 224 px, the
 * sharded cache, pooling, the capped CAE, SVMs on ≈ 29,000 training images per fold.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gib, makeFolder, runUdtl } from './synthetic.js';

const ROOT = '/tmp/udtl-scale';
/** MedNIST's classes and counts (58,954 images). */
const MEDNIST = [
  ['AbdomenCT', 10000],
  ['BreastMRI', 8954],
  ['CXR', 10000],
  ['ChestCT', 10000],
  ['Hand', 10000],
  ['HeadCT', 10000],
] as const;

const at = process.argv.indexOf('--path');
const realPath = at >= 0 ? process.argv[at + 1] : undefined;
if (at >= 0 && !realPath) throw new Error('--path needs the MedNIST folder (the one `udtl fetch mednist` prints)');
const keep = process.argv.includes('--keep');
const fractionAt = process.argv.indexOf('--fraction');
const fraction = fractionAt >= 0 ? Number(process.argv[fractionAt + 1]) : 1;
if (!(fraction > 0 && fraction <= 1)) throw new Error(`--fraction must be in (0, 1], got ${process.argv[fractionAt + 1]}`);

const names = MEDNIST.map(([name]) => name);
const counts = MEDNIST.map(([, n]) => Math.max(1, Math.round(n * fraction)));
const ends = counts.map((_, i) => counts.slice(0, i + 1).reduce((s, n) => s + n, 0));
const total = ends[ends.length - 1];
const folder = realPath
  ? { dir: realPath, seconds: 0, reused: true }
  : await makeFolder(join(ROOT, `mednist-standin-${total}-64`), total, 64, names, (i) => ends.findIndex((e) => i < e));
const work = join(ROOT, `mednist-run-${realPath ? 'real' : 'standin'}`);
rmSync(work, { recursive: true, force: true }); // cold cache, fresh run folder
mkdirSync(work, { recursive: true });

const config = {
  name: 'mednist-full',
  datasets: [{ id: 'mednist-full', path: folder.dir }],
  methods: ['transfer-learned', 'zero-bias-cae'],
  folds: 2,
  budgets: [20, 'all'],
  memoryBudget: '16G',
  ...(realPath ? {} : { nearDuplicates: 'ignore' }),
};
const configFile = join(work, 'mednist-full.json');
writeFileSync(configFile, JSON.stringify(config, null, 2));
const env = { UDTL_CACHE_DIR: join(work, 'cache') };

console.log(`MedNIST recipe on ${realPath ? `the real folder ${realPath}` : `a ${total.toLocaleString('en')}-image stand-in (${folder.reused ? 'reused' : `written in ${folder.seconds.toFixed(0)} s`})`}: ${folder.dir}`);
const inspect = await runUdtl(['datasets', 'inspect', folder.dir], join(work, 'inspect.log'), { env });
if (inspect.code !== 0) throw new Error(`udtl datasets inspect exited with ${inspect.code}; log: ${join(work, 'inspect.log')}`);
const run = await runUdtl(['run', '--config', configFile, '--out', join(work, 'results')], join(work, 'run.log'), { echo: true, env });
if (run.code !== 0 && run.code !== 3) throw new Error(`udtl run exited with ${run.code}; log: ${join(work, 'run.log')}`);

const runDir = /results: (\S+)/.exec(run.log.join('\n'))?.[1] ?? join(work, 'results', 'latest');
const jobs = readFileSync(join(runDir, 'jobs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
console.log('| step | wall | images/s | peak RSS main | peak RSS worker |');
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| datasets inspect (decode, pHash, duplicates) | ${inspect.wall.toFixed(1)} s | ${(total / inspect.wall).toFixed(0)} | ${gib(inspect.main)} | — |`);
console.log(`| run: preflight | ${run.preflight.toFixed(1)} s | | | |`);
console.log(`| run: feature preparation | ${run.prepare.toFixed(1)} s | ${(total / run.prepare).toFixed(0)} | | |`);
console.log(`| run: ${jobs.length} jobs | ${run.jobs.toFixed(1)} s | | | |`);
console.log(`| run, whole | **${run.wall.toFixed(1)} s** | | ${gib(run.main)} | ${gib(run.worker)} |`);
console.log('\n| job | status | fit | predict |');
console.log('| --- | --- | ---: | ---: |');
for (const j of jobs) console.log(`| ${j.method} · fold ${j.fold} · ${j.budget === 'all' ? 'all labels' : `${j.budget}/class`} | ${j.status} | ${(j.fitSeconds ?? NaN).toFixed(1)} s | ${(j.predictSeconds ?? NaN).toFixed(1)} s |`);
console.log(`\nresults: ${runDir}`);
if (!keep) rmSync(join(work, 'cache'), { recursive: true, force: true });

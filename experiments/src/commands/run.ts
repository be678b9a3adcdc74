import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import type { SlurmOptions } from '../executors/slurm.js';
import { runExperiment } from '../run.js';
import { terminalSummary } from '@udtl/report';
import { failureDigest } from '../summary.js';
import { checkFlags, checkPositional, flag, parseArgs, type ParsedArgs } from './args.js';

export const summary = 'run an experiment config (run --config <file> [--config <override>] [--out <dir>] [--workers n] [--quick] [--executor local|slurm])';

const USAGE = 'usage: udtl run [--config <file>]… [--quick] [--out <dir>] [--workers n] [--memory-budget 16G] [--data-dir D] [--cache-dir D]\n' +
  '  [--executor local|slurm] [--partition P] [--time T] [--mem M] [--cpus-per-task n] [--gres G] [--max-concurrent K] [--sbatch-arg ARG]…';

const SLURM_FLAGS = ['partition', 'time', 'mem', 'cpus-per-task', 'gres', 'max-concurrent', 'sbatch-arg'];

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ['quick']);
  checkFlags(p, ['config', 'out', 'workers', 'quick', 'data-dir', 'cache-dir', 'executor', 'memory-budget', ...SLURM_FLAGS]);
  checkPositional(p, 0, USAGE);
  const files = [...(flag(p, 'quick') ? [join(CONFIGS, 'quick.json')] : []), ...(p.flags.get('config') ?? [])];
  if (files.length === 0) files.push(join(CONFIGS, 'default.json'));
  const config = await loadConfig(files);
  const workersFlag = flag(p, 'workers');
  const workers = workersFlag === undefined ? undefined : Number(workersFlag);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new Error(`--workers must be a whole number ≥ 1, got '${workersFlag}'`);
  const executor = flag(p, 'executor');
  if (executor !== undefined && executor !== 'local' && executor !== 'slurm') throw new Error(`--executor must be 'local' or 'slurm', got '${executor}'`);
  const result = await runExperiment(config, {
    outRoot: flag(p, 'out'), workers, dataDir: flag(p, 'data-dir'), cacheDir: flag(p, 'cache-dir'), executor, slurm: slurmFlags(p), memoryBudget: flag(p, 'memory-budget'),
  });
  if (result.interrupted) {
    // An unanswered question may still hold stdin open.
    setTimeout(() => process.exit(130), 500).unref();
    return 130;
  }
  console.log((await terminalSummary(result.runDir)).join('\n'));
  console.log(`\nresults: ${result.runDir} (${result.ran} run, ${result.skipped} reused, ${result.failed} failed)`);
  console.log(`next: pnpm udtl report ${result.runDir}`);
  if (result.failed) {
    console.error(`${result.failed} job(s) failed:\n${failureDigest(result.results).join('\n')}\nall failures: ${join(result.runDir, 'manifest.json')} (failures); per job: udtl status ${result.runDir}`);
    return 3;
  }
  return 0;
}

function slurmFlags(p: ParsedArgs): SlurmOptions {
  const whole = (name: string): number | undefined => {
    const v = flag(p, name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`--${name} must be a whole number ≥ 1, got '${v}'`);
    return n;
  };
  return {
    partition: flag(p, 'partition'),
    time: flag(p, 'time'),
    mem: flag(p, 'mem'),
    cpusPerTask: whole('cpus-per-task'),
    gres: flag(p, 'gres'),
    maxConcurrent: whole('max-concurrent'),
    sbatchArgs: p.flags.get('sbatch-arg') ?? [],
  };
}

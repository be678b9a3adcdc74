import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { runExperiment } from '../run.js';
import { failureDigest, summaryTable } from '../summary.js';
import { checkFlags, checkPositional, flag, parseArgs } from './args.js';

export const summary = 'run an experiment config (run --config <file> [--config <override>] [--out <dir>] [--workers n] [--quick])';

const USAGE = 'usage: udtl run [--config <file>]… [--quick] [--out <dir>] [--workers n] [--data-dir D] [--cache-dir D]';

const CONFIGS = fileURLToPath(new URL('../../configs/', import.meta.url));

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ['quick']);
  checkFlags(p, ['config', 'out', 'workers', 'quick', 'data-dir', 'cache-dir']);
  checkPositional(p, 0, USAGE);
  const files = [...(flag(p, 'quick') ? [join(CONFIGS, 'quick.json')] : []), ...(p.flags.get('config') ?? [])];
  if (files.length === 0) files.push(join(CONFIGS, 'default.json'));
  const config = await loadConfig(files);
  const workersFlag = flag(p, 'workers');
  const workers = workersFlag === undefined ? undefined : Number(workersFlag);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new Error(`--workers must be a whole number ≥ 1, got '${workersFlag}'`);
  const result = await runExperiment(config, { outRoot: flag(p, 'out'), workers, dataDir: flag(p, 'data-dir'), cacheDir: flag(p, 'cache-dir') });
  console.log(summaryTable(result.results));
  console.log(`\nresults: ${result.runDir} (${result.ran} run, ${result.skipped} reused, ${result.failed} failed)`);
  if (result.failed) {
    console.error(`${result.failed} job(s) failed:\n${failureDigest(result.results).join('\n')}\nall failures: ${join(result.runDir, 'manifest.json')} (failures)`);
    return 3;
  }
  return 0;
}

import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildReport } from '@udtl/report';
import { checkFlags, checkPositional, flag, parseArgs } from './args.js';

export const summary = 'build report.html and figures for a results folder (report <results-dir> [--out <file>])';

const USAGE = 'usage: udtl report <results-dir> [--out <file>]';

/** A folder `udtl run` made: it has a manifest or job files. Anything else is refused before a file is written into it. */
export function checkRunFolder(dir: string): void {
  if (!existsSync(dir)) throw new Error(`${dir} does not exist; give a run folder made by udtl run (e.g. results/latest)`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is a file; give a run folder made by udtl run (e.g. results/latest)`);
  if (!existsSync(join(dir, 'manifest.json')) && !existsSync(join(dir, 'jobs'))) {
    throw new Error(`${dir} is not a run folder (no manifest.json or jobs/ in it); give a folder made by udtl run (e.g. results/latest)`);
  }
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  checkFlags(p, ['out']);
  checkPositional(p, 1, USAGE);
  const dir = p.positional[0];
  if (!dir) throw new Error(USAGE);
  checkRunFolder(resolve(dir));
  const t0 = Date.now();
  const report = await buildReport(resolve(dir), { out: flag(p, 'out') });
  for (const w of report.warnings) console.error(`warning: ${w}`);
  console.log(`report: ${report.htmlPath} (${report.figures.length} figures, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}

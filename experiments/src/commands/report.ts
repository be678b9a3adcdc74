import { resolve } from 'node:path';
import { buildReport } from '@udtl/report';
import { checkFlags, flag, parseArgs } from './args.js';

export const summary = 'build report.html and figures for a results folder (report <results-dir> [--out <file>])';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  checkFlags(p, ['out']);
  const dir = p.positional[0];
  if (!dir) throw new Error('usage: udtl report <results-dir> [--out <file>]');
  const t0 = Date.now();
  const report = await buildReport(resolve(dir), { out: flag(p, 'out') });
  for (const w of report.warnings) console.error(`warning: ${w}`);
  console.log(`report: ${report.htmlPath} (${report.figures.length} figures, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}

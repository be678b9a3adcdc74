import * as core from '@udtl/core';
import { checkFlags, checkPositional, parseArgs } from './args.js';

export const summary = 'list the registered backbones with their taps and where their weights come from (backbones list)';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  checkFlags(p, []);
  if (p.positional[0] !== 'list') throw new Error(`usage: udtl backbones list (got '${p.positional.join(' ')}')`);
  checkPositional(p, 1, 'usage: udtl backbones list');
  for (const spec of core.listBackbones().map((id) => core.getBackbone(id))) {
    const taps = Object.entries(spec.taps).map(([name, t]) => `${name}${name === spec.defaultTap ? ' (default)' : ''} ${t.shape.join('x')}`);
    console.log(`${spec.id}${spec.frozenOnly ? '  [frozen only: no fine-tuning]' : ''}\n  ${spec.description}\n  input ${spec.inputSize}px; taps: ${taps.join(', ')}\n  weights: ${spec.weightsSource}`);
  }
  return 0;
}

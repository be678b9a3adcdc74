import * as core from '@udtl/core';
import { checkFlags, checkPositional, parseArgs } from './args.js';

export const summary = 'list the compute backends in the order they are tried, whether each starts here, and why not (backends list [--json])';

/** `udtl backends list`: each candidate started in turn (so it takes a few seconds), then the chain's choice. */
export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ['json']);
  checkFlags(p, ['json']);
  if (p.positional[0] !== 'list') throw new Error(`usage: udtl backends list [--json] (got '${p.positional.join(' ')}')`);
  checkPositional(p, 1, 'usage: udtl backends list [--json]');
  const probes = await core.probeBackends();
  const requested = process.env.UDTL_BACKEND?.trim() || undefined;
  const asked = probes.find((b) => b.name === requested);
  if (requested && !asked) throw new Error(`UDTL_BACKEND='${requested}' is not one of ${probes.map((b) => b.name).join(', ')}`);
  // Asked for by name, a candidate starts as it does 'when asked' (webgpu may then take the software adapter).
  const askedStarts = asked ? (asked.whenAsked ?? asked).starts : false;
  const chosen = requested ? (askedStarts ? requested : undefined) : probes.find((b) => b.starts)?.name;
  if (p.flags.has('json')) {
    console.log(JSON.stringify({ candidates: probes, chosen: chosen ?? null, chosenBy: requested ? 'UDTL_BACKEND' : 'chain' }, null, 2));
    return 0;
  }
  const width = Math.max(...probes.map((b) => b.name.length));
  for (const b of probes) {
    console.log(`${b.name.padEnd(width)}  ${b.starts ? 'starts ' : 'skipped'}  ${b.detail}`);
    if (b.whenAsked) {
      console.log(`${''.padEnd(width)}  ${b.whenAsked.starts ? 'starts ' : 'fails  '}  when asked for (UDTL_BACKEND=${b.name}): ${b.whenAsked.detail}`);
    }
  }
  console.log(
    chosen
      ? `chosen here: ${chosen}${requested ? ' (UDTL_BACKEND)' : ' (the first that starts)'}; override with UDTL_BACKEND=<name>`
      : requested
        ? `UDTL_BACKEND=${requested} does not start here: ${(asked!.whenAsked ?? asked!).detail}`
        : 'no backend starts here',
  );
  return chosen ? 0 : 1;
}

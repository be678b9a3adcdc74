import * as core from '@udtl/core';
import { importMethodPackage, loadBuiltinMethods } from '../methods.js';
import { checkFlags, checkPositional, parseArgs } from './args.js';

export const summary = 'list the registered methods with their parameters and defaults (methods list [--package <name>])';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args);
  checkFlags(p, ['package']);
  if (p.positional[0] !== 'list') throw new Error(`usage: udtl methods list [--package <name>] (got '${p.positional.join(' ')}')`);
  checkPositional(p, 1, 'usage: udtl methods list [--package <name>]');
  await loadBuiltinMethods();
  for (const pkg of p.flags.get('package') ?? []) await importMethodPackage(pkg);
  for (const spec of core.listMethods().map((id) => core.getMethodSpec(id))) {
    console.log(`${spec.id}\n  ${spec.description}`);
    for (const [name, value] of Object.entries(spec.defaults)) {
      const doc = (spec.paramDocs as Record<string, string> | undefined)?.[name];
      console.log(`    ${name} = ${JSON.stringify(value)}${doc ? `  — ${doc}` : ''}`);
    }
  }
  return 0;
}

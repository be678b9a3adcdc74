/** Minimal flag parsing: `--name value`, `--name=value`, repeated flags collect, `--flag` alone is true. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(args: string[], booleans: string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string;
    if (eq > 0) value = a.slice(eq + 1);
    else if (booleans.includes(name)) value = 'true';
    else {
      if (i + 1 >= args.length || args[i + 1].startsWith('--')) throw new Error(`option --${name} needs a value`);
      value = args[++i];
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

export function flag(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return v?.[v.length - 1];
}

/** Reject options a command does not know, naming them and the known ones. */
export function checkFlags(p: ParsedArgs, known: string[]): void {
  const unknown = [...p.flags.keys()].filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `--${u}`).join(', ')}; known: ${known.map((k) => `--${k}`).join(', ')}`);
}

/**
 * Reject positional arguments beyond `max`: a stray word (e.g. a config path without --config) must
 * not be ignored, or `udtl run configs/quick.json` silently runs the default experiment.
 */
export function checkPositional(p: ParsedArgs, max: number, usage: string): void {
  const extra = p.positional.slice(max);
  if (!extra.length) return;
  const hint = extra.find((a) => a.endsWith('.json'));
  throw new Error(
    `unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `'${a}'`).join(' ')}` +
      `${hint ? ` (did you mean --config ${hint}?)` : ''}\n${usage}`,
  );
}

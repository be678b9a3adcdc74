/**
 * The `pnpm bench` runner of the packages with several bench scripts (core, backbones): each named
 * benchmark (all of them without names) in a child process of its own, so each starts with clean
 * memory and its own tfjs backend. Figures are printed by the scripts themselves.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchScript {
  /** The script, relative to the bench folder. */
  file: string;
  args?: string[];
}

/**
 * Runs `wanted` (or every bench) of `benches`, scripts resolved against `benchDir` (the caller's
 * `new URL('.', import.meta.url)`). Returns the exit code: 2 for an unknown name, 1 when any bench
 * failed, else 0.
 */
export function runBenchSuite(benchDir: URL, benches: Record<string, BenchScript>, wanted: string[]): number {
  const unknown = wanted.filter((w) => !(w in benches));
  if (unknown.length) {
    console.error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
    return 2;
  }
  let failed = 0;
  for (const [name, { file, args = [] }] of Object.entries(benches)) {
    if (wanted.length && !wanted.includes(name)) continue;
    console.log(`\n=== ${name} (${file}) ===`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(file, benchDir)), ...args], { stdio: 'inherit' });
    if (r.status !== 0) {
      failed++;
      console.error(`bench ${name} exited with ${r.status}`);
    }
  }
  return failed ? 1 : 0;
}

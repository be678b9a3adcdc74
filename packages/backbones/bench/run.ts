/**
 * `pnpm bench` in packages/backbones: every backbones benchmark, one child process each (clean memory, its
 * own tfjs backend). Figures are printed by each script; run on a quiet machine.
 *   node --import tsx bench/run.ts [name…]   (names: backbones, onnx, backend)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES: Record<string, { file: string; args: string[] }> = {
  backbones: { file: 'backbones.bench.ts', args: [] },
  onnx: { file: 'onnx.bench.ts', args: [] },
  backend: { file: 'backend.bench.ts', args: ['--steps', '3', '--cpu-steps', '1'] },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const [name, { file, args }] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n=== ${name} (${file}) ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);

/**
 * `pnpm bench` in packages/backbones: every backbones benchmark, one child process each; run on a quiet machine.
 *   node --import tsx bench/run.ts [name…] [--backend webgpu]   (names: backbones, onnx, backend)
 * `--backend webgpu` (or UDTL_BACKEND=webgpu) adds webgpu's figures beside wasm's, on whatever adapter
 * starts (a real GPU, else Dawn's software adapter).
 */
import { runBenchSuite } from '../src/bench-runner.js';

const BENCHES = {
  backbones: { file: 'backbones.bench.ts' },
  onnx: { file: 'onnx.bench.ts' },
  backend: { file: 'backend.bench.ts', args: ['--steps', '3', '--cpu-steps', '1'] },
};

const argv = process.argv.slice(2);
const b = argv.indexOf('--backend');
if (b >= 0) {
  const name = argv[b + 1];
  if (name !== 'webgpu') {
    console.error(`--backend ${name ?? '(missing)'}: only 'webgpu' is benchmarked beside wasm and cpu`);
    process.exit(2);
  }
  process.env.UDTL_BACKEND = name;
  argv.splice(b, 2);
}
process.exit(runBenchSuite(new URL('.', import.meta.url), BENCHES, argv));

/**
 * `pnpm bench` in packages/backbones: every backbones benchmark, one child process each; run on a quiet machine.
 *   node --import tsx bench/run.ts [name…]   (names: backbones, onnx, backend)
 */
import { runBenchSuite } from '../src/bench-runner.js';

const BENCHES = {
  backbones: { file: 'backbones.bench.ts' },
  onnx: { file: 'onnx.bench.ts' },
  backend: { file: 'backend.bench.ts', args: ['--steps', '3', '--cpu-steps', '1'] },
};

process.exit(runBenchSuite(new URL('.', import.meta.url), BENCHES, process.argv.slice(2)));

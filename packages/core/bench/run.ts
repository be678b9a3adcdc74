/**
 * `pnpm bench` in packages/core: every core benchmark, one child process each; run on a quiet machine.
 *   node --import tsx bench/run.ts [name…]   (names: cae, classifiers)
 */
import { runBenchSuite } from '@udtl/backbones/bench-runner';

const BENCHES = {
  cae: { file: 'cae.bench.ts' },
  classifiers: { file: 'classifiers.ts' },
};

process.exit(runBenchSuite(new URL('.', import.meta.url), BENCHES, process.argv.slice(2)));

/**
 * Classifier fit/predict times on feature-sized problems (plain Float64Array math, one thread).
 * Run: cd packages/core && node --import tsx bench/classifiers.ts [--quick]
 * Data: 4 Gaussian classes whose means differ in 10% of the dimensions (overlapping, like frozen
 * CNN features), standardised; seeded.
 */
import { performance } from 'node:perf_hooks';
import { createClassifier, selectC, type Matrix } from '../src/classifiers/index.js';
import { mulberry32 } from '../src/classifiers/rng.js';

function problem(n: number, d: number, k: number, seed: number): { X: Matrix; y: Int32Array } {
  const random = mulberry32(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const means = Array.from({ length: k }, () => Float64Array.from({ length: d }, () => (random() < 0.1 ? 0.6 * gauss() : 0)));
  const X: Matrix = { rows: n, cols: d, data: new Float64Array(n * d) };
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % k;
    for (let j = 0; j < d; j++) X.data[i * d + j] = means[y[i]][j] + gauss();
  }
  return { X, y };
}

const quick = process.argv.includes('--quick');
const sizes: [number, number][] = quick ? [[600, 320]] : [[600, 1280], [3000, 320], [3000, 1280], [3000, 4096]];
console.log(`node ${process.version}, one thread; n × d, 4 classes; times in seconds`);
for (const [n, d] of sizes) {
  // One draw, split: train and test share the class means.
  const all = problem(n + 500, d, 4, 1);
  const train = { X: { rows: n, cols: d, data: all.X.data.subarray(0, n * d) }, y: all.y.subarray(0, n) };
  const test = { X: { rows: 500, cols: d, data: all.X.data.subarray(n * d) }, y: all.y.subarray(n) };
  for (const kind of ['linear-svm', 'logistic']) {
    for (const C of [0.01, 1]) {
      const clf = createClassifier({ kind, C, standardize: true });
      let t = performance.now();
      clf.fit(train.X, train.y);
      const fit = (performance.now() - t) / 1000;
      t = performance.now();
      const pred = clf.predict(test.X);
      const predict = (performance.now() - t) / 1000;
      const acc = pred.filter((p, i) => p === test.y[i]).length / pred.length;
      const inner = clf as unknown as { inner: { nIter: number; converged: boolean } };
      console.log(`${n}×${d} ${kind} C=${C}: fit ${fit.toFixed(2)} s (iterations ${inner.inner.nIter}, converged ${inner.inner.converged}), predict 500 ${predict.toFixed(3)} s, test accuracy ${acc.toFixed(3)}`);
    }
  }
}
const { X, y } = problem(quick ? 120 : 600, quick ? 64 : 1280, 4, 3);
const t = performance.now();
const r = selectC(X, y, { candidates: [0.001, 0.01, 0.1, 1], folds: 3, seed: 0, classifier: { kind: 'logistic', standardize: true } });
console.log(`selectC logistic ${X.rows}×${X.cols}, 4 candidates × 3 folds: ${((performance.now() - t) / 1000).toFixed(2)} s → C=${r.C}`);

/** Objective: writes the gradient at x into `grad` and returns f(x). */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max |∂f/∂xⱼ| ≤ tol. */
  tol: number;
  maxIter: number;
  /** History pairs. Default 10. */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
}

const maxAbs = (v: Float64Array): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const dotv = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * Limited-memory BFGS (Nocedal & Wright, alg. 7.4/7.5) with a backtracking Armijo line search using
 * safeguarded quadratic interpolation. Meant for smooth, strictly convex objectives (L2-penalised
 * losses), where every curvature pair sᵀy is positive. Fully deterministic.
 */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const m = options.memory ?? 10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = objective(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iter = 0;
  let stalled = 0;
  let bestGradient = Infinity;
  while (iter < options.maxIter) {
    if (maxAbs(g) <= options.tol) return { x, f, iterations: iter, converged: true };
    // Two-loop recursion: direction = −H g.
    for (let i = 0; i < n; i++) direction[i] = -g[i];
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k] * dotv(S[k], direction);
      for (let i = 0; i < n; i++) direction[i] -= alpha[k] * Y[k][i];
    }
    const gamma = S.length > 0 ? dotv(S[S.length - 1], Y[Y.length - 1]) / dotv(Y[Y.length - 1], Y[Y.length - 1]) : 1 / Math.max(1, Math.sqrt(dotv(g, g)));
    for (let i = 0; i < n; i++) direction[i] *= gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k] * dotv(Y[k], direction);
      for (let i = 0; i < n; i++) direction[i] += S[k][i] * (alpha[k] - beta);
    }
    let slope = dotv(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -g[i];
      slope = -dotv(g, g);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; ; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * direction[i];
      fNew = objective(xNew, gNew);
      // Armijo, with Hager–Zhang's slack of a few ulps of f: near the optimum the decrease falls
      // below f's resolution while the gradient can still be driven down.
      if (fNew <= f + 1e-4 * step * slope + 4 * Number.EPSILON * Math.abs(f)) break;
      if (tries >= 60) return { x, f, iterations: iter, converged: false };
      // Minimiser of the quadratic through f(0), f'(0), f(step), kept within [0.1, 0.5]·step.
      const quad = (-slope * step * step) / (2 * (fNew - f - slope * step));
      step = Number.isFinite(quad) ? Math.min(Math.max(quad, 0.1 * step), 0.5 * step) : 0.5 * step;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dotv(s, y);
    if (sy > 1e-16 * Math.sqrt(dotv(s, s) * dotv(y, y))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    iter++;
    // At the precision limit the gradient stops shrinking: give up after 20 steps without a new best.
    const gNorm = maxAbs(g);
    stalled = gNorm < bestGradient ? 0 : stalled + 1;
    bestGradient = Math.min(bestGradient, gNorm);
    if (stalled >= 20) break;
  }
  return { x, f, iterations: iter, converged: maxAbs(g) <= options.tol };
}

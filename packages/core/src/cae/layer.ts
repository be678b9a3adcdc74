import * as tf from '@tensorflow/tfjs-core';
import type { CaeActivation } from './params.js';

/**
 * One auto-encoder layer as dense weights on flattened k×k×C patches: encoder W [D, F] (D = k·k·C),
 * optional encoder bias b [F], decoder V [F, D] when untied (else Wᵀ), optional decoder bias c [D].
 */
export type LayerWeights = {
  W: tf.Tensor2D;
  b?: tf.Tensor1D;
  V?: tf.Tensor2D;
  c?: tf.Tensor1D;
};

export type WeightName = keyof LayerWeights;

/**
 * Which units pass: TRec z > θ, TLin |z| > θ, ReLU z > 0. The threshold is a constant, so the
 * gradient of h = z·mask is mask (it flows through the kept units only).
 */
export function activationMask(z: tf.Tensor, activation: CaeActivation, theta: number): tf.Tensor {
  return tf.tidy(() => {
    if (activation === 'relu') return tf.cast(tf.greater(z, 0), 'float32');
    if (activation === 'tlin') return tf.cast(tf.greater(tf.abs(z), theta), 'float32');
    return tf.cast(tf.greater(z, theta), 'float32');
  });
}

export function activate<T extends tf.Tensor>(z: T, activation: CaeActivation, theta: number): T {
  return tf.tidy(() => tf.mul(z, activationMask(z, activation, theta)) as T);
}

/**
 * MSE reconstruction loss of a patch batch x [B, D] and its analytic gradients (five matmuls).
 * With g = 2(x̂ − x)/(B·D): dc = Σ_rows g; tied dW = xᵀ(gW ⊙ m) + gᵀh; untied dV = hᵀg,
 * dW = xᵀ(gVᵀ ⊙ m); db = Σ_rows (… ⊙ m). Checked against tf.grads in test/cae.test.ts.
 */
export function lossAndGrads(
  x: tf.Tensor2D,
  p: LayerWeights,
  activation: CaeActivation,
  theta: number,
): { loss: tf.Scalar; grads: LayerWeights } {
  return tf.tidy(() => {
    let z: tf.Tensor2D = tf.matMul(x, p.W);
    if (p.b) z = tf.add(z, p.b);
    const mask = activationMask(z, activation, theta) as tf.Tensor2D;
    const h = tf.mul(z, mask) as tf.Tensor2D;
    // Explicit transposes: wasm's matMul with transposeA/transposeB is 5-20x slower than transpose + matMul.
    let xHat: tf.Tensor2D = p.V ? tf.matMul(h, p.V) : tf.matMul(h, tf.transpose(p.W));
    if (p.c) xHat = tf.add(xHat, p.c);
    const diff = tf.sub(xHat, x);
    const loss = tf.mean(tf.square(diff)) as tf.Scalar;
    const g = tf.mul(diff, 2 / x.size) as tf.Tensor2D;
    const grads: Partial<LayerWeights> = {};
    if (p.c) grads.c = tf.sum(g, 0) as tf.Tensor1D;
    let dz: tf.Tensor2D;
    const xT = tf.transpose(x);
    if (p.V) {
      grads.V = tf.matMul(tf.transpose(h), g) as tf.Tensor2D;
      dz = tf.mul(tf.matMul(g, tf.transpose(p.V)), mask) as tf.Tensor2D;
      grads.W = tf.matMul(xT, dz) as tf.Tensor2D;
    } else {
      dz = tf.mul(tf.matMul(g, p.W), mask) as tf.Tensor2D;
      grads.W = tf.add(tf.matMul(xT, dz), tf.matMul(tf.transpose(g), h)) as tf.Tensor2D;
    }
    if (p.b) grads.b = tf.sum(dz, 0) as tf.Tensor1D;
    return { loss, grads: grads as LayerWeights };
  });
}

/** Adam (Kingma & Ba) over a LayerWeights record; owns its moment tensors. */
export class Adam {
  private m: Partial<Record<WeightName, tf.Tensor>> = {};
  private v: Partial<Record<WeightName, tf.Tensor>> = {};
  private t = 0;

  constructor(
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {}

  /** Returns new weights; disposes the old weights and moments. */
  step(p: LayerWeights, grads: LayerWeights): LayerWeights {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    const next: Partial<Record<WeightName, tf.Tensor>> = {};
    for (const name of Object.keys(p) as WeightName[]) {
      const w = p[name];
      const g = grads[name];
      if (!w) continue;
      if (!g) throw new Error(`Adam: no gradient for weight ${name}`);
      const [m, v, updated] = tf.tidy(() => {
        const m0 = this.m[name] ?? tf.zerosLike(w);
        const v0 = this.v[name] ?? tf.zerosLike(w);
        const m1 = tf.add(tf.mul(m0, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(v0, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const stepSize = tf.div(tf.mul(m1, this.lr / bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), this.eps));
        return [m1, v1, tf.sub(w, stepSize)];
      });
      this.m[name]?.dispose();
      this.v[name]?.dispose();
      this.m[name] = m;
      this.v[name] = v;
      w.dispose();
      next[name] = updated;
    }
    return next as LayerWeights;
  }

  dispose(): void {
    for (const t of [...Object.values(this.m), ...Object.values(this.v)]) t?.dispose();
    this.m = {};
    this.v = {};
  }
}

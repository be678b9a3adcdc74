/**
 * `random-backbone`: the backbone's architecture with seeded random weights, read at the same tap,
 * pooled the same way, into the same classifier: the floor that shows what pretraining brings.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  frozenTapSource,
  loadBackbone,
  normalArray,
  defineMethod,
  param,
  registerMethod,
  withDocs,
  z,
  type Backbone,
  type FitContext,
  type MethodSpec,
  type TapSource,
} from '@udtl/core';
import { rngFor, sha256 } from '@udtl/datasets';
import { PROBE_TUNABLE, TRANSFER_LEARNED_PARAMS, TransferLearnedMethod, type TransferLearnedParams } from './transfer-learned.js';

export type RandomBackboneParams = TransferLearnedParams & { weightsSeed: number };


/** Bump when the initialisation recipe changes (it is part of the weights hash, hence of cache keys). */
const INIT_RECIPE = 'he-normal-fan-in/zero-bias/bn-identity/v1';

/**
 * Re-initialise every weight of `model` in place, seeded, independent of the backend: conv and
 * dense kernels He-normal (std √(2/fan_in); depthwise fan_in = kh·kw), biases and BN β 0, BN γ and
 * moving variance 1, moving mean 0. Returns sha256 of the recipe and all new weight bytes.
 */
export function randomizeWeights(model: tfl.LayersModel, seed: number): string {
  const parts: string[] = [INIT_RECIPE, String(seed)];
  model.layers.forEach((layer, l) => {
    const values = layer.weights.map((w, k) => {
      const role = w.name.split('/').at(-1)!.replace(/_\d+$/, '');
      const shape = w.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      let data: Float32Array;
      if (role === 'kernel' || role === 'depthwise_kernel') {
        const fanIn = role === 'depthwise_kernel' ? shape[0] * shape[1] : shape.slice(0, -1).reduce((a, b) => a * b, 1);
        data = normalArray(size, Math.sqrt(2 / fanIn), rngFor('random-backbone-weights', seed, l, k));
      } else if (role === 'bias' || role === 'beta' || role === 'moving_mean') data = new Float32Array(size);
      else if (role === 'gamma' || role === 'moving_variance') data = new Float32Array(size).fill(1);
      else throw new Error(`random-backbone: no initialisation rule for weight '${w.name}' of layer '${layer.name}' (known: kernel, depthwise_kernel, bias, gamma, beta, moving_mean, moving_variance)`);
      parts.push(`${layer.name}/${role}:${shape.join('x')}:${sha256(new Uint8Array(data.buffer))}`);
      return tf.tensor(data, shape);
    });
    if (values.length) {
      layer.setWeights(values);
      tf.dispose(values);
    }
  });
  return sha256(parts.join('\n'));
}

/** Random networks stay loaded for the life of the worker (one per architecture, size and seed). */
const networks = new Map<string, Promise<{ backbone: Backbone; weightsHash: string }>>();

function randomNetwork(p: RandomBackboneParams, ctx: FitContext): Promise<{ backbone: Backbone; weightsHash: string }> {
  const key = `${p.backbone}|${p.inputSize}|${p.weightsSeed}`;
  let net = networks.get(key);
  if (!net) {
    // A fresh instance: the pretrained one other methods hold is never touched.
    net = loadBackbone(p.backbone, { inputSize: p.inputSize, cacheDir: ctx.cacheDir, log: ctx.log }).then((backbone) => ({
      backbone,
      weightsHash: randomizeWeights(backbone.model, p.weightsSeed),
    }));
    net.catch(() => networks.delete(key));
    networks.set(key, net);
  }
  return net;
}

const ID = 'random-backbone';

class RandomBackboneMethod extends TransferLearnedMethod<RandomBackboneParams> {
  constructor(params: RandomBackboneParams) {
    super(params, ID);
  }

  /** The random network's tap; its weights hash (not the pretrained file's) keys the feature cache. */
  protected override async source(p: RandomBackboneParams, ctx: FitContext): Promise<TapSource> {
    const { backbone, weightsHash } = await randomNetwork(p, ctx);
    return frozenTapSource(backbone, p.tap, ctx, weightsHash);
  }

  protected override chosenExtra(): Record<string, unknown> {
    return { weights: `random (${INIT_RECIPE}, seed ${this.params.weightsSeed})` };
  }
}

export const randomBackboneSpec: MethodSpec<RandomBackboneParams> = defineMethod<RandomBackboneParams>({
  id: ID,
  description: 'The backbone architecture with seeded random weights (He-normal), same tap, pooling and classifier as transfer-learned: the floor without pretraining',
  params: z.object({
    ...withDocs(TRANSFER_LEARNED_PARAMS, { backbone: 'backbone architecture (registry id); its weights are replaced by random ones' }),
    weightsSeed: param
      .wholeNumber(0)
      .default(0)
      .describe('seed of the random weights (fixed per experiment, so prepare() and every fold share one network and its feature cache)'),
  }),
  tunable: PROBE_TUNABLE,
  build: (params) => new RandomBackboneMethod(params),
});

registerMethod(randomBackboneSpec);

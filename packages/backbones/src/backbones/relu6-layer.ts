import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * min(max(x, 0), 6) as one kernel. tf.layers' own 'relu6' activation runs relu then a broadcast
 * `minimum`, which was 40% of MobileNetV2's time on wasm; tf.relu6 is a single pass with a gradient.
 */
export class ReLU6 extends tfl.layers.Layer {
  static readonly className = 'UdtlReLU6';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.relu6(x);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }
}
tf.serialization.registerClass(ReLU6);

export function relu6(name: string): ReLU6 {
  return new ReLU6({ name });
}

import type { NamedAttrMap } from '@tensorflow/tfjs-core';

/** Fused activations the addon applies, numbered as in addon/kernels.h. */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

/** [code, alpha] of a fused kernel's activation, or undefined when the addon lacks it (prelu). */
export function activationCode(attrs: NamedAttrMap): [number, number] | undefined {
  const name = (attrs.activation as string | undefined) ?? 'linear';
  const code = ACTIVATIONS[name];
  if (code == null) return undefined;
  return [code, name === 'leakyrelu' ? ((attrs.leakyreluAlpha as number | undefined) ?? 0.2) : 0];
}

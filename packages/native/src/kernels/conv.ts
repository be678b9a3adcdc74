import { backend_util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon.js';
import { asWasm, heapOf, offsetOf, withOutput, type WasmBackendLike } from '../heap.js';
import { activationCode } from './activation.js';
import { sizeOf, type NativeImpl } from './types.js';

type Shape4 = [number, number, number, number];

const KIND = { forward: 0, backwardData: 1, backwardWeights: 2 } as const;

/** Geometry of one conv (tfjs's computeConv2DInfo, NHWC), or undefined when the addon can't run it. */
function geometry(xShape: number[], filterShape: number[], attrs: NamedAttrMap, depthwise: boolean) {
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') return undefined;
  if (xShape.length !== 4 || filterShape.length !== 4) return undefined;
  const info = backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides as number | [number, number],
    (attrs.dilations as number | [number, number] | undefined) ?? 1,
    attrs.pad as 'valid' | 'same' | number | backend_util.ExplicitPadding,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    depthwise,
    'channelsLast',
  );
  // Empty tensors stay with the wasm kernels (oneDNN rejects zero-sized dims; some outputs must be zeros).
  if ([info.batchSize, info.outHeight, info.outWidth, info.inChannels, info.outChannels].some((d) => d <= 0)) return undefined;
  return info;
}

/** The addon's parameter vector (addon/conv.cc, enum P) for a conv and its tensors' offsets. */
function convParams(
  kind: number,
  g: backend_util.Conv2DInfo,
  depthwise: boolean,
  offsets: { src: number; wei: number; dst: number; bias?: number },
  act: [number, number] = [0, 0],
): Float64Array {
  const p = g.padInfo;
  // prettier-ignore
  return new Float64Array([
    kind, g.batchSize, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth,
    p.top, p.left, p.bottom, p.right, depthwise ? g.inChannels : 1, offsets.bias == null ? 0 : 1, act[0], act[1],
    offsets.src, offsets.wei, offsets.dst, offsets.bias ?? -1,
  ]);
}

function allFloat(...ts: Array<TensorInfo | undefined>): boolean {
  return ts.every((t) => t == null || t.dtype === 'float32');
}

function forward(depthwise: boolean, fused: boolean): NativeImpl {
  return ({ inputs, backend: kb, attrs }, addon) => {
    const { x, filter, bias } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
    const act = fused ? activationCode(attrs) : ([0, 0] as [number, number]);
    if (act == null || inputs.preluActivationWeights != null || !allFloat(x, filter, bias)) return undefined;
    const g = geometry(x.shape, filter.shape, attrs, depthwise);
    if (g == null || (bias != null && (bias.shape.length > 1 || sizeOf(bias.shape) !== g.outChannels))) return undefined;
    const backend = asWasm(kb);
    return withOutput(backend, g.outShape, (out) => {
      const offsets = { src: offsetOf(backend, x), wei: offsetOf(backend, filter), dst: offsetOf(backend, out) };
      run(addon, backend, convParams(KIND.forward, g, depthwise, { ...offsets, bias: bias && offsetOf(backend, bias) }, act));
    });
  };
}

function backwardData(depthwise: boolean): NativeImpl {
  return ({ inputs, backend: kb, attrs }, addon) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const inputShape = attrs.inputShape as number[];
    const g = allFloat(dy, filter) ? geometry(inputShape, filter.shape, attrs, depthwise) : undefined;
    if (g == null || !sameShape(dy.shape, g.outShape)) return undefined;
    const backend = asWasm(kb);
    return withOutput(backend, inputShape, (dx) =>
      run(addon, backend, convParams(KIND.backwardData, g, depthwise, {
        src: offsetOf(backend, dx), wei: offsetOf(backend, filter), dst: offsetOf(backend, dy),
      })),
    );
  };
}

function backwardWeights(depthwise: boolean): NativeImpl {
  return ({ inputs, backend: kb, attrs }, addon) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const filterShape = attrs.filterShape as number[];
    const g = allFloat(x, dy) ? geometry(x.shape, filterShape, attrs, depthwise) : undefined;
    if (g == null || !sameShape(dy.shape, g.outShape)) return undefined;
    const backend = asWasm(kb);
    return withOutput(backend, filterShape, (dw) =>
      run(addon, backend, convParams(KIND.backwardWeights, g, depthwise, {
        src: offsetOf(backend, x), wei: offsetOf(backend, dw), dst: offsetOf(backend, dy),
      })),
    );
  };
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The heap is taken here, after the output's allocation (which may have grown the wasm memory). */
function run(addon: NativeAddon, backend: WasmBackendLike, params: Float64Array): void {
  addon.conv(heapOf(backend), params);
}

export const conv2D = forward(false, false);
export const fusedConv2D = forward(false, true);
export const depthwiseConv2dNative = forward(true, false);
export const conv2DBackpropInput = backwardData(false);
export const conv2DBackpropFilter = backwardWeights(false);
export const depthwiseConv2dNativeBackpropInput = backwardData(true);
export const depthwiseConv2dNativeBackpropFilter = backwardWeights(true);

/** The oneDNN implementation a conv geometry runs on (e.g. "brg:avx512_core"), for tests and the bench. */
export function convImplementation(
  addon: NativeAddon,
  kind: keyof typeof KIND,
  xShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
  depthwise = false,
): string {
  const g = geometry(xShape, filterShape, attrs, depthwise);
  if (g == null) throw new Error(`convImplementation: unsupported geometry x [${xShape}], filter [${filterShape}]`);
  return addon.convImpl(convParams(KIND[kind], g, depthwise, { src: 0, wei: 0, dst: 0 }));
}

import type { KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry, dilateAndPadDy, type ConvAttrsLike, type ConvGeometry } from './geometry.js';
import { withScope, type KernelScope } from './kernel-scope.js';

type Attrs<T> = ConvAttrsLike & T;

/**
 * dW[i,j,ci,co] = Σ_{n,y,x} xPad[n, y·sh+i, x·sw+j, ci] · dy[n,y,x,co] is itself a conv: x seen
 * as [Cin, H, W, N] (Cin as batch, N as channels) correlated with dy seen as a [outH, outW, N,
 * Cout] filter, dilated by the stride. That runs in wasm's XNNPACK Conv2D; an im2col version was
 * 10-20x slower (wasm's Slice/StridedSlice are slow, BatchMatMul with transposeA even more so).
 * (wasm's Conv3DBackpropFilterV2 is wrong at stride 2, so it is not used.)
 */
export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs<{ filterShape: [number, number, number, number] }>;
  const g = convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, a, false);
  const [kh, kw] = a.filterShape;
  return withScope(backend as KernelBackend, (s) => {
    const xT = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const corr = s.run('Conv2D', { x: xT, filter: dyT }, tapCorrelationAttrs(g));
    return s.run('Transpose', { x: cropTaps(s, corr, kh, kw) }, { perm: [1, 2, 0, 3] });
  });
};

/**
 * Attrs for correlating the input with dy as a filter dilated by the stride: stride 1, the forward
 * conv's top/left padding, and enough bottom/right padding to give at least kh×kw outputs.
 */
function tapCorrelationAttrs(g: ConvGeometry): NamedAttrMap {
  const bottom = Math.max(0, g.sh * (g.outH - 1) + g.kh - g.inH - g.padTop);
  const right = Math.max(0, g.sw * (g.outW - 1) + g.kw - g.inW - g.padLeft);
  return {
    strides: [1, 1],
    dilations: [g.sh, g.sw],
    pad: [[0, 0], [g.padTop, bottom], [g.padLeft, right], [0, 0]],
    dataFormat: 'NHWC',
  };
}

/** Keeps the first kh×kw positions ('valid' convs may leave unread input rows, giving extra ones). */
function cropTaps(s: KernelScope, t: TensorInfo, kh: number, kw: number): TensorInfo {
  const [b, h, w, c] = t.shape;
  if (h === kh && w === kw) return t;
  return s.run('Slice', { x: t }, { begin: [0, 0, 0, 0], size: [b, kh, kw, c] });
}

/**
 * dx as a stride-1 'valid' Conv2D of the zero-interleaved, padded dy with the filter flipped in
 * space and its in/out channels swapped, so the work runs in wasm's fast (XNNPACK) Conv2D. A
 * GEMM + col2im variant was 3-40x slower here (wasm's BatchMatMul is slow for these shapes).
 */
export const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs<{ inputShape: [number, number, number, number] }>;
  const g = convGeometry('Conv2DBackpropInput', a.inputShape, filter.shape, a, false);
  return withScope(backend as KernelBackend, (s) => {
    const d = dilateAndPadDy(s, dy, g);
    const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = s.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
    return s.run('Conv2D', { x: d, filter: swapped }, stride1Valid);
  });
};

const stride1Valid: NamedAttrMap = { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC' };

/**
 * dW[i,j,c,q] = Σ_{n,y,x} xPad[n, y·sh+i, x·sw+j, c] · dy[n,y,x,c·m+q]: the same correlation as
 * for conv2d but per channel, so a depthwise conv over C·N channels (x as [1, H, W, C·N], dy as a
 * [outH, outW, C·N, m] filter dilated by the stride), then a sum over N.
 */
export const depthwiseConv2dNativeBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs<{ filterShape: [number, number, number, number] }>;
  const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, a.filterShape, a, true);
  const [kh, kw, c, mult] = a.filterShape;
  const n = g.batch;
  return withScope(backend as KernelBackend, (s) => {
    const xT = s.reshape(s.run('Transpose', { x }, { perm: [1, 2, 3, 0] }), [1, g.inH, g.inW, c * n]);
    const dy5 = s.reshape(dy, [n, g.outH, g.outW, c, mult]);
    const dyT = s.reshape(s.run('Transpose', { x: dy5 }, { perm: [1, 2, 3, 0, 4] }), [g.outH, g.outW, c * n, mult]);
    const corr = cropTaps(s, s.run('DepthwiseConv2dNative', { x: xT, filter: dyT }, tapCorrelationAttrs(g)), kh, kw);
    const perSample = s.reshape(corr, [kh, kw, c, n, mult]);
    return s.run('Sum', { x: perSample }, { axis: [3], keepDims: false });
  });
};

/**
 * dx as a stride-1 'valid' depthwise conv of the zero-interleaved, padded dy with the spatially
 * flipped filter, viewed as [kh, kw, C·m, 1]; with a channel multiplier m > 1 the m outputs per
 * input channel are then summed.
 */
export const depthwiseConv2dNativeBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs<{ inputShape: [number, number, number, number] }>;
  const g = convGeometry('DepthwiseConv2dNativeBackpropInput', a.inputShape, filter.shape, a, true);
  const [kh, kw, c, mult] = filter.shape;
  return withScope(backend as KernelBackend, (s) => {
    const d = dilateAndPadDy(s, dy, g);
    const flipped = s.reshape(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, c * mult, 1]);
    const out = s.run('DepthwiseConv2dNative', { x: d, filter: flipped }, stride1Valid);
    if (mult === 1) return out;
    const split = s.reshape(out, [g.batch, g.inH, g.inW, c, mult]);
    return s.run('Sum', { x: split }, { axis: [4], keepDims: false });
  });
};

import type { KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry, dilateAndPadDy, padForWindows, tapWindow, type ConvAttrsLike } from './geometry.js';
import { withScope } from './kernel-scope.js';

type Attrs<T> = ConvAttrsLike & T;

/**
 * dW[i,j,ci,co] = Σ_{n,y,x} xPad[n, y·sh+i, x·sw+j, ci] · dy[n,y,x,co]: the strided tap windows
 * concatenated along channels (im2col, [M, kh·kw·Cin]) times dy ([M, Cout]), one BatchMatMul.
 * Works for any stride and padding. (wasm's Conv3DBackpropFilterV2 is wrong at stride 2.)
 */
export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs<{ filterShape: [number, number, number, number] }>;
  const g = convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, a, false);
  const [kh, kw, cin, cout] = a.filterShape;
  return withScope(backend as KernelBackend, (s) => {
    const xp = padForWindows(s, x, g);
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) taps.push(tapWindow(s, xp, g, i, j));
    const patches = taps.length === 1 ? taps[0] : s.run('Concat', taps, { axis: 3 });
    const m = g.batch * g.outH * g.outW;
    const dw = s.run(
      'BatchMatMul',
      { a: s.reshape(patches, [1, m, kh * kw * cin]), b: s.reshape(dy, [1, m, cout]) },
      { transposeA: true, transposeB: false },
    );
    return s.reshape(dw, [kh, kw, cin, cout]);
  });
};

/**
 * dx as a stride-1 'valid' Conv2D of the zero-interleaved, padded dy with the filter flipped in
 * space and its in/out channels swapped, so the work runs in wasm's fast (XNNPACK) Conv2D.
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
 * dW[i,j,c,q] = Σ_{n,y,x} xPad[n, y·sh+i, x·sw+j, c] · dy[n,y,x,c·m+q]: per tap, a broadcast
 * multiply and a sum over the M = N·outH·outW positions (memory stays at one tap's worth).
 */
export const depthwiseConv2dNativeBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs<{ filterShape: [number, number, number, number] }>;
  const g = convGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, a.filterShape, a, true);
  const [kh, kw, c, mult] = a.filterShape;
  return withScope(backend as KernelBackend, (s) => {
    const xp = padForWindows(s, x, g);
    const m = g.batch * g.outH * g.outW;
    const dy3 = s.reshape(dy, [m, c, mult]);
    const rows: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const tap = tapWindow(s, xp, g, i, j);
        const tap3 = s.reshape(tap, [m, c, 1]);
        const prod = s.run('Multiply', { a: tap3, b: dy3 });
        rows.push(s.run('Sum', { x: prod }, { axis: [0], keepDims: true }));
        s.free(prod);
        s.free(tap3);
        s.free(tap);
      }
    }
    const stacked = rows.length === 1 ? rows[0] : s.run('Concat', rows, { axis: 0 });
    return s.reshape(stacked, [kh, kw, c, mult]);
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

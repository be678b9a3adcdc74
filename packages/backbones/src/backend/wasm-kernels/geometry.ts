import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './kernel-scope.js';

/** What the gradient kernels need to know about the forward convolution (NHWC, dilation 1). */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
}

export interface ConvAttrsLike {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
  dilations?: number | [number, number];
}

function isOne(v: number | number[] | undefined): boolean {
  return v == null || (Array.isArray(v) ? v.every((d) => d === 1) : v === 1);
}

export function convGeometry(
  kernelName: string,
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrsLike,
  depthwise: boolean,
): ConvGeometry {
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} on wasm: attr "dataFormat" = ${attrs.dataFormat} is not supported (only NHWC)`);
  }
  if (!isOne(attrs.dilations)) {
    throw new Error(`${kernelName} on wasm: attr "dilations" = ${JSON.stringify(attrs.dilations)} is not supported (only 1)`);
  }
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernelName} on wasm: expected rank-4 input and filter, got [${xShape}] and [${filterShape}]`);
  }
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * For the input gradient as a stride-1 'valid' correlation with the flipped filter: dy with
 * (stride - 1) zeros between its rows/columns, zero-padded (or cropped, for large explicit pads)
 * so that the correlation's output is exactly [N, inH, inW, ·].
 */
export function dilateAndPadDy(s: KernelScope, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const [n, , , c] = dy.shape;
  let d = interleave(s, dy, g.sh, g.sw);
  const top = g.kh - 1 - g.padTop;
  const left = g.kw - 1 - g.padLeft;
  const bottom = g.inH + g.kh - 1 - top - d.shape[1];
  const right = g.inW + g.kw - 1 - left - d.shape[2];
  const pads = [top, bottom, left, right];
  if (pads.some((p) => p > 0)) {
    d = s.run('PadV2', { x: d }, {
      paddings: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]],
      constantValue: 0,
    });
  }
  if (pads.some((p) => p < 0)) {
    const begin = [0, Math.max(0, -top), Math.max(0, -left), 0];
    const size = [n, g.inH + g.kh - 1, g.inW + g.kw - 1, c];
    d = s.run('Slice', { x: d }, { begin, size });
  }
  return d;
}

/**
 * Puts (stride - 1) zeros after every row/column of t [N,h,w,C] → [N, h·sh, w·sw, C] (trailing
 * zeros included): [N,h,1,w,1,C] padded along the unit axes, then reshaped.
 */
export function interleave(s: KernelScope, t: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape;
  const padded = s.run('PadV2', { x: s.reshape(t, [n, h, 1, w, 1, c]) }, {
    paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
    constantValue: 0,
  });
  return s.reshape(padded, [n, h * sh, w * sw, c]);
}

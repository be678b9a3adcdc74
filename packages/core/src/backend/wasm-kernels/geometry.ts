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

/** Zero-pads x [N,H,W,C] so that every window the forward conv read lies inside it. */
export function padForWindows(s: KernelScope, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const needH = g.sh * (g.outH - 1) + g.kh;
  const needW = g.sw * (g.outW - 1) + g.kw;
  const bottom = Math.max(0, needH - g.inH - g.padTop);
  const right = Math.max(0, needW - g.inW - g.padLeft);
  if (g.padTop === 0 && g.padLeft === 0 && bottom === 0 && right === 0) return x;
  const paddings = [[0, 0], [g.padTop, bottom], [g.padLeft, right], [0, 0]];
  return s.run('PadV2', { x }, { paddings, constantValue: 0 });
}

/**
 * The input values that filter tap (i, j) met in the forward conv: [N, outH, outW, C], read from
 * the padded input with the conv's strides (im2col, one tap at a time).
 */
export function tapWindow(s: KernelScope, xPadded: TensorInfo, g: ConvGeometry, i: number, j: number): TensorInfo {
  const c = xPadded.shape[3];
  if (g.sh === 1 && g.sw === 1) {
    return s.run('Slice', { x: xPadded }, { begin: [0, i, j, 0], size: [g.batch, g.outH, g.outW, c] });
  }
  return s.run('StridedSlice', { x: xPadded }, {
    begin: [0, i, j, 0],
    end: [g.batch, i + g.sh * (g.outH - 1) + 1, j + g.sw * (g.outW - 1) + 1, c],
    strides: [1, g.sh, g.sw, 1],
    beginMask: 0,
    endMask: 0,
    ellipsisMask: 0,
    newAxisMask: 0,
    shrinkAxisMask: 0,
  });
}

/**
 * For the input gradient as a stride-1 'valid' correlation with the flipped filter: dy with
 * (stride - 1) zeros between its rows/columns, zero-padded (or cropped, for large explicit pads)
 * so that the correlation's output is exactly [N, inH, inW, ·].
 */
export function dilateAndPadDy(s: KernelScope, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const [n, oh, ow, c] = dy.shape;
  let d = dy;
  if (g.sh > 1 || g.sw > 1) {
    // Interleave zeros: [N,oh,1,ow,1,C] → pad the unit axes to the strides → [N,oh*sh,ow*sw,C].
    const six = s.reshape(dy, [n, oh, 1, ow, 1, c]);
    const padded = s.run('PadV2', { x: six }, {
      paddings: [[0, 0], [0, 0], [0, g.sh - 1], [0, 0], [0, g.sw - 1], [0, 0]],
      constantValue: 0,
    });
    d = s.reshape(padded, [n, oh * g.sh, ow * g.sw, c]);
  }
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

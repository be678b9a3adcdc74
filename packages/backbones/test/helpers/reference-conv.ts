/**
 * A direct (loop) convolution with TensorFlow's SAME padding, written independently of tfjs, used
 * as a second implementation to check weight layouts and padding of imported layers.
 * Kernels are in TFLite layout: conv [out, kh, kw, in], depthwise [1, kh, kw, c].
 */
export interface Hwc { data: Float32Array | number[]; h: number; w: number; c: number }

function samePad(size: number, k: number, stride: number): { out: number; before: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Output value at (oy, ox, oc) of a SAME-padded conv. */
export function convAt(x: Hwc, kernel: Float32Array, kshape: number[], bias: Float32Array, stride: number, oy: number, ox: number, oc: number): number {
  const [, kh, kw, cin] = kshape;
  const py = samePad(x.h, kh, stride).before;
  const px = samePad(x.w, kw, stride).before;
  let s = bias[oc];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
    const iy = oy * stride + i - py;
    const ix = ox * stride + j - px;
    if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
    for (let c = 0; c < cin; c++) s += x.data[(iy * x.w + ix) * x.c + c] * kernel[((oc * kh + i) * kw + j) * cin + c];
  }
  return s;
}

/** Output value at (oy, ox, c) of a SAME-padded depthwise conv (multiplier 1). */
export function depthwiseAt(x: Hwc, kernel: Float32Array, kshape: number[], bias: Float32Array, stride: number, oy: number, ox: number, c: number): number {
  const [, kh, kw, ch] = kshape;
  const py = samePad(x.h, kh, stride).before;
  const px = samePad(x.w, kw, stride).before;
  let s = bias[c];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
    const iy = oy * stride + i - py;
    const ix = ox * stride + j - px;
    if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
    s += x.data[(iy * x.w + ix) * x.c + c] * kernel[(i * kw + j) * ch + c];
  }
  return s;
}

import sharp from 'sharp';
import type { ResizeMode } from './types.js';

/** Target of a decode: uint8 RGB at height x width, reached by `mode`. */
export interface TargetSize {
  height: number;
  width: number;
  mode: ResizeMode;
}

/**
 * `resize` stretches to exactly height x width (sharp's default lanczos3 kernel, like most
 * pipelines). `pad` keeps the aspect ratio: an image that fits is placed unscaled in the centre of a
 * zero canvas (MedMNIST+ 28 → 224); a larger one is first shrunk to fit inside, then padded.
 */
export async function decodeImageFile(bytes: Uint8Array, target: TargetSize, name: string): Promise<Uint8Array> {
  try {
    // failOn 'warning' (sharp's default, made explicit): a truncated JPEG is an error, not grey rows.
    const img = sharp(bytes, { failOn: 'warning' });
    return await toTarget(img, target);
  } catch (err) {
    throw new Error(`cannot decode image ${name}: ${(err as Error).message}`);
  }
}

/** Bring raw uint8 pixels (HxW greyscale or HxWx3) to the target size as RGB. */
export async function resizePixels(
  pixels: Uint8Array,
  height: number,
  width: number,
  channels: 1 | 3,
  target: TargetSize,
): Promise<Uint8Array> {
  if (height === target.height && width === target.width) return toRgb(pixels, height * width, channels);
  if (target.mode === 'pad' && height <= target.height && width <= target.width) {
    return padCentred(toRgb(pixels, height * width, channels), height, width, target.height, target.width);
  }
  return toTarget(sharp(pixels, { raw: { width, height, channels } }), target);
}

async function toTarget(img: sharp.Sharp, target: TargetSize): Promise<Uint8Array> {
  const fit = target.mode === 'resize' ? 'fill' : 'inside';
  const { data, info } = await img
    .resize({ width: target.width, height: target.height, fit, withoutEnlargement: target.mode === 'pad' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rgb = toRgb(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width * info.height, info.channels);
  if (info.width === target.width && info.height === target.height) return rgb;
  return padCentred(rgb, info.height, info.width, target.height, target.width);
}

/** Expand 1 (grey) or 2 (grey+alpha) channels to 3; drop a 4th. Returns a fresh array or `pixels` if already RGB. */
export function toRgb(pixels: Uint8Array, count: number, channels: number): Uint8Array {
  if (channels === 3) return pixels.length === count * 3 ? pixels : pixels.slice(0, count * 3);
  const out = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    if (channels <= 2) {
      const v = pixels[i * channels];
      out[i * 3] = v;
      out[i * 3 + 1] = v;
      out[i * 3 + 2] = v;
    } else {
      out[i * 3] = pixels[i * channels];
      out[i * 3 + 1] = pixels[i * channels + 1];
      out[i * 3 + 2] = pixels[i * channels + 2];
    }
  }
  return out;
}

/** Place an RGB image in the centre of a zero canvas (extra row/column goes below/right). */
export function padCentred(rgb: Uint8Array, h: number, w: number, outH: number, outW: number): Uint8Array {
  if (h > outH || w > outW) throw new Error(`padCentred: ${h}x${w} does not fit in ${outH}x${outW}`);
  const out = new Uint8Array(outH * outW * 3);
  const top = Math.floor((outH - h) / 2);
  const left = Math.floor((outW - w) / 2);
  for (let y = 0; y < h; y++) {
    out.set(rgb.subarray(y * w * 3, (y + 1) * w * 3), ((top + y) * outW + left) * 3);
  }
  return out;
}

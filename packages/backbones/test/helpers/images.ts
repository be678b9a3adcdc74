/** Test photos as uint8 RGB ImageBatches at a given size: sharp decodes PNG and resizes (stretch, bilinear like tf.image.resize). */
import { join } from 'node:path';
import sharp from 'sharp';
import { imagesRoot, type ImageBatch } from '@udtl/datasets';
import { readBmp } from './bmp.js';

export async function loadPhoto(name: string, size = 224): Promise<Uint8Array> {
  const path = join(imagesRoot(), name);
  const img = name.endsWith('.bmp')
    ? (() => { const b = readBmp(path); return sharp(b.data, { raw: { width: b.width, height: b.height, channels: 3 } }); })()
    : sharp(path).removeAlpha().toColourspace('srgb');
  const { data, info } = await img.resize(size, size, { fit: 'fill', kernel: 'linear' }).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${path}: decoded to ${info.channels} channels`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export async function photoBatch(names: string[], size = 224): Promise<ImageBatch> {
  const parts = await Promise.all(names.map((n) => loadPhoto(n, size)));
  const data = new Uint8Array(parts.length * size * size * 3);
  parts.forEach((p, i) => data.set(p, i * p.length));
  return { ids: names, data, n: names.length, height: size, width: size, channels: 3 };
}

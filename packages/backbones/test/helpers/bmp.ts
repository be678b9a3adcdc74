/** A small reader for uncompressed 24-bit BMP files (rows bottom-up, BGR, rows padded to 4 bytes). */
import { readFileSync } from 'node:fs';

export interface RawImage { data: Uint8Array; width: number; height: number; channels: 3 }

export function decodeBmp(bytes: Uint8Array, source = 'BMP'): RawImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 54 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new Error(`${source}: not a BMP file`);
  const pixelOffset = view.getUint32(10, true);
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bpp = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (bpp !== 24 || compression !== 0) throw new Error(`${source}: only uncompressed 24-bit BMP is supported (bpp ${bpp}, compression ${compression})`);
  const height = Math.abs(rawHeight);
  const bottomUp = rawHeight > 0; // negative height means rows are stored top-down
  const stride = Math.ceil((width * 3) / 4) * 4;
  if (pixelOffset + stride * height > bytes.byteLength) throw new Error(`${source}: truncated pixel data`);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (bottomUp ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const s = row + 3 * x;
      const d = 3 * (y * width + x);
      data[d] = bytes[s + 2];
      data[d + 1] = bytes[s + 1];
      data[d + 2] = bytes[s];
    }
  }
  return { data, width, height, channels: 3 };
}

export function readBmp(path: string): RawImage {
  return decodeBmp(readFileSync(path), path);
}

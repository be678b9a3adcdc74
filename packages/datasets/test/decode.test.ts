import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImageFile, padCentred, resizePixels } from '../src/decode.js';

const grey = (h: number, w: number, f: (y: number, x: number) => number) =>
  Uint8Array.from({ length: h * w }, (_, i) => f(Math.floor(i / w), i % w));

describe('decode and resize', () => {
  it('pads a 28x28 image centred in 224x224 with zeros (MedMNIST+), greyscale to 3 equal channels', async () => {
    const img = grey(28, 28, (y, x) => 1 + ((y * 28 + x) % 250));
    const out = await resizePixels(img, 28, 28, 1, { height: 224, width: 224, mode: 'pad' });
    expect(out.length).toBe(224 * 224 * 3);
    for (const [y, x] of [[0, 0], [5, 27], [27, 27], [13, 2]]) {
      const at = ((98 + y) * 224 + 98 + x) * 3;
      expect([...out.subarray(at, at + 3)]).toEqual([img[y * 28 + x], img[y * 28 + x], img[y * 28 + x]]);
    }
    let nonZeroOutside = 0;
    for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) {
      const inside = y >= 98 && y < 126 && x >= 98 && x < 126;
      if (!inside && out[(y * 224 + x) * 3] !== 0) nonZeroOutside++;
    }
    expect(nonZeroOutside).toBe(0);
  });

  it('puts the odd extra row/column below/right', () => {
    const out = padCentred(new Uint8Array([9, 9, 9]), 1, 1, 2, 2);
    expect([...out]).toEqual([9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('resize stretches to the exact size and keeps a uniform image uniform', async () => {
    const out = await resizePixels(grey(28, 40, () => 77), 28, 40, 1, { height: 224, width: 100, mode: 'resize' });
    expect(out.length).toBe(224 * 100 * 3);
    expect(out.every((v) => v === 77)).toBe(true);
  });

  it('pad shrinks a larger image to fit, keeping its aspect ratio', async () => {
    // 400 wide x 200 high of value 200 → 224 wide x 112 high, centred vertically (rows 56..167).
    const png = await sharp(grey(200, 400, () => 200), { raw: { width: 400, height: 200, channels: 1 } }).png().toBuffer();
    const out = await decodeImageFile(png, { height: 224, width: 224, mode: 'pad' }, 'wide.png');
    const row = (y: number) => out[(y * 224 + 112) * 3];
    expect(row(0)).toBe(0);
    expect(row(50)).toBe(0);
    expect(row(60)).toBe(200);
    expect(row(160)).toBe(200);
    expect(row(170)).toBe(0);
  });

  it('decodes a PNG losslessly at its own size (RGB and greyscale)', async () => {
    const rgb = Uint8Array.from({ length: 6 * 5 * 3 }, (_, i) => (i * 37) % 256);
    const png = await sharp(rgb, { raw: { width: 5, height: 6, channels: 3 } }).png().toBuffer();
    expect([...(await decodeImageFile(png, { height: 6, width: 5, mode: 'resize' }, 'rgb.png'))]).toEqual([...rgb]);
    const g = grey(6, 5, (y, x) => y * 40 + x);
    const gpng = await sharp(g, { raw: { width: 5, height: 6, channels: 1 } }).png().toBuffer();
    const out = await decodeImageFile(gpng, { height: 6, width: 5, mode: 'resize' }, 'grey.png');
    expect([...out]).toEqual([...g].flatMap((v) => [v, v, v]));
  });

  it('a corrupt or truncated image is an error naming the file', async () => {
    const jpg = await sharp(grey(64, 64, (y, x) => (x * y) % 256), { raw: { width: 64, height: 64, channels: 1 } }).jpeg().toBuffer();
    await expect(decodeImageFile(jpg.subarray(0, jpg.length >> 1), { height: 8, width: 8, mode: 'resize' }, '/data/cut (1).jpg'))
      .rejects.toThrow(/cannot decode image \/data\/cut \(1\)\.jpg/);
    await expect(decodeImageFile(new Uint8Array([1, 2, 3]), { height: 8, width: 8, mode: 'resize' }, 'junk.jpg'))
      .rejects.toThrow(/cannot decode image junk\.jpg/);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKBONE, getBackbone, listBackbones, registerBackbone, type BackboneSpec } from '../src/backbones/index.js';
import { decodeBmp } from './helpers/bmp.js';

describe('backbone registry', () => {
  it('lists the MobileNets; the default is MobileNetV2 with its paper-like tap', () => {
    expect(listBackbones()).toEqual(expect.arrayContaining(['mobilenet-v2-1.0', 'mobilenet-v1-0.25', 'mobilenet-v1-0.5', 'mobilenet-v1-0.75', 'mobilenet-v1-1.0']));
    const spec = getBackbone(DEFAULT_BACKBONE);
    expect(spec.defaultTap).toBe('block_16_project');
    expect(spec.taps.block_16_project.shape).toEqual([7, 7, 320]);
    expect(spec.taps.out_relu.shape).toEqual([7, 7, 1280]);
    expect(getBackbone('mobilenet-v1-0.75').taps.conv_pw_13_relu.shape).toEqual([7, 7, 768]);
  });

  it('an unknown id lists the known ones', () => {
    expect(() => getBackbone('resnet-50')).toThrow(/unknown backbone 'resnet-50'; known backbones: alexnet, mobilenet-v1-0\.25, .*mobilenet-v2-1\.0/);
  });

  it('refuses duplicates and a default tap that is not a tap', () => {
    const spec: BackboneSpec = {
      id: 'test-dummy', description: '', inputSize: 32, weightsSource: 'none', defaultTap: 'a',
      taps: { a: { layer: 'a', shape: [1, 1, 1] } }, load: () => Promise.reject(new Error('not loadable')),
    };
    registerBackbone(spec);
    expect(() => registerBackbone(spec)).toThrow(/'test-dummy' is already registered/);
    expect(registerBackbone({ ...spec, description: 'v2' }, { override: true }).description).toBe('v2');
    expect(() => registerBackbone({ ...spec, id: 'test-dummy-2', defaultTap: 'b' })).toThrow(/default tap 'b' is not among its taps \(a\)/);
  });
});

describe('BMP test helper', () => {
  // A hand-made 2x2 24-bit BMP: rows stored bottom-up, BGR, each row padded from 6 to 8 bytes.
  function bmp(height: number): Uint8Array {
    const b = new Uint8Array(54 + 16);
    const v = new DataView(b.buffer);
    b[0] = 0x42; b[1] = 0x4d;
    v.setUint32(2, b.length, true); v.setUint32(10, 54, true); v.setUint32(14, 40, true);
    v.setInt32(18, 2, true); v.setInt32(22, height, true); v.setUint16(26, 1, true); v.setUint16(28, 24, true);
    // stored row 0: (B,G,R) = (1,2,3), (4,5,6), pad; stored row 1: (7,8,9), (10,11,12), pad
    b.set([1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0], 54);
    return b;
  }

  it('flips bottom-up rows and swaps BGR to RGB', () => {
    const img = decodeBmp(bmp(2));
    expect([img.width, img.height]).toEqual([2, 2]);
    expect(Array.from(img.data)).toEqual([9, 8, 7, 12, 11, 10, 3, 2, 1, 6, 5, 4]);
  });

  it('keeps top-down rows (negative height) in order; rejects non-BMP and truncated data', () => {
    expect(Array.from(decodeBmp(bmp(-2)).data)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10]);
    expect(() => decodeBmp(new Uint8Array(60), 'x.bmp')).toThrow(/x\.bmp: not a BMP file/);
    expect(() => decodeBmp(bmp(2).subarray(0, 60), 'y.bmp')).toThrow(/y\.bmp: truncated pixel data/);
  });
});

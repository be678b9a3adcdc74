import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../src/fsutil.js';
import { parseNpy, parseNpz } from '../src/npy.js';
import { hasShared, SHARED } from './helpers.js';

// Reference files written by NumPy 1.x/2.x (python3, Debian) with:
//   rng = np.random.default_rng(7); imgs = rng.integers(0, 256, size=(3,4,5), dtype=np.uint8)
//   rgb = rng.integers(0, 256, size=(2,4,5,3), dtype=np.uint8)
//   STORED: np.savez(b, train_images=imgs, train_labels=np.array([[0],[1],[1]], np.uint8),
//                    test_images=imgs[:2], test_labels=np.array([1,0], np.uint8))   (zip64, stored)
//   DEFL:   np.savez_compressed(b, train_images=rgb, train_labels=np.array([1,0], np.uint8))
//   V2:     np.lib.format.write_array(b, imgs, version=(2,0))
// and printed with base64.b64encode; the expected values below were printed by the same script.
const STORED = 'UEsDBC0AAAAAAAAAIQAE9wr0//////////8QABQAdHJhaW5faW1hZ2VzLm5weQEAEAC8AAAAAAAAALwAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsIDQsIDUpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqLSuXxqUEGoJVqJq+8za/lYvkKlF9Wk8ZCJ2rVqy2nOUVRNw6ZstdMNCf6SNcyod9wrKHpJhFZAd0G8n9QSwMELQAAAAAAAAAhAP2HN4j//////////xAAFAB0cmFpbl9sYWJlbHMubnB5AQAQAIMAAAAAAAAAgwAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICd8dTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywgMSksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgABAVBLAwQtAAAAAAAAACEAXRMHG///////////DwAUAHRlc3RfaW1hZ2VzLm5weQEAEACoAAAAAAAAAKgAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDQsIDUpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqLSuXxqUEGoJVqJq+8za/lYvkKlF9Wk8ZCJ2rVqy2nOUVRNw6ZstdMUEsDBC0AAAAAAAAAIQBOY2ux//////////8PABQAdGVzdF9sYWJlbHMubnB5AQAQAIIAAAAAAAAAggAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICd8dTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgEAUEsBAi0DLQAAAAAAAAAhAAT3CvS8AAAAvAAAABAAAAAAAAAAAAAAAIABAAAAAHRyYWluX2ltYWdlcy5ucHlQSwECLQMtAAAAAAAAACEA/Yc3iIMAAACDAAAAEAAAAAAAAAAAAAAAgAH+AAAAdHJhaW5fbGFiZWxzLm5weVBLAQItAy0AAAAAAAAAIQBdEwcbqAAAAKgAAAAPAAAAAAAAAAAAAACAAcMBAAB0ZXN0X2ltYWdlcy5ucHlQSwECLQMtAAAAAAAAACEATmNrsYIAAACCAAAADwAAAAAAAAAAAAAAgAGsAgAAdGVzdF9sYWJlbHMubnB5UEsFBgAAAAAEAAQA9gAAAG8DAAAAAA==';
const DEFL = 'UEsDBC0AAAAIAAAAIQCoqAXQ//////////8QABQAdHJhaW5faW1hZ2VzLm5weQEAEAD4AAAAAAAAAMkAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgXlNqqK6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjoKJjoKpjoKxpo6CrUKZACufjabS3GSyxR/7uU5o2hZI3d86qlyjzvMF6s6Jvu2BhWHL3rm5v7BTn+HvJK946SjfX8DWz8Uyn1Pr5IX1mrs7VCcupBhU2+2cnaTh/TNf8m8h89ZP3l9aru+6+YgZff5eZW+4cx1On9fPowq76yQM1dcGn7j6XJmzdzTjbcBUEsDBC0AAAAIAAAAIQBOY2ux//////////8QABQAdHJhaW5fbGFiZWxzLm5weQEAEACCAAAAAAAAAEYAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgXlNqqK6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjqaOgq1ChQALkYGAFBLAQItAy0AAAAIAAAAIQCoqAXQyQAAAPgAAAAQAAAAAAAAAAAAAACAAQAAAAB0cmFpbl9pbWFnZXMubnB5UEsBAi0DLQAAAAgAAAAhAE5ja7FGAAAAggAAABAAAAAAAAAAAAAAAIABCwEAAHRyYWluX2xhYmVscy5ucHlQSwUGAAAAAAIAAgB8AAAAkwEAAAAA';
const V2 = 'k05VTVBZAgB0AAAAeydkZXNjcic6ICd8dTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywgNCwgNSksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqLSuXxqUEGoJVqJq+8za/lYvkKlF9Wk8ZCJ2rVqy2nOUVRNw6ZstdMNCf6SNcyod9wrKHpJhFZAd0G8n8=';
const IMGS = [139, 74, 229, 241, 169, 65, 6, 160, 149, 106, 38, 175, 188, 205, 175, 229, 98, 249, 10, 148, 95, 86, 147, 198, 66, 39, 106, 213, 171, 45, 167, 57, 69, 81, 55, 14, 153, 178, 215, 76, 52, 39, 250, 72, 215, 50, 161, 223, 112, 172, 161, 233, 38, 17, 89, 1, 221, 6, 242, 127];
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

describe('parseNpz / parseNpy against NumPy-written files', () => {
  it('reads a stored (zip64) npz with (N,1) and (N,) labels', () => {
    const arrays = parseNpz(b64(STORED), 'stored.npz');
    expect([...arrays.keys()].sort()).toEqual(['test_images', 'test_labels', 'train_images', 'train_labels']);
    const train = arrays.get('train_images')!;
    expect(train.shape).toEqual([3, 4, 5]);
    expect([...train.data]).toEqual(IMGS);
    expect(arrays.get('train_labels')!.shape).toEqual([3, 1]);
    expect([...arrays.get('train_labels')!.data]).toEqual([0, 1, 1]);
    expect(arrays.get('test_labels')!.shape).toEqual([2]);
    expect([...arrays.get('test_labels')!.data]).toEqual([1, 0]);
    expect(sha256(train.data.subarray(40, 60))).toBe('019afd837dcd25b2249e42805c120845ecd05278e2c619d62cc1df7b08d957a8');
  });

  it('reads a deflated npz with (N,H,W,3) images', () => {
    const rgb = parseNpz(b64(DEFL), 'defl.npz').get('train_images')!;
    expect(rgb.shape).toEqual([2, 4, 5, 3]);
    expect(rgb.data.reduce((a, b) => a + b, 0)).toBe(14375);
    const at = ((1 * 4 + 2) * 5 + 3) * 3; // rgb[1,2,3]
    expect([...rgb.data.subarray(at, at + 3)]).toEqual([253, 233, 225]);
  });

  it('reads a version 2.0 header', () => {
    const a = parseNpy(b64(V2), 'v2.npy');
    expect(a.shape).toEqual([3, 4, 5]);
    expect([...a.data]).toEqual(IMGS);
  });

  it('rejects bad magic, non-uint8 dtypes, truncated data and non-zip bytes, naming the file', () => {
    expect(() => parseNpy(new Uint8Array(20), 'x.npy')).toThrow(/x\.npy: not a \.npy/);
    const v2 = b64(V2);
    expect(() => parseNpy(v2.subarray(0, v2.length - 1), 'cut.npy')).toThrow(/cut\.npy: .*needs 60 bytes.*59/);
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
    const f4 = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0, ...Buffer.from(header), 0, 0, 0, 0]);
    expect(() => parseNpy(f4, 'float.npy')).toThrow(/float\.npy: dtype '<f4' is not uint8/);
    expect(() => parseNpz(new Uint8Array([1, 2, 3, 4]), 'junk.npz')).toThrow(/junk\.npz: not a readable/);
    const bad = zipSync({ 'train_images.npy': new Uint8Array([1, 2, 3]) });
    expect(() => parseNpz(bad, 'bad.npz')).toThrow(/bad\.npz:train_images\.npy: not a \.npy/);
  });

  it.skipIf(!hasShared)('reads the shared BreastMNIST copy (deflated, labels (N,))', () => {
    const arrays = parseNpz(readFileSync(join(SHARED, 'breastmnist', 'breastmnist.npz')), 'breastmnist.npz');
    const train = arrays.get('train_images')!;
    expect(train.shape).toEqual([546, 28, 28]);
    expect(arrays.get('val_images')!.shape).toEqual([78, 28, 28]);
    expect(arrays.get('test_images')!.shape).toEqual([156, 28, 28]);
    // python3: int(d['train_images'].astype(np.int64).sum()), np.bincount(d['train_labels'])
    expect(train.data.reduce((a, b) => a + b, 0)).toBe(35757482);
    expect(arrays.get('test_images')!.data.reduce((a, b) => a + b, 0)).toBe(10478773);
    const labels = arrays.get('train_labels')!;
    expect(labels.shape).toEqual([546]);
    expect(labels.data.filter((l) => l === 0).length).toBe(147);
    expect(labels.data.filter((l) => l === 1).length).toBe(399);
  });
});

/**
 * The pretrained weights the built-in backbones load, declared once as downloadable resources and
 * registered with @udtl/datasets' resource registry, which `udtl fetch` and the preflight list.
 */
import { registerResource, type FileResource } from '@udtl/datasets';

const CORAL_COMMIT = '104342d2d3480b3e66203073dac24f4e2dbb4c41';
const coral = (file: string) => `https://raw.githubusercontent.com/google-coral/test_data/${CORAL_COMMIT}/${file}`;

export const MOBILENET_V2_RESOURCE: FileResource = {
  id: 'mobilenet-v2-1.0',
  dir: 'mobilenet_v2_1.0_224_quant',
  files: [
    { name: 'mobilenet_v2_1.0_224_quant.tflite', url: coral('mobilenet_v2_1.0_224_quant.tflite'), size: 3610798, sha256: '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776' },
    { name: 'imagenet_labels.txt', url: coral('imagenet_labels.txt'), sha256: 'b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1' },
  ],
  homepage: `https://github.com/google-coral/test_data/tree/${CORAL_COMMIT}`,
  licence: 'Apache-2.0',
  approxBytes: 3_632_484,
};

/**
 * BVLC AlexNet (Caffe → Caffe2 → ONNX, opset 8) from the ONNX model zoo: the paper's backbone.
 * The URL serves a Git LFS object; size and sha256 are those of its LFS pointer in onnx/models.
 */
export const ALEXNET_RESOURCE: FileResource = {
  id: 'alexnet',
  dir: 'bvlcalexnet-8',
  files: [{
    name: 'bvlcalexnet-8.onnx',
    url: 'https://github.com/onnx/models/raw/main/validated/vision/classification/alexnet/model/bvlcalexnet-8.onnx',
    size: 243_863_542,
    sha256: '9a4dc22fd706a19462aaec3b08e027e0ef89daf63d123824f20b59b6de9a727b',
  }],
  homepage: 'https://github.com/onnx/models/tree/main/validated/vision/classification/alexnet',
  licence: 'BSD-3-Clause',
  approxBytes: 243_863_542,
};

/**
 * tfjs-models MobileNet v1 at 224 px. Google publishes no checksums for these files: model.json is
 * fetched first and every shard it lists is checked against its declared byte count when loaded.
 */
export function mobilenetV1Resource(width: '0.25' | '0.50' | '0.75' | '1.0'): FileResource {
  const dir = `mobilenet_v1_${width}_224`;
  return {
    id: `mobilenet-v1-${width === '0.50' ? '0.5' : width}`,
    dir,
    files: [{ name: 'model.json', url: `https://storage.googleapis.com/tfjs-models/tfjs/${dir}/model.json` }],
    tfjsManifest: 'model.json',
    homepage: 'https://github.com/tensorflow/tfjs-models/tree/master/mobilenet',
    licence: 'Apache-2.0',
    approxBytes: { '0.25': 1.9e6, '0.50': 5.4e6, '0.75': 10.4e6, '1.0': 16.9e6 }[width],
  };
}

export const WEIGHTS_RESOURCES: readonly FileResource[] = [
  MOBILENET_V2_RESOURCE,
  ALEXNET_RESOURCE,
  ...(['0.25', '0.50', '0.75', '1.0'] as const).map(mobilenetV1Resource),
];

for (const r of WEIGHTS_RESOURCES) registerResource(r);

/**
 * `alexnet`: the paper's backbone, BVLC AlexNet from the ONNX model zoo (Caffe → Caffe2 → ONNX,
 * opset 8), frozen through onnxruntime. The zoo README states the input (`data_0: float[1, 3, 224,
 * 224]`) but no preprocessing; the Caffe convention for BVLC AlexNet is BGR with the ImageNet
 * channel means B 104, G 117, R 123 subtracted on the 0..255 scale (OpenVINO Open Model Zoo,
 * models/public/alexnet: "BGR order … mean values … [104, 117, 123]"), no scaling.
 * Tensor names follow the Caffe2 conversion (`<layer>_1` = conv/pool output, `<conv>_2` = its ReLU),
 * as listed in public dumps of this graph (e.g. `conv5_2` → MaxPool → `pool5_1` [1, 256, 6, 6] →
 * Reshape → `fc6_1`); they could not be read from the file itself here (no download): if the file
 * disagrees, `load` fails listing the tensors it has.
 */
import { ALEXNET_RESOURCE } from '../weights.js';
import { registerOnnxBackbone } from './onnx-file-backbone.js';

export { ALEXNET_RESOURCE };
export const ALEXNET_URL = ALEXNET_RESOURCE.files[0].url;
export const ALEXNET_SHA256 = ALEXNET_RESOURCE.files[0].sha256!;

export const alexnetSpec = registerOnnxBackbone({
  id: 'alexnet',
  description: 'BVLC AlexNet, ImageNet (ONNX model zoo bvlcalexnet-8; the paper\'s backbone), frozen only, via onnxruntime',
  resource: ALEXNET_RESOURCE,
  inputName: 'data_0',
  inputSize: 224,
  layout: 'nchw',
  preprocessing: { channelOrder: 'bgr', mean: [104, 117, 123] },
  taps: {
    pool5: { node: 'pool5_1', shape: [6, 6, 256], description: 'last conv block after max pooling (the paper\'s tap)' },
    conv5: { node: 'conv5_2', shape: [13, 13, 256], description: 'conv5 after ReLU, before pooling' },
  },
  defaultTap: 'pool5',
  licence: 'BSD-3-Clause',
});

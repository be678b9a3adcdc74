export * from './types.js';
export { WEIGHTS_RESOURCES, MOBILENET_V2_RESOURCE, mobilenetV1Resource } from './weights.js';
export * from './registry.js';
export { LayersBackbone, batchToTensor, extractTap } from './layers-backbone.js';
export { readImagenetLabels, findImagenetLabels } from './labels.js';
export { importMobilenetV2, mobilenetV2LayerNames, mobilenetV2Spec, MOBILENET_V2_SHA256, MOBILENET_V2_URL } from './mobilenet-v2.js';
export { readTflite, type TfliteModel, type TfliteTensor, type TfliteOperator } from './tflite/schema.js';
export { dequantize } from './tflite/dequantize.js';
export { tfliteToLayersModel, convKernelToTfjs, depthwiseKernelToTfjs, SUPPORTED_OPS } from './tflite/to-layers.js';
export {
  buildMobilenetV1, assignNamedWeights, mobilenetV1Spec, mobilenetV1Url, mobilenetV1DirName, widthLabel,
  MOBILENET_V1_WIDTHS, MOBILENET_V1_SIZES, type MobilenetV1Width, type MobilenetV1Options,
} from './mobilenet-v1.js';
export { readTfjsWeights, downloadTfjsWeights, parseManifest, groupByteLength, type ManifestGroup, type WeightEntry } from './tfjs-weights.js';
export { saveModelCache, loadModelCache } from './model-cache.js';
export { ReLU6, relu6 } from './relu6-layer.js';
export { fusedForward } from './fused-inference.js';
import './onnx/alexnet.js'; // registers `alexnet` (an ONNX-file backbone) with the others
export * from './feature-maps.js';
export * from './tap-source.js';
export { checkBackbone, checkBackboneSpec, type CheckBackboneOptions } from './check.js';

export {
  exportBackboneToOnnx, layersModelToOnnx, probePreprocess, samePads, weightsOnCpu,
  ONNX_EXPORTER_VERSION, ONNX_OPSET, ONNX_INPUT, ONNX_OUTPUT, SUPPORTED_LAYERS,
  type InputAffine, type LayersToOnnxOptions, type OnnxExport,
} from './export.js';
export { LAYER_CONVERTERS, type LayerContext, type LayerConverter } from './layer-converters.js';
export { loadOnnxModel, onnxModelFile, onnxModelPath, weightsFingerprint, verifiedOnnxModel, writeOnnxModel, type LoadedOnnxModel, type OnnxModelFile, type OnnxModelFileOptions } from './model-file.js';
export { loadOnnxRuntime, onnxRuntimeVersion, cudaProviderInstalled, type OnnxRuntime } from './runtime.js';
export {
  createFrozenEngine, registerFrozenEngine, listFrozenEngines, getFrozenEngine, engineLabel,
  type EngineInfo, type FrozenEngine, type FrozenEngineFactory, type FrozenEngineOptions, type OrtProvider,
} from './engine.js';
export { streamFeatures, extractFeatureMaps, type FeatureBatch, type StreamOptions } from './stream.js';
export { engineTapSource, type EngineTapSource } from './tap-source.js';
export {
  registerOnnxBackbone, onnxBackboneSpec, OnnxFileBackbone, frozenOnlyError, ONNX_REWRITER_VERSION,
  type OnnxBackboneOptions, type OnnxTap,
} from './onnx-file-backbone.js';
export {
  buildTapGraph, parseOnnxModel, onnxTensorNames, preprocessingAffine,
  type OnnxPreprocessing, type TensorLayout, type TapGraph, type TapGraphOptions, type ParsedOnnxModel,
} from './tap-graph.js';
export { alexnetSpec, ALEXNET_URL, ALEXNET_SHA256, ALEXNET_RESOURCE } from './alexnet.js';

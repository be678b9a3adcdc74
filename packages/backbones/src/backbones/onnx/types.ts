/** Records of exported/verified ONNX files: plain data, imported by backbones/types.ts without pulling in the exporter. */

export interface OnnxModelFile {
  path: string;
  sha256: string;
  backboneId: string;
  weightsHash: string;
  inputSize: number;
  /** sha256 over the model's current weights (names, shapes, values). */
  weightsFingerprint: string;
  /** Layer whose output the graph returns. */
  layer: string;
  /** Per-image output shape, NHWC order ([h, w, c] for feature maps). */
  outputShape: number[];
  exporter: number;
  /** Graph input / output names when they are not ONNX_INPUT / ONNX_OUTPUT (rewritten third-party graphs). */
  inputName?: string;
  outputName?: string;
}

export interface LoadedOnnxModel {
  file: OnnxModelFile;
  /** The verified bytes (sessions are created from these, not by re-reading the file). */
  bytes: Uint8Array;
}

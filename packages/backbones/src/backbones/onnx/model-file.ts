/**
 * Exported ONNX files cached under `<cacheDir>/onnx/`, one per (backbone, current weights, input
 * size, tap layer, exporter version), each with a JSON sidecar holding its sha256. A file whose
 * bytes do not match its sidecar (truncated, edited, half-copied) is re-exported, never loaded.
 * The key hashes the model's *current* weights, not only the declared `weightsHash`: a backbone
 * whose weights were re-initialised or trained in memory (random-backbone baseline, fine-tuning)
 * must never be served the pretrained graph.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile, cacheDir, sha256 } from '@udtl/datasets';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone } from '../types.js';
import { exportBackboneToOnnx, ONNX_EXPORTER_VERSION, weightsOnCpu } from './export.js';
import type { LoadedOnnxModel, OnnxModelFile } from '../types.js';

export type { LoadedOnnxModel, OnnxModelFile } from '../types.js';

export interface OnnxModelFileOptions {
  /** Cache root (default cacheDir()). */
  cacheDir?: string;
  log?: (message: string) => void;
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** sha256 over every weight of `model` as it is now (~50 ms for MobileNetV2). On a GPU backend, `await weightsOnCpu(model)` first. */
export function weightsFingerprint(model: tfl.LayersModel): string {
  const h = createHash('sha256');
  for (const w of model.weights) {
    const v = w.read().dataSync() as Float32Array;
    h.update(`${w.name}:${w.shape.join('x')}:${v.length}\n`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return h.digest('hex');
}

/** Where the ONNX file of this backbone and tap lives (whether or not it exists yet). */
export function onnxModelPath(backbone: Backbone, tap?: string, root?: string, fingerprint = weightsFingerprint(backbone.model)): string {
  const layer = backbone.resolveTap(tap);
  const name = `${safe(backbone.id)}-${fingerprint.slice(0, 16)}-${backbone.inputSize}-${safe(layer)}-x${ONNX_EXPORTER_VERSION}.onnx`;
  return join(cacheDir(root), 'onnx', name);
}

/** The sidecar's record when it exists, parses, describes this export and matches the file's bytes (else throws why). */
export async function verifiedOnnxModel(path: string, expect: Omit<OnnxModelFile, 'sha256' | 'outputShape' | 'path'>): Promise<LoadedOnnxModel> {
  const meta = JSON.parse(await readFile(`${path}.json`, 'utf8')) as OnnxModelFile;
  for (const k of Object.keys(expect) as (keyof typeof expect)[]) {
    if (meta[k] !== expect[k]) throw new Error(`sidecar ${k} is ${JSON.stringify(meta[k])}, expected ${JSON.stringify(expect[k])}`);
  }
  const bytes = new Uint8Array(await readFile(path));
  const hash = sha256(bytes);
  if (hash !== meta.sha256) throw new Error(`sha256 ${hash} does not match the sidecar's ${meta.sha256}`);
  return { file: { ...meta, path }, bytes };
}

/** The ONNX file record of `backbone` up to `tap` (exported and cached when needed). */
export async function onnxModelFile(backbone: Backbone, tap?: string, opts: OnnxModelFileOptions = {}): Promise<OnnxModelFile> {
  return (await loadOnnxModel(backbone, tap, opts)).file;
}

/**
 * The ONNX model of `backbone` up to `tap`: the cached file when it verifies, else a fresh export
 * (written atomically: the model first, then its sidecar, so a reader never trusts a partial file).
 */
export async function loadOnnxModel(backbone: Backbone, tap?: string, opts: OnnxModelFileOptions = {}): Promise<LoadedOnnxModel> {
  if (backbone.onnxGraph) return backbone.onnxGraph(tap, opts); // already an ONNX file (see onnx-file-backbone.ts)
  await weightsOnCpu(backbone.model);
  const fingerprint = weightsFingerprint(backbone.model);
  const path = onnxModelPath(backbone, tap, opts.cacheDir, fingerprint);
  const layer = backbone.resolveTap(tap);
  const expect = {
    backboneId: backbone.id, weightsHash: backbone.weightsHash, weightsFingerprint: fingerprint,
    inputSize: backbone.inputSize, layer, exporter: ONNX_EXPORTER_VERSION,
  };
  if (existsSync(path)) {
    try {
      return await verifiedOnnxModel(path, expect);
    } catch (err) {
      opts.log?.(`ONNX cache ${path} is not trustworthy (${(err as Error).message}); re-exporting`);
    }
  }
  const exported = await exportBackboneToOnnx(backbone, layer);
  const record: OnnxModelFile = { ...expect, path, sha256: sha256(exported.bytes), outputShape: exported.outputShape };
  await writeOnnxModel(record, exported.bytes);
  opts.log?.(`exported ${backbone.id} up to ${layer} to ${path} (${exported.bytes.length} bytes)`);
  return { file: record, bytes: exported.bytes };
}

/** Write a model then its sidecar, each atomically, so a reader never trusts a partial file. */
export async function writeOnnxModel(record: OnnxModelFile, bytes: Uint8Array): Promise<void> {
  await atomicWriteFile(record.path, bytes);
  await atomicWriteFile(`${record.path}.json`, `${JSON.stringify({ ...record, path: undefined }, null, 1)}\n`);
}

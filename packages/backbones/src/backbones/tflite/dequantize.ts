import type { TfliteTensor } from './schema.js';

/**
 * Real values of a constant tensor: real = scale·(q − zero_point), with one scale/zero point per
 * tensor or one per channel along `quantizedDimension` (int8 per-channel weights, int32 biases).
 */
export function dequantize(t: TfliteTensor, source = 'TFLite model'): Float32Array {
  if (!t.data) throw new Error(`${source}: tensor ${t.index} (${t.name}) holds no constant data`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  const raw = t.data;
  const values = readRaw(t, raw, size, source);
  if (t.type === 'FLOAT32') return values;
  const q = t.quantization;
  if (!q || q.scale.length === 0) {
    throw new Error(`${source}: tensor ${t.index} (${t.name}) is ${t.type} without quantization parameters`);
  }
  const { scale, zeroPoint } = q;
  if (scale.length === 1) {
    const s = scale[0];
    const z = zeroPoint[0] ?? 0;
    for (let i = 0; i < size; i++) values[i] = s * (values[i] - z);
    return values;
  }
  const axis = q.quantizedDimension;
  const channels = t.shape[axis];
  if (channels !== scale.length) {
    throw new Error(`${source}: tensor ${t.index} (${t.name}) has ${scale.length} scales but dimension ${axis} has size ${channels}`);
  }
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < size; i++) {
    const c = Math.floor(i / inner) % channels;
    values[i] = scale[c] * (values[i] - (zeroPoint[c] ?? 0));
  }
  return values;
}

function readRaw(t: TfliteTensor, raw: Uint8Array, size: number, source: string): Float32Array {
  const bytesPer: Record<string, number> = { FLOAT32: 4, UINT8: 1, INT8: 1, INT32: 4 };
  const width = bytesPer[t.type];
  if (width === undefined) throw new Error(`${source}: tensor ${t.index} (${t.name}) has unsupported type ${t.type}`);
  if (raw.byteLength !== size * width) {
    throw new Error(`${source}: tensor ${t.index} (${t.name}) of shape [${t.shape}] ${t.type} needs ${size * width} bytes, buffer has ${raw.byteLength}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    switch (t.type) {
      case 'FLOAT32': out[i] = view.getFloat32(4 * i, true); break;
      case 'UINT8': out[i] = view.getUint8(i); break;
      case 'INT8': out[i] = view.getInt8(i); break;
      default: out[i] = view.getInt32(4 * i, true);
    }
  }
  return out;
}

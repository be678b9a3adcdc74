import { broadcast_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon.js';
import { asWasm, heapOf, offsetOf, withOutput } from '../heap.js';
import { activationCode } from './activation.js';
import { sizeOf, type NativeImpl, type NativeKernelArgs } from './types.js';

/**
 * op(a)·op(b) over broadcast batch dims with dnnl_sgemm, plus a fused bias (rank ≤ 1, length N
 * or 1) and activation. Batch dims that broadcast other than "all or one" go to the wasm kernel.
 */
function matMul({ inputs, backend: kb, attrs }: NativeKernelArgs, addon: NativeAddon, act: [number, number], bias?: TensorInfo) {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ta = Boolean(attrs.transposeA);
  const tb = Boolean(attrs.transposeB);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = ta ? [ac, ar] : [ar, ac];
  const [kB, n] = tb ? [bc, br] : [br, bc];
  if (k !== kB) return undefined; // the wasm kernel reports the mismatch
  const batchShape = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return undefined;
  const biasLength = bias == null ? 0 : sizeOf(bias.shape);
  if (bias != null && (bias.dtype !== 'float32' || bias.shape.length > 1 || (biasLength !== n && biasLength !== 1))) return undefined;

  const backend = asWasm(kb);
  // A batch of a against one b is a single GEMM: the batch's rows stack into M.
  const stacked = batch > 1 && batchB === 1 && batchA === batch && !ta;
  return withOutput(backend, [...batchShape, m, n], (out) =>
    // prettier-ignore
    addon.gemm(heapOf(backend), new Float64Array([
      ta ? 1 : 0, tb ? 1 : 0, stacked ? batch * m : m, n, k,
      offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out),
      stacked ? 1 : batch, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m * n,
      bias == null ? -1 : offsetOf(backend, bias), biasLength, act[0], act[1],
    ])),
  );
}

export const batchMatMul: NativeImpl = (args, addon) => matMul(args, addon, [0, 0]);

export const fusedMatMul: NativeImpl = (args, addon) => {
  const act = activationCode(args.attrs);
  if (act == null || args.inputs.preluActivationWeights != null) return undefined;
  return matMul(args, addon, act, args.inputs.bias);
};

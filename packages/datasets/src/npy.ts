import { unzipSync } from 'fflate';

/** A NumPy array read from a `.npy` member: uint8 data only (what image datasets hold). */
export interface NpyArray {
  shape: number[];
  /** NumPy dtype string, e.g. `|u1`. */
  dtype: string;
  data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** dtypes whose items are single bytes, i.e. readable as uint8 without conversion. */
const BYTE_DTYPES = new Set(['|u1', '<u1', '>u1', 'u1', '|b1']);

/**
 * Parse a `.npy` file (format versions 1, 2 and 3). Only 1-byte unsigned dtypes in C order are
 * accepted: a dataset file holding anything else is not what the readers expect. `name` is used
 * in error messages.
 */
export function parseNpy(bytes: Uint8Array, name = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error(`${name}: not a .npy array (bad magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${name}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new Error(`${name}: unsupported .npy format version ${major}`);
  }
  if (start + headerLen > bytes.length) throw new Error(`${name}: truncated .npy header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${name}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  if (!BYTE_DTYPES.has(descr)) throw new Error(`${name}: dtype '${descr}' is not uint8`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${name}: bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1) {
    throw new Error(`${name}: Fortran-ordered arrays are not supported`);
  }
  const dataStart = start + headerLen;
  if (bytes.length - dataStart !== count) {
    throw new Error(`${name}: shape (${shape.join(',')}) needs ${count} bytes of data, file has ${bytes.length - dataStart}`);
  }
  return { shape, dtype: descr, data: bytes.subarray(dataStart) };
}

/**
 * Parse a `.npz` archive (zip of `.npy` members, stored or deflated) into arrays keyed by member
 * name without the `.npy` suffix. `only` restricts which members are inflated.
 */
export function parseNpz(bytes: Uint8Array, name = '<npz>', only?: string[]): Map<string, NpyArray> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => !only || only.includes(f.name.replace(/\.npy$/, '')),
    });
  } catch (err) {
    throw new Error(`${name}: not a readable .npz (zip) archive: ${(err as Error).message}`);
  }
  const out = new Map<string, NpyArray>();
  for (const [member, data] of Object.entries(members)) {
    if (!member.endsWith('.npy')) continue;
    const key = member.slice(0, -4);
    out.set(key, parseNpy(data, `${name}:${member}`));
  }
  return out;
}

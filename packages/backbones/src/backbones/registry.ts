import type { Backbone, BackboneSpec, LoadOptions } from './types.js';

const specs = new Map<string, BackboneSpec>();

/** Add a backbone to the registry; re-registering an id needs `{ override: true }`. */
export function registerBackbone(spec: BackboneSpec, opts: { override?: boolean } = {}): BackboneSpec {
  if (specs.has(spec.id) && !opts.override) throw new Error(`backbone '${spec.id}' is already registered`);
  if (!spec.taps[spec.defaultTap]) {
    throw new Error(`backbone '${spec.id}': default tap '${spec.defaultTap}' is not among its taps (${Object.keys(spec.taps).join(', ')})`);
  }
  specs.set(spec.id, spec);
  return spec;
}

export function listBackbones(): string[] {
  return [...specs.keys()].sort();
}

export function getBackbone(id: string): BackboneSpec {
  const spec = specs.get(id);
  if (!spec) throw new Error(`unknown backbone '${id}'; known backbones: ${listBackbones().join(', ')}`);
  return spec;
}

export function loadBackbone(id: string, opts?: LoadOptions): Promise<Backbone> {
  return getBackbone(id).load(opts);
}

/** The backbone experiments use unless told otherwise. */
export const DEFAULT_BACKBONE = 'mobilenet-v2-1.0';

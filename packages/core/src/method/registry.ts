import type { Method, MethodSpec } from './contract.js';

const specs = new Map<string, MethodSpec>();

/** Adds a method to the registry; re-registering an id is an error unless `{replace: true}`. */
export function registerMethod<P extends Record<string, unknown>>(spec: MethodSpec<P>, options: { replace?: boolean } = {}): void {
  if (typeof spec?.id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(spec.id))
    throw new Error(`registerMethod: id must be a lower-case name like 'zero-bias-cae', got ${JSON.stringify(spec?.id)}`);
  if (typeof spec.create !== 'function') throw new Error(`registerMethod('${spec.id}'): spec.create must be a function`);
  if (spec.defaults === null || typeof spec.defaults !== 'object' || Array.isArray(spec.defaults))
    throw new Error(`registerMethod('${spec.id}'): spec.defaults must be an object of parameter defaults`);
  if (specs.has(spec.id) && !options.replace)
    throw new Error(`Method '${spec.id}' is already registered (pass {replace: true} to override it)`);
  specs.set(spec.id, spec as unknown as MethodSpec);
}

/** Registered method ids, sorted. */
export function listMethods(): string[] {
  return [...specs.keys()].sort();
}

export function getMethodSpec(id: string): MethodSpec {
  const spec = specs.get(id);
  if (!spec) throw new Error(`Unknown method '${id}'. Known methods: ${listMethods().join(', ') || '(none registered)'}`);
  return spec;
}

/** Checks parameter names against the spec's defaults and merges them over the defaults. */
export function resolveMethodParams(spec: MethodSpec, params: Record<string, unknown> = {}): Record<string, unknown> {
  const known = Object.keys(spec.defaults);
  for (const name of Object.keys(params))
    if (!known.includes(name))
      throw new Error(`Unknown parameter '${name}' for method '${spec.id}'. Known parameters: ${known.join(', ') || '(none)'}`);
  return { ...spec.defaults, ...params };
}

/** A method instance with `params` merged over the spec's defaults. */
export function createMethod(id: string, params: Record<string, unknown> = {}): Method {
  const spec = getMethodSpec(id);
  return spec.create(resolveMethodParams(spec, params));
}

/** Removes a registration (tests, plugins being reloaded); unknown id → error listing known ids. */
export function unregisterMethod(id: string): void {
  getMethodSpec(id);
  specs.delete(id);
}

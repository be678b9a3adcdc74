import type { Method, MethodSpec } from './contract.js';
import { defaultsOf, docsOf, parseMethodParams, type ParamsSchema } from './params.js';

/** What a method declares; `defineMethod` adds the defaults and docs read from `params`, and validation to `create`. */
export interface MethodDefinition<P extends Record<string, unknown>> {
  id: string;
  description: string;
  params: ParamsSchema;
  tunable?: readonly string[];
  /** Builds the method from complete parameters that have passed `params` (and every grid configuration). */
  build(params: P): Method;
}

export function defineMethod<P extends Record<string, unknown>>(def: MethodDefinition<P>): MethodSpec<P> {
  const { build, ...rest } = def;
  return Object.freeze({
    ...rest,
    defaults: Object.freeze(defaultsOf<P>(def.params)),
    paramDocs: Object.freeze(docsOf(def.params)),
    create: (params: Partial<P> = {}) => build(parseMethodParams<P>(def.id, def.params, params, def.tunable)),
  });
}

const specs = new Map<string, MethodSpec>();

/** Adds a method to the registry; re-registering an id is an error unless `{replace: true}`. */
export function registerMethod<P extends Record<string, unknown>>(spec: MethodSpec<P>, options: { replace?: boolean } = {}): void {
  if (typeof spec?.id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(spec.id))
    throw new Error(`registerMethod: id must be a lower-case name like 'zero-bias-cae', got ${JSON.stringify(spec?.id)}`);
  if (typeof spec.create !== 'function') throw new Error(`registerMethod('${spec.id}'): spec.create must be a function (make the spec with defineMethod)`);
  if (typeof spec.params?.safeParse !== 'function' || !spec.params.shape)
    throw new Error(`registerMethod('${spec.id}'): spec.params must be a zod object of the parameters (make the spec with defineMethod)`);
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

/** The complete, validated parameters `createMethod` would build method `spec` with. */
export function resolveMethodParams(spec: MethodSpec, params: Record<string, unknown> = {}): Record<string, unknown> {
  return parseMethodParams(spec.id, spec.params, params, spec.tunable);
}

/** A method instance with `params` validated and merged over the spec's defaults. */
export function createMethod(id: string, params: Record<string, unknown> = {}): Method {
  return getMethodSpec(id).create(params);
}

/** Removes a registration (tests, plugins being reloaded); unknown id → error listing known ids. */
export function unregisterMethod(id: string): void {
  getMethodSpec(id);
  specs.delete(id);
}

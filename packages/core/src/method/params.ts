/**
 * A method's parameters, declared once: a zod object whose fields carry their default (`.default`),
 * their rule (with the message a user reads) and their doc line (`.describe`). `parseMethodParams`
 * is the one place they are checked: unknown names, bad values, and every grid configuration.
 */
import { z } from 'zod';

/** Core passes zod on, so that a method package needs only @udtl/core to declare its parameters. */
export { z };

/** The parameters of one method (a zod object; cross-parameter rules go in `.superRefine`). */
export type ParamsSchema = z.ZodObject<z.ZodRawShape>;

/** Field builders with the rule stated as the user reads it: `<method>: <name> <rule>, got <value>`. */
export const param = {
  wholeNumber: (min: number) => {
    const error = `must be a whole number ≥ ${min}`;
    return z.number({ error }).int({ error }).min(min, { error });
  },
  positive: () => z.number({ error: 'must be > 0' }).positive({ error: 'must be > 0' }),
  nonNegative: () => z.number({ error: 'must be ≥ 0' }).min(0, { error: 'must be ≥ 0' }),
  /** [0, 1). */
  fraction: () => z.number({ error: 'must be in [0, 1)' }).min(0, { error: 'must be in [0, 1)' }).lt(1, { error: 'must be in [0, 1)' }),
  oneOf: <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` }),
  flag: () => z.boolean({ error: 'must be true or false' }),
  name: () => z.string({ error: 'must be a non-empty name' }).min(1, { error: 'must be a non-empty name' }),
  /** One value for every layer, or one per layer (its length is checked against `layers` by the method). */
  perLayer: () => {
    const error = 'must be a whole number ≥ 1, or a list of them (one per layer)';
    const one = z.number({ error }).int({ error }).min(1, { error });
    return z.union([one, z.array(one, { error }).min(1, { error })], { error });
  },
  positiveList: () => {
    const error = 'must be a non-empty list of positive numbers';
    return z.array(z.number({ error }).positive({ error }), { error }).min(1, { error });
  },
  grid: () => {
    const error = 'must be a non-empty list of parameter overrides (e.g. [{}] for none)';
    return z.array(z.record(z.string(), z.unknown(), { error: 'entries must be objects of parameter overrides' }), { error }).min(1, { error });
  },
};

/** `shape` with some defaults replaced (rules and doc lines kept). */
export function withDefaults<S extends z.ZodRawShape>(shape: S, defaults: { [K in keyof S]?: unknown }): S {
  const out = { ...shape } as unknown as Record<string, z.ZodType>;
  for (const [name, value] of Object.entries(defaults)) {
    const field = shape[name] as unknown as z.ZodDefault<z.ZodType>;
    if (typeof field?.removeDefault !== 'function') throw new Error(`withDefaults: '${name}' is not a parameter with a default`);
    out[name] = field.removeDefault().default(value as never).describe(field.description ?? '');
  }
  return out as unknown as S;
}

/** `shape` with some doc lines replaced. */
export function withDocs<S extends z.ZodRawShape>(shape: S, docs: { [K in keyof S]?: string }): S {
  const out = { ...shape } as unknown as Record<string, z.ZodType>;
  for (const [name, doc] of Object.entries(docs)) out[name] = (shape[name] as z.ZodType).describe(doc as string);
  return out as unknown as S;
}

/** The defaults a schema declares (a fresh copy). */
export function defaultsOf<P>(schema: ParamsSchema): P {
  const parsed = schema.safeParse({});
  if (!parsed.success) throw new Error(`parameter schema: every parameter needs a valid default (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  return parsed.data as P;
}

/** One doc line per parameter (empty where a field has none). */
export function docsOf(schema: ParamsSchema): Record<string, string> {
  return Object.fromEntries(Object.entries(schema.shape).map(([k, field]) => [k, (field as z.ZodType).description ?? '']));
}

function formatIssues(methodId: string, issues: z.ZodError['issues'], input: Record<string, unknown>, prefix = ''): string {
  return issues
    .map((issue) => {
      const name = issue.path.length ? String(issue.path[0]) : '(parameters)';
      const got = issue.path.length ? input[name] : input;
      return `${methodId}: ${prefix}${name} ${issue.message}, got ${JSON.stringify(got)}`;
    })
    .join('; ');
}

/** The configurations of a (validated) grid: each entry's overrides over `params`. */
export function expandGrid<P extends object>(params: P, grid: readonly Record<string, unknown>[]): P[] {
  return grid.map((entry) => ({ ...params, ...entry }) as P);
}

/**
 * Complete, validated parameters of method `methodId`: `params` over the schema's defaults. Unknown
 * names, values that break a rule, and grid entries that set an untunable parameter or make an
 * invalid configuration are errors naming the method, the parameter and what is allowed.
 */
export function parseMethodParams<P>(
  methodId: string,
  schema: ParamsSchema,
  params: Record<string, unknown> = {},
  tunable?: readonly string[],
): P {
  const known = Object.keys(schema.shape);
  for (const name of Object.keys(params)) {
    if (!known.includes(name)) throw new Error(`Unknown parameter '${name}' for method '${methodId}'. Known parameters: ${known.join(', ') || '(none)'}`);
  }
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new Error(formatIssues(methodId, parsed.error.issues, params));
  const p = parsed.data as Record<string, unknown>;
  if (tunable && Array.isArray(p.grid)) {
    (p.grid as Record<string, unknown>[]).forEach((entry, i) => {
      for (const key of Object.keys(entry)) {
        if (!tunable.includes(key)) throw new Error(`${methodId}: grid entry ${i} sets '${key}', which is not tunable; tunable parameters: ${tunable.join(', ')}`);
      }
      const config = { ...p, ...entry };
      const checked = schema.safeParse(config);
      if (!checked.success) throw new Error(formatIssues(methodId, checked.error.issues, config, `grid entry ${i}: `));
    });
  }
  return p as P;
}

/**
 * Hyper-parameter grids (scikit-learn's `param_grid`, as a list): each entry overrides some of a
 * method's parameters; every entry × every C value is one candidate configuration, chosen by
 * validation inside the training fold. `[{}]` = the base parameters only (no choice but C).
 */

/** The project's budget of candidate configurations per method: 2 configurations × 4 C values. */
export const SELECTION_BUDGET = 8;

/** The configurations of a grid over `params`, validated: unknown or untunable keys name themselves. */
export function gridConfigs<P extends object>(methodId: string, params: P, grid: unknown, tunable: readonly (keyof P & string)[]): P[] {
  if (!Array.isArray(grid) || grid.length === 0) {
    throw new Error(`${methodId}: grid must be a non-empty list of parameter overrides (e.g. [{}] for none), got ${JSON.stringify(grid)}`);
  }
  return grid.map((entry, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new Error(`${methodId}: grid entry ${i} must be an object of parameter overrides, got ${JSON.stringify(entry)}`);
    }
    for (const key of Object.keys(entry)) {
      if (!(tunable as readonly string[]).includes(key)) {
        throw new Error(`${methodId}: grid entry ${i} sets '${key}', which is not tunable; tunable parameters: ${tunable.join(', ')}`);
      }
    }
    return { ...params, ...(entry as Partial<P>) };
  });
}

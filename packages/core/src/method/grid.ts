/**
 * Hyper-parameter grids (scikit-learn's `param_grid`, as a list): each entry overrides some of a
 * method's parameters; every entry × every C value is one candidate configuration, chosen by
 * validation inside the training fold. `[{}]` = the base parameters only (no choice but C). A grid
 * is validated with the method's other parameters (params.ts); `expandGrid` makes its configurations.
 */

/** The project's budget of candidate configurations per method: 2 configurations × 6 C values (or 6 training lengths). */
export const SELECTION_BUDGET = 12;

/** The project's one seeded generator (mulberry32), identical on every platform: defined with the folds. */
export { mulberry32 } from '@udtl/datasets';

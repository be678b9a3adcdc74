export * from './budget.js';
export * from './job.js';
export * from './records.js';
export * from './csv.js';
export * from './metrics.js';

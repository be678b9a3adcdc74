import type { Classifier } from './classifier.js';
import { LinearSVM } from './linear-svm.js';
import { LogisticRegression } from './logistic.js';
import { ScaledClassifier } from './pipeline.js';

export interface ClassifierOptions {
  /** Registered kind: 'linear-svm', 'logistic', or one added with registerClassifier. */
  kind: string;
  C?: number;
  tol?: number;
  maxIter?: number;
  /** linear-svm only: 'dual' (liblinear's CD, default) or 'primal' (L-BFGS on the same objective). */
  solver?: 'dual' | 'primal';
  /** Seed for solvers that shuffle (linear-svm). */
  seed?: number;
  /** Wrap in a StandardScaler fit on the training data. Default false. */
  standardize?: boolean;
}

export type ClassifierFactory = (options: ClassifierOptions) => Classifier;

const factories = new Map<string, ClassifierFactory>();

export function registerClassifier(kind: string, factory: ClassifierFactory, options: { replace?: boolean } = {}): void {
  if (factories.has(kind) && !options.replace)
    throw new Error(`Classifier '${kind}' is already registered (pass {replace: true} to override it)`);
  factories.set(kind, factory);
}

export function listClassifiers(): string[] {
  return [...factories.keys()].sort();
}

export function createClassifier(options: ClassifierOptions): Classifier {
  const factory = factories.get(options.kind);
  if (!factory) throw new Error(`Unknown classifier '${options.kind}'. Known classifiers: ${listClassifiers().join(', ')}`);
  const classifier = factory(options);
  return options.standardize ? new ScaledClassifier(classifier) : classifier;
}

registerClassifier('linear-svm', ({ C, tol, maxIter, seed, solver }) => new LinearSVM({ C, tol, maxIter, seed, solver }));
registerClassifier('logistic', ({ C, tol, maxIter }) => new LogisticRegression({ C, tol, maxIter }));

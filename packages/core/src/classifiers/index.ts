export * from './matrix.js';
export * from './classifier.js';
export { StandardScaler } from './scaler.js';
export { LinearSVM, type LinearSVMOptions } from './linear-svm.js';
export { LogisticRegression, type LogisticRegressionOptions } from './logistic.js';
export { minimizeLbfgs, type LbfgsOptions, type LbfgsResult, type Objective } from './lbfgs.js';
export { ScaledClassifier } from './pipeline.js';
export * from './registry.js';
export * from './select-c.js';

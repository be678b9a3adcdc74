/**
 * Published results on a dataset's official split, kept as data so others can be added: the report
 * puts our official-split numbers beside them and states how the protocols differ.
 */

export interface PublishedAnchor {
  /** Dataset id as in the registry (e.g. 'breastmnist'). */
  dataset: string;
  /** What was evaluated, e.g. 'AlexNet (ImageNet), linear probe, 224 px'. */
  model: string;
  /** Test-split scores in percent, as printed in the source (a source may give only some of them). */
  accuracy?: number;
  auc?: number;
  f1?: number;
  /** Short citation (authors, year, title, venue or identifier). */
  source: string;
  /** How the published protocol differs from a plain reading of the numbers. */
  protocol: string;
}

const anchors = new Map<string, PublishedAnchor[]>();

const MEDMNIST_PLUS = 'Doerrich et al. 2024, “Rethinking model prototyping through the MedMNIST+ dataset collection” (arXiv:2404.15786; Scientific Reports 2025)';
const MEDMNIST_V2 = 'Yang et al. 2023, “MedMNIST v2 — a large-scale lightweight benchmark for 2D and 3D biomedical image classification”, Scientific Data 10:41 (doi:10.1038/s41597-022-01721-8)';

/** Adds a published result; the same model from the same source twice is an error. */
export function registerAnchor(anchor: PublishedAnchor): void {
  if (anchor.accuracy === undefined && anchor.auc === undefined && anchor.f1 === undefined) throw new Error(`registerAnchor: '${anchor.model}' (${anchor.dataset}) gives no score`);
  for (const [name, x] of [['accuracy', anchor.accuracy], ['auc', anchor.auc], ['f1', anchor.f1]] as const) {
    if (x !== undefined && !(Number.isFinite(x) && x >= 0 && x <= 100)) throw new Error(`registerAnchor: ${name} ${x} of '${anchor.model}' (${anchor.dataset}) is not a percentage in [0, 100]`);
  }
  const list = anchors.get(anchor.dataset) ?? anchors.set(anchor.dataset, []).get(anchor.dataset)!;
  if (list.some((a) => a.model === anchor.model && a.source === anchor.source)) {
    throw new Error(`registerAnchor: '${anchor.model}' from ${anchor.source} is already registered for ${anchor.dataset}`);
  }
  list.push({ ...anchor });
}

/** Published results for one dataset (empty when none are known), in registration order. */
export function listAnchors(dataset: string): PublishedAnchor[] {
  return (anchors.get(dataset) ?? []).map((a) => ({ ...a }));
}

registerAnchor({
  dataset: 'breastmnist',
  model: 'AlexNet (ImageNet), frozen, linear probe, 224 px',
  accuracy: 86.1,
  auc: 93.5,
  source: MEDMNIST_PLUS,
  protocol: 'MedMNIST+’s 224 px BreastMNIST images, made from the BUSI originals (no 28 px step: that paper zero-pads only its 28–128 px versions to 224, see its train.py); a different backbone (AlexNet), only the last layer trained; official training split, epoch chosen on the validation split; mean of three seeds.',
});
registerAnchor({
  dataset: 'breastmnist',
  model: 'best end-to-end trained model, 224 px',
  accuracy: 90.6,
  auc: 94.0,
  source: MEDMNIST_PLUS,
  protocol: 'all weights trained on the labelled training split (no unsupervised stage); MedMNIST+’s 224 px images made from the BUSI originals (not upsampled or padded from 28 px); official training and validation splits; the best of the architectures compared, so an optimistic anchor.',
});
registerAnchor({
  dataset: 'breastmnist',
  model: 'ResNet-18, trained from scratch, 28 px',
  accuracy: 86.3,
  auc: 90.1,
  source: MEDMNIST_V2,
  protocol: 'no ImageNet pre-training; native 28 px input (the paper’s 224 px variant upsamples, i.e. the resize protocol); model selected on the validation split.',
});

const MEDMNIST_V2_TABLE = 'MedMNIST v2’s Table (RetinaMNIST column), as quoted by issue 18';
registerAnchor({
  dataset: 'retinamnist',
  model: 'ResNet-18, trained from scratch, 28 px',
  accuracy: 52.4,
  auc: 71.7,
  source: MEDMNIST_V2,
  protocol: `${MEDMNIST_V2_TABLE}. No ImageNet pre-training, every weight trained on the 1,080 training images; model selected on the official validation split (120); native 28 px; 5 ordinal grades scored as plain multi-class (ACC, one-vs-rest AUC).`,
});
registerAnchor({
  dataset: 'retinamnist',
  model: 'ResNet-50, trained from scratch, 224 px',
  accuracy: 51.1,
  auc: 71.6,
  source: MEDMNIST_V2,
  protocol: `${MEDMNIST_V2_TABLE}. As the ResNet-18 row, with the 28 px images upsampled to 224 px (the resize protocol, like ours at 224) and no pre-training.`,
});
registerAnchor({
  dataset: 'retinamnist',
  model: 'Google AutoML Vision',
  accuracy: 53.1,
  auc: 75.0,
  source: MEDMNIST_V2,
  protocol: `${MEDMNIST_V2_TABLE}. A commercial architecture and hyper-parameter search over the training and validation splits (its models and budget unpublished); the best row of the table, so an optimistic anchor.`,
});
registerAnchor({
  dataset: 'covid-ct',
  model: 'zero-bias CAE (unofficial PyTorch reimplementation): AlexNet pool5 → two stacked zero-bias CAEs 256 → 4096 → SVC',
  f1: 76,
  source: 'an unofficial public PyTorch reimplementation of the zero-bias-CAE pipeline on COVID-CT (its training-log figure); the only published zero-bias-CAE number on this dataset',
  protocol: 'test F1 ≈ 0.76 read from a training log, not a paper: one run, no interval, and which class F1 refers to is not stated. Official split (425 train / 118 val / 203 test) as ours; AlexNet pool5 features (ours: MobileNetV2 taps); an SVC on the CAE codes trained on all training labels; on the official split grouping does not apply (its lists keep most source papers on one side: 3 of the 106 multi-image papers/figures span two splits).',
});

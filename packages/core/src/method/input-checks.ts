/** Input checks every method runs on what `fit` and `predictProba` receive: one message for all. */
import type { ImageSet, LabelledSet, ResizeMode } from '@udtl/datasets';
import type { FitData } from './contract.js';

/** An image-settings mismatch is the caller's error: name both sides. */
export function checkImageSettings(methodId: string, images: ImageSet, p: { inputSize: number; resizeMode: ResizeMode }, what: string): void {
  if (images.height !== p.inputSize || images.width !== p.inputSize || images.resizeMode !== p.resizeMode) {
    throw new Error(
      `${methodId}: ${what} images are ${images.height}x${images.width} (${images.resizeMode}) but the method was ` +
        `configured for ${p.inputSize}x${p.inputSize} (${p.resizeMode}); request the images with those settings`,
    );
  }
}

/** Labels aligned with the images, class indices in range, and at least two classes, else an Error. */
export function checkLabelled(methodId: string, labelled: LabelledSet): void {
  if (labelled.labels.length !== labelled.images.ids.length) {
    throw new Error(`${methodId}: ${labelled.labels.length} labels for ${labelled.images.ids.length} labelled images`);
  }
  const classes = new Set(labelled.labels).size;
  if (classes < 2) throw new Error(`${methodId}: the labelled set has ${classes} class(es); at least 2 are needed`);
  for (const y of labelled.labels) {
    if (!(y >= 0 && y < labelled.classNames.length)) throw new Error(`${methodId}: label ${y} is not a class index of ${labelled.classNames.length} classes`);
  }
}

/** Everything `fit` receives: labelled (and validation) sets valid, every image set at the method's settings. */
export function checkFitData(methodId: string, data: FitData, p: { inputSize: number; resizeMode: ResizeMode }): void {
  checkLabelled(methodId, data.labelled);
  checkImageSettings(methodId, data.labelled.images, p, 'labelled');
  checkImageSettings(methodId, data.unlabelled, p, 'unlabelled');
  if (data.validation) {
    checkLabelled(methodId, data.validation);
    checkImageSettings(methodId, data.validation.images, p, 'validation');
  }
}

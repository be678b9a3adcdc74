/** The datasets every installation knows about. Imported for its side effect by index.ts. */
import { MEDMNIST_2D, MEDMNIST_CITATION } from './medmnist-info.js';
import { registerDataset, type DatasetInfo } from './registry.js';

const BRAIN_LABELS = ['glioma_tumor', 'meningioma_tumor', 'no_tumor', 'pituitary_tumor'];
const MEDNIST_LABELS = ['AbdomenCT', 'BreastMRI', 'CXR', 'ChestCT', 'Hand', 'HeadCT'];

const brainTumorMri: Omit<DatasetInfo, 'id' | 'format' | 'expectedSplits'> = {
  description: 'Brain MRI slices (RGB JPEG, mostly 512x512, sizes vary), 4 classes; official Training/Testing split',
  task: 'multi-class',
  labels: BRAIN_LABELS,
  channels: 3,
  source: { homepage: 'https://github.com/SartajBhuvaji/Brain-Tumor-Classification-DataSet' },
  licence: 'none stated (the source repository has no licence file)',
  citation:
    'Bhuvaji S, Kadam A, Bhumkar P, Dedge S, Kanchan S. Brain Tumor Classification (MRI). Kaggle, 2020. doi:10.34740/KAGGLE/DSV/1183165.',
};

const mednist: Omit<DatasetInfo, 'id' | 'format' | 'expectedSplits'> = {
  description: 'MedNIST modality classification (64x64 greyscale JPEG), first 500 files per class; no official split',
  task: 'multi-class',
  labels: MEDNIST_LABELS,
  channels: 1,
  imageSize: [64, 64],
  source: { homepage: 'https://github.com/Project-MONAI/tutorials (MedNIST, distributed by Project MONAI)' },
  licence: 'CC BY-SA 4.0',
  citation:
    'MedNIST, assembled by B. J. Erickson (Mayo Clinic) from TCIA, the RSNA Bone Age challenge and the NIH Chest X-ray dataset; distributed by Project MONAI.',
};

export const BUILTIN_DATASETS: DatasetInfo[] = [
  {
    ...brainTumorMri,
    id: 'brain-tumor-mri',
    format: { kind: 'image-folder', path: 'brain-tumor-mri', splitNames: { Training: 'train', Testing: 'test' } },
    expectedSplits: { train: 2870, test: 394 },
  },
  {
    ...brainTumorMri,
    id: 'brain-tumor-mri-tiny',
    description: 'Fixture: 20 brain MRI JPEGs, 5 per class, no split',
    format: { kind: 'image-folder', path: 'fixtures/brain_tumor_mri_tiny' },
    expectedSplits: { '': 20 },
    fixture: true,
  },
  { ...mednist, id: 'mednist-3000', format: { kind: 'image-folder', path: 'mednist-3000' }, expectedSplits: { '': 3000 } },
  {
    ...mednist,
    id: 'mednist-tiny',
    description: 'Fixture: 60 MedNIST JPEGs, 10 per class, no split',
    format: { kind: 'image-folder', path: 'fixtures/medical_mnist_tiny' },
    expectedSplits: { '': 60 },
    fixture: true,
  },
  ...MEDMNIST_2D.map(
    (m): DatasetInfo => ({
      id: m.flag,
      description: `MedMNIST v3 ${m.flag} (28x28, ${m.channels === 1 ? 'greyscale' : 'RGB'}); other resolutions: 64, 128, 224`,
      task: m.task,
      labels: m.labels,
      format: { kind: 'npz', path: `${m.flag}/${m.flag}.npz`, resolution: 28 },
      channels: m.channels,
      imageSize: [28, 28],
      source: { homepage: 'https://medmnist.com', files: m.files },
      licence: m.licence,
      citation: `${MEDMNIST_CITATION} Source data: ${m.sourceCitation}`,
      expectedSplits: { ...m.splits },
    }),
  ),
];

for (const info of BUILTIN_DATASETS) registerDataset(info);

/** The datasets every installation knows about. Imported for its side effect by index.ts. */
import { MEDMNIST_2D, MEDMNIST_CITATION } from './medmnist-info.js';
import { registerDataset, type DatasetInfo } from './registry.js';

const BRAIN_COMMIT = '3ea9f4eae54c67e5bddbf6f7a73582967a5f5f79';
const MEDNIST_URL = 'https://github.com/Project-MONAI/MONAI-extra-test-data/releases/download/0.8.1/MedNIST.tar.gz';

/**
 * The 20 images of the brain MRI fixture, as paths in the full set (all from Training; a hand-picked
 * list, not the first N per class: checked by sha256 against ../shared/data/fixtures).
 */
const BRAIN_TINY_FILES = [
  'glioma_tumor/gg (540).jpg', 'glioma_tumor/gg (541).jpg', 'glioma_tumor/gg (743).jpg', 'glioma_tumor/gg (823).jpg', 'glioma_tumor/gg (824).jpg',
  'meningioma_tumor/m1(187).jpg', 'meningioma_tumor/m1(191).jpg', 'meningioma_tumor/m1(192).jpg', 'meningioma_tumor/m1(199).jpg', 'meningioma_tumor/m1(5).jpg',
  'no_tumor/image (22).jpg', 'no_tumor/image (28).jpg', 'no_tumor/image (52).jpg', 'no_tumor/image (64).jpg', 'no_tumor/image(43).jpg',
  'pituitary_tumor/p (127).jpg', 'pituitary_tumor/p (488).jpg', 'pituitary_tumor/p (489).jpg', 'pituitary_tumor/p (492).jpg', 'pituitary_tumor/p (814).jpg',
].map((p) => `Training/${p}`);

const BRAIN_LABELS = ['glioma_tumor', 'meningioma_tumor', 'no_tumor', 'pituitary_tumor'];
const MEDNIST_LABELS = ['AbdomenCT', 'BreastMRI', 'CXR', 'ChestCT', 'Hand', 'HeadCT'];

const brainTumorMri: Omit<DatasetInfo, 'id' | 'format' | 'expectedSplits'> = {
  description: 'Brain MRI slices (RGB JPEG, mostly 512x512, sizes vary), 4 classes; official Training/Testing split',
  task: 'multi-class',
  labels: BRAIN_LABELS,
  channels: 3,
  source: { homepage: `https://github.com/SartajBhuvaji/Brain-Tumor-Classification-DataSet/tree/${BRAIN_COMMIT}` },
  licence: 'none stated (the source repository has no licence file)',
  citation:
    'Bhuvaji S, Kadam A, Bhumkar P, Dedge S, Kanchan S. Brain Tumor Classification (MRI). Kaggle, 2020. doi:10.34740/KAGGLE/DSV/1183165.',
};

const mednist: Omit<DatasetInfo, 'id' | 'format' | 'expectedSplits'> = {
  description: 'MedNIST modality classification (64x64 greyscale JPEG), first 500 files per class in sorted file-name order; no official split',
  task: 'multi-class',
  labels: MEDNIST_LABELS,
  channels: 1,
  imageSize: [64, 64],
  source: { homepage: 'https://github.com/Project-MONAI/MONAI-extra-test-data/releases/tag/0.8.1 (MedNIST, distributed by Project MONAI)' },
  licence: 'CC BY-SA 4.0',
  citation:
    'MedNIST, assembled by B. J. Erickson (Mayo Clinic) from TCIA, the RSNA Bone Age challenge and the NIH Chest X-ray dataset; distributed by Project MONAI.',
};

/** Measured with bench/phash.bench.ts at the default threshold (6 bits). */
const RETINA_PHASH_OFF =
  '28 px fundus photographs all hash alike: one chained set of 858 of the 1,600 images at 6 bits (241 at 4), so near-duplicate grouping would merge most of the data into one fold';

const BUSI_HOME = 'https://scholar.cu.edu.eg/?q=afahmy/pages/dataset';
const COVID_CT_REPO = 'https://github.com/UCSD-AI4H/COVID-CT';

const busi: DatasetInfo = {
  id: 'busi',
  description: 'BUSI breast ultrasound (Baheya Hospital, Cairo), 780 images resized to 256x256 RGB PNG, masks left out; no official split. The source of BreastMNIST (which merges benign and normal)',
  task: 'multi-class',
  labels: ['benign', 'malignant', 'normal'],
  format: { kind: 'image-folder', path: 'busi' },
  channels: 3,
  imageSize: [256, 256],
  source: {
    homepage: BUSI_HOME,
    unavailable:
      `BUSI has no stable public download: the authors' page (${BUSI_HOME}) offers Dataset_BUSI_with_GT.zip (~500x500 PNG originals with their masks) behind a web form and Kaggle mirrors need a login; ` +
      'the 256x256 copy used here comes with the project\'s data mirror. Elsewhere: get that zip, delete the masks (files named *_mask*.png, one or more per image), ' +
      'resize each image to 256x256 RGB PNG and keep them in busi/benign, busi/malignant and busi/normal (780 images; labels come from the folder names, or from a labels.csv of path,split,label with the split left empty)',
  },
  licence: 'article CC BY 4.0; the data\'s own licence is not stated clearly (research use)',
  citation: 'Al-Dhabyani W, Gomaa M, Khaled H, Fahmy A. Dataset of breast ultrasound images. Data in Brief 28:104863, 2020. doi:10.1016/j.dib.2019.104863.',
  expectedSplits: { '': 780 },
};

const covidCt: DatasetInfo = {
  id: 'covid-ct',
  description: 'COVID-CT (UCSD-AI4H): CT slices cropped from figures of COVID-19 papers (COVID) and other sources (non-COVID), PNG/JPEG of varying sizes; official train/val/test split of the Data-split lists',
  task: 'binary-class',
  labels: ['covid', 'non-covid'],
  format: { kind: 'image-folder', path: 'covid-ct' },
  channels: 3,
  source: {
    homepage: COVID_CT_REPO,
    fetch: {
      kind: 'archives',
      parts: [
        { url: `${COVID_CT_REPO}/raw/master/Images-processed/CT_COVID.zip`, format: 'zip', into: 'CT_COVID', label: 'covid' },
        { url: `${COVID_CT_REPO}/raw/master/Images-processed/CT_NonCOVID.zip`, format: 'zip', into: 'CT_NonCOVID', label: 'non-covid' },
      ],
      // Per-image sha256 and official split (from Data-split/*/{train,val,test}CT_*.txt): zip bytes may change, images may not.
      manifest: 'covid-ct.sha256.tsv.gz',
    },
  },
  licence: 'research use: the source states that all copyrights belong to the papers\' authors and publishers',
  citation: 'Zhao J, Zhang Y, He X, Xie P. COVID-CT-Dataset: a CT scan dataset about COVID-19. arXiv:2003.13865, 2020.',
  expectedSplits: { train: 425, val: 118, test: 203 },
  nearDuplicateThreshold: {
    bits: 4,
    why: 'small, similar CT crops: at 6 bits near-duplicate sets chain across papers and classes (one of 29 images, 8 sets with both labels) and, joined with the papers, one fold group of 184 of the 746 images; at 4 bits: 16 sets of ≤ 4, 1 with both labels',
  },
  sourceGroups: {
    what: 'COVID: source paper (file-name prefix before -p<page>-, or the PII); non-COVID: source figure (number before %)',
    patterns: ['^(CT_COVID/.+?)-p\\d+-', '^(CT_COVID/PIIS\\d+)', '^(CT_NonCOVID/\\d+)%'],
  },
};

export const BUILTIN_DATASETS: DatasetInfo[] = [
  busi,
  covidCt,
  {
    ...brainTumorMri,
    id: 'brain-tumor-mri',
    format: { kind: 'image-folder', path: 'brain-tumor-mri', splitNames: { Training: 'train', Testing: 'test' } },
    expectedSplits: { train: 2870, test: 394 },
    source: {
      ...brainTumorMri.source,
      // GitHub builds archives on demand (their bytes may change): the images are checked one by one.
      fetch: {
        kind: 'archive',
        url: `https://github.com/SartajBhuvaji/Brain-Tumor-Classification-DataSet/archive/${BRAIN_COMMIT}.tar.gz`,
        format: 'tar.gz',
        stripComponents: 1,
        layout: 'split/class',
        manifest: 'brain-tumor-mri.sha256.tsv.gz',
      },
    },
  },
  {
    ...brainTumorMri,
    id: 'brain-tumor-mri-tiny',
    description: 'Fixture: 20 brain MRI JPEGs, 5 per class, no split',
    format: { kind: 'image-folder', path: 'fixtures/brain_tumor_mri_tiny' },
    expectedSplits: { '': 20 },
    fixture: true,
    source: { ...brainTumorMri.source, fetch: { kind: 'subset', of: 'brain-tumor-mri', select: { files: BRAIN_TINY_FILES }, dropSplit: true } },
  },
  {
    ...mednist,
    id: 'mednist',
    description: 'MedNIST modality classification (64x64 greyscale JPEG), all 58,954 images; no official split',
    format: { kind: 'image-folder', path: 'mednist' },
    expectedSplits: { '': 58954 },
    source: {
      ...mednist.source,
      fetch: { kind: 'archive', url: MEDNIST_URL, format: 'tar.gz', md5: '0bc7306e7427e00ad1c5526a6677552d', stripComponents: 1, layout: 'class' },
    },
  },
  {
    ...mednist,
    id: 'mednist-3000',
    format: { kind: 'image-folder', path: 'mednist-3000' },
    expectedSplits: { '': 3000 },
    source: { ...mednist.source, fetch: { kind: 'subset', of: 'mednist', select: { firstPerClass: 500 } } },
  },
  {
    ...mednist,
    id: 'mednist-tiny',
    description: 'Fixture: 60 MedNIST JPEGs, 10 per class, no split',
    format: { kind: 'image-folder', path: 'fixtures/medical_mnist_tiny' },
    expectedSplits: { '': 60 },
    fixture: true,
    // The first 10 per class of mednist-3000 = of the full set (checked byte for byte against the mirror).
    source: { ...mednist.source, fetch: { kind: 'subset', of: 'mednist-3000', select: { firstPerClass: 10 } } },
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
      ...(m.flag === 'retinamnist' ? { perceptualHashOff: RETINA_PHASH_OFF } : {}),
    }),
  ),
];

for (const info of BUILTIN_DATASETS) registerDataset(info);

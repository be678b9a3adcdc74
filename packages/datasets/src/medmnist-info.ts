/**
 * Official MedMNIST v3.0.2 metadata for the 2D datasets: download URLs and MD5 per resolution,
 * tasks, label names, split sizes, licences. Transcribed from MedMNIST's `medmnist/info.py`
 * (github.com/MedMNIST/MedMNIST medmnist/info.py @805b74237fb5bd2db376fd94e50646b6a8905d9d (v3.0.2)); test/registry.test.ts checks it against that metadata when ../shared/data has it.
 * Source-dataset citations follow the MedMNIST v2 paper.
 */
import type { DatasetFileSource, DatasetTask } from './registry.js';

export interface MedMnistEntry {
  flag: string;
  task: DatasetTask;
  channels: 1 | 3;
  splits: { train: number; val: number; test: number };
  labels: string[];
  licence: string;
  files: DatasetFileSource[];
  sourceCitation: string;
}

export const MEDMNIST_CITATION =
  'Yang J, Shi R, Wei D, Liu Z, Zhao L, Ke B, Pfister H, Ni B. MedMNIST v2 - a large-scale lightweight benchmark for 2D and 3D biomedical image classification. Scientific Data 10:41, 2023.';

export const MEDMNIST_2D: MedMnistEntry[] = [
  {
    "flag": "pathmnist",
    "task": "multi-class",
    "channels": 3,
    "splits": {
      "train": 89996,
      "val": 10004,
      "test": 7180
    },
    "labels": [
      "adipose",
      "background",
      "debris",
      "lymphocytes",
      "mucus",
      "smooth muscle",
      "normal colon mucosa",
      "cancer-associated stroma",
      "colorectal adenocarcinoma epithelium"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/pathmnist.npz?download=1",
        "md5": "a8b06965200029087d5bd730944a56c1"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/pathmnist_64.npz?download=1",
        "md5": "55aa9c1e0525abe5a6b9d8343a507616"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/pathmnist_128.npz?download=1",
        "md5": "ac42d08fb904d92c244187169d1fd1d9"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/pathmnist_224.npz?download=1",
        "md5": "2c51a510bcdc9cf8ddb2af93af1eadec"
      }
    ],
    "sourceCitation": "Kather JN, Krisam J, et al. Predicting survival from colorectal cancer histology slides using deep learning: a retrospective multicenter study. PLOS Medicine 16(1):e1002730, 2019."
  },
  {
    "flag": "chestmnist",
    "task": "multi-label, binary-class",
    "channels": 1,
    "splits": {
      "train": 78468,
      "val": 11219,
      "test": 22433
    },
    "labels": [
      "atelectasis",
      "cardiomegaly",
      "effusion",
      "infiltration",
      "mass",
      "nodule",
      "pneumonia",
      "pneumothorax",
      "consolidation",
      "edema",
      "emphysema",
      "fibrosis",
      "pleural",
      "hernia"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/chestmnist.npz?download=1",
        "md5": "02c8a6516a18b556561a56cbdd36c4a8"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/chestmnist_64.npz?download=1",
        "md5": "9de6cd0b934ebb5b7426cfba5efbae16"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/chestmnist_128.npz?download=1",
        "md5": "db107e5590b27930b62dbaf558aebee3"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/chestmnist_224.npz?download=1",
        "md5": "45bd33e6f06c3e8cdb481c74a89152aa"
      }
    ],
    "sourceCitation": "Wang X, Peng Y, Lu L, Lu Z, Bagheri M, Summers RM. ChestX-ray8: hospital-scale chest X-ray database and benchmarks on weakly-supervised classification and localization of common thorax diseases. CVPR 2017."
  },
  {
    "flag": "dermamnist",
    "task": "multi-class",
    "channels": 3,
    "splits": {
      "train": 7007,
      "val": 1003,
      "test": 2005
    },
    "labels": [
      "actinic keratoses and intraepithelial carcinoma",
      "basal cell carcinoma",
      "benign keratosis-like lesions",
      "dermatofibroma",
      "melanoma",
      "melanocytic nevi",
      "vascular lesions"
    ],
    "licence": "CC BY-NC 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/dermamnist.npz?download=1",
        "md5": "0744692d530f8e62ec473284d019b0c7"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/dermamnist_64.npz?download=1",
        "md5": "b70a2f5635c6199aeaa28c31d7202e1f"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/dermamnist_128.npz?download=1",
        "md5": "2defd784463fa5243564e855ed717de1"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/dermamnist_224.npz?download=1",
        "md5": "8974907d8e169bef5f5b96bc506ae45d"
      }
    ],
    "sourceCitation": "Tschandl P, Rosendahl C, Kittler H. The HAM10000 dataset, a large collection of multi-source dermatoscopic images of common pigmented skin lesions. Scientific Data 5:180161, 2018. Codella N, et al. Skin lesion analysis toward melanoma detection 2018: a challenge hosted by the ISIC. arXiv:1902.03368."
  },
  {
    "flag": "octmnist",
    "task": "multi-class",
    "channels": 1,
    "splits": {
      "train": 97477,
      "val": 10832,
      "test": 1000
    },
    "labels": [
      "choroidal neovascularization",
      "diabetic macular edema",
      "drusen",
      "normal"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/octmnist.npz?download=1",
        "md5": "c68d92d5b585d8d81f7112f81e2d0842"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/octmnist_64.npz?download=1",
        "md5": "e229e9440236b774d9f0dfef9d07bdaf"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/octmnist_128.npz?download=1",
        "md5": "0a97e76651ace45c5d943ee3f65b63ae"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/octmnist_224.npz?download=1",
        "md5": "abc493b6d529d5de7569faaef2773ba3"
      }
    ],
    "sourceCitation": "Kermany DS, Goldbaum M, et al. Identifying medical diagnoses and treatable diseases by image-based deep learning. Cell 172(5):1122-1131, 2018."
  },
  {
    "flag": "pneumoniamnist",
    "task": "binary-class",
    "channels": 1,
    "splits": {
      "train": 4708,
      "val": 524,
      "test": 624
    },
    "labels": [
      "normal",
      "pneumonia"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/pneumoniamnist.npz?download=1",
        "md5": "28209eda62fecd6e6a2d98b1501bb15f"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/pneumoniamnist_64.npz?download=1",
        "md5": "8f4eceb4ccffa70c672198ea285246c6"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/pneumoniamnist_128.npz?download=1",
        "md5": "05b46931834c231683c68f40c47b2971"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/pneumoniamnist_224.npz?download=1",
        "md5": "d6a3c71de1b945ea11211b03746c1fe1"
      }
    ],
    "sourceCitation": "Kermany DS, Goldbaum M, et al. Identifying medical diagnoses and treatable diseases by image-based deep learning. Cell 172(5):1122-1131, 2018."
  },
  {
    "flag": "retinamnist",
    "task": "ordinal-regression",
    "channels": 3,
    "splits": {
      "train": 1080,
      "val": 120,
      "test": 400
    },
    "labels": [
      "0",
      "1",
      "2",
      "3",
      "4"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/retinamnist.npz?download=1",
        "md5": "bd4c0672f1bba3e3a89f0e4e876791e4"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/retinamnist_64.npz?download=1",
        "md5": "afda852cc34dcda56f86ad2b2457dbcc"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/retinamnist_128.npz?download=1",
        "md5": "e48e916a24454daf90583d4e6efb1a18"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/retinamnist_224.npz?download=1",
        "md5": "eae7e3b6f3fcbda4ae613ebdcbe35348"
      }
    ],
    "sourceCitation": "Liu R, Wang X, et al. DeepDRiD: diabetic retinopathy - grading and image quality estimation challenge. Patterns 3(6):100512, 2022."
  },
  {
    "flag": "breastmnist",
    "task": "binary-class",
    "channels": 1,
    "splits": {
      "train": 546,
      "val": 78,
      "test": 156
    },
    "labels": [
      "malignant",
      "normal, benign"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/breastmnist.npz?download=1",
        "md5": "750601b1f35ba3300ea97c75c52ff8f6"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/breastmnist_64.npz?download=1",
        "md5": "742edef2a1fd1524b2efff4bd7ba9364"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/breastmnist_128.npz?download=1",
        "md5": "363e4b3f8d712e9b5de15470a2aaadf1"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/breastmnist_224.npz?download=1",
        "md5": "b56378a6eefa9fed602bb16d192d4c8b"
      }
    ],
    "sourceCitation": "Al-Dhabyani W, Gomaa M, Khaled H, Fahmy A. Dataset of breast ultrasound images. Data in Brief 28:104863, 2020."
  },
  {
    "flag": "bloodmnist",
    "task": "multi-class",
    "channels": 3,
    "splits": {
      "train": 11959,
      "val": 1712,
      "test": 3421
    },
    "labels": [
      "basophil",
      "eosinophil",
      "erythroblast",
      "immature granulocytes(myelocytes, metamyelocytes and promyelocytes)",
      "lymphocyte",
      "monocyte",
      "neutrophil",
      "platelet"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/bloodmnist.npz?download=1",
        "md5": "7053d0359d879ad8a5505303e11de1dc"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/bloodmnist_64.npz?download=1",
        "md5": "2b94928a2ae4916078ca51e05b6b800b"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/bloodmnist_128.npz?download=1",
        "md5": "adace1e0ed228fccda1f39692059dd4c"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/bloodmnist_224.npz?download=1",
        "md5": "b718ff6835fcbdb22ba9eacccd7b2601"
      }
    ],
    "sourceCitation": "Acevedo A, Merino A, et al. A dataset of microscopic peripheral blood cell images for development of automatic recognition systems. Data in Brief 30:105474, 2020."
  },
  {
    "flag": "tissuemnist",
    "task": "multi-class",
    "channels": 1,
    "splits": {
      "train": 165466,
      "val": 23640,
      "test": 47280
    },
    "labels": [
      "Collecting Duct, Connecting Tubule",
      "Distal Convoluted Tubule",
      "Glomerular endothelial cells",
      "Interstitial endothelial cells",
      "Leukocytes",
      "Podocytes",
      "Proximal Tubule Segments",
      "Thick Ascending Limb"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/tissuemnist.npz?download=1",
        "md5": "ebe78ee8b05294063de985d821c1c34b"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/tissuemnist_64.npz?download=1",
        "md5": "123ece2eba09d0aa5d698fda57103344"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/tissuemnist_128.npz?download=1",
        "md5": "61b955355d7425a89687b06cca3ce0c2"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/tissuemnist_224.npz?download=1",
        "md5": "b077128c4a949f0a4eb01517f9037b9c"
      }
    ],
    "sourceCitation": "Ljosa V, Sokolnicki KL, Carpenter AE. Annotated high-throughput microscopy image sets for validation. Nature Methods 9(7):637, 2012."
  },
  {
    "flag": "organamnist",
    "task": "multi-class",
    "channels": 1,
    "splits": {
      "train": 34561,
      "val": 6491,
      "test": 17778
    },
    "labels": [
      "bladder",
      "femur-left",
      "femur-right",
      "heart",
      "kidney-left",
      "kidney-right",
      "liver",
      "lung-left",
      "lung-right",
      "pancreas",
      "spleen"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/organamnist.npz?download=1",
        "md5": "68e3f8846a6bd62f0c9bf841c0d9eacc"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/organamnist_64.npz?download=1",
        "md5": "2dcccc29b88e6da5a01161ef20cda288"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/organamnist_128.npz?download=1",
        "md5": "eeae80d0a227a8d099027e1b3cfd3b60"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/organamnist_224.npz?download=1",
        "md5": "50747347e05c87dd3aaf92c49f9f3170"
      }
    ],
    "sourceCitation": "Bilic P, Christ P, et al. The Liver Tumor Segmentation Benchmark (LiTS). Medical Image Analysis 84:102680, 2023. Xu X, Zhou F, et al. Efficient multiple organ localization in CT image using 3D region proposal network. IEEE TMI 38(8):1885-1898, 2019."
  },
  {
    "flag": "organcmnist",
    "task": "multi-class",
    "channels": 1,
    "splits": {
      "train": 12975,
      "val": 2392,
      "test": 8216
    },
    "labels": [
      "bladder",
      "femur-left",
      "femur-right",
      "heart",
      "kidney-left",
      "kidney-right",
      "liver",
      "lung-left",
      "lung-right",
      "pancreas",
      "spleen"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/organcmnist.npz?download=1",
        "md5": "b9ceb9546e10131b32923c5bbeaea2b1"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/organcmnist_64.npz?download=1",
        "md5": "3ce34a8724ea6f548e6db4744d03b6a9"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/organcmnist_128.npz?download=1",
        "md5": "773c1f009daa3fe5d9a2a201b2a7ed94"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/organcmnist_224.npz?download=1",
        "md5": "050f5e875dc056f6768abf94ec9995d1"
      }
    ],
    "sourceCitation": "Bilic P, Christ P, et al. The Liver Tumor Segmentation Benchmark (LiTS). Medical Image Analysis 84:102680, 2023. Xu X, Zhou F, et al. Efficient multiple organ localization in CT image using 3D region proposal network. IEEE TMI 38(8):1885-1898, 2019."
  },
  {
    "flag": "organsmnist",
    "task": "multi-class",
    "channels": 1,
    "splits": {
      "train": 13932,
      "val": 2452,
      "test": 8827
    },
    "labels": [
      "bladder",
      "femur-left",
      "femur-right",
      "heart",
      "kidney-left",
      "kidney-right",
      "liver",
      "lung-left",
      "lung-right",
      "pancreas",
      "spleen"
    ],
    "licence": "CC BY 4.0",
    "files": [
      {
        "resolution": 28,
        "url": "https://zenodo.org/records/10519652/files/organsmnist.npz?download=1",
        "md5": "9ab87b696fb54e2a387ebe992d6ed5f1"
      },
      {
        "resolution": 64,
        "url": "https://zenodo.org/records/10519652/files/organsmnist_64.npz?download=1",
        "md5": "53a6d115339d874c25e309a994ff46d3"
      },
      {
        "resolution": 128,
        "url": "https://zenodo.org/records/10519652/files/organsmnist_128.npz?download=1",
        "md5": "ded0c5fa01a95dc4978b956f613e9b8e"
      },
      {
        "resolution": 224,
        "url": "https://zenodo.org/records/10519652/files/organsmnist_224.npz?download=1",
        "md5": "b354719e553fbbb2513d5533f52a4cb1"
      }
    ],
    "sourceCitation": "Bilic P, Christ P, et al. The Liver Tumor Segmentation Benchmark (LiTS). Medical Image Analysis 84:102680, 2023. Xu X, Zhou F, et al. Efficient multiple organ localization in CT image using 3D region proposal network. IEEE TMI 38(8):1885-1898, 2019."
  }
];

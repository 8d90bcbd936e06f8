// The models maskflow knows by name: where each file comes from, how to check
// it, its licence and how maskflow runs it. Shipped in the package; no weights.
//
// Checksums: a value is written here only when it comes from a published
// source that can be checked (rembg's md5 list, @imgly/background-removal-data's
// resources.json). Where no sha256 is published, none is invented: the sha256
// of the first verified download is pinned in the cache (maskflow-pins.json)
// and `maskflow models verify` checks the files against it afterwards.
import type { SegmenterPreset } from '../vision/models/segmenter-presets.js';

export type ModelTask = 'segmenter' | 'detector' | 'ranker';

/** A download location: a path on a host, so mirrors can replace the host. */
export interface FileSource {
  /** 'github' (MASKFLOW_MODEL_HOST overrides) or 'huggingface' (HF_ENDPOINT, then MASKFLOW_MODEL_HOST). */
  host: 'github' | 'huggingface' | 'mirror-only';
  /** Path on that host, without a leading slash. */
  path: string;
}

export interface RegistryFile {
  /** Where the file lives inside the model's cache folder. */
  path: string;
  source: FileSource;
  /** Published checksums; absent = pinned on first download (see above). */
  sha256?: string;
  md5?: string;
  /** Exact size in bytes when published. */
  size?: number;
}

export interface RegistryModel {
  name: string;
  aliases: readonly string[];
  task: ModelTask;
  /** Segmenter normalisation preset (segmenters only). */
  preset?: SegmenterPreset;
  /** Model input, e.g. "1x3x1024x1024". */
  inputSize: string;
  licence: string;
  description: string;
  homepage: string;
  /** Where the published checksums come from. */
  checksumSource?: string;
  files: readonly RegistryFile[];
  /** What `maskflow models path NAME` and the CLI get: a file inside the folder, or '.' for the folder (CLIP). */
  entry: string;
  /** Assembled from an npm package instead of downloaded, when that package is installed. */
  npm?: { package: string; resource: string };
  /** Why there is no public download, and what to do instead. */
  note?: string;
}

const REMBG_RELEASE = 'danielgatis/rembg/releases/download/v0.0.0';

export const MODEL_REGISTRY: readonly RegistryModel[] = [
  {
    name: 'isnet',
    aliases: ['isnet-fp32', 'imgly-isnet'],
    task: 'segmenter',
    preset: 'isnet',
    inputSize: '1x3x1024x1024',
    licence: 'AGPL-3.0 (the @imgly/background-removal-data package)',
    description: 'IS-Net (DIS) general-use segmenter, fp32, assembled from the npm package @imgly/background-removal-data (no download)',
    homepage: 'https://www.npmjs.com/package/@imgly/background-removal-data',
    checksumSource: "the package's dist/resources.json (per-chunk sha256 and total size)",
    files: [{ path: 'isnet-fp32.onnx', source: { host: 'mirror-only', path: 'imgly/isnet-fp32.onnx' }, size: 88188479 }],
    entry: 'isnet-fp32.onnx',
    npm: { package: '@imgly/background-removal-data', resource: '/models/medium' },
    note: 'install the npm package next to maskflow: `npm install @imgly/background-removal-data` (AGPL-3.0), or use isnet-general-use (a download)',
  },
  {
    name: 'isnet-general-use',
    aliases: ['isnet-general'],
    task: 'segmenter',
    preset: 'isnet',
    inputSize: '1x3x1024x1024',
    licence: 'Apache-2.0 (xuebinqin/DIS)',
    description: 'IS-Net (DIS) general-use salient-object segmenter, the ONNX export rembg uses',
    homepage: 'https://github.com/xuebinqin/DIS',
    checksumSource: "rembg's session code (md5)",
    files: [{ path: 'isnet-general-use.onnx', source: { host: 'github', path: `${REMBG_RELEASE}/isnet-general-use.onnx` }, md5: 'fc16ebd8b0c10d971d3513d564d01e29' }],
    entry: 'isnet-general-use.onnx',
  },
  {
    name: 'u2net',
    aliases: [],
    task: 'segmenter',
    preset: 'u2net',
    inputSize: '1x3x320x320',
    licence: 'Apache-2.0 (xuebinqin/U-2-Net)',
    description: 'U²-Net salient-object segmenter (general use)',
    homepage: 'https://github.com/xuebinqin/U-2-Net',
    checksumSource: "rembg's session code (md5)",
    files: [{ path: 'u2net.onnx', source: { host: 'github', path: `${REMBG_RELEASE}/u2net.onnx` }, md5: '60024c5c889badc19c04ad937298a77b' }],
    entry: 'u2net.onnx',
  },
  {
    name: 'u2netp',
    aliases: [],
    task: 'segmenter',
    preset: 'u2net',
    inputSize: '1x3x320x320',
    licence: 'Apache-2.0 (xuebinqin/U-2-Net)',
    description: 'U²-Net small (a few MB, faster, coarser)',
    homepage: 'https://github.com/xuebinqin/U-2-Net',
    checksumSource: "rembg's session code (md5)",
    files: [{ path: 'u2netp.onnx', source: { host: 'github', path: `${REMBG_RELEASE}/u2netp.onnx` }, md5: '8e83ca70e441ab06c318d82300c84806' }],
    entry: 'u2netp.onnx',
  },
  {
    name: 'u2net_human_seg',
    aliases: ['u2net-human-seg'],
    task: 'segmenter',
    preset: 'u2net',
    inputSize: '1x3x320x320',
    licence: 'Apache-2.0 (xuebinqin/U-2-Net)',
    description: 'U²-Net trained for people',
    homepage: 'https://github.com/xuebinqin/U-2-Net',
    checksumSource: "rembg's session code (md5)",
    files: [{ path: 'u2net_human_seg.onnx', source: { host: 'github', path: `${REMBG_RELEASE}/u2net_human_seg.onnx` }, md5: 'c09ddc2e0104f800e3e1bb4652583d1f' }],
    entry: 'u2net_human_seg.onnx',
  },
  {
    name: 'modnet',
    aliases: [],
    task: 'segmenter',
    preset: 'modnet',
    inputSize: '1x3xHxW (short side 512, multiples of 32)',
    licence: 'Apache-2.0 (ZHKKKe/MODNet)',
    description: 'MODNet portrait matting, the Hugging Face ONNX export transformers.js uses',
    homepage: 'https://huggingface.co/Xenova/modnet',
    files: [{ path: 'onnx/model.onnx', source: { host: 'huggingface', path: 'Xenova/modnet/resolve/main/onnx/model.onnx' } }],
    entry: 'onnx/model.onnx',
  },
  {
    name: 'yolo11n',
    aliases: ['yolo11'],
    task: 'detector',
    inputSize: '1x3x640x640',
    licence: 'AGPL-3.0 (Ultralytics)',
    description: 'Ultralytics YOLO11 nano detector (80 COCO classes), ONNX export',
    homepage: 'https://docs.ultralytics.com/models/yolo11/',
    files: [{ path: 'yolo11n.onnx', source: { host: 'mirror-only', path: 'ultralytics/yolo11n.onnx' } }],
    entry: 'yolo11n.onnx',
    note: 'Ultralytics publishes PyTorch weights, not ONNX: export it (`yolo export model=yolo11n.pt format=onnx`) and place yolo11n.onnx in the cache, or serve it from a mirror (MASKFLOW_MODEL_HOST)',
  },
  {
    name: 'yolov8n',
    aliases: ['yolov8'],
    task: 'detector',
    inputSize: '1x3x640x640',
    licence: 'AGPL-3.0 (Ultralytics)',
    description: 'Ultralytics YOLOv8 nano detector (80 COCO classes), ONNX export',
    homepage: 'https://docs.ultralytics.com/models/yolov8/',
    files: [{ path: 'yolov8n.onnx', source: { host: 'mirror-only', path: 'ultralytics/yolov8n.onnx' } }],
    entry: 'yolov8n.onnx',
    note: 'Ultralytics publishes PyTorch weights, not ONNX: export it (`yolo export model=yolov8n.pt format=onnx`) and place yolov8n.onnx in the cache, or serve it from a mirror (MASKFLOW_MODEL_HOST)',
  },
  {
    name: 'clip-vit-base-patch32',
    aliases: ['clip'],
    task: 'ranker',
    inputSize: '1x3x224x224 (vision), 1x77 (text)',
    licence: 'MIT (openai/CLIP)',
    description: 'CLIP ViT-B/32 image and text encoders, the Hugging Face ONNX layout transformers.js uses',
    homepage: 'https://huggingface.co/Xenova/clip-vit-base-patch32',
    files: [
      { path: 'onnx/vision_model.onnx', source: { host: 'huggingface', path: 'Xenova/clip-vit-base-patch32/resolve/main/onnx/vision_model.onnx' } },
      { path: 'onnx/text_model.onnx', source: { host: 'huggingface', path: 'Xenova/clip-vit-base-patch32/resolve/main/onnx/text_model.onnx' } },
      { path: 'tokenizer.json', source: { host: 'huggingface', path: 'Xenova/clip-vit-base-patch32/resolve/main/tokenizer.json' } },
    ],
    entry: '.',
  },
];

export function modelNames(): string[] {
  return MODEL_REGISTRY.flatMap((m) => [m.name, ...m.aliases]);
}

export function findModel(name: string): RegistryModel | undefined {
  const n = name.toLowerCase();
  return MODEL_REGISTRY.find((m) => m.name === n || m.aliases.includes(n));
}

/** True when `value` names a file or folder rather than a registry entry. */
export function looksLikePath(value: string): boolean {
  return /[\\/]/.test(value) || /\.onnx$/i.test(value) || value.startsWith('.') || value.startsWith('~');
}

// Ultralytics YOLO ONNX detector: validates the export's signature once, then per image
// letterboxes, runs, decodes (grid or end-to-end form), applies NMS and maps boxes back.
import { ModelFileError } from './errors.js';
import { checkRgbImage, type RgbImage } from './rgb-resample.js';
import { computeLetterbox, letterboxToTensor, unletterboxBox, type Letterbox } from './letterbox.js';
import { checkNmsOptions, nms, type NmsOptions } from './nms.js';
import { readOnnxHeader } from './onnx-file.js';
import { parseClassNames } from './python-literal.js';
import { type LoadContext } from './load-counts.js';
import { createSession, fixedDim, releaseQuietly, requireValue, type Session, type TensorMeta } from './session.js';
import { floatTensor, readFloats } from './tensors.js';
import { decodeSegMask, decodeYoloEndToEnd, decodeYoloGrid, type Protos, type RawDetection } from './yolo-decode.js';

export type DetectorForm = 'grid' | 'end2end';

export interface Candidate {
  /** x, y, w, h in source image pixels */
  box: [number, number, number, number];
  score: number;
  classId: number;
  label: string;
  /** The same box in letterboxed network pixels (x1, y1, x2, y2), for mask decoding. */
  letterboxed: RawDetection;
}

export interface Detection {
  candidates: Candidate[];
  letterbox: Letterbox;
  protos?: Protos;
}

const DEFAULT_SIZE = 640;

/** imgsz metadata such as "[640, 640]" (h, w) or "640". */
function parseImgsz(text: string | undefined): [number, number] | undefined {
  if (!text) return undefined;
  const nums = text.match(/\d+/g)?.map(Number) ?? [];
  if (nums.length === 1) return [nums[0], nums[0]];
  if (nums.length >= 2) return [nums[0], nums[1]];
  return undefined;
}

export class YoloDetector {
  private constructor(
    readonly file: string,
    private readonly session: Session,
    private readonly input: TensorMeta,
    readonly inputW: number,
    readonly inputH: number,
    readonly names: string[],
    readonly segment: boolean,
    private readonly form: DetectorForm | undefined,
  ) {}

  static async load(file: string, context: LoadContext = {}): Promise<YoloDetector> {
    const header = readOnnxHeader(file);
    let names: string[] = [];
    if (header.metadata.names !== undefined) {
      try {
        names = parseClassNames(header.metadata.names);
      } catch (err) {
        throw new ModelFileError(file, `metadata_props "names" is not a Python dict of class names: ${(err as Error).message}`);
      }
    }
    const session = await createSession('detector', file, context, header);
    try {
      const input = requireValue(session, file, 'input', 'YOLO detector', {
        names: ['images'],
        types: ['float32', 'float16'],
        rank: 4,
        dims: [1, 3],
        layout: '[1,3,640,640] (or [batch,3,height,width])',
      });
      if (session.inputNames.length !== 1) {
        throw new ModelFileError(file, `YOLO detector: expected exactly one input "images", found ${session.inputNames.join(', ')}`);
      }
      const out0 = requireValue(session, file, 'output', 'YOLO detector', {
        names: ['output0'],
        types: ['float32', 'float16'],
        rank: 3,
        layout: '[1,4+nc,8400] (detect), [1,4+nc+32,8400] (segment) or [1,300,6] (end-to-end)',
      });
      const segment = session.outputNames.includes('output1');
      let nm = 0;
      if (segment) {
        const out1 = requireValue(session, file, 'output', 'YOLO segment model', {
          names: ['output1'],
          types: ['float32', 'float16'],
          rank: 4,
          dims: [1, 32],
          layout: '[1,32,160,160] mask prototypes',
        });
        nm = fixedDim(out1, 1) ?? 32;
      }
      const imgsz = parseImgsz(header.metadata.imgsz);
      const h = fixedDim(input, 2) ?? imgsz?.[0] ?? DEFAULT_SIZE;
      const w = fixedDim(input, 3) ?? imgsz?.[1] ?? DEFAULT_SIZE;
      // Form from the declared shape when fixed: end-to-end has a last dim of 6 (+nm).
      let form: DetectorForm | undefined;
      const last = fixedDim(out0, 2);
      const channels = fixedDim(out0, 1);
      if (last !== undefined) form = last === 6 + nm ? 'end2end' : 'grid';
      if (form === 'grid' && channels !== undefined) {
        const nc = channels - 4 - nm;
        if (nc < 1) throw new ModelFileError(file, `YOLO detector: output0 has ${channels} channels, expected 4 box + ≥1 class${nm ? ` + ${nm} mask` : ''} channels`);
        if (names.length && names.length !== nc) {
          throw new ModelFileError(file, `metadata_props "names" lists ${names.length} classes but output0 has ${nc} class channels`);
        }
      }
      return new YoloDetector(file, session, input, w, h, names, segment, form);
    } catch (err) {
      await releaseQuietly([session]);
      throw err;
    }
  }

  label(classId: number): string {
    return this.names[classId] ?? `class${classId}`;
  }

  async detect(image: RgbImage, options: NmsOptions = {}): Promise<Detection> {
    checkRgbImage(image);
    const nmsOptions = checkNmsOptions(options);
    const lb = computeLetterbox(image.width, image.height, this.inputW, this.inputH);
    const pixels = letterboxToTensor(image, lb);
    const feeds = { [this.input.name]: floatTensor(this.input.type, pixels, [1, 3, this.inputH, this.inputW]) };
    const out = await this.session.run(feeds);
    const out0 = out.output0;
    const data = readFloats(out0, `${this.file} output0`);
    const dims = out0.dims;
    let protos: Protos | undefined;
    if (this.segment) {
      const p = out.output1;
      protos = { data: readFloats(p, `${this.file} output1`), c: p.dims[1], h: p.dims[2], w: p.dims[3] };
    }
    const nm = protos?.c ?? 0;
    const form = this.form ?? (dims[2] === 6 + nm ? 'end2end' : 'grid');
    const raw =
      form === 'end2end'
        ? decodeYoloEndToEnd(data, dims[1], dims[2], nmsOptions.confThreshold)
        : decodeYoloGrid(data, dims[2], dims[1] - 4 - nm, nm, nmsOptions.confThreshold);
    // End-to-end heads are trained to emit one box per object; NMS is then (almost) a no-op,
    // but it keeps duplicates from reaching the ranker.
    const kept = nms(raw, nmsOptions);
    const candidates: Candidate[] = [];
    for (const d of kept) {
      const [x1, y1, x2, y2] = unletterboxBox(lb, d.x1, d.y1, d.x2, d.y2);
      if (x2 - x1 <= 0 || y2 - y1 <= 0) continue; // entirely in the padding
      candidates.push({ box: [x1, y1, x2 - x1, y2 - y1], score: d.score, classId: d.classId, label: this.label(d.classId), letterboxed: d });
    }
    return { candidates, letterbox: lb, protos };
  }

  /** Image-sized 0/255 mask of a candidate, for segment models; undefined otherwise. */
  maskFor(detection: Detection, candidate: Candidate): Uint8Array | undefined {
    if (!detection.protos || !candidate.letterboxed.coeffs) return undefined;
    return decodeSegMask(detection.protos, candidate.letterboxed.coeffs, candidate.letterboxed, detection.letterbox);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export type { NmsOptions };

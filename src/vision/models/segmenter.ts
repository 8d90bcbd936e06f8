// Salient-object / matting segmenter (image → 1-channel mask) with the normalisation
// presets of U²-Net, IS-Net and MODNet. Used to refine the chosen subject's mask inside
// its padded box: crop, run, paste back.
import { ModelFileError } from './errors.js';
import { boxToPixelRect, checkRgbImage, cropRgb, resizeBilinearPlane, resizeBilinearRgbPlanar, type RgbImage } from './rgb-resample.js';
import { type LoadContext } from './load-counts.js';
import { createSession, fixedDim, releaseQuietly, requireValue, type Session, type TensorMeta } from './session.js';
import { floatTensor, readFloats } from './tensors.js';

import { SEGMENTER_PRESETS, type SegmenterPreset } from './segmenter-presets.js';

export { SEGMENTER_PRESETS, type SegmenterPreset };

interface PresetSpec {
  defaultSize: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** 'max': divide by the image maximum (rembg's U²-Net); 255: divide by 255 */
  scale: 'max' | 255;
  /** min-max normalise the output */
  minMax: boolean;
}

const PRESETS: Record<SegmenterPreset, PresetSpec> = {
  u2net: { defaultSize: 320, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], scale: 'max', minMax: true },
  isnet: { defaultSize: 1024, mean: [0.5, 0.5, 0.5], std: [1, 1, 1], scale: 255, minMax: true },
  // (x − 127.5)/127.5 = (x/255 − 0.5)/0.5
  modnet: { defaultSize: 512, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], scale: 255, minMax: false },
};

/** MODNet input size: short side ~512, both sides multiples of 32. */
export function modnetSize(width: number, height: number, ref = 512): [number, number] {
  const k = ref / Math.min(width, height);
  const to32 = (v: number): number => Math.max(32, v - (v % 32));
  return [to32(Math.round(width * k)), to32(Math.round(height * k))];
}

/** Image → planar normalised floats [3, h, w] for a preset (resize is bilinear). */
export function segmenterPixels(image: RgbImage, preset: SegmenterPreset, w: number, h: number): Float32Array {
  const spec = PRESETS[preset];
  let divisor = 255;
  if (spec.scale === 'max') {
    let max = 0;
    const data = image.data;
    for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
    divisor = Math.max(1, max);
  }
  // (v / divisor − mean) / std as one multiply-add per value, inside the resize.
  const scale = spec.std.map((s) => 1 / (divisor * s)) as [number, number, number];
  const offset = spec.mean.map((m, c) => -m / spec.std[c]) as [number, number, number];
  return resizeBilinearRgbPlanar(image, w, h, scale, offset);
}

export class Segmenter {
  private constructor(
    readonly file: string,
    readonly preset: SegmenterPreset,
    private readonly session: Session,
    private readonly input: TensorMeta,
    private readonly output: TensorMeta,
  ) {}

  static async load(file: string, preset: SegmenterPreset = 'u2net', context: LoadContext = {}): Promise<Segmenter> {
    if (!SEGMENTER_PRESETS.includes(preset)) throw new RangeError(`segmenter preset must be one of ${SEGMENTER_PRESETS.join(', ')} (got ${String(preset)})`);
    const session = await createSession('segmenter', file, context);
    try {
      if (session.inputNames.length !== 1) {
        throw new ModelFileError(file, `segmenter: expected one image input [1,3,H,W], found ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); recurrent matting models such as Robust Video Matting are not supported`);
      }
      const input = requireValue(session, file, 'input', `segmenter (${preset})`, {
        names: preset === 'modnet' ? ['input'] : undefined,
        types: ['float32', 'float16'],
        rank: 4,
        dims: [1, 3],
        layout: preset === 'modnet' ? '[1,3,H,W] (H, W multiples of 32)' : `[1,3,${PRESETS[preset].defaultSize},${PRESETS[preset].defaultSize}]`,
      });
      const output = requireValue(session, file, 'output', `segmenter (${preset})`, {
        names: preset === 'modnet' ? ['output'] : undefined,
        types: ['float32', 'float16'],
        rank: 4,
        dims: [1, 1],
        layout: '[1,1,H,W] mask',
      });
      return new Segmenter(file, preset, session, input, output);
    } catch (err) {
      await releaseQuietly([session]);
      throw err;
    }
  }

  private inputSize(image: RgbImage): [number, number] {
    const h = fixedDim(this.input, 2);
    const w = fixedDim(this.input, 3);
    if (w && h) return [w, h];
    if (this.preset === 'modnet') return modnetSize(image.width, image.height);
    const d = PRESETS[this.preset].defaultSize;
    return [w ?? d, h ?? d];
  }

  /** Mask of the whole `image` at its size, 0..255. */
  async mask(image: RgbImage): Promise<Uint8Array> {
    checkRgbImage(image);
    const [w, h] = this.inputSize(image);
    const pixels = segmenterPixels(image, this.preset, w, h);
    const out = await this.session.run({ [this.input.name]: floatTensor(this.input.type, pixels, [1, 3, h, w]) });
    const tensor = out[this.output.name];
    const values = readFloats(tensor, `${this.file} ${this.output.name}`);
    const [oh, ow] = [tensor.dims[2], tensor.dims[3]];
    if (values.length !== ow * oh) throw new ModelFileError(this.file, `segmenter output ${this.output.name} has ${values.length} values for ${ow}x${oh}`);
    let lo = 0;
    let hi = 1;
    if (PRESETS[this.preset].minMax) {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const range = hi - lo > 1e-6 ? hi - lo : 1;
    const resized = resizeBilinearPlane(values, ow, oh, image.width, image.height);
    const mask = new Uint8Array(image.width * image.height);
    for (let i = 0; i < mask.length; i++) mask[i] = Math.round(Math.min(1, Math.max(0, (resized[i] - lo) / range)) * 255);
    return mask;
  }

  /**
   * Mask of the subject in `box` (x, y, w, h) at image size: the box padded by `pad` of its
   * size on each side is cropped, segmented and pasted back; outside it the mask is 0.
   */
  async maskInBox(image: RgbImage, box: readonly [number, number, number, number], pad = 0.15): Promise<Uint8Array> {
    checkRgbImage(image);
    const padded: [number, number, number, number] = [box[0] - box[2] * pad, box[1] - box[3] * pad, box[2] * (1 + 2 * pad), box[3] * (1 + 2 * pad)];
    const r = boxToPixelRect(padded, image.width, image.height);
    const local = await this.mask(cropRgb(image, r.x, r.y, r.w, r.h));
    const out = new Uint8Array(image.width * image.height);
    for (let y = 0; y < r.h; y++) out.set(local.subarray(y * r.w, (y + 1) * r.w), (r.y + y) * image.width + r.x);
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

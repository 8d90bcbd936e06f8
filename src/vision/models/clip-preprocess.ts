// CLIP image pre-processing as transformers' CLIPImageProcessor does it: shortest side to
// 224 (bicubic), centre crop 224×224, /255, normalise with the OpenAI mean/std, CHW.
import { resizeBicubicRgb, type RgbImage } from './rgb-resample.js';

export const CLIP_IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_IMAGE_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** Size after "shortest side = size" (the long side truncated like transformers does). */
export function shortestSideSize(width: number, height: number, size: number): [number, number] {
  if (width <= height) return [size, Math.max(size, Math.floor((size * height) / width))];
  return [Math.max(size, Math.floor((size * width) / height)), size];
}

/** Writes one image as planar [3, size, size] floats into `out` at `offset`. */
export function clipPixels(image: RgbImage, size = 224, out = new Float32Array(3 * size * size), offset = 0): Float32Array {
  const [rw, rh] = shortestSideSize(image.width, image.height, size);
  const resized = resizeBicubicRgb(image, rw, rh);
  const left = Math.floor((rw - size) / 2);
  const top = Math.floor((rh - size) / 2);
  const plane = size * size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const s = ((y + top) * rw + (x + left)) * 3;
      const d = offset + y * size + x;
      for (let c = 0; c < 3; c++) {
        // Pillow hands back uint8 after resizing, so round before rescaling.
        out[d + c * plane] = (Math.round(resized[s + c]) / 255 - CLIP_IMAGE_MEAN[c]) / CLIP_IMAGE_STD[c];
      }
    }
  }
  return out;
}

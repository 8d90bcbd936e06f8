// Ultralytics-compatible letterbox: scale to fit, centre, pad with grey 114. The maths
// (Python half-to-even rounding, the ±0.1 on the padding) must match the exporter's
// training-time pre-processing or boxes shift by a pixel.
import { resizeBilinearRgb, type RgbImage } from './rgb-resample.js';

export const LETTERBOX_PAD_VALUE = 114;

export interface Letterbox {
  /** Source image size. */
  srcW: number;
  srcH: number;
  /** Network input size. */
  dstW: number;
  dstH: number;
  /** Scale r = min(dstH/srcH, dstW/srcW). */
  r: number;
  /** Resized (unpadded) size. */
  newW: number;
  newH: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Python 3 round(): halves go to the even neighbour. */
export function pythonRound(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function computeLetterbox(srcW: number, srcH: number, dstW = 640, dstH = 640): Letterbox {
  if (!(srcW > 0 && srcH > 0 && dstW > 0 && dstH > 0)) throw new RangeError(`letterbox: sizes must be positive (source ${srcW}x${srcH}, target ${dstW}x${dstH})`);
  const r = Math.min(dstH / srcH, dstW / srcW);
  const newW = pythonRound(srcW * r);
  const newH = pythonRound(srcH * r);
  const dw = (dstW - newW) / 2;
  const dh = (dstH - newH) / 2;
  return {
    srcW,
    srcH,
    dstW,
    dstH,
    r,
    newW,
    newH,
    left: pythonRound(dw - 0.1),
    right: pythonRound(dw + 0.1),
    top: pythonRound(dh - 0.1),
    bottom: pythonRound(dh + 0.1),
  };
}

/** Letterboxed point → source image point (x = (x − left)/r). */
export function unletterboxPoint(lb: Letterbox, x: number, y: number): [number, number] {
  return [(x - lb.left) / lb.r, (y - lb.top) / lb.r];
}

/** Letterboxed corners → source corners, clipped to the image (as Ultralytics scale_boxes does). */
export function unletterboxBox(lb: Letterbox, x1: number, y1: number, x2: number, y2: number): [number, number, number, number] {
  const clip = (v: number, hi: number): number => Math.min(hi, Math.max(0, v));
  const [ax, ay] = unletterboxPoint(lb, x1, y1);
  const [bx, by] = unletterboxPoint(lb, x2, y2);
  return [clip(ax, lb.srcW), clip(ay, lb.srcH), clip(bx, lb.srcW), clip(by, lb.srcH)];
}

/** Image → planar float32 [3, dstH, dstW] RGB in 0..1 with the 114 grey border. */
export function letterboxToTensor(image: RgbImage, lb: Letterbox): Float32Array {
  const { dstW, dstH, newW, newH, left, top } = lb;
  const plane = dstW * dstH;
  const out = new Float32Array(3 * plane).fill(LETTERBOX_PAD_VALUE / 255);
  const resized = resizeBilinearRgb(image, newW, newH);
  for (let y = 0; y < newH; y++) {
    const ty = y + top;
    if (ty < 0 || ty >= dstH) continue;
    for (let x = 0; x < newW; x++) {
      const tx = x + left;
      if (tx < 0 || tx >= dstW) continue;
      const s = (y * newW + x) * 3;
      const d = ty * dstW + tx;
      // OpenCV rounds the resized image to uint8 before the /255.
      out[d] = Math.round(resized[s]) / 255;
      out[plane + d] = Math.round(resized[s + 1]) / 255;
      out[2 * plane + d] = Math.round(resized[s + 2]) / 255;
    }
  }
  return out;
}

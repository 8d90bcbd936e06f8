// The finder used when no model is given: colour saliency against the frame's
// background colours plus change against a temporal-median background, picked
// as one connected region per keyframe and tracked from keyframe to keyframe.
// Works at a small internal size (long side 192) so it stays fast in plain TS.
import { boxBlur, connectedComponents, quantile, resizeArea, rgbToLab, type LabImage } from './image-ops.js';
import { backgroundColours, changeFromMedian, colourDistance } from './saliency.js';
import { reducedSize } from '../media/keyframes.js';

export const MODEL_FREE_WORK_LONG_SIDE = 192;

export interface FinderImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface FinderFrame {
  /** x, y, w, h normalised to 0..1. */
  box: [number, number, number, number];
  score: number;
  /** Soft mask 0..1 at the finder's internal size. */
  mask: Float32Array;
  /** false when nothing stood out (the box is then interpolated from neighbours). */
  found: boolean;
}

export interface ModelFreeResult {
  width: number;
  height: number;
  frames: FinderFrame[];
}

// Keyframe offsets that make up the temporal background of a keyframe: near
// and far ones, so a slow subject is absent from most of them.
const BACKGROUND_OFFSETS = [-1, 1, -3, 3, -6, 6];
const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const smoothstep = (a: number, b: number, v: number): number => {
  const t = clamp01((v - a) / (b - a));
  return t * t * (3 - 2 * t);
};

export class ModelFreeFinder {
  private readonly frames: LabImage[] = [];
  private size?: { width: number; height: number };

  constructor(private readonly workLongSide = MODEL_FREE_WORK_LONG_SIDE) {}

  /** Adds the next keyframe (any size; all keyframes must share one size). */
  add(image: FinderImage): void {
    if (!this.size) this.size = reducedSize(image.width, image.height, this.workLongSide);
    const { width, height } = this.size;
    const small = image.width === width && image.height === height ? image.data : resizeArea(image.data, image.width, image.height, width, height);
    this.frames.push(rgbToLab(small, width, height));
  }

  get count(): number {
    return this.frames.length;
  }

  /** Saliency map 0..1 of keyframe k (colour cue blended with the change cue). */
  saliency(k: number): Float32Array {
    const img = this.frames[k];
    const n = img.width * img.height;
    const colour = colourDistance(img, backgroundColours(img));
    const cOffset = Math.max(8, 1.5 * quantile(colour, 0.5));
    const sal = new Float32Array(n);
    for (let i = 0; i < n; i++) sal[i] = clamp01((colour[i] - cOffset) / 25);
    const others = BACKGROUND_OFFSETS.map((d) => k + d).filter((j) => j >= 0 && j < this.frames.length).map((j) => this.frames[j]);
    if (others.length >= 2) {
      const change = changeFromMedian(img, others);
      const typical = quantile(change, 0.5);
      // A moving camera or a changing scene makes most of the frame differ: trust the cue less.
      const weight = clamp01(1 - (typical - 4) / 8);
      const offset = 2 * typical + 4;
      let moving = 0;
      for (let i = 0; i < n; i++) {
        change[i] = weight * clamp01((change[i] - offset) / 20);
        if (change[i] > 0.5) moving++;
      }
      // Something moves against a steady background: what moves leads and colour
      // alone no longer reaches the threshold (a colourful backdrop stays dark).
      if (moving >= 0.001 * n) for (let i = 0; i < n; i++) sal[i] = 0.35 * sal[i] + 0.65 * change[i];
    }
    boxBlur(sal, img.width, img.height, 1);
    return boxBlur(sal, img.width, img.height, 1);
  }

  finish(): ModelFreeResult {
    if (!this.size || this.frames.length === 0) throw new Error('model-free finder: no keyframes were added');
    const { width: w, height: h } = this.size;
    const diag = Math.hypot(w, h);
    const out: FinderFrame[] = [];
    let prev: [number, number] | undefined;
    let velocity: [number, number] = [0, 0];
    for (let k = 0; k < this.frames.length; k++) {
      const sal = this.saliency(k);
      const peak = quantile(sal, 0.999);
      const threshold = Math.max(0.2, 0.45 * peak);
      const binary = new Uint8Array(w * h);
      let totalMass = 0;
      for (let i = 0; i < w * h; i++) {
        if (sal[i] >= threshold) {
          binary[i] = 1;
          totalMass += sal[i];
        }
      }
      const comps = peak < 0.15 ? [] : connectedComponents(binary, w, h);
      const mass = comps.map((c) => c.pixels.reduce((s, p) => s + sal[p], 0));
      let best = -1;
      let bestScore = 0;
      const predicted = prev ? [prev[0] + velocity[0], prev[1] + velocity[1]] : undefined;
      comps.forEach((c, i) => {
        const cx = (c.minX + c.maxX + 1) / 2;
        const cy = (c.minY + c.maxY + 1) / 2;
        const near = predicted ? 0.25 + 0.75 * Math.exp(-((Math.hypot(cx - predicted[0], cy - predicted[1]) / (0.25 * diag)) ** 2)) : 1;
        // Compact regions look more like one object than thin, sprawling ones (bars, edges).
        const fill = c.pixels.length / ((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1));
        const score = mass[i] * near * fill;
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      });
      if (best < 0 || mass[best] < 2) {
        out.push({ box: [0, 0, 1, 1], score: 0, mask: new Float32Array(w * h), found: false });
        continue;
      }
      // Thresholding can split one subject: absorb regions touching its box.
      let { minX, minY, maxX, maxY } = comps[best];
      let chosenMass = mass[best];
      let pixels = comps[best].pixels.length;
      const gap = Math.max(2, Math.round(0.03 * diag));
      const taken = new Set([best]);
      for (let grew = true; grew; ) {
        grew = false;
        comps.forEach((c, i) => {
          if (taken.has(i)) return;
          if (c.minX > maxX + gap || c.maxX < minX - gap || c.minY > maxY + gap || c.maxY < minY - gap) return;
          taken.add(i);
          grew = true;
          minX = Math.min(minX, c.minX);
          minY = Math.min(minY, c.minY);
          maxX = Math.max(maxX, c.maxX);
          maxY = Math.max(maxY, c.maxY);
          chosenMass += mass[i];
          pixels += c.pixels.length;
        });
      }
      const centre: [number, number] = [(minX + maxX + 1) / 2, (minY + maxY + 1) / 2];
      velocity = prev ? [centre[0] - prev[0], centre[1] - prev[1]] : [0, 0];
      prev = centre;
      const score = clamp01((chosenMass / pixels) * Math.sqrt(chosenMass / totalMass));
      out.push({
        box: [minX / w, minY / h, (maxX - minX + 1) / w, (maxY - minY + 1) / h],
        score,
        mask: softMask(sal, w, h, threshold, [minX, minY, maxX, maxY]),
        found: true,
      });
    }
    fillMissingBoxes(out);
    return { width: w, height: h, frames: out };
  }
}

/** Soft 0..1 mask: saliency ramped around the threshold, kept to the (padded) subject box. */
function softMask(sal: Float32Array, w: number, h: number, threshold: number, [x0, y0, x1, y1]: number[]): Float32Array {
  const pad = 2 + Math.round(0.15 * Math.max(x1 - x0, y1 - y0));
  const m = new Float32Array(w * h);
  for (let y = Math.max(0, y0 - pad); y <= Math.min(h - 1, y1 + pad); y++) {
    for (let x = Math.max(0, x0 - pad); x <= Math.min(w - 1, x1 + pad); x++) {
      m[y * w + x] = smoothstep(0.6 * threshold, 1.3 * threshold, sal[y * w + x]);
    }
  }
  return boxBlur(m, w, h, 1);
}

/** Keyframes where nothing was found take the box of the nearest found ones (linear in between). */
function fillMissingBoxes(frames: FinderFrame[]): void {
  const found = frames.map((f, i) => (f.found ? i : -1)).filter((i) => i >= 0);
  if (found.length === 0) return;
  for (let i = 0; i < frames.length; i++) {
    if (frames[i].found) continue;
    const after = found.find((j) => j > i);
    const before = [...found].reverse().find((j) => j < i);
    if (before === undefined || after === undefined) {
      frames[i].box = [...frames[(before ?? after) as number].box];
      continue;
    }
    const t = (i - before) / (after - before);
    frames[i].box = frames[before].box.map((v, j) => v + (frames[after].box[j] - v) * t) as FinderFrame['box'];
  }
}

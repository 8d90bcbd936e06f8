// Plain TS reference of the finder kernel (native/src/kernels/finder.h), used
// only by tests: the per-keyframe work the model-free finder did in
// TypeScript before it moved to the addon, step by step. The native kernel
// must match it (test/native-finder-kernel.test.ts), and the finder run on it
// must give the finder's output (test/vision-finder-kernel.test.ts).
import { boxBlur, quantile } from '../../src/vision/image-ops.js';
import { LAB_SCALE, REGION_HEAD, REGION_STRIDE, type FinderKernelOps } from '../../src/vision/finder-kernel.js';

export interface LabImage {
  width: number;
  height: number;
  /** L (0..100), a, b interleaved. */
  lab: Float32Array;
}

// sRGB → CIELAB (D65).
const SRGB_TO_LINEAR = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  SRGB_TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}
const labF = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);

export function rgbToLab(rgb: Uint8Array, width: number, height: number): LabImage {
  const n = width * height;
  const lab = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = SRGB_TO_LINEAR[rgb[3 * i]];
    const g = SRGB_TO_LINEAR[rgb[3 * i + 1]];
    const b = SRGB_TO_LINEAR[rgb[3 * i + 2]];
    const fx = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const fy = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const fz = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    lab[3 * i] = 116 * fy - 16;
    lab[3 * i + 1] = 500 * (fx - fy);
    lab[3 * i + 2] = 200 * (fy - fz);
  }
  return { width, height, lab };
}

const unpack = (q: Int16Array): Float32Array => {
  const lab = new Float32Array(q.length);
  for (let i = 0; i < lab.length; i++) lab[i] = q[i] / LAB_SCALE;
  return lab;
};

const dist = (lab: Float32Array, i: number, c: Float32Array, j: number): number => {
  const dl = lab[i] - c[j];
  const da = lab[i + 1] - c[j + 1];
  const db = lab[i + 2] - c[j + 2];
  return Math.sqrt(dl * dl + da * da + db * db);
};

/** k-means (farthest-point seeded, so it is deterministic) over the border ring's Lab; drops clusters below `minShare`. */
export function backgroundColours(img: LabImage, k = 10, minShare = 0.02): Float32Array {
  const { width: w, height: h, lab } = img;
  const ring = Math.max(1, Math.round(Math.min(w, h) * 0.04));
  const border: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x >= ring && x < w - ring && y >= ring && y < h - ring) continue;
      const i = 3 * (y * w + x);
      border.push(lab[i], lab[i + 1], lab[i + 2]);
    }
  }
  const s = Float32Array.from(border);
  const n = s.length / 3;
  const centres = new Float32Array(3 * k);
  centres.set(s.subarray(0, 3));
  const nearest = new Float32Array(n).fill(Infinity);
  let used = 1;
  for (; used < k; used++) {
    let far = -1;
    let farD = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], dist(s, 3 * i, centres, 3 * (used - 1)));
      if (nearest[i] > farD) {
        farD = nearest[i];
        far = i;
      }
    }
    if (far < 0 || farD < 3) break;
    centres.set(s.subarray(3 * far, 3 * far + 3), 3 * used);
  }
  const counts = new Float64Array(used);
  for (let iter = 0; iter < 6; iter++) {
    const sums = new Float64Array(3 * used);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < used; c++) {
        const d = dist(s, 3 * i, centres, 3 * c);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      counts[best]++;
      sums[3 * best] += s[3 * i];
      sums[3 * best + 1] += s[3 * i + 1];
      sums[3 * best + 2] += s[3 * i + 2];
    }
    for (let c = 0; c < used; c++) {
      if (counts[c] > 0) for (let j = 0; j < 3; j++) centres[3 * c + j] = sums[3 * c + j] / counts[c];
    }
  }
  const kept: number[] = [];
  for (let c = 0; c < used; c++) if (counts[c] >= minShare * n) kept.push(centres[3 * c], centres[3 * c + 1], centres[3 * c + 2]);
  return kept.length ? Float32Array.from(kept) : centres.slice(0, 3);
}

/** Per-pixel distance (ΔE) to the nearest background colour. */
export function colourDistance(img: LabImage, colours: Float32Array): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let c = 0; c < colours.length / 3; c++) best = Math.min(best, dist(img.lab, 3 * i, colours, 3 * c));
    out[i] = best;
  }
  return out;
}

/** Per-pixel ΔE between `img` and the per-channel median of `others`. */
export function changeFromMedian(img: LabImage, others: Float32Array[]): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const m = others.length;
  const med = new Float32Array(3);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const sorted = others.map((o) => o[3 * i + ch]).sort((a, b) => a - b);
      med[ch] = m % 2 ? sorted[(m - 1) >> 1] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
    }
    out[i] = dist(img.lab, 3 * i, med, 0);
  }
  return out;
}

/**
 * Morphological opening (3x3 erode, then 3x3 dilate) of a 0/1 mask, in place;
 * pixels outside the image count as set for the erosion.
 */
export function openBinary(mask: Uint8Array, w: number, h: number): Uint8Array {
  const tmp = new Uint8Array(w * h);
  const filter = (src: Uint8Array, dst: Uint8Array, erode: boolean, step: number, size: number, lineStep: number, lines: number): void => {
    for (let line = 0; line < lines; line++) {
      const base = line * lineStep;
      for (let k = 0; k < size; k++) {
        const p = base + k * step;
        const v = src[p];
        const a = k > 0 ? src[p - step] : v;
        const b = k < size - 1 ? src[p + step] : v;
        dst[p] = erode ? v & a & b : v | a | b;
      }
    }
  };
  filter(mask, tmp, true, 1, w, w, h);
  filter(tmp, mask, true, w, h, 1, w);
  filter(mask, tmp, false, 1, w, w, h);
  filter(tmp, mask, false, w, h, 1, w);
  return mask;
}

export interface Component {
  pixels: Int32Array;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** 8-connected components of `mask[i] !== 0`, in raster order of their first pixel; pixels in flood-fill (stack) order. */
export function connectedComponents(mask: Uint8Array, w: number, h: number): Component[] {
  const label = new Int32Array(w * h).fill(-1);
  const out: Component[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || label[start] >= 0) continue;
    const id = out.length;
    const stack = [start];
    const members: number[] = [];
    label[start] = id;
    let [minX, minY, maxX, maxY] = [w, h, -1, -1];
    while (stack.length) {
      const p = stack.pop() as number;
      members.push(p);
      const px = p % w;
      const py = (p - px) / w;
      minX = Math.min(minX, px);
      maxX = Math.max(maxX, px);
      minY = Math.min(minY, py);
      maxY = Math.max(maxY, py);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const [nx, ny] = [px + dx, py + dy];
          if (nx < 0 || nx >= w || ny < 0 || ny >= h) continue;
          const q = ny * w + nx;
          if (mask[q] && label[q] < 0) {
            label[q] = id;
            stack.push(q);
          }
        }
      }
    }
    out.push({ pixels: Int32Array.from(members), minX, minY, maxX, maxY });
  }
  return out;
}

/** Regions after the opening are never 8-adjacent, so each 2x2 block holds at most one. */
export const maxRegions = (width: number, height: number): number => Math.ceil(width / 2) * Math.ceil(height / 2);

/** The kernel's operations in plain TS, for one working size. */
export class ReferenceFinderKernel implements FinderKernelOps {
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  get maxRegions(): number {
    return maxRegions(this.width, this.height);
  }

  lab(rgb: Uint8Array, out: Int16Array): void {
    const { lab } = rgbToLab(rgb, this.width, this.height);
    for (let i = 0; i < lab.length; i++) out[i] = Math.round(lab[i] * LAB_SCALE);
  }

  bins(q: Int16Array, out: Uint16Array): void {
    const lab = unpack(q);
    const ab = (v: number): number => Math.min(15, Math.max(0, Math.floor(((v + 64) / 128) * 16)));
    for (let i = 0; i < out.length; i++) {
      const l = Math.min(7, Math.max(0, Math.floor((lab[3 * i] / 100) * 8)));
      out[i] = (l * 16 + ab(lab[3 * i + 1])) * 16 + ab(lab[3 * i + 2]);
    }
  }

  saliency(q: Int16Array, others: Int16Array[], out: Float32Array): void {
    const { width: w, height: h } = this;
    const n = w * h;
    const img = { width: w, height: h, lab: unpack(q) };
    const colour = colourDistance(img, backgroundColours(img));
    const cOffset = Math.max(8, 1.5 * quantile(colour, 0.5));
    const sal = out;
    for (let i = 0; i < n; i++) sal[i] = Math.min(1, Math.max(0, (colour[i] - cOffset) / 25));
    if (others.length >= 2) {
      const change = changeFromMedian(img, others.map(unpack));
      const typical = quantile(change, 0.5);
      const weight = Math.min(1, Math.max(0, 1 - (typical - 4) / 8));
      const offset = 2 * typical + 4;
      let moving = 0;
      for (let i = 0; i < n; i++) {
        change[i] = weight * Math.min(1, Math.max(0, (change[i] - offset) / 20));
        if (change[i] > 0.5) moving++;
      }
      if (moving >= 0.001 * n) for (let i = 0; i < n; i++) sal[i] = 0.35 * sal[i] + 0.65 * change[i];
    }
    boxBlur(sal, w, h, 1);
    boxBlur(sal, w, h, 1);
  }

  regions(sal: Float32Array, threshold: number, q: Int16Array | undefined, members: Int32Array, stats: Float64Array): number {
    const { width: w, height: h } = this;
    const binary = new Uint8Array(w * h);
    let totalMass = 0;
    for (let i = 0; i < w * h; i++) {
      if (sal[i] >= threshold) {
        binary[i] = 1;
        totalMass += sal[i];
      }
    }
    openBinary(binary, w, h);
    const lab = q ? unpack(q) : undefined;
    const comps = connectedComponents(binary, w, h);
    if (stats.length !== REGION_HEAD + maxRegions(w, h) * REGION_STRIDE) throw new RangeError('stats has the wrong length');
    let offset = 0;
    comps.forEach((c, id) => {
      let [mass, l, a, b] = [0, 0, 0, 0];
      for (const p of c.pixels) {
        const s = sal[p];
        mass += s;
        if (lab) {
          l += s * lab[3 * p];
          a += s * lab[3 * p + 1];
          b += s * lab[3 * p + 2];
        }
      }
      members.set(c.pixels, offset);
      stats.set([c.pixels.length, c.minX, c.minY, c.maxX, c.maxY, mass, l, a, b, offset], REGION_HEAD + id * REGION_STRIDE);
      offset += c.pixels.length;
    });
    stats[0] = comps.length;
    stats[1] = totalMass;
    return comps.length;
  }
}

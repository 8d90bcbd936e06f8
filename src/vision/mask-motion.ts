// Local motion of the subject between two keyframes, for the atlas's motion
// section (docs/atlas.md "Motion"): block matching on the analysis frames at mask
// resolution. Only the keyframe's subject pixels (its mask >= 128) are compared,
// so a block on the subject's edge follows the subject, not the background
// beside it; blocks with too little subject take the subject's global motion.
// Samples are tracked frame to frame from each keyframe (each search starts
// where the previous sample left the block), so large moves stay in reach of a
// small search window.
import { ATLAS_MOTION_UNIT } from './atlas-layout.js';
import type { Box } from './temporal-smoothing.js';

/** Block side in mask pixels: 16 × 16 blocks of a 320 × 180 mask are a 20 × 12 grid (1920 bytes per sample). */
export const MOTION_BLOCK = 16;

/** A frame at mask resolution: gray pixels. */
export interface MotionFrame {
  frame: number;
  gray: Uint8Array;
}

/** A keyframe: its gray pixels, its mask (0..255) and its box (normalised), all at mask resolution. */
export interface MotionKeyframe extends MotionFrame {
  mask: Uint8Array;
  box: Box;
}

export interface MotionSample {
  frame: number;
  /** Per block: dx0, dy0, dx1, dy1 in 1/16 mask pixel (where the frame's pixels read keyframe k0's and k1's masks). */
  field: Int16Array;
}

const SEARCH_GLOBAL = 8; // half-resolution pixels around the prediction (±16 mask pixels)
const SEARCH_BLOCK = 3; // mask pixels around the block's prediction
const MIN_SUBJECT = 1 / 8; // of a block's pixels, for the block to be matched on its own

interface Plane {
  w: number;
  h: number;
  gray: Uint8Array;
  /** Subject pixels (mask >= 128). */
  subject: Pixels;
}

function subjectPixels(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] >= 128) n++;
  const out = new Int32Array(n);
  n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] >= 128) out[n++] = i;
  return out;
}

function half(gray: Uint8Array, w: number, h: number): { gray: Uint8Array; w: number; h: number } {
  const hw = Math.max(1, w >> 1);
  const hh = Math.max(1, h >> 1);
  const out = new Uint8Array(hw * hh);
  for (let y = 0; y < hh; y++) {
    const y0 = Math.min(h - 1, 2 * y);
    const y1 = Math.min(h - 1, 2 * y + 1);
    for (let x = 0; x < hw; x++) {
      const x0 = Math.min(w - 1, 2 * x);
      const x1 = Math.min(w - 1, 2 * x + 1);
      out[y * hw + x] = (gray[y0 * w + x0] + gray[y0 * w + x1] + gray[y1 * w + x0] + gray[y1 * w + x1] + 2) >> 2;
    }
  }
  return { gray: out, w: hw, h: hh };
}

/** Pixel indices with their columns and rows, and their bounding box (for the unclamped fast path). */
interface Pixels {
  idx: Int32Array;
  xs: Int32Array;
  ys: Int32Array;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function pixels(idx: Int32Array, w: number): Pixels {
  const xs = new Int32Array(idx.length);
  const ys = new Int32Array(idx.length);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let k = 0; k < idx.length; k++) {
    ys[k] = Math.floor(idx[k] / w);
    xs[k] = idx[k] - ys[k] * w;
    [x0, x1, y0, y1] = [Math.min(x0, xs[k]), Math.max(x1, xs[k]), Math.min(y0, ys[k]), Math.max(y1, ys[k])];
  }
  return { idx, xs, ys, x0, x1, y0, y1 };
}

/** Mean absolute difference of `src`'s pixels `p` against `dst` shifted by (dx, dy) (integers), clamped at the edges. */
function cost(src: Plane, p: Pixels, dst: Uint8Array, dx: number, dy: number): number {
  const { w, h } = src;
  const { idx, xs, ys } = p;
  const g = src.gray;
  let sum = 0;
  if (p.x0 + dx >= 0 && p.x1 + dx < w && p.y0 + dy >= 0 && p.y1 + dy < h) {
    // Every shifted pixel inside: one offset for all.
    const off = dy * w + dx;
    for (let k = 0; k < idx.length; k++) {
      const d = g[idx[k]] - dst[idx[k] + off];
      sum += d < 0 ? -d : d;
    }
  } else {
    for (let k = 0; k < idx.length; k++) {
      let tx = xs[k] + dx;
      let ty = ys[k] + dy;
      tx = tx < 0 ? 0 : tx >= w ? w - 1 : tx;
      ty = ty < 0 ? 0 : ty >= h ? h - 1 : ty;
      const d = g[idx[k]] - dst[ty * w + tx];
      sum += d < 0 ? -d : d;
    }
  }
  return idx.length ? sum / idx.length : 0;
}

/** Sub-pixel offset (-0.5..0.5) of a parabola's minimum through three costs. */
function parabola(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  return den > 0 ? Math.max(-0.5, Math.min(0.5, (a - c) / (2 * den))) : 0;
}

/** Best integer shift within ±r of (cx, cy), then sub-pixel by parabolas. */
function search(src: Plane, idx: Pixels, dst: Uint8Array, cx: number, cy: number, r: number): [number, number] {
  const [bx0, by0] = [Math.round(cx), Math.round(cy)];
  let best = Infinity;
  let bx = bx0;
  let by = by0;
  for (let dy = by0 - r; dy <= by0 + r; dy++) {
    for (let dx = bx0 - r; dx <= bx0 + r; dx++) {
      const c = cost(src, idx, dst, dx, dy);
      // Ties go to the shift nearest the prediction (flat regions stay put).
      if (c < best - 1e-9 || (Math.abs(c - best) <= 1e-9 && Math.hypot(dx - cx, dy - cy) < Math.hypot(bx - cx, by - cy))) [best, bx, by] = [c, dx, dy];
    }
  }
  const sx = parabola(cost(src, idx, dst, bx - 1, by), best, cost(src, idx, dst, bx + 1, by));
  const sy = parabola(cost(src, idx, dst, bx, by - 1), best, cost(src, idx, dst, bx, by + 1));
  return [bx + sx, by + sy];
}

/**
 * Tracks keyframe `k`'s subject through `frames` (in order, moving away from k):
 * per frame, the forward motion (mask pixels) of each block's subject content,
 * as [dx, dy] per block. `prior(j)` predicts the subject's global motion at frames[j]
 * (from the boxes) for the first step.
 */
function track(k: MotionKeyframe, frames: MotionFrame[], mw: number, mh: number, prior: (frame: number, from: number) => [number, number]): Float64Array[] {
  const B = MOTION_BLOCK;
  const gw = Math.ceil(mw / B);
  const gh = Math.ceil(mh / B);
  const full: Plane = { w: mw, h: mh, gray: k.gray, subject: pixels(subjectPixels(k.mask), mw) };
  const hk = half(k.gray, mw, mh);
  const hm = half(k.mask, mw, mh);
  const halfPlane: Plane = { w: hk.w, h: hk.h, gray: hk.gray, subject: pixels(subjectPixels(hm.gray), hk.w) };
  const blocks: (Pixels | undefined)[] = [];
  for (let by = 0; by < gh; by++) {
    for (let bx = 0; bx < gw; bx++) {
      const idx: number[] = [];
      for (let y = by * B; y < Math.min(mh, (by + 1) * B); y++) for (let x = bx * B; x < Math.min(mw, (bx + 1) * B); x++) if (k.mask[y * mw + x] >= 128) idx.push(y * mw + x);
      blocks.push(idx.length >= MIN_SUBJECT * B * B ? pixels(Int32Array.from(idx), mw) : undefined);
    }
  }
  const out: Float64Array[] = [];
  let g: [number, number] = [0, 0];
  let gPrev: [number, number] | undefined;
  let [at, atPrev] = [k.frame, k.frame];
  let u = new Float64Array(2 * gw * gh);
  frames.forEach((f) => {
    // Constant velocity from the last two samples; the boxes' motion for the first step.
    const v = gPrev && (f.frame - at) / (at - atPrev);
    const pred: [number, number] = gPrev && v ? [g[0] + (g[0] - gPrev[0]) * v, g[1] + (g[1] - gPrev[1]) * v] : prior(f.frame, k.frame);
    const hd = half(f.gray, mw, mh).gray;
    const [hx, hy] = search(halfPlane, halfPlane.subject, hd, pred[0] / 2, pred[1] / 2, SEARCH_GLOBAL);
    const gNew = search(full, full.subject, f.gray, 2 * hx, 2 * hy, 2);
    const next = new Float64Array(2 * gw * gh);
    for (let b = 0; b < blocks.length; b++) {
      const idx = blocks[b];
      if (!idx) {
        [next[2 * b], next[2 * b + 1]] = gNew;
        continue;
      }
      // Where the block was relative to the subject, moved with the subject.
      const [cx, cy] = [gNew[0] + u[2 * b] - g[0], gNew[1] + u[2 * b + 1] - g[1]];
      [next[2 * b], next[2 * b + 1]] = search(full, idx, f.gray, cx, cy, SEARCH_BLOCK);
    }
    gPrev = g;
    g = gNew;
    [atPrev, at] = [at, f.frame];
    u = next;
    out.push(next);
  });
  return out;
}

const toUnits = (v: number): number => Math.max(-32768, Math.min(32767, Math.round(v * ATLAS_MOTION_UNIT)));

/**
 * intervalMotion between two analysed keyframes, or undefined when either has no box or mask
 * (the model found nothing there: there is no subject to follow).
 */
export function motionBetween(
  k0: MotionFrame & Partial<Pick<MotionKeyframe, 'mask' | 'box'>>,
  k1: MotionFrame & Partial<Pick<MotionKeyframe, 'mask' | 'box'>>,
  between: MotionFrame[],
  mw: number,
  mh: number,
): MotionSample[] | undefined {
  if (!k0.box || !k0.mask || !k1.box || !k1.mask) return undefined;
  return intervalMotion({ frame: k0.frame, gray: k0.gray, mask: k0.mask, box: k0.box }, { frame: k1.frame, gray: k1.gray, mask: k1.mask, box: k1.box }, between, mw, mh);
}

/**
 * The motion samples of the interval k0 → k1: one on k0, one per frame of `between`
 * (strictly inside, in order), one on k1. A frame's pixel p reads keyframe k's mask
 * at p - u(p), u being the forward motion of k's content to that frame (taken at p
 * on the block grid: exact for a translation, close for smooth motion).
 */
export function intervalMotion(k0: MotionKeyframe, k1: MotionKeyframe, between: MotionFrame[], mw: number, mh: number): MotionSample[] {
  const frames = [...between, k1];
  const span = k1.frame - k0.frame;
  const centre = (b: Box): [number, number] => [(b[0] + b[2] / 2) * mw, (b[1] + b[3] / 2) * mh];
  const [c0, c1] = [centre(k0.box), centre(k1.box)];
  // Box prior for the subject's global motion at frame f (linear between the two boxes).
  const prior = (f: number, from: number): [number, number] => [((c1[0] - c0[0]) * (f - from)) / span, ((c1[1] - c0[1]) * (f - from)) / span];
  const fwd = track(k0, frames, mw, mh, prior);
  const bwd = track(k1, [...between].reverse().concat([k0]), mw, mh, prior);
  const n = Math.ceil(mw / MOTION_BLOCK) * Math.ceil(mh / MOTION_BLOCK);
  const sample = (frame: number, u0: Float64Array | undefined, u1: Float64Array | undefined): MotionSample => {
    const field = new Int16Array(4 * n);
    for (let b = 0; b < n; b++) {
      if (u0) field.set([toUnits(-u0[2 * b]), toUnits(-u0[2 * b + 1])], 4 * b);
      if (u1) field.set([toUnits(-u1[2 * b]), toUnits(-u1[2 * b + 1])], 4 * b + 2);
    }
    return { frame, field };
  };
  const m = between.length;
  return [
    sample(k0.frame, undefined, bwd[m]),
    ...between.map((f, j) => sample(f.frame, fwd[j], bwd[m - 1 - j])),
    sample(k1.frame, fwd[m], undefined),
  ];
}

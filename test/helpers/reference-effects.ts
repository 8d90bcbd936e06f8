// Plain TypeScript references for the native compositing core (tests only).
// Each function mirrors the fixed-point formulas of native/src/kernels/ step by
// step (same rounding, same order), written for clarity rather than speed, so
// the addon can be held to ±1 — in practice it matches exactly.
import type { RawEffect } from '../../src/native/binding-types.js';
import { ATLAS_FLAG_MOTION, atlasOffsets, motionGrid, motionOffsets } from '../../src/vision/atlas-layout.js';

// ---------- planes ----------

export interface Planes {
  Y: Uint8Array;
  U: Uint8Array;
  V: Uint8Array;
  cw: number;
  ch: number;
}

export function planes(data: Uint8Array, width: number, height: number): Planes {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const ySize = width * height;
  const cSize = cw * ch;
  return {
    Y: data.subarray(0, ySize),
    U: data.subarray(ySize, ySize + cSize),
    V: data.subarray(ySize + cSize, ySize + 2 * cSize),
    cw,
    ch,
  };
}

// ---------- atlas ----------

export interface AtlasRef {
  mw: number;
  mh: number;
  k: number;
  frames: number[];
  boxes: [number, number, number, number][];
  mask(k: number): Uint8Array;
  /** docs/atlas.md "Motion", when the atlas has it. */
  motion?: { blockSize: number; gw: number; gh: number; first: number[]; frames: number[]; value(s: number, b: number, c: number): number };
}

export function readAtlasRef(bytes: Uint8Array): AtlasRef {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mw = view.getUint32(8, true);
  const mh = view.getUint32(12, true);
  const k = view.getUint32(16, true);
  const off = atlasOffsets({ maskWidth: mw, maskHeight: mh, keyframes: k });
  const frames = Array.from({ length: k }, (_, i) => view.getUint32(off.frames + 4 * i, true));
  const boxes = Array.from({ length: k }, (_, i) => {
    const b = [0, 1, 2, 3].map((j) => view.getFloat32(off.boxes + 16 * i + 4 * j, true));
    return b as [number, number, number, number];
  });
  let motion: AtlasRef['motion'];
  if (view.getUint32(28, true) & ATLAS_FLAG_MOTION) {
    const g = { maskWidth: mw, maskHeight: mh, keyframes: k };
    const start = motionOffsets(g, { blockSize: 4, samples: 0 }).start;
    const blockSize = view.getUint32(start, true);
    const samples = view.getUint32(start + 4, true);
    const mo = motionOffsets(g, { blockSize, samples });
    const { gw, gh } = motionGrid(mw, mh, blockSize);
    motion = {
      blockSize,
      gw,
      gh,
      first: Array.from({ length: k }, (_, i) => view.getUint32(mo.first + 4 * i, true)),
      frames: Array.from({ length: samples }, (_, j) => view.getUint32(mo.frames + 4 * j, true)),
      value: (s, b, c) => view.getInt16(mo.fields + 2 * ((s * gw * gh + b) * 4 + c), true),
    };
  }
  return { mw, mh, k, frames, boxes, mask: (i) => bytes.subarray(off.masks + i * mw * mh, off.masks + (i + 1) * mw * mh), motion };
}

export interface Span {
  k0: number;
  k1: number;
  t256: number;
  t: number;
}

export function findKeyframes(a: AtlasRef, f: number): Span {
  if (f <= a.frames[0]) return { k0: 0, k1: 0, t256: 0, t: 0 };
  if (f >= a.frames[a.k - 1]) return { k0: a.k - 1, k1: a.k - 1, t256: 0, t: 0 };
  let k0 = 0;
  while (a.frames[k0 + 1] <= f) k0++;
  const f0 = a.frames[k0];
  const f1 = a.frames[k0 + 1];
  return { k0, k1: k0 + 1, t256: Math.min(255, Math.floor(((f - f0) * 256) / (f1 - f0))), t: (f - f0) / (f1 - f0) };
}

export function interpolateBox(a: AtlasRef, s: Span): [number, number, number, number] {
  const b0 = a.boxes[s.k0];
  if (s.k0 === s.k1) return b0;
  const b1 = a.boxes[s.k1];
  return [0, 1, 2, 3].map((j) => b0[j] + (b1[j] - b0[j]) * s.t) as [number, number, number, number];
}

/**
 * How a frame's mask is made from its two keyframes: motion-compensated (the rule: the
 * motion fields where the interval has them, else the box map), the box map alone (the
 * rule before motion fields), or a plain cross-fade (older still; kept to show they differ).
 */
export type MaskRule = 'motion' | 'box' | 'crossfade';

/** Mask pixel i of an axis reads the keyframe at start + (i + 0.5) * step - 0.5 mask pixels. */
export interface AxisMap {
  start: number;
  step: number;
}

const usable = (b: readonly number[]): boolean => b[2] > 0 && b[3] > 0;

/** Per axis, the affine map taking the interpolated box onto the keyframe's box (docs/atlas.md "Sampling"). */
function mapAxis(posK: number, sizeK: number, posT: number, sizeT: number, n: number): AxisMap {
  const step = sizeK / sizeT;
  const ck = posK + sizeK / 2;
  const ct = posT + sizeT / 2;
  return { start: (ck - ct * step) * n, step };
}

/** The warps of k0 and k1 ({x, y} axis maps); identity when k0 = k1 or either box is empty. */
export function keyframeWarps(a: AtlasRef, s: Span): { x: AxisMap; y: AxisMap }[] {
  const id = { x: { start: 0, step: 1 }, y: { start: 0, step: 1 } };
  const b0 = a.boxes[s.k0];
  const b1 = a.boxes[s.k1];
  if (s.k0 === s.k1 || !usable(b0) || !usable(b1)) return [id, id];
  const bt = interpolateBox(a, s);
  return [b0, b1].map((b) => ({ x: mapAxis(b[0], b[2], bt[0], bt[2], a.mw), y: mapAxis(b[1], b[3], bt[1], bt[3], a.mh) }));
}

/** Interval s.k0's motion samples around frame f: sample a and the weight (0..256) of a + 1 (kernels/atlas.cc FindMotion). */
function findMotion(a: AtlasRef, s: Span, f: number): { a: number; w256: number } | undefined {
  const m = a.motion;
  if (!m || s.k0 === s.k1) return undefined;
  const [lo, hi] = [m.first[s.k0], m.first[s.k0 + 1]];
  if (hi < lo + 2) return undefined;
  let i = lo;
  while (i + 2 < hi && m.frames[i + 1] <= f) i++;
  const [fa, fb] = [m.frames[i], m.frames[i + 1]];
  return { a: i, w256: fb <= fa || f <= fa ? 0 : f >= fb ? 256 : Math.floor(((f - fa) * 256) / (fb - fa)) };
}

/** Keyframe mask k read per pixel through the lerped block field c (0: to k0, 1: to k1), step by step as FlowWarpMask. */
function flowWarp(a: AtlasRef, k: number, ms: { a: number; w256: number }, c: number): Uint8Array {
  const m = a.motion!;
  const { mw, mh } = a;
  const B = m.blockSize;
  const blockTap = (i: number, g: number): [number, number, number] => {
    const p = Math.min(Math.max(Math.floor(((2 * i + 1) * 128) / B) - 128, 0), (g - 1) * 256);
    const i0 = Math.floor(p / 256);
    return [i0, Math.min(i0 + 1, g - 1), p % 256];
  };
  const field = (j: number, i: number, d: number): number => {
    const b = j * m.gw + i;
    return m.value(ms.a, b, 2 * c + d) * (256 - ms.w256) + m.value(ms.a + 1, b, 2 * c + d) * ms.w256;
  };
  const src = a.mask(k);
  const out = new Uint8Array(mw * mh);
  for (let y = 0; y < mh; y++) {
    const [j0, j1, fy] = blockTap(y, m.gh);
    for (let x = 0; x < mw; x++) {
      const [i0, i1, fx] = blockTap(x, m.gw);
      const pos = [0, 1].map((d) => {
        const top = field(j0, i0, d) * (256 - fx) + field(j0, i1, d) * fx;
        const bot = field(j1, i0, d) * (256 - fx) + field(j1, i1, d) * fx;
        const p = (d === 0 ? x : y) * 256 + Math.floor((top * (256 - fy) + bot * fy) / 2 ** 20);
        return Math.min(Math.max(p, 0), ((d === 0 ? mw : mh) - 1) * 256);
      });
      const [x0, y0] = [Math.floor(pos[0] / 256), Math.floor(pos[1] / 256)];
      const [fxp, fyp] = [pos[0] % 256, pos[1] % 256];
      const [x1, y1] = [Math.min(x0 + 1, mw - 1), Math.min(y0 + 1, mh - 1)];
      const v = (xx: number): number => lerp8(src[y0 * mw + xx], src[y1 * mw + xx], fyp);
      out[y * mw + x] = lerp8(v(x0), v(x1), fxp);
    }
  }
  return out;
}

/** The frame's mask at analysis resolution: each keyframe mask warped (bilinear), then blended by t256. */
export function blendMasks(a: AtlasRef, s: Span, rule: MaskRule = 'motion', frame = 0): Uint8Array {
  const ms = rule === 'motion' ? findMotion(a, s, frame) : undefined;
  if (ms) {
    const m0 = flowWarp(a, s.k0, ms, 0);
    if (s.t256 === 0) return m0;
    const m1 = flowWarp(a, s.k1, ms, 1);
    return m0.map((v, i) => (v * (256 - s.t256) + m1[i] * s.t256 + 128) >> 8);
  }
  const id = { x: { start: 0, step: 1 }, y: { start: 0, step: 1 } };
  const [w0, w1] = rule === 'crossfade' ? [id, id] : keyframeWarps(a, s);
  const warp = (k: number, w: { x: AxisMap; y: AxisMap }): Uint8Array =>
    cropResamplePlane(a.mask(k), a.mw, a.mw, a.mh, cropAxis(a.mw, a.mw, w.x.start, w.x.step), cropAxis(a.mh, a.mh, w.y.start, w.y.step));
  const m0 = warp(s.k0, w0);
  const m1 = warp(s.k1, w1);
  const out = new Uint8Array(a.mw * a.mh);
  for (let i = 0; i < out.length; i++) out[i] = (m0[i] * (256 - s.t256) + m1[i] * s.t256 + 128) >> 8;
  return out;
}

// ---------- bilinear taps and resampling ----------

export interface Taps {
  i0: number[];
  i1: number[];
  f: number[];
}

function tap(t: Taps, p: number, sn: number): void {
  const hi = (sn - 1) * 256;
  const q = Math.min(Math.max(p, 0), hi);
  const i0 = Math.floor(q / 256);
  t.i0.push(i0);
  t.i1.push(Math.min(i0 + 1, sn - 1));
  t.f.push(q - i0 * 256);
}

/** dst i → src coordinate (i + 0.5) * num/den - 0.5, in 1/256 px, floored, clamped. */
export function rationalAxis(dn: number, sn: number, num: number, den: number): Taps {
  const t: Taps = { i0: [], i1: [], f: [] };
  for (let i = 0; i < dn; i++) tap(t, Math.floor(((2 * i + 1) * num * 128) / den) - 128, sn);
  return t;
}

/** dst i → start + (i + 0.5) * step - 0.5, in 1/256 px, floored, clamped. */
export function cropAxis(dn: number, sn: number, start: number, step: number): Taps {
  const t: Taps = { i0: [], i1: [], f: [] };
  const hi = (sn - 1) * 256;
  for (let i = 0; i < dn; i++) {
    let pos = (start + (i + 0.5) * step - 0.5) * 256;
    if (!(pos > 0)) pos = 0;
    if (pos > hi) pos = hi;
    tap(t, Math.floor(pos), sn);
  }
  return t;
}

const lerp8 = (a: number, b: number, f: number): number => (a * (256 - f) + b * f + 128) >> 8;

/** Horizontal pass per source row, then vertical (the order of RowUpsampler). */
export function upsample(src: Uint8Array, sw: number, sh: number, dw: number, dh: number, xt: Taps, yt: Taps): Uint8Array {
  const out = new Uint8Array(dw * dh);
  const hrow = (sy: number): number[] => {
    const r: number[] = [];
    for (let x = 0; x < dw; x++) r.push(lerp8(src[sy * sw + xt.i0[x]], src[sy * sw + xt.i1[x]], xt.f[x]));
    return r;
  };
  for (let y = 0; y < dh; y++) {
    const a = hrow(yt.i0[y]);
    const b = yt.f[y] === 0 ? a : hrow(yt.i1[y]);
    for (let x = 0; x < dw; x++) out[y * dw + x] = yt.f[y] === 0 ? a[x] : lerp8(a[x], b[x], yt.f[y]);
  }
  return out;
}

/** Vertical pass, then horizontal (the order of CropResamplePlane). */
export function cropResamplePlane(src: Uint8Array, sw: number, dw: number, dh: number, xt: Taps, yt: Taps): Uint8Array {
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const f = yt.f[y];
    const v = (x: number): number => {
      const a = src[yt.i0[y] * sw + x];
      return f === 0 ? a : lerp8(a, src[yt.i1[y] * sw + x], f);
    };
    for (let x = 0; x < dw; x++) out[y * dw + x] = lerp8(v(xt.i0[x]), v(xt.i1[x]), xt.f[x]);
  }
  return out;
}

export interface Crop {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function clampCrop(c: Crop, sw: number, sh: number): Crop {
  const w = Math.min(Math.max(c.w, 1 / 256), sw);
  const h = Math.min(Math.max(c.h, 1 / 256), sh);
  return { w, h, x: Math.min(Math.max(c.x, 0), sw - w), y: Math.min(Math.max(c.y, 0), sh - h) };
}

/** Crop-and-resample a whole yuv420p frame (the FrameResampler reference). */
export function resampleFrame(src: Uint8Array, sw: number, sh: number, dw: number, dh: number, crop: Crop): Uint8Array {
  const c = clampCrop(crop, sw, sh);
  const stepX = c.w / dw;
  const stepY = c.h / dh;
  const s = planes(src, sw, sh);
  const out = new Uint8Array(dw * dh + 2 * Math.ceil(dw / 2) * Math.ceil(dh / 2));
  const d = planes(out, dw, dh);
  d.Y.set(cropResamplePlane(s.Y, sw, dw, dh, cropAxis(dw, sw, c.x, stepX), cropAxis(dh, sh, c.y, stepY)));
  const cx = cropAxis(d.cw, s.cw, c.x / 2, stepX);
  const cy = cropAxis(d.ch, s.ch, c.y / 2, stepY);
  d.U.set(cropResamplePlane(s.U, s.cw, d.cw, d.ch, cx, cy));
  d.V.set(cropResamplePlane(s.V, s.cw, d.cw, d.ch, cx, cy));
  return out;
}

// ---------- box filters ----------

const recip = (r: number): number => Math.floor((65536 + Math.floor((2 * r + 1) / 2)) / (2 * r + 1));
const clampI = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

export function boxBlurH(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const R = recip(r);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += src[y * w + clampI(x + k, 0, w - 1)];
      out[y * w + x] = Math.floor((sum * R + 32768) / 65536);
    }
  }
  return out;
}

export function boxBlurV(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const R = recip(r);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += src[clampI(y + k, 0, h - 1) * w + x];
      out[y * w + x] = Math.floor((sum * R + 32768) / 65536);
    }
  }
  return out;
}

/** Mean of s×s blocks with clamp-to-edge, rounded. */
export function downsampleBox(src: Uint8Array, w: number, h: number, s: number): { low: Uint8Array; lw: number; lh: number } {
  const lw = Math.ceil(w / s);
  const lh = Math.ceil(h / s);
  const low = new Uint8Array(lw * lh);
  for (let j = 0; j < lh; j++) {
    for (let i = 0; i < lw; i++) {
      let sum = 0;
      for (let dy = 0; dy < s; dy++) {
        for (let dx = 0; dx < s; dx++) sum += src[Math.min(j * s + dy, h - 1) * w + Math.min(i * s + dx, w - 1)];
      }
      low[j * lw + i] = Math.floor((sum + (s * s) / 2) / (s * s));
    }
  }
  return { low, lw, lh };
}

export function planBlur(radius: number): { scale: number; radiusLuma: number; radiusChroma: number } {
  const scale = radius < 6 ? 2 : radius < 16 ? 4 : radius < 40 ? 8 : 16;
  return {
    scale,
    radiusLuma: Math.max(1, Math.floor(radius / scale + 0.5)),
    radiusChroma: Math.max(1, Math.floor(radius / (2 * scale) + 0.5)),
  };
}

export function featherRadius(feather: number, mw: number, width: number): number {
  return Math.min(64, Math.floor((2 * feather * mw + width) / (2 * width)));
}

// ---------- per-pixel formulas ----------

const weight = (m: number): number => m + (m >> 7);
const mix = (v: number, m: number, bg: number): number => (v * weight(m) + bg * (256 - weight(m)) + 128) >> 8;
const pullByD = (v: number, d: number, target: number): number => (v * (256 - weight(d)) + target * weight(d) + 128) >> 8;
const pull = (v: number, m: number, a: number, target: number): number => pullByD(v, (a * (255 - m) + 128) >> 8, target);

export function vignetteD(w: number, h: number, x: number, y: number, strength: number, radius: number): number {
  const halfDiag = Math.sqrt(w * w + h * h) / 2;
  const dx = x + 0.5 - w / 2;
  const dy = y + 0.5 - h / 2;
  const r = Math.sqrt(dx * dx + dy * dy) / halfDiag;
  let t = radius >= 1 ? 0 : (r - radius) / (1 - radius);
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.min(255, Math.max(0, Math.floor(255 * strength * (t * t * (3 - 2 * t)) + 0.5)));
}

// ---------- the chain ----------

export interface ChainRefInput {
  width: number;
  height: number;
  effects: RawEffect[];
  atlas: Uint8Array;
  /** Defaults to 'motion' (what the addon does). */
  maskRule?: MaskRule;
  /** The old outward feather (blur only, no erosion), kept to show the ring it leaves. */
  outwardFeather?: boolean;
}

/** Minimum over a (2r+1)² window clipped to the plane (kernels/erode.cc). */
export function erodeBox(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const rows = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 255;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) m = Math.min(m, src[y * w + k]);
      rows[y * w + x] = m;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 255;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) m = Math.min(m, rows[k * w + x]);
      out[y * w + x] = m;
    }
  }
  return out;
}

/** What one effect's reference sees: the frame's planes and the mask at frame resolution. */
export interface RefContext {
  w: number;
  h: number;
  p: Planes;
  out: Uint8Array;
  atlas: AtlasRef;
  span: Span;
  /** The subject mask upsampled to luma (my) and chroma (mc) resolution, feathered. */
  masks(feather: number): { my: Uint8Array; mc: Uint8Array };
}

type RefOf<N extends RawEffect['type']> = (c: RefContext, e: Extract<RawEffect, { type: N }>) => void;

const pullRef = (c: RefContext, e: { amount: number; feather: number }, luma: boolean): void => {
  const { my, mc } = c.masks(e.feather);
  const a = Math.floor(e.amount * 256 + 0.5);
  const { p } = c;
  if (luma) for (let i = 0; i < p.Y.length; i++) p.Y[i] = pull(p.Y[i], my[i], a, 16);
  for (let i = 0; i < p.U.length; i++) {
    p.U[i] = pull(p.U[i], mc[i], a, 128);
    p.V[i] = pull(p.V[i], mc[i], a, 128);
  }
};

/** One reference per effect of the catalogue (the type makes a missing one a compile error). */
export const EFFECT_REFERENCES: { [N in RawEffect['type']]: RefOf<N> } = {
  'blur-background': (c, e) => {
    const { p, w, h } = c;
    const { my, mc } = c.masks(e.feather);
    const plan = planBlur(e.radius);
    const blurred = (plane: Uint8Array, pw: number, ph: number, r: number): Uint8Array => {
      const { low, lw, lh } = downsampleBox(plane, pw, ph, plan.scale);
      let b = low;
      for (let pass = 0; pass < 2; pass++) b = boxBlurV(boxBlurH(b, lw, lh, r), lw, lh, r);
      return upsample(b, lw, lh, pw, ph, rationalAxis(pw, lw, 1, plan.scale), rationalAxis(ph, lh, 1, plan.scale));
    };
    const by = blurred(p.Y, w, h, plan.radiusLuma);
    const bu = blurred(p.U, p.cw, p.ch, plan.radiusChroma);
    const bv = blurred(p.V, p.cw, p.ch, plan.radiusChroma);
    for (let i = 0; i < p.Y.length; i++) p.Y[i] = mix(p.Y[i], my[i], by[i]);
    for (let i = 0; i < p.U.length; i++) {
      p.U[i] = mix(p.U[i], mc[i], bu[i]);
      p.V[i] = mix(p.V[i], mc[i], bv[i]);
    }
  },
  'grayscale-background': (c, e) => pullRef(c, e, false),
  'dim-background': (c, e) => pullRef(c, e, true),
  'replace-background': (c, e) => {
    const { p, w, h } = c;
    const { my, mc } = c.masks(e.feather);
    const bg = e.image ? planes(e.image, w, h) : undefined;
    const [cy, cu, cv] = e.color;
    for (let i = 0; i < p.Y.length; i++) p.Y[i] = mix(p.Y[i], my[i], bg ? bg.Y[i] : cy);
    for (let i = 0; i < p.U.length; i++) {
      p.U[i] = mix(p.U[i], mc[i], bg ? bg.U[i] : cu);
      p.V[i] = mix(p.V[i], mc[i], bg ? bg.V[i] : cv);
    }
  },
  'pixelate-background': (c, e) => {
    const { p, w, h } = c;
    const { my, mc } = c.masks(e.feather);
    // Block of sample (x, y) at `step` luma pixels per sample: (floor(x*step/size), floor(y*step/size)); its rounded mean.
    const mosaic = (plane: Uint8Array, pw: number, ph: number, step: number): Uint8Array => {
      const id = (x: number, y: number): string => `${Math.floor((x * step) / e.size)},${Math.floor((y * step) / e.size)}`;
      const sums = new Map<string, { sum: number; n: number }>();
      for (let y = 0; y < ph; y++) {
        for (let x = 0; x < pw; x++) {
          const b = sums.get(id(x, y)) ?? { sum: 0, n: 0 };
          b.sum += plane[y * pw + x];
          b.n++;
          sums.set(id(x, y), b);
        }
      }
      const out = new Uint8Array(pw * ph);
      for (let y = 0; y < ph; y++) {
        for (let x = 0; x < pw; x++) {
          const b = sums.get(id(x, y))!;
          out[y * pw + x] = Math.floor((b.sum + Math.floor(b.n / 2)) / b.n);
        }
      }
      return out;
    };
    const by = mosaic(p.Y, w, h, 1);
    const bu = mosaic(p.U, p.cw, p.ch, 2);
    const bv = mosaic(p.V, p.cw, p.ch, 2);
    for (let i = 0; i < p.Y.length; i++) p.Y[i] = mix(p.Y[i], my[i], by[i]);
    for (let i = 0; i < p.U.length; i++) {
      p.U[i] = mix(p.U[i], mc[i], bu[i]);
      p.V[i] = mix(p.V[i], mc[i], bv[i]);
    }
  },
  vignette: (c, e) => {
    const { p, w, h } = c;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) p.Y[y * w + x] = pullByD(p.Y[y * w + x], vignetteD(w, h, x, y, e.strength, e.radius), 16);
    }
  },
  zoom: (c, e) => {
    const { w, h, out } = c;
    const cropW = w / e.factor;
    const cropH = h / e.factor;
    let cx = w / 2;
    let cy = h / 2;
    if (e.follow) {
      const b = interpolateBox(c.atlas, c.span);
      cx = (b[0] + b[2] / 2) * w;
      cy = (b[1] + b[3] / 2) * h;
    }
    out.set(resampleFrame(Uint8Array.from(out), w, h, w, h, { x: cx - cropW / 2, y: cy - cropH / 2, w: cropW, h: cropH }));
  },
};

/** Applies the chain to a copy of `frame` and returns it. */
export function applyChainRef(input: ChainRefInput, frame: Uint8Array, frameIndex: number): Uint8Array {
  const { width: w, height: h } = input;
  const out = Uint8Array.from(frame);
  const p = planes(out, w, h);
  const atlas = readAtlasRef(input.atlas);
  const span = findKeyframes(atlas, frameIndex);
  const blended = blendMasks(atlas, span, input.maskRule, frameIndex);
  const masks = (feather: number): { my: Uint8Array; mc: Uint8Array } => {
    const r = featherRadius(feather, atlas.mw, w);
    // The feather lies inside the subject: erode by b = ceil(r/2), then blur by b (kernels/mask_source.cc).
    // The old outward feather blurred by r with no erosion.
    const b = input.outwardFeather ? r : (r + 1) >> 1;
    const eroded = r === 0 || input.outwardFeather ? blended : erodeBox(blended, atlas.mw, atlas.mh, b);
    const m = r === 0 ? blended : boxBlurV(boxBlurH(eroded, atlas.mw, atlas.mh, b), atlas.mw, atlas.mh, b);
    const my = upsample(m, atlas.mw, atlas.mh, w, h, rationalAxis(w, atlas.mw, atlas.mw, w), rationalAxis(h, atlas.mh, atlas.mh, h));
    const mc = upsample(m, atlas.mw, atlas.mh, p.cw, p.ch, rationalAxis(p.cw, atlas.mw, 2 * atlas.mw, w), rationalAxis(p.ch, atlas.mh, 2 * atlas.mh, h));
    return { my, mc };
  };
  const context: RefContext = { w, h, p, out, atlas, span, masks };
  for (const e of input.effects) (EFFECT_REFERENCES[e.type] as (c: RefContext, e: RawEffect) => void)(context, e);
  return out;
}

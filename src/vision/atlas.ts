// Mask atlas writer, validating reader and reference sampler (layout:
// docs/atlas.md, constants: atlas-layout.ts). The writer puts the bytes in a
// SharedArrayBuffer so render workers read them without a copy.
import { ATLAS_FLAG_MOTION, ATLAS_HEADER_BYTES, ATLAS_MAGIC, ATLAS_MAX_MASK_SIDE, ATLAS_MOTION_BLOCK_RANGE, ATLAS_VERSION, atlasOffsets, motionGrid, motionOffsets } from './atlas-layout.js';

export class AtlasError extends Error {
  constructor(message: string) {
    super(`mask atlas: ${message}`);
    this.name = 'AtlasError';
  }
}

export interface AtlasContents {
  maskWidth: number;
  maskHeight: number;
  /** Size of the frames the boxes refer to (decoded, display-oriented input frames). */
  sourceWidth: number;
  sourceHeight: number;
  /** Input frame index per keyframe, strictly increasing. */
  frames: ArrayLike<number>;
  /** x, y, w, h per keyframe, normalised to 0..1 of the source frame. */
  boxes: ArrayLike<number>;
  /** Confidence per keyframe, 0..1. */
  scores: ArrayLike<number>;
  /** K masks of maskWidth × maskHeight bytes, concatenated. */
  masks: Uint8Array;
  /** Local motion between keyframes (docs/atlas.md "Motion"); without it every interval uses the box map. */
  motion?: AtlasMotion;
}

/**
 * Motion samples per keyframe interval: at sample frame s, a block field says
 * where each mask pixel of frame s reads keyframe k0's and k1's masks.
 */
export interface AtlasMotion {
  /** Block side in mask pixels (ATLAS_MOTION_BLOCK_RANGE); the grid is ceil(mw/B) × ceil(mh/B). */
  blockSize: number;
  /**
   * K entries: entry i is the index of interval i's first sample (interval i runs from
   * keyframe i to i + 1), entry K-1 is the sample count. An interval has no samples (box
   * map) or at least two: its first on keyframe i, its last on keyframe i + 1.
   */
  first: ArrayLike<number>;
  /** Frame index per sample, strictly increasing within an interval. */
  frames: ArrayLike<number>;
  /** Per sample, per block row-major: dx0, dy0, dx1, dy1 in 1/16 mask pixel (offsets to read k0 and k1 at). */
  fields: Int16Array;
}

export interface AtlasView extends AtlasContents {
  version: number;
  motion?: AtlasMotion & { first: Uint32Array; frames: Uint32Array };
  keyframes: number;
  frames: Uint32Array;
  boxes: Float32Array;
  scores: Float32Array;
  /** The whole atlas (the bytes that were read). */
  bytes: Uint8Array;
}

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new AtlasError(message);
}

function checkContents(c: Omit<AtlasContents, 'masks'>, k: number): void {
  check(Number.isInteger(c.maskWidth) && c.maskWidth >= 1 && c.maskWidth <= ATLAS_MAX_MASK_SIDE, `mask width ${c.maskWidth} is not an integer in 1..${ATLAS_MAX_MASK_SIDE}`);
  check(Number.isInteger(c.maskHeight) && c.maskHeight >= 1 && c.maskHeight <= ATLAS_MAX_MASK_SIDE, `mask height ${c.maskHeight} is not an integer in 1..${ATLAS_MAX_MASK_SIDE}`);
  check(Number.isInteger(c.sourceWidth) && c.sourceWidth >= 1, `source width ${c.sourceWidth} is not a positive integer`);
  check(Number.isInteger(c.sourceHeight) && c.sourceHeight >= 1, `source height ${c.sourceHeight} is not a positive integer`);
  check(k >= 1, 'needs at least one keyframe');
  for (let i = 0; i < k; i++) {
    const f = c.frames[i];
    check(Number.isInteger(f) && f >= 0 && f <= 0xffffffff, `keyframe ${i}: frame index ${f} is not a non-negative 32-bit integer`);
    if (i > 0) check(f > c.frames[i - 1], `keyframe ${i}: frame index ${f} does not increase (previous ${c.frames[i - 1]})`);
    for (let j = 0; j < 4; j++) {
      const v = c.boxes[i * 4 + j];
      check(Number.isFinite(v) && v >= -1e-6 && v <= 1 + 1e-6, `keyframe ${i} (frame ${f}): box value ${v} is not a normalised 0..1 number`);
    }
    const s = c.scores[i];
    check(Number.isFinite(s) && s >= 0 && s <= 1, `keyframe ${i} (frame ${f}): score ${s} is not in 0..1`);
  }
  if (c.motion) checkMotion(c.motion, c, k);
}

function checkMotion(m: AtlasMotion, c: Omit<AtlasContents, 'masks'>, k: number): void {
  const { min, max } = ATLAS_MOTION_BLOCK_RANGE;
  check(Number.isInteger(m.blockSize) && m.blockSize >= min && m.blockSize <= max, `motion block size ${m.blockSize} is not an integer in ${min}..${max}`);
  check(m.first.length === k, `motion: ${m.first.length} interval starts for ${k} keyframes (expected ${k})`);
  const samples = m.frames.length;
  check(m.first[0] === 0 && m.first[k - 1] === samples, `motion: interval starts must run from 0 to the sample count ${samples}`);
  const { gw, gh } = motionGrid(c.maskWidth, c.maskHeight, m.blockSize);
  check(m.fields.length === samples * gw * gh * 4, `motion: ${m.fields.length} field values for ${samples} samples of ${gw}x${gh} blocks (expected ${samples * gw * gh * 4})`);
  for (let i = 0; i + 1 < k; i++) {
    const [a, b] = [m.first[i], m.first[i + 1]];
    check(Number.isInteger(a) && b >= a && (b - a === 0 || b - a >= 2), `motion: interval ${i} has ${b - a} samples (0 or at least 2)`);
    if (b === a) continue;
    check(m.frames[a] === c.frames[i] && m.frames[b - 1] === c.frames[i + 1], `motion: interval ${i}'s samples must start on frame ${c.frames[i]} and end on frame ${c.frames[i + 1]}`);
    for (let j = a + 1; j < b; j++) check(m.frames[j] > m.frames[j - 1], `motion: sample ${j} (frame ${m.frames[j]}) does not increase`);
  }
}

/** Writes the atlas into a new SharedArrayBuffer; returns a view over exactly the atlas bytes. */
export function writeAtlas(c: AtlasContents): Uint8Array {
  const { bytes, masks } = allocateAtlas(c);
  check(c.masks.length === masks.length, `${c.masks.length} mask bytes for ${c.frames.length} masks of ${c.maskWidth}x${c.maskHeight}`);
  masks.set(c.masks);
  return bytes;
}

/**
 * The atlas with its header, frames, boxes and scores written and its masks
 * left for the caller to fill in place (`masks`, a view into `bytes`), so no
 * second copy of the masks is ever held.
 */
export function allocateAtlas(c: Omit<AtlasContents, 'masks'>): { bytes: Uint8Array; masks: Uint8Array } {
  const k = c.frames.length;
  check(c.boxes.length === 4 * k, `${c.boxes.length} box values for ${k} keyframes (expected ${4 * k})`);
  check(c.scores.length === k, `${c.scores.length} scores for ${k} keyframes`);
  checkContents(c, k);
  const geometry = { maskWidth: c.maskWidth, maskHeight: c.maskHeight, keyframes: k };
  const off = atlasOffsets(geometry);
  const mo = c.motion && motionOffsets(geometry, { blockSize: c.motion.blockSize, samples: c.motion.frames.length });
  const bytes = new Uint8Array(new SharedArrayBuffer(mo ? mo.total : off.total));
  const dv = new DataView(bytes.buffer);
  const header = [ATLAS_MAGIC, ATLAS_VERSION, c.maskWidth, c.maskHeight, k, c.sourceWidth, c.sourceHeight, mo ? ATLAS_FLAG_MOTION : 0];
  header.forEach((v, i) => dv.setUint32(i * 4, v, true));
  for (let i = 0; i < k; i++) {
    dv.setUint32(off.frames + 4 * i, c.frames[i], true);
    for (let j = 0; j < 4; j++) dv.setFloat32(off.boxes + 16 * i + 4 * j, Math.min(1, Math.max(0, c.boxes[4 * i + j])), true);
    dv.setFloat32(off.scores + 4 * i, c.scores[i], true);
  }
  if (c.motion && mo) {
    const m = c.motion;
    dv.setUint32(mo.start, m.blockSize, true);
    dv.setUint32(mo.start + 4, m.frames.length, true);
    for (let i = 0; i < k; i++) dv.setUint32(mo.first + 4 * i, m.first[i], true);
    for (let j = 0; j < m.frames.length; j++) dv.setUint32(mo.frames + 4 * j, m.frames[j], true);
    for (let j = 0; j < m.fields.length; j++) dv.setInt16(mo.fields + 2 * j, m.fields[j], true);
  }
  return { bytes, masks: bytes.subarray(off.masks, off.masks + k * c.maskWidth * c.maskHeight) };
}

/** Validates and exposes an atlas. Arrays are views over `bytes` when aligned (always true for writeAtlas output). */
export function readAtlas(bytes: Uint8Array): AtlasView {
  check(bytes instanceof Uint8Array, 'expected a Uint8Array');
  check(bytes.byteLength >= ATLAS_HEADER_BYTES, `${bytes.byteLength} bytes is shorter than the ${ATLAS_HEADER_BYTES}-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const magic = u32(0);
  check(magic === ATLAS_MAGIC, `bad magic 0x${magic.toString(16).padStart(8, '0')} (expected 0x${ATLAS_MAGIC.toString(16)} "MFAT"): not a mask atlas`);
  const version = u32(4);
  check(version === 1 || version === ATLAS_VERSION, `version ${version} is not supported (this maskflow reads versions 1..${ATLAS_VERSION})`);
  const maskWidth = u32(8);
  const maskHeight = u32(12);
  const k = u32(16);
  const sourceWidth = u32(20);
  const sourceHeight = u32(24);
  const flags = u32(28);
  const knownFlags = version === 1 ? 0 : ATLAS_FLAG_MOTION;
  check((flags & ~knownFlags) === 0, `flags ${flags} has unknown bits (version ${version} knows ${knownFlags})`);
  check(maskWidth >= 1 && maskWidth <= ATLAS_MAX_MASK_SIDE && maskHeight >= 1 && maskHeight <= ATLAS_MAX_MASK_SIDE, `mask size ${maskWidth}x${maskHeight} is outside 1..${ATLAS_MAX_MASK_SIDE}`);
  check(k >= 1, 'keyframe count is 0');
  check(k <= bytes.byteLength / 24, `keyframe count ${k} cannot fit in ${bytes.byteLength} bytes`);
  const geometry = { maskWidth, maskHeight, keyframes: k };
  const off = atlasOffsets(geometry);
  const aligned = bytes.byteOffset % 4 === 0;
  const view = <T extends Uint32Array | Float32Array | Int16Array>(Ctor: { new (b: ArrayBufferLike, o: number, n: number): T; BYTES_PER_ELEMENT: number }, o: number, n: number): T =>
    aligned ? new Ctor(bytes.buffer, bytes.byteOffset + o, n) : new Ctor(bytes.slice(o, o + Ctor.BYTES_PER_ELEMENT * n).buffer, 0, n);
  let motion: AtlasView['motion'];
  if (flags & ATLAS_FLAG_MOTION) {
    const start = motionOffsets(geometry, { blockSize: 4, samples: 0 }).start;
    check(bytes.byteLength >= start + 8, `${bytes.byteLength} bytes: the motion section's header at byte ${start} is missing`);
    const blockSize = dv.getUint32(start, true);
    const samples = dv.getUint32(start + 4, true);
    const { min, max } = ATLAS_MOTION_BLOCK_RANGE;
    check(blockSize >= min && blockSize <= max, `motion block size ${blockSize} is outside ${min}..${max}`);
    check(samples <= bytes.byteLength / 12, `motion sample count ${samples} cannot fit in ${bytes.byteLength} bytes`);
    const mo = motionOffsets(geometry, { blockSize, samples });
    check(bytes.byteLength === mo.total, `${bytes.byteLength} bytes, but ${k} keyframes of ${maskWidth}x${maskHeight} masks and ${samples} motion samples need exactly ${mo.total}`);
    const { gw, gh } = motionGrid(maskWidth, maskHeight, blockSize);
    motion = { blockSize, first: view(Uint32Array, mo.first, k), frames: view(Uint32Array, mo.frames, samples), fields: view(Int16Array, mo.fields, samples * gw * gh * 4) };
  } else {
    check(bytes.byteLength === off.total, `${bytes.byteLength} bytes, but ${k} keyframes of ${maskWidth}x${maskHeight} masks need exactly ${off.total}`);
  }
  const frames = view(Uint32Array, off.frames, k);
  const boxes = view(Float32Array, off.boxes, 4 * k);
  const scores = view(Float32Array, off.scores, k);
  const masks = bytes.subarray(off.masks, off.total);
  const contents = { maskWidth, maskHeight, sourceWidth, sourceHeight, frames, boxes, scores, masks, motion };
  checkContents(contents, k);
  return { ...contents, version, keyframes: k, bytes };
}

/** The two keyframes around `frame` and the blend weight of the second (docs/atlas.md). */
export function keyframePair(frames: ArrayLike<number>, frame: number): { k0: number; k1: number; t: number } {
  const k = frames.length;
  if (frame <= frames[0]) return { k0: 0, k1: 0, t: 0 };
  if (frame >= frames[k - 1]) return { k0: k - 1, k1: k - 1, t: 0 };
  let lo = 0;
  let hi = k - 1; // frames[lo] <= frame < frames[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (frames[mid] <= frame) lo = mid;
    else hi = mid;
  }
  return { k0: lo, k1: hi, t: (frame - frames[lo]) / (frames[hi] - frames[lo]) };
}

/** Interpolated subject box (normalised x, y, w, h) at `frame`. */
export function boxAtFrame(atlas: AtlasView, frame: number): [number, number, number, number] {
  const { k0, k1, t } = keyframePair(atlas.frames, frame);
  const b = atlas.boxes;
  const lerp = (j: number): number => b[4 * k0 + j] + (b[4 * k1 + j] - b[4 * k0 + j]) * t;
  return [lerp(0), lerp(1), lerp(2), lerp(3)];
}

/**
 * Reference mask for `frame` at `width` × `height` (docs/atlas.md "Sampling"), in
 * floating point. First the frame's mask at analysis resolution: each of the two
 * keyframe masks is bilinearly sampled through the map that moves the interpolated
 * subject box onto that keyframe's box (motion compensation, so a moving subject
 * stays one solid shape instead of two fading ghosts), then blended by t. That mask
 * is then upsampled bilinearly at pixel centres. The native sampler is checked
 * against this rule.
 */
export function sampleMask(atlas: AtlasView, frame: number, width: number, height: number, out = new Uint8Array(width * height)): Uint8Array {
  if (out.length !== width * height) throw new AtlasError(`output has ${out.length} bytes for a ${width}x${height} mask`);
  const { maskWidth: mw, maskHeight: mh } = atlas;
  const m = compensatedMask(atlas, frame);
  const xs = axisSamples(width, mw);
  const ys = axisSamples(height, mh);
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y] * mw;
    const r1 = ys.i1[y] * mw;
    const fy = ys.f[y];
    for (let x = 0; x < width; x++) {
      const a = xs.i0[x];
      const b = xs.i1[x];
      const fx = xs.f[x];
      const top = m[r0 + a] + (m[r0 + b] - m[r0 + a]) * fx;
      const bot = m[r1 + a] + (m[r1 + b] - m[r1 + a]) * fx;
      out[y * width + x] = Math.round(top + (bot - top) * fy);
    }
  }
  return out;
}

/** Per axis: mask pixel i reads the keyframe at start + (i + 0.5) * step - 0.5 mask pixels. */
interface AxisMap {
  start: number;
  step: number;
}

const IDENTITY: AxisMap = { start: 0, step: 1 };

/**
 * The affine map (per axis) taking the interpolated box onto keyframe k's box: a
 * normalised position u goes to c_k + (u - c_t) * size_k / size_t (c = box centre).
 * Identity when the frame is a keyframe or either box is empty (w or h <= 0: no
 * subject, so the interpolated box locates nothing).
 */
function keyframeMaps(atlas: AtlasView, k0: number, k1: number, t: number): [AxisMap, AxisMap][] {
  const b = atlas.boxes;
  const usable = (k: number): boolean => b[4 * k + 2] > 0 && b[4 * k + 3] > 0;
  if (k0 === k1 || !usable(k0) || !usable(k1)) return [[IDENTITY, IDENTITY], [IDENTITY, IDENTITY]];
  const bt = (j: number): number => b[4 * k0 + j] + (b[4 * k1 + j] - b[4 * k0 + j]) * t;
  const axis = (k: number, j: number, n: number): AxisMap => {
    const step = b[4 * k + j + 2] / bt(j + 2);
    const ck = b[4 * k + j] + b[4 * k + j + 2] / 2;
    const ct = bt(j) + bt(j + 2) / 2;
    return { start: (ck - ct * step) * n, step };
  };
  return [k0, k1].map((k): [AxisMap, AxisMap] => [axis(k, 0, atlas.maskWidth), axis(k, 1, atlas.maskHeight)]);
}

/** The frame's mask at analysis resolution (unrounded): each keyframe mask warped bilinearly, then lerp by t. */
function compensatedMask(atlas: AtlasView, frame: number): Float64Array {
  const { k0, k1, t } = keyframePair(atlas.frames, frame);
  const { maskWidth: mw, maskHeight: mh, masks } = atlas;
  const out = new Float64Array(mw * mh);
  const pairs = t === 0 ? [[k0, 1] as const] : ([[k0, 1 - t], [k1, t]] as const);
  const span = t === 0 ? undefined : motionSpan(atlas, k0, frame);
  if (span) {
    pairs.forEach(([k, weight], p) => {
      const { px, py } = motionReadPositions(atlas, span, p as 0 | 1);
      const base = k * mw * mh;
      for (let i = 0; i < out.length; i++) {
        const [x0, fx] = [px[i] >> 8, (px[i] & 255) / 256];
        const [y0, fy] = [py[i] >> 8, (py[i] & 255) / 256];
        const x1 = Math.min(mw - 1, x0 + 1);
        const r0 = base + y0 * mw;
        const r1 = base + Math.min(mh - 1, y0 + 1) * mw;
        const top = masks[r0 + x0] + (masks[r0 + x1] - masks[r0 + x0]) * fx;
        const bot = masks[r1 + x0] + (masks[r1 + x1] - masks[r1 + x0]) * fx;
        out[i] += weight * (top + (bot - top) * fy);
      }
    });
    return out;
  }
  const maps = keyframeMaps(atlas, k0, k1, t);
  pairs.forEach(([k, weight], p) => {
    const base = k * mw * mh;
    const xs = mappedSamples(mw, maps[p][0]);
    const ys = mappedSamples(mh, maps[p][1]);
    for (let y = 0; y < mh; y++) {
      const r0 = base + ys.i0[y] * mw;
      const r1 = base + ys.i1[y] * mw;
      for (let x = 0; x < mw; x++) {
        const top = masks[r0 + xs.i0[x]] + (masks[r0 + xs.i1[x]] - masks[r0 + xs.i0[x]]) * xs.f[x];
        const bot = masks[r1 + xs.i0[x]] + (masks[r1 + xs.i1[x]] - masks[r1 + xs.i0[x]]) * xs.f[x];
        out[y * mw + x] += weight * (top + (bot - top) * ys.f[y]);
      }
    }
  });
  return out;
}

/** The two motion samples of interval k0 around `frame` and the weight (of 256) of the second; undefined when the interval has none. */
export function motionSpan(atlas: Pick<AtlasView, 'motion'>, k0: number, frame: number): { a: number; w256: number } | undefined {
  const m = atlas.motion;
  if (!m) return undefined;
  const [lo, hi] = [m.first[k0], m.first[k0 + 1]];
  if (!(hi - lo >= 2)) return undefined;
  let a = lo;
  while (a + 2 < hi && m.frames[a + 1] <= frame) a++;
  const [fa, fb] = [m.frames[a], m.frames[a + 1]];
  return { a, w256: Math.min(256, Math.max(0, Math.floor(((frame - fa) * 256) / (fb - fa)))) };
}

/**
 * Where each mask pixel of the frame reads keyframe k0 (c = 0) or k1 (c = 1), in
 * 1/256 mask pixel, clamped to the mask (docs/atlas.md "Motion"), in integers so the
 * addon computes exactly the same positions: the two samples' block fields lerped by
 * w256, then bilinearly interpolated between block centres.
 */
export function motionReadPositions(atlas: Pick<AtlasView, 'motion' | 'maskWidth' | 'maskHeight'>, span: { a: number; w256: number }, c: 0 | 1): { px: Int32Array; py: Int32Array } {
  const m = atlas.motion as AtlasMotion;
  const { maskWidth: mw, maskHeight: mh } = atlas;
  const B = m.blockSize;
  const { gw, gh } = motionGrid(mw, mh, B);
  const n = gw * gh;
  // Lerped field in 1/(16·256) mask pixel.
  const field = new Float64Array(2 * n);
  const fa = span.a * n * 4;
  const fb = fa + n * 4;
  for (let b = 0; b < n; b++) {
    for (let d = 0; d < 2; d++) field[2 * b + d] = m.fields[fa + 4 * b + 2 * c + d] * (256 - span.w256) + m.fields[fb + 4 * b + 2 * c + d] * span.w256;
  }
  const taps = (i: number, g: number): [number, number, number] => {
    const p = Math.min(Math.max(Math.floor(((2 * i + 1) * 128) / B) - 128, 0), (g - 1) * 256);
    return [p >> 8, Math.min((p >> 8) + 1, g - 1), p & 255];
  };
  const px = new Int32Array(mw * mh);
  const py = new Int32Array(mw * mh);
  for (let y = 0; y < mh; y++) {
    const [j0, j1, fy] = taps(y, gh);
    for (let x = 0; x < mw; x++) {
      const [i0, i1, fx] = taps(x, gw);
      for (let d = 0; d < 2; d++) {
        const at = (j: number, i: number): number => field[2 * (j * gw + i) + d];
        // 1/2^28 mask pixel; exact in doubles (|v| < 2^40).
        const v = (at(j0, i0) * (256 - fx) + at(j0, i1) * fx) * (256 - fy) + (at(j1, i0) * (256 - fx) + at(j1, i1) * fx) * fy;
        const hi = ((d === 0 ? mw : mh) - 1) * 256;
        const pos = (d === 0 ? x : y) * 256 + Math.floor(v / 2 ** 20);
        (d === 0 ? px : py)[y * mw + x] = Math.min(Math.max(pos, 0), hi);
      }
    }
  }
  return { px, py };
}

/** Mask pixel i → keyframe coordinate through `map`, clamped to the mask. */
function mappedSamples(m: number, map: AxisMap): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(m);
  const i1 = new Int32Array(m);
  const f = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const u = Math.min(m - 1, Math.max(0, map.start + (i + 0.5) * map.step - 0.5));
    const lo = Math.floor(u);
    i0[i] = lo;
    i1[i] = Math.min(m - 1, lo + 1);
    f[i] = u - lo;
  }
  return { i0, i1, f };
}

/** Pixel-centre mapping from `n` output pixels to `m` mask pixels, clamped at the edges. */
function axisSamples(n: number, m: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.min(m - 1, Math.max(0, ((i + 0.5) * m) / n - 0.5));
    const lo = Math.floor(u);
    i0[i] = lo;
    i1[i] = Math.min(m - 1, lo + 1);
    f[i] = u - lo;
  }
  return { i0, i1, f };
}

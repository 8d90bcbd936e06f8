// Test-only mask atlas writer and reader following docs/atlas.md and
// src/vision/atlas-layout.ts (independent of the production writer in
// src/vision/atlas.ts, so the addon is checked against the document itself).
import { ATLAS_FLAG_MOTION, ATLAS_MAGIC, ATLAS_VERSION, atlasOffsets, motionGrid, motionOffsets } from '../../src/vision/atlas-layout.js';
import { randomBytes } from './random.js';

export type Box = [number, number, number, number];

export interface AtlasContent {
  maskWidth: number;
  maskHeight: number;
  sourceWidth: number;
  sourceHeight: number;
  frames: number[];
  boxes: Box[];
  scores?: number[];
  masks: Uint8Array[];
  /** docs/atlas.md "Motion": per interval a list of samples (frame, and per block dx0, dy0, dx1, dy1 in 1/16 mask px). */
  motion?: { blockSize: number; intervals: { frame: number; field: Int16Array }[][] };
}

/** Writes an atlas into a fresh SharedArrayBuffer (optionally with leading padding bytes). */
export function writeAtlas(c: AtlasContent, padding = 0): Uint8Array {
  const k = c.frames.length;
  const g = { maskWidth: c.maskWidth, maskHeight: c.maskHeight, keyframes: k };
  const off = atlasOffsets(g);
  const samples = c.motion ? c.motion.intervals.flat() : [];
  const mo = c.motion && motionOffsets(g, { blockSize: c.motion.blockSize, samples: samples.length });
  const total = mo ? mo.total : off.total;
  const bytes = new Uint8Array(new SharedArrayBuffer(padding + total), padding, total);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = [ATLAS_MAGIC, ATLAS_VERSION, c.maskWidth, c.maskHeight, k, c.sourceWidth, c.sourceHeight, mo ? ATLAS_FLAG_MOTION : 0];
  header.forEach((v, i) => view.setUint32(4 * i, v, true));
  c.frames.forEach((f, i) => view.setUint32(off.frames + 4 * i, f, true));
  c.boxes.forEach((b, i) => b.forEach((v, j) => view.setFloat32(off.boxes + 16 * i + 4 * j, v, true)));
  (c.scores ?? c.frames.map(() => 1)).forEach((s, i) => view.setFloat32(off.scores + 4 * i, s, true));
  const n = c.maskWidth * c.maskHeight;
  c.masks.forEach((m, i) => bytes.set(m.subarray(0, n), off.masks + i * n));
  if (c.motion && mo) {
    view.setUint32(mo.start, c.motion.blockSize, true);
    view.setUint32(mo.start + 4, samples.length, true);
    let first = 0;
    for (let i = 0; i < k; i++) {
      view.setUint32(mo.first + 4 * i, first, true);
      first += c.motion.intervals[i]?.length ?? 0;
    }
    const { gw, gh } = motionGrid(c.maskWidth, c.maskHeight, c.motion.blockSize);
    samples.forEach((s, j) => {
      view.setUint32(mo.frames + 4 * j, s.frame, true);
      for (let v = 0; v < 4 * gw * gh; v++) view.setInt16(mo.fields + 2 * (j * 4 * gw * gh + v), s.field[v], true);
    });
  }
  return bytes;
}

/**
 * Random motion for an atlas's intervals (each interval gets samples with probability
 * `share`): random block size, samples on both keyframes and some frames between,
 * random displacements up to `maxShift` mask pixels (far past the mask's edges too).
 */
export function randomMotion(next: () => number, c: AtlasContent, opts: { share?: number; maxShift?: number } = {}): NonNullable<AtlasContent['motion']> {
  const blockSize = 4 + Math.floor(next() * 13);
  const { gw, gh } = motionGrid(c.maskWidth, c.maskHeight, blockSize);
  const shift = (opts.maxShift ?? 12) * 16;
  const field = (zero: 0 | 1 | undefined): Int16Array => {
    const f = new Int16Array(4 * gw * gh);
    for (let v = 0; v < f.length; v++) f[v] = zero === (v & 2 ? 1 : 0) ? 0 : Math.round((next() * 2 - 1) * shift);
    return f;
  };
  const intervals = c.frames.slice(0, -1).map((f0, i) => {
    const f1 = c.frames[i + 1];
    if (next() >= (opts.share ?? 0.7)) return [];
    const inside: number[] = [];
    for (let f = f0 + 1; f < f1; f++) if (next() < 0.4) inside.push(f);
    // The writer's convention: no offset to k0 on k0, none to k1 on k1.
    return [{ frame: f0, field: field(0) }, ...inside.map((frame) => ({ frame, field: field(undefined) })), { frame: f1, field: field(1) }];
  });
  return { blockSize, intervals };
}

/**
 * Random atlas: noisy masks (the hardest case for exact matching), increasing keyframes,
 * random boxes (independent per keyframe, so they jump far and change size). With
 * `emptyBoxes`, that fraction of boxes has w or h = 0 (no subject found).
 */
export function randomAtlas(
  next: () => number,
  opts: { width: number; height: number; maxMaskSide?: number; keyframes?: number; emptyBoxes?: number },
): AtlasContent {
  const maxSide = opts.maxMaskSide ?? 48;
  const maskWidth = 1 + Math.floor(next() * maxSide);
  const maskHeight = 1 + Math.floor(next() * maxSide);
  const k = opts.keyframes ?? 1 + Math.floor(next() * 4);
  const frames: number[] = [];
  let f = Math.floor(next() * 5);
  for (let i = 0; i < k; i++) {
    frames.push(f);
    f += 1 + Math.floor(next() * 12);
  }
  const boxes: Box[] = frames.map(() => {
    const w = next() * 0.8;
    const h = next() * 0.8;
    const box: Box = [next() * (1 - w), next() * (1 - h), w, h];
    if (opts.emptyBoxes !== undefined && next() < opts.emptyBoxes) box[next() < 0.5 ? 2 : 3] = 0;
    return box;
  });
  const masks = frames.map(() => randomBytes(maskWidth * maskHeight, next));
  return { maskWidth, maskHeight, sourceWidth: opts.width, sourceHeight: opts.height, frames, boxes, masks };
}

/** A hard-edged disc mask: 255 where the mask pixel centre is within r of (cx, cy), all normalised to the frame. */
export function discMask(mw: number, mh: number, cx: number, cy: number, r: number): Uint8Array {
  const m = new Uint8Array(mw * mh);
  for (let y = 0; y < mh; y++) {
    for (let x = 0; x < mw; x++) {
      const dx = (x + 0.5) / mw - cx;
      const dy = (y + 0.5) / mh - cy;
      m[y * mw + x] = dx * dx + dy * dy <= r * r ? 255 : 0;
    }
  }
  return m;
}

/** Two keyframes (frames 0 and `gap`) of a disc of radius r0 then r1 moving from c0 to c1, boxes fitted to the disc (square frame). */
export function movingDiscAtlas(opts: { side: number; maskSide: number; gap: number; c0: [number, number]; c1: [number, number]; r0: number; r1: number }): AtlasContent {
  const { side, maskSide, gap, c0, c1, r0, r1 } = opts;
  return {
    maskWidth: maskSide,
    maskHeight: maskSide,
    sourceWidth: side,
    sourceHeight: side,
    frames: [0, gap],
    boxes: [
      [c0[0] - r0, c0[1] - r0, 2 * r0, 2 * r0],
      [c1[0] - r1, c1[1] - r1, 2 * r1, 2 * r1],
    ],
    masks: [discMask(maskSide, maskSide, c0[0], c0[1], r0), discMask(maskSide, maskSide, c1[0], c1[1], r1)],
  };
}

// Test-only mask atlas writer and reader following docs/atlas.md and
// src/vision/atlas-layout.ts (independent of the production writer in
// src/vision/atlas.ts, so the addon is checked against the document itself).
import { ATLAS_MAGIC, ATLAS_VERSION, atlasOffsets } from '../../src/vision/atlas-layout.js';
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
}

/** Writes an atlas into a fresh SharedArrayBuffer (optionally with leading padding bytes). */
export function writeAtlas(c: AtlasContent, padding = 0): Uint8Array {
  const k = c.frames.length;
  const off = atlasOffsets({ maskWidth: c.maskWidth, maskHeight: c.maskHeight, keyframes: k });
  const bytes = new Uint8Array(new SharedArrayBuffer(padding + off.total), padding, off.total);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = [ATLAS_MAGIC, ATLAS_VERSION, c.maskWidth, c.maskHeight, k, c.sourceWidth, c.sourceHeight, 0];
  header.forEach((v, i) => view.setUint32(4 * i, v, true));
  c.frames.forEach((f, i) => view.setUint32(off.frames + 4 * i, f, true));
  c.boxes.forEach((b, i) => b.forEach((v, j) => view.setFloat32(off.boxes + 16 * i + 4 * j, v, true)));
  (c.scores ?? c.frames.map(() => 1)).forEach((s, i) => view.setFloat32(off.scores + 4 * i, s, true));
  const n = c.maskWidth * c.maskHeight;
  c.masks.forEach((m, i) => bytes.set(m.subarray(0, n), off.masks + i * n));
  return bytes;
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

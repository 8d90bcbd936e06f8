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

/** Random atlas: noisy masks (the hardest case for exact matching), increasing keyframes, random boxes. */
export function randomAtlas(next: () => number, opts: { width: number; height: number; maxMaskSide?: number; keyframes?: number }): AtlasContent {
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
    return [next() * (1 - w), next() * (1 - h), w, h];
  });
  const masks = frames.map(() => randomBytes(maskWidth * maskHeight, next));
  return { maskWidth, maskHeight, sourceWidth: opts.width, sourceHeight: opts.height, frames, boxes, masks };
}

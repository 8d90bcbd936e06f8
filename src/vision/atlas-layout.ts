// Byte layout of the mask atlas (docs/atlas.md). Shared by the writer, the
// TypeScript reader and (mirrored in native/src/kernels/atlas.h) the addon.
export const ATLAS_MAGIC = 0x5441464d; // "MFAT" little-endian
export const ATLAS_VERSION = 1;
export const ATLAS_HEADER_BYTES = 32;
export const ATLAS_MAX_MASK_SIDE = 1024;

export interface AtlasGeometry {
  maskWidth: number;
  maskHeight: number;
  keyframes: number;
}

export const align16 = (n: number): number => (n + 15) & ~15;

export function atlasOffsets(g: AtlasGeometry): {
  frames: number;
  boxes: number;
  scores: number;
  masks: number;
  total: number;
} {
  const k = g.keyframes;
  const frames = ATLAS_HEADER_BYTES;
  const boxes = frames + 4 * k;
  const scores = boxes + 16 * k;
  const masks = align16(scores + 4 * k);
  return { frames, boxes, scores, masks, total: masks + k * g.maskWidth * g.maskHeight };
}

// Byte layout of the mask atlas (docs/atlas.md). Shared by the writer, the
// TypeScript reader and (mirrored in native/src/kernels/atlas.h) the addon.
export const ATLAS_MAGIC = 0x5441464d; // "MFAT" little-endian
/** Version 2 adds the optional motion section (flag ATLAS_FLAG_MOTION); version 1 atlases are still read. */
export const ATLAS_VERSION = 2;
export const ATLAS_HEADER_BYTES = 32;
export const ATLAS_MAX_MASK_SIDE = 1024;
/** Header flag: a motion section follows the masks. */
export const ATLAS_FLAG_MOTION = 1;
/** Motion blocks are 4..64 mask pixels square. */
export const ATLAS_MOTION_BLOCK_RANGE = { min: 4, max: 64 } as const;
/** Displacements are stored in 1/16 mask pixel. */
export const ATLAS_MOTION_UNIT = 16;

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

export interface MotionGeometry {
  blockSize: number;
  /** Motion samples over all keyframe intervals. */
  samples: number;
}

/** Blocks per row and column of a motion field. */
export function motionGrid(maskWidth: number, maskHeight: number, blockSize: number): { gw: number; gh: number } {
  return { gw: Math.ceil(maskWidth / blockSize), gh: Math.ceil(maskHeight / blockSize) };
}

/** Where the motion section's parts sit (docs/atlas.md "Motion"), after the masks. */
export function motionOffsets(g: AtlasGeometry, m: MotionGeometry): {
  start: number;
  first: number;
  frames: number;
  fields: number;
  total: number;
} {
  const start = align16(atlasOffsets(g).total);
  const first = start + 8;
  const frames = first + 4 * g.keyframes;
  const fields = frames + 4 * m.samples;
  const { gw, gh } = motionGrid(g.maskWidth, g.maskHeight, m.blockSize);
  return { start, first, frames, fields, total: fields + 8 * gw * gh * m.samples };
}

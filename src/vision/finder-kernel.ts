// The model-free finder's per-keyframe pixel work, in the native addon
// (native/src/kernels/finder.h): Lab conversion, colour bins, the saliency map
// and the labelling of salient regions. The finder calls it through
// `FinderKernelOps`, so tests can run the same finder on the plain TS
// reference (test/helpers/finder-reference.ts) and compare.
import { loadNative } from '../native/loader.js';
import type { RawFinderKernel } from '../native/binding-types.js';

/** Lab is kept packed as Int16 in steps of 1/LAB_SCALE (far below what the cues tell apart). */
export const LAB_SCALE = 128;
/** Stats layout of `regions`: [count, mass of all thresholded pixels], then REGION_STRIDE values per region. */
export const REGION_HEAD = 2;
/** Per region: pixels, minX, minY, maxX, maxY, mass, L·s, a·s, b·s sums, offset of its pixels in `members`. */
export const REGION_STRIDE = 10;
/** Most neighbouring keyframes the change cue takes. */
export const MAX_OTHERS = 6;

export interface FinderKernelOps {
  readonly width: number;
  readonly height: number;
  /** Most regions `regions` can report at this size (sizes its `stats`). */
  readonly maxRegions: number;
  /** rgb (3 bytes per pixel) → packed Lab (3 Int16 per pixel). */
  lab(rgb: Uint8Array, out: Int16Array): void;
  /** Packed Lab → colour-histogram bin per pixel (0..COLOUR_BIN_COUNT-1). */
  bins(lab: Int16Array, out: Uint16Array): void;
  /** Saliency 0..1 of `lab` given up to MAX_OTHERS neighbouring keyframes (the change cue needs 2). */
  saliency(lab: Int16Array, others: Int16Array[], out: Float32Array): void;
  /**
   * Regions of sal >= threshold after a 3x3 opening, 8-connected, in raster order of their first
   * pixel; `members` gets every region's pixels in flood-fill order. Returns the region count.
   * `stats` holds REGION_HEAD + maxRegions * REGION_STRIDE values.
   */
  regions(sal: Float32Array, threshold: number, lab: Int16Array | undefined, members: Int32Array, stats: Float64Array): number;
}

/** The addon's kernel for one working size (its scratch memory is sized once, here; the addon checks the size and says how many regions fit). */
export class NativeFinderKernel implements FinderKernelOps {
  readonly #native: RawFinderKernel;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const { binding, path } = loadNative();
    if (typeof binding.FinderKernel !== 'function') {
      throw new Error(`the native addon ${path} has no FinderKernel (built from older sources); rebuild it with \`npm run build:native\``);
    }
    this.#native = new binding.FinderKernel(width, height);
  }

  get maxRegions(): number {
    return this.#native.maxRegions;
  }

  lab(rgb: Uint8Array, out: Int16Array): void {
    this.#native.lab(rgb, out);
  }

  bins(lab: Int16Array, out: Uint16Array): void {
    this.#native.bins(lab, out);
  }

  saliency(lab: Int16Array, others: Int16Array[], out: Float32Array): void {
    this.#native.saliency(lab, others, out);
  }

  regions(sal: Float32Array, threshold: number, lab: Int16Array | undefined, members: Int32Array, stats: Float64Array): number {
    return this.#native.regions(sal, threshold, lab ?? null, members, stats);
  }
}

// The raw shape of the addon's exports. Only src/native/ touches these;
// everything else goes through the checked wrappers.
import type { EFFECTS, EffectName } from '../effects/catalog.js';

type Params<N extends EffectName> = (typeof EFFECTS)[N]['params'];
/** How the addon receives each parameter kind: colours as [Y, U, V], images as a decoded yuv420p frame. */
type RawValueOf<P> = P extends { kind: 'color' } ? readonly [number, number, number]
  : P extends { kind: 'image' } ? Uint8Array
  : P extends { kind: 'number' } ? number
  : P extends { kind: 'boolean' } ? boolean
  : string;
type ImageKeys<P> = { [K in keyof P]: P[K] extends { kind: 'image' } ? K : never }[keyof P];
type RawOf<N extends EffectName> = { type: N } & { [K in Exclude<keyof Params<N>, ImageKeys<Params<N>>>]: RawValueOf<Params<N>[K]> } & {
  [K in ImageKeys<Params<N>>]?: Uint8Array;
};

/** An effect as the addon reads it, derived from the catalogue (src/native/effects.ts converts). */
export type RawEffect = { [N in EffectName]: RawOf<N> }[EffectName];

export interface RawEffectChain {
  readonly frameBytes: number;
  apply(frame: Uint8Array, frameIndex: number): void;
}

export interface RawFrameResampler {
  readonly srcBytes: number;
  readonly dstBytes: number;
  apply(src: Uint8Array, dst: Uint8Array, x: number, y: number, w: number, h: number): void;
}

export interface RawFinderKernel {
  readonly maxRegions: number;
  lab(rgb: Uint8Array, out: Int16Array): void;
  bins(lab: Int16Array, out: Uint16Array): void;
  saliency(lab: Int16Array, others: Int16Array[], out: Float32Array): void;
  regions(sal: Float32Array, threshold: number, lab: Int16Array | null, members: Int32Array, stats: Float64Array): number;
}

export interface RawBinding {
  abiTag: string;
  napiVersion: number;
  addressOf(view: Uint8Array): bigint;
  EffectChain: new (width: number, height: number, effects: RawEffect[], atlas: Uint8Array) => RawEffectChain;
  FrameResampler: new (srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number) => RawFrameResampler;
  FinderKernel?: new (width: number, height: number) => RawFinderKernel;
  [name: string]: unknown;
}

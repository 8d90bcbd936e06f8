// The raw shape of the addon's exports. Only src/native/ touches these;
// everything else goes through the checked wrappers.

/** An effect as the addon reads it: the resolved EffectSpec, with replace-background's colour as Y, U, V. */
export type RawEffect =
  | { type: 'blur-background'; radius: number; feather: number }
  | { type: 'grayscale-background'; amount: number; feather: number }
  | { type: 'dim-background'; amount: number; feather: number }
  | { type: 'replace-background'; feather: number; useImage: boolean; yuv?: [number, number, number] }
  | { type: 'vignette'; strength: number; radius: number }
  | { type: 'zoom'; factor: number; follow: boolean };

export interface RawEffectChain {
  readonly frameBytes: number;
  apply(frame: Uint8Array, frameIndex: number): void;
}

export interface RawFrameResampler {
  readonly srcBytes: number;
  readonly dstBytes: number;
  apply(src: Uint8Array, dst: Uint8Array, x: number, y: number, w: number, h: number): void;
}

export interface RawBinding {
  abiTag: string;
  napiVersion: number;
  blendPlane(dst: Uint8Array, src: Uint8Array, mask: Uint8Array): void;
  isShared(view: Uint8Array): boolean;
  addressOf(view: Uint8Array): bigint;
  EffectChain: new (
    width: number,
    height: number,
    effects: RawEffect[],
    atlas: Uint8Array,
    backgroundImage?: Uint8Array,
  ) => RawEffectChain;
  FrameResampler: new (srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number) => RawFrameResampler;
  [name: string]: unknown;
}

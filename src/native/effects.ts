// Typed, checked wrappers over the addon's compositing core. The rest of the
// code uses these, never the raw binding: arguments are validated here first
// (messages name the argument or effect parameter), then again in C++.
import { COLOR_PATTERN, EFFECTS, maskEffectsAfterZoom, type EffectSpec, type ParamSpec } from '../effects/catalog.js';
import { loadNative } from './loader.js';
import type { RawEffect, RawEffectChain, RawFrameResampler } from './binding-types.js';

/** Largest frame side the addon accepts. */
export const MAX_FRAME_SIDE = 16384;

/** Bytes of one yuv420p frame: Y w×h, then U and V at ceil(w/2)×ceil(h/2) each. */
export function frameBytes(width: number, height: number): number {
  checkSide(width, 'width');
  checkSide(height, 'height');
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/**
 * `#rrggbb` (or `#rgb`) → [Y, U, V] in BT.601 limited ("TV") range, the range
 * x264 and most decoders assume for yuv420p without colour tags:
 *   Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255            (16..235)
 *   U = 128 + (-37.797 R - 74.203 G + 112 B) / 255               (16..240)
 *   V = 128 + (112 R - 93.786 G - 18.214 B) / 255                (16..240)
 * with R, G, B in 0..255, rounded to the nearest integer.
 */
export function yuvFromColor(hex: string): [number, number, number] {
  if (typeof hex !== 'string') throw new TypeError(`color must be a string like "#00b140", got ${typeof hex}`);
  const m = COLOR_PATTERN.exec(hex);
  if (!m) throw new RangeError(`color must look like "#rrggbb" or "#rgb", got ${JSON.stringify(hex)}`);
  const digits = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  const r = parseInt(digits.slice(0, 2), 16);
  const g = parseInt(digits.slice(2, 4), 16);
  const b = parseInt(digits.slice(4, 6), 16);
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));
  return [
    clamp(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255, 16, 235),
    clamp(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255, 16, 240),
    clamp(128 + (112 * r - 93.786 * g - 18.214 * b) / 255, 16, 240),
  ];
}

export interface ChainOptions {
  width: number;
  height: number;
  /** Applied in order. Effects that use the subject mask must come before any zoom. */
  effects: EffectSpec[];
  /** The mask atlas (docs/atlas.md): a Uint8Array view over a SharedArrayBuffer. */
  atlas: Uint8Array;
  /**
   * Per effect (same index), the decoded image of an effect whose image parameter
   * is set: one yuv420p frame of width×height, already fitted to the frame.
   */
  images?: readonly (Uint8Array | undefined)[];
}

/** A segment's effects compiled once (gain maps, scratch buffers); apply() runs per frame, in place. */
export class EffectChain {
  readonly width: number;
  readonly height: number;
  readonly frameBytes: number;
  readonly #native: RawEffectChain;

  constructor(options: ChainOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('EffectChain needs an options object');
    const { width, height, effects, atlas } = options;
    const imageList: unknown = options.images ?? [];
    this.frameBytes = frameBytes(width, height);
    this.width = width;
    this.height = height;
    if (!Array.isArray(effects)) throw new TypeError('effects must be an array of effect specs');
    if (!Array.isArray(imageList)) throw new TypeError('images must be an array (one entry per effect)');
    const images = imageList as readonly unknown[];
    checkAtlas(atlas);
    const raw = effects.map((e, i) => toRawEffect(e, i, images[i], this.frameBytes, `${width}x${height}`));
    const [misplaced] = maskEffectsAfterZoom(raw.map((e) => e.type));
    if (misplaced) {
      const { index, zoomAt } = misplaced;
      throw new RangeError(
        `effects[${index}] (${raw[index].type}) comes after zoom (effects[${zoomAt}]): effects that use the subject mask ` +
          'must come before zoom, because the mask describes the un-zoomed frame',
      );
    }
    const { binding } = loadNative();
    this.#native = new binding.EffectChain(width, height, raw, atlas);
  }

  /** Applies the chain in place to one yuv420p frame; `frameIndex` picks the masks and boxes. */
  apply(frame: Uint8Array, frameIndex: number): void {
    if (!(frame instanceof Uint8Array)) throw new TypeError('frame must be a Uint8Array');
    if (frame.length !== this.frameBytes) {
      throw new RangeError(
        `frame must hold ${this.frameBytes} bytes (yuv420p ${this.width}x${this.height}), got ${frame.length}`,
      );
    }
    if (!Number.isSafeInteger(frameIndex) || frameIndex < 0) {
      throw new RangeError(`frameIndex must be an integer >= 0, got ${String(frameIndex)}`);
    }
    this.#native.apply(frame, frameIndex);
  }
}

export interface ResamplerOptions {
  srcWidth: number;
  srcHeight: number;
  dstWidth: number;
  dstHeight: number;
}

export interface CropRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Crop (in source pixels, clamped inside the source) and bilinear resample, yuv420p → yuv420p. */
export class FrameResampler {
  readonly srcBytes: number;
  readonly dstBytes: number;
  readonly #native: RawFrameResampler;

  constructor(options: ResamplerOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('FrameResampler needs an options object');
    const { srcWidth, srcHeight, dstWidth, dstHeight } = options;
    checkSide(srcWidth, 'srcWidth');
    checkSide(srcHeight, 'srcHeight');
    checkSide(dstWidth, 'dstWidth');
    checkSide(dstHeight, 'dstHeight');
    this.srcBytes = frameBytes(srcWidth, srcHeight);
    this.dstBytes = frameBytes(dstWidth, dstHeight);
    const { binding } = loadNative();
    this.#native = new binding.FrameResampler(srcWidth, srcHeight, dstWidth, dstHeight);
  }

  apply(src: Uint8Array, dst: Uint8Array, crop: CropRect): void {
    if (!(src instanceof Uint8Array)) throw new TypeError('src must be a Uint8Array');
    if (!(dst instanceof Uint8Array)) throw new TypeError('dst must be a Uint8Array');
    if (src.length !== this.srcBytes) throw new RangeError(`src must hold ${this.srcBytes} bytes, got ${src.length}`);
    if (dst.length !== this.dstBytes) throw new RangeError(`dst must hold ${this.dstBytes} bytes, got ${dst.length}`);
    if (typeof crop !== 'object' || crop === null) throw new TypeError('crop must be an object {x, y, w, h}');
    for (const key of ['x', 'y', 'w', 'h'] as const) {
      const v = crop[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`crop.${key} must be a finite number`);
      if (Math.abs(v) > 1e9) throw new RangeError(`crop.${key} is out of range: ${v}`);
    }
    if (!(crop.w > 0) || !(crop.h > 0)) throw new RangeError(`crop.w and crop.h must be > 0, got ${crop.w}x${crop.h}`);
    this.#native.apply(src, dst, crop.x, crop.y, crop.w, crop.h);
  }
}

function checkSide(v: unknown, name: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name} must be an integer, got ${String(v)}`);
  if (v < 1 || v > MAX_FRAME_SIDE) throw new RangeError(`${name} must be in 1..${MAX_FRAME_SIDE}, got ${v}`);
}

function checkAtlas(atlas: unknown): asserts atlas is Uint8Array {
  if (!(atlas instanceof Uint8Array)) throw new TypeError('atlas must be a Uint8Array over a SharedArrayBuffer');
  if (!(atlas.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError('atlas must be a view over a SharedArrayBuffer (workers share it without copying)');
  }
}

function checkParam(effect: string, index: number, key: string, spec: ParamSpec, value: unknown): void {
  const where = `effects[${index}].${key} (${effect})`;
  switch (spec.kind) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new TypeError(`${where} must be a finite number, got ${String(value)}`);
      }
      if (value < spec.min || value > spec.max) {
        throw new RangeError(`${where} must be in ${spec.min}..${spec.max}, got ${value}`);
      }
      if (spec.integer && !Number.isInteger(value)) throw new RangeError(`${where} must be an integer, got ${value}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw new TypeError(`${where} must be a boolean, got ${String(value)}`);
      return;
    case 'color':
      if (typeof value !== 'string') throw new TypeError(`${where} must be a colour string like "#00b140"`);
      return;
    case 'image':
      if (typeof value !== 'string') throw new TypeError(`${where} must be a path string`);
      return;
    case 'choice':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw new RangeError(`${where} must be one of ${spec.values.join(', ')}, got ${String(value)}`);
      }
      return;
  }
}

/** Checks one resolved effect against the catalogue and converts it for the addon, parameter by parameter. */
function toRawEffect(effect: EffectSpec, index: number, image: unknown, bytes: number, size: string): RawEffect {
  if (typeof effect !== 'object' || effect === null) throw new TypeError(`effects[${index}] must be an effect object`);
  const type = (effect as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(EFFECTS, type)) {
    throw new RangeError(`effects[${index}].type must be one of ${Object.keys(EFFECTS).join(', ')}, got ${String(type)}`);
  }
  const record = effect as unknown as Record<string, unknown>;
  const raw: Record<string, unknown> = { type };
  for (const [key, spec] of Object.entries(EFFECTS[type as keyof typeof EFFECTS].params) as [string, ParamSpec][]) {
    const value = record[key];
    if (value === undefined) {
      if (spec.kind === 'image') continue; // optional
      throw new TypeError(`effects[${index}].${key} (${type}) is missing`);
    }
    checkParam(type, index, key, spec, value);
    if (spec.kind === 'color') {
      try {
        raw[key] = yuvFromColor(value as string);
      } catch (err) {
        throw new RangeError(`effects[${index}].${key} (${type}): ${(err as Error).message}`);
      }
    } else if (spec.kind === 'image') {
      if (!(image instanceof Uint8Array)) {
        throw new TypeError(`images[${index}] (a yuv420p Uint8Array) is required by ${type} with ${key} ${JSON.stringify(value)}`);
      }
      if (image.length !== bytes) throw new RangeError(`images[${index}] must hold ${bytes} bytes (yuv420p ${size}), got ${image.length}`);
      raw[key] = image;
    } else {
      raw[key] = value;
    }
  }
  return raw as RawEffect;
}

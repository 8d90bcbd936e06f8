// Still images taken by effects (an `image` parameter in the catalogue): what
// to decode and how it fills the frame. The renderer decodes each once per
// batch with ffmpeg, to one yuv420p frame of the video's size.
import { imageOf, type EffectSpec } from './catalog.js';

export type ImageFit = 'cover' | 'contain' | 'stretch';

export interface ImageRequest {
  path: string;
  /** The effect's `fit` parameter when it has one, else stretch. */
  fit: ImageFit;
  /** Colour of the bars around a contained image: the effect's `color` when it has one, else black. */
  pad: string;
}

/** What the effect needs decoded, or undefined when it takes no image (or none was given). */
export function imageRequest(effect: EffectSpec): ImageRequest | undefined {
  const path = imageOf(effect);
  if (path === undefined) return undefined;
  const params = effect as Record<string, unknown>;
  const fit = typeof params.fit === 'string' ? (params.fit as ImageFit) : 'stretch';
  const pad = typeof params.color === 'string' ? params.color : '#000000';
  return { path, fit, pad };
}

/** Same request, same decoded frame (the cache key within a batch). */
export const imageKey = (r: ImageRequest): string => `${r.fit} ${r.pad} ${r.path}`;

/**
 * The ffmpeg filters that fit the image into width×height before the decoder's
 * final scale: cover scales up to fill and crops the centre, contain scales down
 * to fit and pads with `pad`, stretch leaves it all to the final scale.
 */
export function fitFilter(r: ImageRequest, width: number, height: number): string | undefined {
  switch (r.fit) {
    case 'cover':
      return `scale=${width}:${height}:force_original_aspect_ratio=increase:flags=bicubic,crop=${width}:${height}`;
    case 'contain': {
      const hex = r.pad.length === 4 ? [...r.pad.slice(1)].map((c) => c + c).join('') : r.pad.slice(1);
      return `scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=bicubic,format=rgb24,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=0x${hex}`;
    }
    case 'stretch':
      return undefined;
  }
}

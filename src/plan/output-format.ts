// The output frame size and frame rate a plan asks for (`output.size`,
// `output.fps`), and the names users type for common sizes.
import { gcd } from '../media/video-tags.js';

/** Sizes by the name platforms and users know them by. */
export const SIZE_PRESETS = {
  reels: { width: 1080, height: 1920 },
  shorts: { width: 1080, height: 1920 },
  tiktok: { width: 1080, height: 1920 },
  square: { width: 1080, height: 1080 },
  '1080p': { width: 1920, height: 1080 },
  '720p': { width: 1280, height: 720 },
  '4k': { width: 3840, height: 2160 },
} as const;

export type SizePreset = keyof typeof SIZE_PRESETS;

export const SIZE_PATTERN = new RegExp(`^(source|[1-9][0-9]{1,4}x[1-9][0-9]{1,4}|${Object.keys(SIZE_PRESETS).join('|')})$`);

/** Each side of an output size: even (yuv420p encoders need it), and within what encoders take. */
export const SIZE_SIDE_RANGE = { min: 16, max: 8192 } as const;

/** Output frame rates: 1 to 240 frames per second. */
export const FPS_RANGE = { min: 1, max: 240 } as const;

export interface FrameSize {
  width: number;
  height: number;
}

/** `"1080x1920"` or a preset name → width and height; undefined for "source" (keep the input's size). */
export function parseSize(size: string | undefined): FrameSize | undefined {
  if (size === undefined || size === 'source') return undefined;
  if (Object.hasOwn(SIZE_PRESETS, size)) return { ...SIZE_PRESETS[size as SizePreset] };
  const m = /^(\d+)x(\d+)$/.exec(size);
  if (!m) throw new RangeError(`output.size must be "source", WxH or one of ${Object.keys(SIZE_PRESETS).join(', ')}, got ${JSON.stringify(size)}`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** What is wrong with a parsed size (odd or out-of-range sides), or undefined. */
export function sizeProblem(size: FrameSize): string | undefined {
  for (const [side, n] of [['width', size.width], ['height', size.height]] as const) {
    if (n < SIZE_SIDE_RANGE.min || n > SIZE_SIDE_RANGE.max) return `the ${side} ${n} is out of range; expected ${SIZE_SIDE_RANGE.min} to ${SIZE_SIDE_RANGE.max}`;
    if (n % 2 === 1) return `the ${side} ${n} is odd; yuv420p video needs even sides (try ${n + 1})`;
  }
  return undefined;
}

/**
 * A frame rate as the rational ffmpeg writes: whole numbers as N/1, the NTSC
 * rates (23.976, 29.97, 59.94...) as N·1000/1001, anything else to the millisecond.
 */
export function fpsRational(fps: number): { num: number; den: number } {
  if (Number.isInteger(fps)) return { num: fps, den: 1 };
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs((ntsc * 1000) / 1001 - fps) < 0.0051) return { num: ntsc * 1000, den: 1001 };
  const num = Math.round(fps * 1000);
  const g = gcd(num, 1000);
  return { num: num / g, den: 1000 / g };
}

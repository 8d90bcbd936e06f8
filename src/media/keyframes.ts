// Keyframes for subject analysis: every `interval` seconds (plus the first and
// last frame), decoded small (long side <= 640, even sizes) as rgb24 in ONE
// ffmpeg pass. A `select` filter on the decoder's frame number keeps the exact
// input frame index of every keyframe, so masks line up with render frames.
import { analysisDecodeOptions } from './analysis-decode.js';
import { readFrames, type FfmpegPaths } from './ffmpeg.js';
import type { ProbeInfo } from './probe-types.js';

export const DEFAULT_KEYFRAME_INTERVAL = 0.5;
export const KEYFRAME_MAX_LONG_SIDE = 640;

export interface Keyframe {
  /** Index of this frame in the input (0-based, decode order = presentation order). */
  frame: number;
  /** Seconds from the start of the video (frame / fps). */
  time: number;
  /** Position of this keyframe in the keyframe list. */
  index: number;
  /** rgb24 pixels, width × height × 3 (owned by the caller: a fresh copy). */
  data: Uint8Array;
  width: number;
  height: number;
}

/** Even size with the long side at most `maxLongSide`, keeping the aspect ratio. */
export function reducedSize(width: number, height: number, maxLongSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxLongSide / Math.max(width, height));
  const even = (v: number): number => Math.max(2, 2 * Math.round((v * scale) / 2));
  return { width: even(width), height: even(height) };
}

/** Input frame numbers of the keyframes: every `step` frames from 0, and always the last frame. */
export function keyframeStep(fps: number, interval: number): number {
  return Math.max(1, Math.round(interval * fps));
}

export function keyframeIndices(frames: number, fps: number, interval = DEFAULT_KEYFRAME_INTERVAL): number[] {
  if (!(Number.isInteger(frames) && frames > 0)) throw new RangeError(`keyframes: frame count must be a positive integer, got ${frames}`);
  if (!(fps > 0 && Number.isFinite(fps))) throw new RangeError(`keyframes: fps must be positive, got ${fps}`);
  if (!(interval > 0 && Number.isFinite(interval))) throw new RangeError(`keyframe interval must be a positive number of seconds, got ${interval}`);
  const step = keyframeStep(fps, interval);
  const out: number[] = [];
  for (let f = 0; f < frames; f += step) out.push(f);
  if (out[out.length - 1] !== frames - 1) out.push(frames - 1);
  return out;
}

/** The ffmpeg `select` expression for these indices (`n` is the decoder frame number). */
export function selectExpression(frames: number, step: number): string {
  // One short expression instead of one term per keyframe, so long videos stay within argv limits.
  return `select='not(mod(n\\,${step}))+eq(n\\,${frames - 1})'`;
}

export interface KeyframeOptions {
  paths: FfmpegPaths;
  interval?: number;
  maxLongSide?: number;
  /** Aborting kills the decoder; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Streams the keyframes of `probe.file` to `onKeyframe` (awaited: decoding
 * pauses meanwhile). Resolves with the keyframe indices. Fails loudly when
 * ffmpeg returns a different number of frames than expected (the probe's
 * frame count and the decoder disagree), because indices would then be wrong.
 */
export async function forEachKeyframe(
  probe: ProbeInfo,
  options: KeyframeOptions,
  onKeyframe: (kf: Keyframe) => void | Promise<void>,
): Promise<number[]> {
  const interval = options.interval ?? DEFAULT_KEYFRAME_INTERVAL;
  const indices = keyframeIndices(probe.frames, probe.fps, interval);
  // ProbeInfo sizes are display sizes: what ffmpeg's auto-rotating decoder produces.
  const size = reducedSize(probe.width, probe.height, Math.min(options.maxLongSide ?? KEYFRAME_MAX_LONG_SIDE, KEYFRAME_MAX_LONG_SIDE));
  const read = await readFrames(
    {
      input: probe.file,
      paths: options.paths,
      width: size.width,
      height: size.height,
      pixFmt: 'rgb24',
      inputOptions: analysisDecodeOptions(probe, size),
      filter: selectExpression(probe.frames, keyframeStep(probe.fps, interval)),
      // Passthrough: without it ffmpeg duplicates frames to fill the gaps select leaves.
      outputOptions: ['-vsync', '0'],
      scaleFlags: 'area',
      signal: options.signal,
    },
    async (data, i) => {
      if (i >= indices.length) {
        throw new Error(`${probe.file}: ffmpeg returned more keyframes than the ${probe.frames} frames ffprobe counted allow (${indices.length})`);
      }
      const frame = indices[i];
      await onKeyframe({ frame, time: frame / probe.fps, index: i, data: data.slice(), width: size.width, height: size.height });
    },
  );
  if (read !== indices.length) {
    throw new Error(
      `${probe.file}: expected ${indices.length} keyframes (frames 0..${probe.frames - 1} every ${keyframeStep(probe.fps, interval)}), ffmpeg returned ${read}; ` +
        'the file has fewer decodable frames than ffprobe reports',
    );
  }
  return indices;
}

/** All keyframes in memory (fine for short clips; analysis streams with `forEachKeyframe`). */
export async function decodeKeyframes(probe: ProbeInfo, options: KeyframeOptions): Promise<Keyframe[]> {
  const out: Keyframe[] = [];
  await forEachKeyframe(probe, options, (kf) => {
    out.push(kf);
  });
  return out;
}

// Keyframes for subject analysis: every `interval` seconds (plus the first and
// last frame), decoded small (long side <= 640, even sizes) as rgb24 in ONE
// ffmpeg pass. The decode follows the frame grid (frame-grid.ts) exactly as
// the render's batches do, and a `select` filter on the grid's frame number
// keeps the exact frame index of every keyframe, so masks line up with
// render frames. The same pass lists the pictures the decoder returned, so
// pictures that fail to decode are named in a warning (they show the picture
// before them, like dropped-frame entries).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analysisDecodeOptions } from './analysis-decode.js';
import { readFrames, type FfmpegPaths } from './ffmpeg.js';
import { gridDecode, parseFramecrcTimes, type FrameGrid } from './frame-grid.js';
import type { ProbeInfo } from './probe-types.js';

/** Seconds between analysed keyframes when neither the plan nor an option says. */
export const DEFAULT_KEYFRAME_INTERVAL = 0.25;
/**
 * The one accepted range (seconds) for plans, the CLI and the library: keyframes closer than
 * 0.04 s (one frame at 25 fps) buy nothing; further than 10 s apart cannot follow a subject.
 */
export const KEYFRAME_INTERVAL_RANGE = { min: 0.04, max: 10 } as const;
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

/** Frames [startFrame, endFrame) of the input. */
export interface FrameSpan {
  startFrame: number;
  endFrame: number;
}

/** Frames between keyframes for an interval in seconds. */
export function keyframeStep(fps: number, interval: number): number {
  return Math.max(1, Math.round(interval * fps));
}

/**
 * Input frame numbers of the keyframes: every `step` frames from the span's start (default: the
 * whole video), and always its last frame.
 */
export function keyframeIndices(frames: number, fps: number, interval = DEFAULT_KEYFRAME_INTERVAL, span: FrameSpan = { startFrame: 0, endFrame: frames }): number[] {
  if (!(Number.isInteger(frames) && frames > 0)) throw new RangeError(`keyframes: frame count must be a positive integer, got ${frames}`);
  if (!(fps > 0 && Number.isFinite(fps))) throw new RangeError(`keyframes: fps must be positive, got ${fps}`);
  if (!(interval > 0 && Number.isFinite(interval))) throw new RangeError(`keyframe interval must be a positive number of seconds, got ${interval}`);
  const { startFrame, endFrame } = span;
  if (!(Number.isInteger(startFrame) && Number.isInteger(endFrame) && startFrame >= 0 && startFrame < endFrame && endFrame <= frames)) {
    throw new RangeError(`keyframes: frames ${startFrame}-${endFrame} are not a span of the video's ${frames} frames`);
  }
  const step = keyframeStep(fps, interval);
  const out: number[] = [];
  for (let f = startFrame; f < endFrame; f += step) out.push(f);
  if (out[out.length - 1] !== endFrame - 1) out.push(endFrame - 1);
  return out;
}

/** The ffmpeg `select` expression for these indices (`n` is the decoder frame number). */
export function selectExpression(frames: number, step: number): string {
  // One short expression instead of one term per keyframe, so long videos stay within argv limits;
  // nothing past the grid's last frame (the fps filter may repeat the last picture up to the stream's end time).
  return `select='lt(n\\,${frames})*(not(mod(n\\,${step}))+eq(n\\,${frames - 1}))'`;
}

export interface KeyframeOptions {
  paths: FfmpegPaths;
  interval?: number;
  maxLongSide?: number;
  /** Aborting kills the decoder; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Told about pictures that did not decode (they repeat the picture before them). */
  onWarning?: (warning: string) => void;
  /** Decode only these frames (default: the whole video); the decoder seeks to the start and stops at the end. */
  span?: FrameSpan;
}

/**
 * Grid frames whose own picture the decoder did not return: the frames
 * holding a picture by the grid, minus those the decode listed
 * (`decodedFrames`, frame numbers). Undefined when the grid does not list
 * its repeated frames (too many to compare).
 */
export function undecodedFrames(grid: FrameGrid, decodedFrames: Iterable<number>, span: FrameSpan = { startFrame: 0, endFrame: grid.frames }): number[] | undefined {
  if (grid.repeated > grid.repeatedFrames.length || grid.unchanged > grid.unchangedFrames.length) return undefined;
  const decoded = new Set(decodedFrames);
  const repeated = new Set([...grid.repeatedFrames, ...grid.unchangedFrames]);
  const out: number[] = [];
  for (let f = span.startFrame; f < span.endFrame; f++) if (!repeated.has(f) && !decoded.has(f)) out.push(f);
  return out;
}

function listFrames(frames: number[]): string {
  return frames.length <= 30 ? frames.join(', ') : `${frames.slice(0, 30).join(', ')} and ${frames.length - 30} more`;
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
  const span = options.span ?? { startFrame: 0, endFrame: probe.frames };
  const whole = span.startFrame === 0 && span.endFrame === probe.frames;
  const indices = keyframeIndices(probe.frames, probe.fps, interval, span);
  // ProbeInfo sizes are display sizes: what ffmpeg's auto-rotating decoder produces.
  const size = reducedSize(probe.width, probe.height, Math.min(options.maxLongSide ?? KEYFRAME_MAX_LONG_SIDE, KEYFRAME_MAX_LONG_SIDE));
  const grid = probe.grid;
  const onGrid = gridDecode(grid, probe.startTime, span.startFrame, { deinterlace: probe.interlaced, endFrame: span.endFrame });
  // The decoder's frame n is the span's frame startFrame + n.
  const select = selectExpression(span.endFrame - span.startFrame, keyframeStep(probe.fps, interval));
  // Pictures the decoder returns, listed by a second output of the same run (packet-listed grids only:
  // a decode-listed grid is made of decoded pictures already).
  const listDir = grid.source === 'packets' ? await mkdtemp(join(tmpdir(), 'maskflow-decoded-')) : undefined;
  const listFile = listDir ? join(listDir, 'decoded.crc') : undefined;
  try {
    const read = await readFrames(
      {
        input: probe.file,
        paths: options.paths,
        width: size.width,
        height: size.height,
        pixFmt: 'rgb24',
        inputOptions: [...analysisDecodeOptions(probe, size), ...onGrid.inputOptions],
        map: probe.videoStream !== undefined ? `0:${probe.videoStream}` : undefined,
        filter: `${onGrid.filter},${select}`,
        // Passthrough: without it ffmpeg duplicates frames to fill the gaps select leaves.
        outputOptions: ['-vsync', '0'],
        // In 1/rate ticks, a picture's timestamp (frame 0 at 0) is its grid frame number.
        // A span's listing stops half a frame before its end, so ffmpeg ends once both outputs have.
        extraOutput: listFile
          ? ['-map', `0:${probe.videoStream ?? 'v:0'}`, ...(span.endFrame < probe.frames ? ['-vf', `trim=end=${(((span.endFrame - 0.5) * grid.fpsDen) / grid.fpsNum).toFixed(6)}`] : []), '-r', `${grid.fpsNum}/${grid.fpsDen}`, '-c:v', 'wrapped_avframe', '-f', 'framecrc', '-y', listFile]
          : undefined,
        scaleFlags: 'area',
        signal: options.signal,
      },
      async (data, i) => {
        if (i >= indices.length) {
          throw new Error(`${probe.file}: ffmpeg returned more keyframes than the ${probe.frames} frames of the frame grid allow (${indices.length})`);
        }
        const frame = indices[i];
        await onKeyframe({ frame, time: frame / probe.fps, index: i, data: data.slice(), width: size.width, height: size.height });
      },
    );
    if (read !== indices.length) {
      throw new Error(
        `${probe.file}: expected ${indices.length} keyframes (frames ${span.startFrame}..${span.endFrame - 1} every ${keyframeStep(probe.fps, interval)}), ffmpeg returned ${read}; ` +
          'the decoder stopped before the end of the video stream',
      );
    }
    if (listFile && options.onWarning) {
      const { times } = parseFramecrcTimes(await readFile(listFile, 'utf8'));
      const missing = undecodedFrames(grid, times.map((t) => Math.round((t * grid.fpsNum) / grid.fpsDen)), span);
      // Without a per-frame list only a whole-video decode can be counted against the probe.
      const lost = missing ? missing.length : whole ? grid.pictures - times.length : 0;
      if (lost > 0) {
        options.onWarning(
          `${probe.file}: ${lost} picture${lost > 1 ? 's' : ''} could not be decoded (a broken or cut stream) and show${lost > 1 ? '' : 's'} the picture before instead` +
            (missing ? ` (frame${lost > 1 ? 's' : ''} ${listFrames(missing)})` : ''),
        );
      }
    }
  } finally {
    if (listDir) await rm(listDir, { recursive: true, force: true });
  }
  return indices;
}

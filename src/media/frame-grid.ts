// The frame grid: the one answer to "which frames does a render produce".
// A render's output is constant-rate: frame k shows, at start + k / rate,
// the last input picture presented at or before that time (rounded to the
// nearest frame), exactly as ffmpeg's own constant-rate output does. So a
// container entry with no picture (AVI's dropped-frame entries, a gap in the
// timestamps, a picture the decoder rejects) repeats the picture before it,
// and a variable-rate input keeps every picture at its own time, in sync
// with its audio. The probe decides the grid once; the keyframe analysis,
// the batch decoders (gridDecode) and the finish check all follow it.
//
// Where the container's packets carry presentation times (MP4, MOV, MKV,
// WebM, MPEG-TS...) the grid comes from them without decoding. Where they
// do not (AVI stores decode order only; raw streams store nothing), one
// decode-only pass lists the pictures the decoder really returns.
import type { FfmpegPaths } from './ffmpeg.js';
import { picturePackets, ticksToSeconds, type VideoPackets } from './packets.js';
import { outputOrFailure, runFfmpeg } from './process/index.js';

export interface FrameGrid {
  /** Output frame rate as a fraction. */
  fpsNum: number;
  fpsDen: number;
  /** Number of frames a render produces. */
  frames: number;
  /** Presentation time (seconds, the stream's own timeline) of frame 0: the first picture. */
  start: number;
  /** Seconds to seek earlier than a frame's time so decoding starts before it (decoder delay of decode-listed inputs). */
  seekLead: number;
  /** Pictures the input holds (packets with a picture, or pictures decoded). */
  pictures: number;
  /** Frames showing the picture before them again, and their frame numbers when few (at most MAX_LISTED). */
  repeated: number;
  repeatedFrames: number[];
  /**
   * Frames whose container entry says "unchanged" in the codec's own terms (a
   * QuickTime Animation packet with no lines to update): the decoder returns
   * no picture for them, and they show the picture before, as intended.
   */
  unchanged: number;
  unchangedFrames: number[];
  /** Pictures that share a frame with a later picture (faster than the grid's rate) and are not shown. */
  dropped: number;
  /** Pictures not on the grid's regular times (variable frame rate). */
  variableFrameRate: boolean;
  /** Frames where decoding can start (codec keyframes), ascending, 0 first. */
  keyframes: number[];
  /** How the pictures were listed. */
  source: 'packets' | 'decode';
  /**
   * The container seeks through an index to the keyframe at or before the
   * target (MP4/MOV, Matroska/WebM, AVI). Others (MPEG-TS, MPEG-PS, ...) seek
   * by searching timestamps and land on the first keyframe at or after it.
   */
  seekByIndex: boolean;
  /** False: seeking lands on wrong pictures, so every decode starts at the beginning (see withoutSeeking). */
  seekable: boolean;
}

/** ffprobe format names whose demuxers seek through an index (see FrameGrid.seekByIndex). */
export function seeksByIndex(formatName: string | undefined): boolean {
  return /^(mov,|matroska|avi$)/.test(formatName ?? '');
}

/** Frame numbers listed in a grid (and in warnings) at most. */
export const MAX_LISTED = 2000;

export class FrameGridError extends Error {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'FrameGridError';
  }
}

/** One picture: presentation time in seconds, and whether decoding can start at it. */
export interface Picture {
  time: number;
  keyframe: boolean;
  /** The entry repeats the picture before it (see FrameGrid.unchanged): it holds its frame but is no picture. */
  unchanged?: boolean;
}

/**
 * The grid's rate from the stream's stated rates. The nominal rate
 * (r_frame_rate: the rate every timestamp fits) keeps every picture of a
 * variable-rate input; it is only replaced by the average where it is
 * implausibly high for the content (ffprobe's guess from odd timestamps).
 */
export function gridRate(nominal: [number, number] | undefined, average: [number, number] | undefined): [number, number] | undefined {
  const value = (r: [number, number] | undefined): number => (r ? r[0] / r[1] : NaN);
  if (nominal && average && value(nominal) > 65 && value(nominal) > 1.5 * value(average)) return average;
  return nominal ?? average;
}

/** The grid for pictures at `pictures[i].time` (any order) at rate num/den. */
export function gridFromPictures(pictures: Picture[], rate: [number, number], source: FrameGrid['source'], seekLead = 0, seekByIndex = false): FrameGrid {
  const [fpsNum, fpsDen] = rate;
  const fps = fpsNum / fpsDen;
  const sorted = [...pictures].sort((a, b) => a.time - b.time);
  const start = sorted[0].time;
  // Slot of each picture: its time rounded to the nearest frame (ffmpeg's fps filter, round=near).
  const slots = sorted.map((p) => Math.round((p.time - start) * fps));
  const frames = slots[slots.length - 1] + 1;
  let offGrid = 0;
  let dropped = 0;
  const repeatedFrames: number[] = [];
  let repeated = 0;
  const unchangedFrames: number[] = [];
  let unchanged = 0;
  const keyframes = new Set<number>([0]);
  for (let i = 0; i < sorted.length; i++) {
    const exact = (sorted[i].time - start) * fps;
    if (Math.abs(exact - slots[i]) > 0.2) offGrid++;
    if (i + 1 < sorted.length && slots[i + 1] === slots[i]) dropped++;
    if (i > 0 && slots[i] > slots[i - 1] + 1) {
      for (let s = slots[i - 1] + 1; s < slots[i]; s++) {
        repeated++;
        if (repeatedFrames.length < MAX_LISTED) repeatedFrames.push(s);
      }
    }
    if (sorted[i].unchanged) {
      unchanged++;
      if (unchangedFrames.length < MAX_LISTED) unchangedFrames.push(slots[i]);
      continue;
    }
    // A keyframe shown in its own slot (not dropped in favour of a later picture).
    if (sorted[i].keyframe && (i + 1 === sorted.length || slots[i + 1] !== slots[i])) keyframes.add(slots[i]);
  }
  return {
    fpsNum,
    fpsDen,
    frames,
    start,
    seekLead,
    pictures: sorted.length - unchanged,
    repeated,
    repeatedFrames,
    unchanged,
    unchangedFrames,
    dropped,
    variableFrameRate: offGrid > 0 || dropped > 0,
    keyframes: [...keyframes].sort((a, b) => a - b),
    source,
    seekByIndex,
    seekable: true,
  };
}

/**
 * The grid with seeking turned off: every decode starts at frame 0 (slower
 * for later batches, never wrong). For AVI files whose index has skipped
 * entries (dropped frames): ffmpeg's AVI demuxer then seeks to the entry
 * whose number is the target frame, which is a later picture than the one at
 * that time, and not a keyframe.
 */
export function withoutSeeking(grid: FrameGrid): FrameGrid {
  return { ...grid, keyframes: [0], seekable: false };
}

/**
 * Whether a packet of `codec` is an "unchanged" entry: QuickTime Animation
 * (qtrle) packets shorter than 8 bytes update no line, and ffmpeg's decoder
 * returns no picture for them.
 */
export function unchangedPacket(codec: string | undefined, size: number): boolean {
  return codec === 'qtrle' && size < 8;
}

/** Pictures from the packet listing, or undefined when some picture has no presentation time. */
export function picturesFromPackets(p: VideoPackets, codec?: string): Picture[] | undefined {
  const out: Picture[] = [];
  for (const i of picturePackets(p)) {
    if (Number.isNaN(p.pts[i])) return undefined;
    const picture: Picture = { time: ticksToSeconds(p, p.pts[i]), keyframe: p.keyframe[i] === 1 };
    if (!picture.keyframe && unchangedPacket(codec, p.size[i])) picture.unchanged = true;
    out.push(picture);
  }
  return out;
}

/**
 * Lists the pictures the decoder returns for stream `streamIndex`: ffmpeg
 * decodes and hands each frame, unconverted, to the framecrc muxer, which
 * prints its timestamp. Keyframe flags are taken from the packets at the
 * decode times of their pictures.
 */
export async function decodedPictures(paths: FfmpegPaths, file: string, streamIndex: number): Promise<{ times: number[]; timeBase: [number, number] }> {
  const proc = runFfmpeg(
    paths,
    ['-v', 'error', '-copyts', '-i', file, '-map', `0:${streamIndex}`, '-vsync', '0', '-c:v', 'wrapped_avframe', '-f', 'framecrc', '-'],
    { what: `ffmpeg could not decode the video of ${file}`, stdout: 'pipe' },
  );
  const { stdout, failure } = await outputOrFailure(proc);
  if (failure) throw failure;
  return parseFramecrcTimes(stdout);
}

/** Timestamps (seconds) of every frame in a framecrc listing of one stream, and its time base. */
export function parseFramecrcTimes(text: string): { times: number[]; timeBase: [number, number] } {
  let timeBase: [number, number] = [1, 1];
  const times: number[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const tb = /^#tb 0:\s*(\d+)\/(\d+)/.exec(line);
    if (tb) timeBase = [Number(tb[1]), Number(tb[2])];
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(',').map((s) => s.trim());
    if (f.length < 5 || f[0] !== '0') continue;
    const pts = Number(f[2]);
    if (Number.isFinite(pts) && !f[2].startsWith('-9223372036854775808')) times.push((pts * timeBase[0]) / timeBase[1]);
  }
  return { times, timeBase };
}

/**
 * The grid of an input: from its packets when every picture has a
 * presentation time, else from one decode-only pass. Throws FrameGridError
 * when there is no picture at all.
 */
export async function frameGrid(
  paths: FfmpegPaths,
  file: string,
  packets: VideoPackets,
  rate: [number, number] | undefined,
  seekByIndex: boolean,
  /** The stream's codec name (ffprobe's), for codecs with "unchanged" entries. */
  codec?: string,
): Promise<FrameGrid> {
  const pictures = picturesFromPackets(packets, codec);
  if (pictures && pictures.length > 0) {
    const r = rate ?? rateFromPictures(pictures);
    return gridFromPictures(pictures, r, 'packets', 0, seekByIndex);
  }
  // Decode order only (AVI) or no timestamps: ask the decoder.
  const decoded = await decodedPictures(paths, file, packets.streamIndex);
  if (decoded.times.length === 0) {
    throw new FrameGridError(file, `its video stream (${packets.pts.length} packets) holds no picture ffmpeg can decode`);
  }
  const keyTimes = new Set<number>();
  for (const i of picturePackets(packets)) {
    if (packets.keyframe[i] && !Number.isNaN(packets.dts[i])) keyTimes.add(Math.round(ticksToSeconds(packets, packets.dts[i]) * 1e6));
  }
  // The decoder returns a picture later than its packet's decode time (reordering delay): seek that much earlier.
  const firstDts = firstFinite(packets.dts);
  const first = Math.min(...decoded.times);
  const lead = firstDts === undefined ? 0 : Math.max(0, first - ticksToSeconds(packets, firstDts));
  const pics = decoded.times.map((time) => ({ time, keyframe: keyTimes.has(Math.round((time - lead) * 1e6)) }));
  return gridFromPictures(pics, rate ?? rateFromPictures(pics), 'decode', lead, seekByIndex);
}

function firstFinite(a: Float64Array): number | undefined {
  for (const v of a) if (!Number.isNaN(v)) return v;
  return undefined;
}

/** A rate from the median spacing of the pictures, when the stream states none (25 for a single picture). */
function rateFromPictures(pictures: Picture[]): [number, number] {
  const t = pictures.map((p) => p.time).sort((a, b) => a - b);
  const gaps = t.slice(1).map((v, i) => v - t[i]).filter((g) => g > 0).sort((a, b) => a - b);
  if (gaps.length === 0) return [25, 1];
  const fps = 1 / gaps[Math.floor(gaps.length / 2)];
  return [Math.round(fps * 1000), 1000];
}

/** Frame k's time in seconds from frame 0. */
export function frameTime(grid: Pick<FrameGrid, 'fpsNum' | 'fpsDen'>, k: number): number {
  return (k * grid.fpsDen) / grid.fpsNum;
}

const num = (v: number): string => {
  const s = v.toFixed(6);
  return s === '-0.000000' ? '0.000000' : s;
};

/**
 * ffmpeg input options and the first filter that decode exactly frames
 * [startFrame, ...) of the grid: timestamps kept as stored and moved so
 * frame 0 is at 0 (-copyts -itsoffset), a seek (relative to the
 * container's start, as ffmpeg's -ss is) that lands on a codec keyframe at or
 * before startFrame, and the fps filter placing every picture on the grid from
 * startFrame on (repeats and drops as described in the header). Pair it with
 * `-vsync 0` on the output, and `-frames:v` for the frames wanted.
 */
export function gridDecode(
  grid: Pick<FrameGrid, 'fpsNum' | 'fpsDen' | 'frames' | 'start' | 'seekLead' | 'keyframes' | 'seekByIndex' | 'seekable'>,
  containerStart: number,
  startFrame: number,
  /** Interlaced input: yadif makes one whole picture of each frame's two fields (frames flagged interlaced only) before the grid. */
  /** endFrame: where the decode ends (exclusive; default the grid's end). */
  { deinterlace = false, endFrame = grid.frames }: { deinterlace?: boolean; endFrame?: number } = {},
): { inputOptions: string[]; filter: string } {
  // A picture that fails to decode is left out (the fps filter repeats the one before), never fatal:
  // ffmpeg otherwise gives up (exit 69) once errors exceed 2/3 of the few packets a short batch decodes.
  const inputOptions = ['-max_error_rate', '1', '-copyts', '-itsoffset', num(-grid.start)];
  const at = seekFrame(grid, startFrame);
  if (at > 0) {
    const target = grid.start + frameTime(grid, at) - grid.seekLead - containerStart;
    inputOptions.push('-noaccurate_seek', '-ss', num(Math.max(0, target)));
  }
  // At the end of the stream the fps filter stops at the last picture returned, but the grid runs
  // to the last picture listed: a codec that returns nothing for an unchanged picture (QuickTime
  // Animation) or a broken last picture would leave the grid's tail empty. Cloning the last picture
  // fills it, and trim ends the decode exactly at the grid's last frame.
  const left = Math.max(1, Math.min(endFrame, grid.frames) - startFrame);
  return {
    inputOptions,
    filter:
      `${deinterlace ? 'yadif=mode=send_frame:parity=auto:deint=interlaced,' : ''}` +
      `fps=fps=${grid.fpsNum}/${grid.fpsDen}:start_time=${num(frameTime(grid, startFrame))}:round=near,tpad=stop_mode=clone:stop=${left},trim=end_frame=${left}`,
  };
}

/**
 * The frame (possibly fractional) to seek to for a decode starting at
 * startFrame; 0 means no seek. An index seek lands on the keyframe at or
 * before the target, so the target is just before (startFrame + 0.5) / rate,
 * by when any picture shown at startFrame is presented. A timestamp search
 * lands on the first keyframe at or after the target, so the target lies
 * between the keyframe at or before startFrame and the one before that.
 */
function seekFrame(grid: Pick<FrameGrid, 'keyframes' | 'seekByIndex' | 'seekable'>, startFrame: number): number {
  if (startFrame <= 0 || !grid.seekable) return 0;
  if (grid.seekByIndex) return startFrame + 0.49;
  let k = 0;
  while (k + 1 < grid.keyframes.length && grid.keyframes[k + 1] <= startFrame) k++;
  return k === 0 ? 0 : (grid.keyframes[k - 1] + grid.keyframes[k]) / 2;
}

/** The report's notes about how the grid differs from the input's pictures (empty when it does not). */
export function gridWarnings(file: string, grid: FrameGrid, hasAudio: boolean): string[] {
  const out: string[] = [];
  const fps = (grid.fpsNum / grid.fpsDen).toFixed(3).replace(/\.?0+$/, '');
  if (grid.variableFrameRate) {
    out.push(
      `${file}: variable frame rate; rendered at a constant ${fps} fps with every picture at its own time (within half a frame), so ${hasAudio ? 'it stays in sync with the audio' : 'its motion keeps its timing'}` +
        (grid.dropped > 0 ? `; ${grid.dropped} pictures closer together than 1/${fps} s were left out` : ''),
    );
  }
  if (grid.repeated > 0) {
    out.push(
      `${file}: ${grid.repeated} of ${grid.frames} frames have no picture of their own (dropped-frame entries or gaps in the timestamps) and repeat the picture before them` +
        (grid.repeated <= 20 ? ` (frames ${grid.repeatedFrames.join(', ')})` : ''),
    );
  }
  return out;
}

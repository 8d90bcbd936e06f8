// Per-packet facts of an input's video stream, read from the container
// without decoding: presentation and decode timestamps, duration, size and
// the keyframe / discard flags. The frame grid (what a render produces) and
// keyframe-aligned batch cuts are decided from these.
//
// ffprobe lists packets; when ffprobe crashes on a file (the bundled ffprobe
// segfaults on every MPEG-TS), ffmpeg's stream copy into its `framecrc` muxer
// lists the same packets (still no decoding).
import type { FfmpegPaths } from './ffmpeg.js';
import { outputOrFailure, runFfmpeg, runFfprobe } from './process/index.js';

export interface VideoPackets {
  /** Index of the video stream in the file. */
  streamIndex: number;
  /** Stream time base: one tick is timeBase[0] / timeBase[1] seconds. */
  timeBase: [number, number];
  /** Per packet, in file (decode) order. pts/dts/duration in ticks; NaN where the container has none. */
  pts: Float64Array;
  dts: Float64Array;
  duration: Float64Array;
  /** Bytes; 0 for the empty "dropped frame" entries AVI uses for repeats. */
  size: Uint32Array;
  /** 1 for a keyframe (decoding can start here). */
  keyframe: Uint8Array;
  /** 1 for a packet the demuxer marks as decoded-then-discarded (e.g. before an mp4 edit list's start). */
  discard: Uint8Array;
  /** Which tool listed them. */
  via: 'ffprobe' | 'ffmpeg';
  /** Why ffprobe was not used, when it was not. */
  note?: string;
}

export class PacketScanError extends Error {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'PacketScanError';
  }
}

interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

async function run(tool: 'ffmpeg' | 'ffprobe', paths: FfmpegPaths, args: string[], what: string): Promise<RunResult> {
  const proc = tool === 'ffprobe' ? runFfprobe(paths, args, { what }) : runFfmpeg(paths, args, { what, stdout: 'pipe' });
  const { stdout, failure } = await outputOrFailure(proc);
  if (!failure) return { stdout, stderr: '', code: 0, signal: null };
  return { stdout, stderr: failure.lastLine, code: failure.exitCode ?? 1, signal: failure.exitSignal };
}

class PacketList {
  pts: number[] = [];
  dts: number[] = [];
  duration: number[] = [];
  size: number[] = [];
  keyframe: number[] = [];
  discard: number[] = [];

  push(pts: number, dts: number, duration: number, size: number, keyframe: boolean, discard: boolean): void {
    this.pts.push(pts);
    this.dts.push(dts);
    this.duration.push(duration);
    this.size.push(size);
    this.keyframe.push(keyframe ? 1 : 0);
    this.discard.push(discard ? 1 : 0);
  }

  finish(streamIndex: number, timeBase: [number, number], via: VideoPackets['via'], note?: string): VideoPackets {
    return {
      streamIndex,
      timeBase,
      pts: Float64Array.from(this.pts),
      dts: Float64Array.from(this.dts),
      duration: Float64Array.from(this.duration),
      size: Uint32Array.from(this.size),
      keyframe: Uint8Array.from(this.keyframe),
      discard: Uint8Array.from(this.discard),
      via,
      ...(note ? { note } : {}),
    };
  }
}

const tick = (text: string | undefined): number => {
  const t = (text ?? '').trim();
  if (t === '' || t === 'N/A') return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
};

function parseTimeBase(text: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\/(\d+)$/.exec((text ?? '').trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const d = Number(m[2]);
  return n > 0 && d > 0 ? [n, d] : undefined;
}

/** Parses `ffprobe -show_entries stream=index,time_base:packet=pts,dts,duration,size,flags -of csv`. */
export function parseFfprobePackets(text: string, streamIndex: number): VideoPackets | undefined {
  let timeBase: [number, number] | undefined;
  const list = new PacketList();
  for (const line of text.split('\n')) {
    const f = line.trim().split(',');
    if (f[0] === 'stream') {
      if (Number(f[1]) === streamIndex) timeBase = parseTimeBase(f[2]);
    } else if (f[0] === 'packet' && f.length >= 6) {
      const flags = f[5] ?? '';
      list.push(tick(f[1]), tick(f[2]), tick(f[3]), Number(f[4]) || 0, flags.includes('K'), flags.includes('D'));
    }
  }
  return timeBase ? list.finish(streamIndex, timeBase, 'ffprobe') : undefined;
}

/**
 * Parses ffmpeg's `framecrc` listing of one stream-copied stream:
 * `#tb 0: 1/90000` then `0, dts, pts, duration, size, crc[, F=0x..][, side data]`.
 * A packet without `F=` has exactly the keyframe flag; F is AV_PKT_FLAG_* (1 key, 2 corrupt, 4 discard).
 */
export function parseFramecrcPackets(text: string, streamIndex: number, note?: string): VideoPackets | undefined {
  let timeBase: [number, number] | undefined;
  const list = new PacketList();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const tb = /^#tb 0:\s*(\d+\/\d+)/.exec(line);
    if (tb) timeBase = parseTimeBase(tb[1]);
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(',').map((s) => s.trim());
    if (f.length < 6 || f[0] !== '0') continue;
    const flagField = f.slice(6).find((x) => x.startsWith('F='));
    const flags = flagField ? parseInt(flagField.slice(2), 16) : 1;
    // framecrc prints AV_NOPTS_VALUE as the raw int64 minimum.
    const ts = (v: string): number => (v.startsWith('-9223372036854775808') ? NaN : tick(v));
    list.push(ts(f[2]), ts(f[1]), tick(f[3]), Number(f[4]) || 0, (flags & 1) !== 0, (flags & 4) !== 0);
  }
  return timeBase ? list.finish(streamIndex, timeBase, 'ffmpeg', note) : undefined;
}

/**
 * Lists the packets of video stream `streamIndex` (the file's stream number)
 * of `file`. No decoding: this reads the container only.
 */
export async function scanVideoPackets(paths: FfmpegPaths, file: string, streamIndex: number): Promise<VideoPackets> {
  const probe = await run('ffprobe', paths, [
    '-v', 'error',
    '-select_streams', String(streamIndex),
    '-show_entries', 'stream=index,time_base:packet=pts,dts,duration,size,flags',
    '-of', 'csv',
    file,
  ], `ffprobe could not list the packets of ${file}`);
  let note: string | undefined;
  if (probe.code === 0) {
    const parsed = parseFfprobePackets(probe.stdout, streamIndex);
    if (parsed) return parsed;
    note = 'ffprobe listed no time base for the video stream';
  } else {
    note = probe.signal
      ? `ffprobe crashed (signal ${probe.signal}) reading the packets`
      : `ffprobe failed reading the packets (${lastLine(probe.stderr)})`;
  }
  // Stream copy (no decoding) into framecrc: one line per packet, original timestamps kept.
  const copy = await run('ffmpeg', paths, [
    '-v', 'error',
    '-copyts', '-i', file,
    '-map', `0:${streamIndex}`, '-c', 'copy', '-f', 'framecrc', '-',
  ], `ffmpeg could not list the packets of ${file}`);
  if (copy.code !== 0) {
    const why = copy.signal ? `ffmpeg crashed (signal ${copy.signal})` : `ffmpeg: ${lastLine(copy.stderr)}`;
    throw new PacketScanError(file, `could not list the video packets: ${note}; ${why}`);
  }
  const parsed = parseFramecrcPackets(copy.stdout, streamIndex, note);
  if (!parsed) throw new PacketScanError(file, `could not list the video packets: ${note}; ffmpeg printed no time base`);
  return parsed;
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split(/[\r\n]+/)
      .filter((l) => l.trim())
      .pop() ?? 'no message'
  ).trim();
}

/** Seconds of tick value `t`. */
export function ticksToSeconds(p: Pick<VideoPackets, 'timeBase'>, t: number): number {
  return (t * p.timeBase[0]) / p.timeBase[1];
}

/** Indices of the packets that hold a picture (non-empty, not discarded), in presentation order. */
export function picturePackets(p: VideoPackets): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < p.pts.length; i++) if (p.size[i] > 0 && !p.discard[i]) idx.push(i);
  const key = (i: number): number => (Number.isNaN(p.pts[i]) ? p.dts[i] : p.pts[i]);
  idx.sort((a, b) => key(a) - key(b) || a - b);
  return Int32Array.from(idx);
}

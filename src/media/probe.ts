// ffprobe (JSON output, run by the process module): size, frame rate, exact frame count,
// duration, rotation and audio streams. Anything unusable is a clear error
// naming the file.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FfmpegPaths } from './ffmpeg.js';
import { ffprobeJson, ProcessError } from './process/index.js';
import type { ProbeInfo } from './probe-types.js';

export type { ProbeInfo } from './probe-types.js';

export class ProbeError extends Error {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ProbeError';
  }
}

/** The fields of ffprobe's JSON that are read here (numbers often come as strings). */
interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  pix_fmt?: string;
  channels?: number;
  sample_rate?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

interface FfprobeData {
  streams: FfprobeStream[];
  format: { duration?: string; start_time?: string };
}

async function ffprobe(paths: FfmpegPaths, file: string, options: string[]): Promise<FfprobeData> {
  const data = await ffprobeJson<Partial<FfprobeData>>(paths, ['-show_streams', '-show_format', ...options, file], `ffprobe could not read ${file}`);
  return { streams: data.streams ?? [], format: data.format ?? {} };
}

function parseRate(rate: string | undefined): [number, number] | undefined {
  if (!rate) return undefined;
  const [n, d] = rate.split('/').map(Number);
  if (!Number.isFinite(n) || !Number.isFinite(d) || n <= 0 || d <= 0) return undefined;
  return [n, d];
}

function rotationOf(stream: FfprobeStream): number {
  const tag = Number(stream.tags?.rotate);
  let deg = Number.isFinite(tag) ? tag : 0;
  // A display matrix's rotation is counter-clockwise. Some ffprobe versions
  // flatten side data into the stream object, JSON output nests it.
  const s = stream as unknown as { rotation?: number | string; side_data_list?: { rotation?: number | string }[] };
  for (const r of [s.rotation, ...(s.side_data_list ?? []).map((sd) => sd.rotation)].map(Number)) {
    if (Number.isFinite(r) && r !== 0) deg = -r;
  }
  return (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
}

/** "00:00:07.560000000" → 7.56. */
function parseClock(text: string | undefined): number | undefined {
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const v = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return v > 0 ? v : undefined;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

export async function probe(fileArg: string, paths: FfmpegPaths): Promise<ProbeInfo> {
  const file = resolve(fileArg);
  if (!existsSync(file)) throw new ProbeError(fileArg, 'no such file');
  if (!statSync(file).isFile()) throw new ProbeError(fileArg, 'not a regular file');
  let data: FfprobeData;
  try {
    data = await ffprobe(paths, file, []);
  } catch (err) {
    const detail = err instanceof ProcessError ? err.lastLine : ((err as Error).message.split('\n').filter((l) => l.trim()).pop() ?? '');
    throw new ProbeError(fileArg, `not a readable media file (ffprobe: ${detail.trim()})`);
  }
  const video = data.streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) throw new ProbeError(fileArg, 'has no video stream');
  const width = Number(video.width);
  const height = Number(video.height);
  if (!(width > 0 && height > 0)) throw new ProbeError(fileArg, 'video stream has no frame size');
  const avgRate = parseRate(video.avg_frame_rate);
  const nominalRate = parseRate(video.r_frame_rate);
  const rate = avgRate ?? nominalRate;
  if (!rate) throw new ProbeError(fileArg, 'video stream has no frame rate');
  let frames = Number(video.nb_frames);
  if (!(Number.isInteger(frames) && frames > 0)) {
    // Containers like Matroska do not store a frame count: count packets.
    const counted = await ffprobe(paths, file, ['-count_packets', '-select_streams', `${video.index}`]);
    const s = counted.streams.find((x) => x.index === video.index) ?? counted.streams[0];
    frames = Number(s?.nb_read_packets);
  }
  if (!(Number.isInteger(frames) && frames > 0)) throw new ProbeError(fileArg, 'video stream has no frames');
  const finite = (v: unknown): number | undefined => {
    const n = Number(v);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  };
  let fpsNum = rate[0];
  let fpsDen = rate[1];
  // The video stream's own duration: its field, else Matroska's DURATION tag; the
  // format duration only when there is no other stream (it covers the audio too).
  const tagDuration = parseClock(video.tags?.DURATION);
  const onlyStream = data.streams.filter((x) => x.codec_type === 'video' || x.codec_type === 'audio').length === 1;
  const containerDuration = finite(video.duration) ?? tagDuration ?? (onlyStream ? finite(data.format.duration) : undefined);
  const duration = containerDuration ?? (frames * fpsDen) / fpsNum;
  // Variable frame rate: the nominal and average rates disagree, or the frame
  // count does not fit the duration at the stated rate (Matroska states 25/1
  // for anything). Such inputs are rendered at their true average rate, so the
  // output lasts as long as the input and stays in sync with its audio.
  const nominalDiffers = !!(avgRate && nominalRate && Math.abs(nominalRate[0] / nominalRate[1] / (fpsNum / fpsDen) - 1) > 1e-3);
  const gridDuration = (frames * fpsDen) / fpsNum;
  const countDiffers =
    containerDuration !== undefined &&
    Math.abs(gridDuration - containerDuration) > Math.max((2 * fpsDen) / fpsNum, 0.02 * containerDuration);
  const variableFrameRate = nominalDiffers || countDiffers;
  if (countDiffers) {
    const num = Math.round(frames * 1000);
    const den = Math.round(containerDuration * 1000);
    const g = gcd(num, den);
    fpsNum = num / g;
    fpsDen = den / g;
  }
  const fps = fpsNum / fpsDen;
  const rotation = rotationOf(video);
  const swap = rotation === 90 || rotation === 270;
  return {
    file,
    width: swap ? height : width,
    height: swap ? width : height,
    codedWidth: width,
    codedHeight: height,
    fpsNum,
    fpsDen,
    fps,
    variableFrameRate,
    startTime: Number.isFinite(Number(data.format.start_time)) ? Number(data.format.start_time) : 0,
    frames,
    duration,
    rotation,
    pixFmt: String(video.pix_fmt ?? 'unknown'),
    codec: String(video.codec_name ?? 'unknown'),
    videoStream: Number(video.index),
    audio: data.streams
      .filter((s) => s.codec_type === 'audio')
      .map((s) => ({
        index: Number(s.index),
        codec: String(s.codec_name ?? 'unknown'),
        channels: Number(s.channels ?? 0),
        sampleRate: Number(s.sample_rate ?? 0),
      })),
  };
}

// ffprobe (JSON output, run by the process module): size, rotation, colour
// tags, audio streams, and the frame grid (frame-grid.ts: the frames a render
// produces, from the packets). Anything unusable is a clear error naming the
// file; what is usable but unusual becomes a note for the report.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FfmpegPaths } from './ffmpeg.js';
import { ffmpegCodecs, ffmpegOnPath, OTHER_FFMPEG_HINT } from './decoders.js';
import { FrameGridError, frameGrid, gridRate, gridWarnings, seeksByIndex, withoutSeeking } from './frame-grid.js';
import { PacketScanError, scanVideoPackets } from './packets.js';
import { ffprobeJson, ProcessError, runFfmpeg, runFfprobe, outputOrFailure, versionLine } from './process/index.js';
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
  codec_tag_string?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  start_time?: string;
  duration?: string;
  pix_fmt?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  field_order?: string;
  sample_aspect_ratio?: string;
  channels?: number;
  sample_rate?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

interface FfprobeData {
  streams: FfprobeStream[];
  format: { duration?: string; start_time?: string; format_name?: string; tags?: Record<string, string> };
  /** With -show_frames / frame entries only. */
  frames?: FfprobeFrame[];
}

const SHOW = ['-show_streams', '-show_format'];

/**
 * ffprobe's view of `file`. Some ffprobe builds crash (a signal, no output)
 * on containers their ffmpeg reads fine: the bundled static ffprobe
 * segfaults on every MPEG-TS. Then ffprobe reads a stream copy of the file
 * that ffmpeg writes into NUT (same streams, codec parameters and
 * timestamps; nothing decoded), and a note says so.
 */
async function ffprobe(paths: FfmpegPaths, file: string, notes: string[]): Promise<{ data: FfprobeData; throughCopy: boolean }> {
  try {
    const data = await ffprobeJson<Partial<FfprobeData>>(paths, [...SHOW, file], `ffprobe could not read ${file}`);
    return { data: { streams: data.streams ?? [], format: data.format ?? {} }, throughCopy: false };
  } catch (err) {
    if (!(err instanceof ProcessError && err.failure === 'signal')) throw err;
    const crash = `ffprobe (${paths.ffprobe}) crashed (signal ${err.exitSignal ?? 'unknown'}) reading it`;
    const data = await ffprobeThroughCopy(paths, file).catch((copyErr: unknown) => {
      throw new ProbeError(file, `${crash}, and reading a stream copy failed too (${lastLine(copyErr)}); point maskflow at another ffmpeg/ffprobe with --ffmpeg DIR or MASKFLOW_FFMPEG/MASKFLOW_FFPROBE`);
    });
    notes.push(`${file}: ${crash}; it was read from an ffmpeg stream copy instead (nothing decoded)`);
    return { data, throughCopy: true };
  }
}

async function ffprobeThroughCopy(paths: FfmpegPaths, file: string, show: string[] = SHOW): Promise<FfprobeData> {
  const copy = runFfmpeg(paths, ['-copyts', '-i', file, '-map', '0', '-c', 'copy', '-ignore_unknown', '-f', 'nut', 'pipe:1'], {
    what: `ffmpeg could not copy the streams of ${file}`,
    stdout: 'pipe',
  });
  const reader = runFfprobe(paths, ['-of', 'json', ...show, '-i', 'pipe:0'], { what: `ffprobe could not read a stream copy of ${file}`, stdin: 'pipe' });
  copy.stdout!.pipe(reader.stdin!);
  const { stdout, failure } = await outputOrFailure(reader);
  // ffprobe stops reading once it knows the streams; the copy is not needed further.
  await copy.kill('ffprobe has read what it needs');
  await copy.done.catch(() => undefined);
  if (failure) throw failure;
  const data = JSON.parse(stdout) as Partial<FfprobeData>;
  return { streams: data.streams ?? [], format: data.format ?? {}, ...(data.frames ? { frames: data.frames } : {}) };
}

// Codecs that code interlaced pictures; the others are progressive by design.
const INTERLACE_CAPABLE = new Set(['h264', 'hevc', 'mpeg2video', 'mpeg4', 'vc1', 'wmv3', 'mjpeg', 'prores', 'dvvideo', 'h263', 'mpeg1video']);
const FIELD_ORDERS: Record<string, string> = { tt: 'top field first', bb: 'bottom field first', tb: 'top field first, bottom displayed first', bt: 'bottom field first, top displayed first' };

/**
 * Field order from the first decoded frames' flags, for streams whose header
 * says nothing or "progressive" though the pictures are coded as fields
 * (ffmpeg's H.264 parser does not look at field coding, for one). Five
 * frames are decoded; undefined when none is interlaced or they cannot be read.
 */
async function codedFieldOrder(paths: FfmpegPaths, file: string, stream: number, throughCopy: boolean): Promise<'tt' | 'bb' | undefined> {
  const show = ['-select_streams', String(stream), '-read_intervals', '%+#5', '-show_entries', 'frame=interlaced_frame,top_field_first'];
  try {
    // The copy may leave streams out (-ignore_unknown), so its indices can differ: its first video stream is this one.
    const data = throughCopy
      ? await ffprobeThroughCopy(paths, file, ['-select_streams', 'v:0', ...show.slice(2)])
      : await ffprobeJson<{ frames?: FfprobeFrame[] }>(paths, [...show, file], `ffprobe could not read frames of ${file}`);
    const interlaced = (data.frames ?? []).filter((f) => Number(f.interlaced_frame) === 1);
    if (interlaced.length === 0) return undefined;
    return interlaced.filter((f) => Number(f.top_field_first) === 1).length * 2 >= interlaced.length ? 'tt' : 'bb';
  } catch {
    // Only a note depends on it: an unreadable frame list is treated as progressive, as the header says.
    return undefined;
  }
}

interface FfprobeFrame {
  interlaced_frame?: number | string;
  top_field_first?: number | string;
}

function lastLine(err: unknown): string {
  if (err instanceof ProcessError) return err.lastLine.trim() || err.message.split('\n')[0];
  return ((err as Error).message ?? String(err)).split('\n')[0];
}

function parseRate(rate: string | undefined): [number, number] | undefined {
  if (!rate) return undefined;
  const [n, d] = rate.split(/[/:]/).map(Number);
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

const finite = (v: unknown): number | undefined => {
  if (v === undefined || v === null || v === '' || v === 'N/A') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

const known = (v: string | undefined): string | undefined => (v && v !== 'unknown' ? v : undefined);

/**
 * Refuses a video stream this ffmpeg has no decoder for, naming the codec,
 * the ffmpeg and how to use another (and an ffmpeg on PATH that decodes it,
 * when there is one). A listing that cannot be read checks nothing: the
 * decode itself fails later with ffmpeg's own message.
 */
async function checkDecodable(paths: FfmpegPaths, fileArg: string, video: FfprobeStream): Promise<void> {
  const codecs = await ffmpegCodecs(paths.ffmpeg).catch(() => undefined);
  const name = video.codec_name && video.codec_name !== 'unknown' ? video.codec_name : undefined;
  if (!codecs || (name && codecs.get(name)?.decode)) return;
  const tag = video.codec_tag_string && !/^\[0\]/.test(video.codec_tag_string) ? `, tag ${video.codec_tag_string}` : '';
  const known = name ? codecs.get(name) : undefined;
  const what = name ? `${name}${known ? ` (${known.description.replace(/\s*\(.*$/, '')})` : ''}` : `in a codec ffprobe does not know (${paths.ffprobe}${tag})`;
  const version = versionLine(paths.ffmpeg)?.replace(/^ffmpeg version (\S+).*$/, '$1');
  let elsewhere = '';
  const other = ffmpegOnPath(paths.ffmpeg);
  if (other && name) {
    const theirs = await ffmpegCodecs(other).catch(() => undefined);
    if (theirs?.get(name)?.decode) elsewhere = ` The ffmpeg at ${other} decodes it.`;
  }
  throw new ProbeError(
    fileArg,
    `video stream ${video.index} is ${what}, which ${paths.ffmpeg}${version ? ` (version ${version})` : ''} cannot decode; ${OTHER_FFMPEG_HINT}.${elsewhere}`,
  );
}

export async function probe(fileArg: string, paths: FfmpegPaths): Promise<ProbeInfo> {
  const file = resolve(fileArg);
  if (!existsSync(file)) throw new ProbeError(fileArg, 'no such file');
  if (!statSync(file).isFile()) throw new ProbeError(fileArg, 'not a regular file');
  const notes: string[] = [];
  let data: FfprobeData;
  let throughCopy: boolean;
  try {
    ({ data, throughCopy } = await ffprobe(paths, file, notes));
  } catch (err) {
    if (err instanceof ProbeError) throw new ProbeError(fileArg, err.message.slice(file.length + 2));
    throw new ProbeError(fileArg, `not a readable media file (ffprobe: ${lastLine(err).trim()})`);
  }
  const videos = data.streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const video = videos[0];
  if (!video) throw new ProbeError(fileArg, 'has no video stream');
  await checkDecodable(paths, fileArg, video);
  const width = Number(video.width);
  const height = Number(video.height);
  if (!(width > 0 && height > 0)) throw new ProbeError(fileArg, `video stream ${video.index} (${video.codec_name ?? 'unknown codec'}) has no frame size; ffprobe cannot decode it`);

  let grid;
  try {
    const packets = await scanVideoPackets(paths, file, video.index);
    grid = await frameGrid(paths, file, packets, gridRate(parseRate(video.r_frame_rate), parseRate(video.avg_frame_rate)), seeksByIndex(data.format.format_name), video.codec_name);
    // AVI with skipped index entries (the dropped frames that left gaps): its seeks land on wrong pictures.
    if (data.format.format_name === 'avi' && grid.repeated > 0) grid = withoutSeeking(grid);
  } catch (err) {
    if (err instanceof FrameGridError || err instanceof PacketScanError) throw new ProbeError(fileArg, err.message.slice(file.length + 2));
    if (err instanceof ProcessError) throw new ProbeError(fileArg, `its ${video.codec_name ?? 'unknown'} video cannot be decoded by ${paths.ffmpeg} (${err.lastLine.trim()})`);
    throw err;
  }
  notes.push(...gridWarnings(fileArg, grid, data.streams.some((s) => s.codec_type === 'audio')));
  const fps = grid.fpsNum / grid.fpsDen;
  const rotation = rotationOf(video);
  const swap = rotation === 90 || rotation === 270;
  const pixFmt = String(video.pix_fmt ?? 'unknown');
  if (videos.length > 1) notes.push(`${fileArg}: ${videos.length} video streams; the first (stream ${video.index}) is rendered, the others are left out`);
  const others = data.streams.filter((s) => s.codec_type !== 'video' && s.codec_type !== 'audio');
  if (others.length > 0) {
    const kinds = [...new Set(others.map((s) => `${s.codec_type ?? 'unknown'}${s.codec_name ? ` (${s.codec_name})` : ''}`))];
    notes.push(`${fileArg}: ${kinds.join(', ')} stream${others.length > 1 ? 's' : ''} ignored; the output holds video and audio only`);
  }
  if (/^(yuva|rgba|bgra|argb|abgr|gbrap|ya)/.test(pixFmt) || pixFmt.startsWith('pal8')) {
    notes.push(`${fileArg}: the video has an alpha channel (${pixFmt}); transparency is dropped (rendered over black)`);
  }
  let fieldOrder = video.field_order && FIELD_ORDERS[video.field_order] ? video.field_order : undefined;
  let fromFrames = false;
  if (!fieldOrder && INTERLACE_CAPABLE.has(String(video.codec_name))) {
    fieldOrder = await codedFieldOrder(paths, file, video.index, throughCopy);
    fromFrames = fieldOrder !== undefined;
  }
  const interlaced = fieldOrder !== undefined;
  if (fieldOrder) {
    notes.push(
      `${fileArg}: interlaced video (${FIELD_ORDERS[fieldOrder]}${fromFrames ? ', from the coded frames' : ''}); deinterlaced at decode (yadif, one frame per frame) ` +
        'so effects, crops and the progressive output show no combing',
    );
  }
  const storedSar = parseRate(video.sample_aspect_ratio);
  // Auto-rotation by a quarter turn transposes the pixels, and their shape with them.
  const sar = storedSar && swap ? ([storedSar[1], storedSar[0]] as [number, number]) : storedSar;
  const audio = data.streams.filter((s) => s.codec_type === 'audio');
  const gridDuration = grid.frames / fps;
  return {
    file,
    width: swap ? height : width,
    height: swap ? width : height,
    codedWidth: width,
    codedHeight: height,
    fpsNum: grid.fpsNum,
    fpsDen: grid.fpsDen,
    fps,
    variableFrameRate: grid.variableFrameRate,
    startTime: finite(data.format.start_time) ?? 0,
    frames: grid.frames,
    duration: gridDuration,
    rotation,
    pixFmt,
    codec: String(video.codec_name ?? 'unknown'),
    videoStream: Number(video.index),
    grid,
    notes,
    interlaced,
    ...(sar && sar[0] !== sar[1] ? { sampleAspect: sar } : {}),
    color: {
      ...(known(video.color_range) ? { range: video.color_range } : {}),
      ...(known(video.color_space) ? { space: video.color_space } : {}),
      ...(known(video.color_transfer) ? { transfer: video.color_transfer } : {}),
      ...(known(video.color_primaries) ? { primaries: video.color_primaries } : {}),
    },
    audio: audio.map((s) => ({
      index: Number(s.index),
      codec: String(s.codec_name ?? 'unknown'),
      channels: Number(s.channels ?? 0),
      sampleRate: Number(s.sample_rate ?? 0),
      ...(finite(s.start_time) !== undefined ? { startTime: finite(s.start_time) } : {}),
      ...(s.tags?.language ? { language: s.tags.language } : {}),
    })),
  };
}

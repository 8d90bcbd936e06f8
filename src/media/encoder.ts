// An ffmpeg process encoding raw yuv420p frames written to its stdin.
// Backpressure: `write` resolves once the pipe accepted the frame; the
// returned `flushed` promise tells when the buffer may be reused.
import { extname } from 'node:path';
import type { Writable } from 'node:stream';
import type { FfmpegPaths } from './ffmpeg.js';
import { runFfmpeg, type ProcessHandle } from './process/index.js';
import { colorTagOptions, sampleAspectFilter, type VideoTags } from './video-tags.js';

export interface EncoderSettings {
  codec: string;
  crf: number;
  preset: string;
  /** Encoder threads; undefined lets ffmpeg choose (about 1.5 per core for x264). */
  threads?: number;
  /**
   * Bits per sample of the encoded video (default 8). The frames are 8-bit
   * yuv420p; 10 converts them at encode (yuv420p10le), for encoders that take it.
   */
  bitDepth?: 8 | 10;
}

/** What kind of encoder a name is, to give it the options it understands. */
export type EncoderFamily = 'x264' | 'x265' | 'vpx' | 'aom' | 'prores' | 'nvenc' | 'qsv' | 'vaapi' | 'amf' | 'videotoolbox' | 'other';

export function encoderFamily(codec: string): EncoderFamily {
  if (/^libx264(rgb)?$/.test(codec)) return 'x264';
  if (codec === 'libx265') return 'x265';
  if (/^libvpx(-vp9)?$/.test(codec)) return 'vpx';
  if (codec === 'libaom-av1') return 'aom';
  if (/^prores(_ks|_aw)?$/.test(codec)) return 'prores';
  const hw = /_(nvenc|qsv|vaapi|amf|videotoolbox)$/.exec(codec);
  return hw ? (hw[1] as EncoderFamily) : 'other';
}

/** The format an encoder writes, from its name ("h264_nvenc" → h264). */
export function codecOfEncoder(name: string): string {
  if (/264|avc/.test(name)) return 'h264';
  if (/265|hevc/.test(name)) return 'hevc';
  if (/av1|aom/.test(name)) return 'av1';
  if (/vp9/.test(name)) return 'vp9';
  if (/prores/.test(name)) return 'prores';
  return name;
}

/**
 * Container of the batch files for an encoder: mp4 holds H.264, HEVC, VP9 and
 * AV1 and joins without re-encoding into every output container; ProRes only
 * goes into QuickTime.
 */
export function batchExtension(codec: string): '.mp4' | '.mov' {
  return encoderFamily(codec) === 'prores' ? '.mov' : '.mp4';
}

/** 10-bit (or deeper) pixel formats, e.g. yuv420p10le, p010le, yuv422p12le. */
export function isHighBitDepth(pixFmt: string): boolean {
  return /[a-z](9|10|12|14|16)(le|be)$/.test(pixFmt) || /^(p[0-4]1[026]|y21[026]|v210|xv3[06]|x2[rb]gb10)/.test(pixFmt);
}

// x264 preset names mapped onto libvpx/libaom's -cpu-used (0 slowest .. 8 fastest).
const CPU_USED: Record<string, number> = { ultrafast: 8, superfast: 7, veryfast: 6, faster: 5, fast: 4, medium: 3, slow: 2, slower: 1, veryslow: 0, placebo: 0 };

/** Input options an encoder needs before `-i` (VAAPI: the device the frames are uploaded to). */
export function encoderInputOptions(settings: EncoderSettings): string[] {
  return encoderFamily(settings.codec) === 'vaapi' ? ['-vaapi_device', process.env.MASKFLOW_VAAPI_DEVICE ?? '/dev/dri/renderD128'] : [];
}

/** The pixel format the encoder is given (the frames arrive as 8-bit yuv420p). */
export function encodePixelFormat(settings: EncoderSettings): string {
  const family = encoderFamily(settings.codec);
  // ProRes 422 is always 10-bit 4:2:2; the 4:2:0 8-bit frames are converted.
  if (family === 'prores') return 'yuv422p10le';
  if (family === 'vaapi' || family === 'qsv') return settings.bitDepth === 10 ? 'p010le' : 'nv12';
  return settings.bitDepth === 10 ? 'yuv420p10le' : 'yuv420p';
}

/**
 * ffmpeg output options for the video encoder. `container` is the file's
 * extension (".mp4"): HEVC gets the `hvc1` tag in mp4/mov, which Apple's
 * players need (ffmpeg's default `hev1` does not play there). `filters` run
 * on the frames before the encoder (e.g. setsar).
 */
export function encoderOutputOptions(settings: EncoderSettings, container?: string, filters: string[] = []): string[] {
  const family = encoderFamily(settings.codec);
  const pixFmt = encodePixelFormat(settings);
  const options = ['-c:v', settings.codec];
  // VAAPI encodes from GPU memory: convert and upload there.
  if (family === 'vaapi') options.push('-vf', [...filters, `format=${pixFmt}`, 'hwupload'].join(','));
  else options.push(...(filters.length > 0 ? ['-vf', filters.join(',')] : []), '-pix_fmt', pixFmt);
  const crf = String(settings.crf);
  switch (family) {
    case 'x264':
    case 'x265':
      options.push('-crf', crf, '-preset', settings.preset);
      if (family === 'x265') options.push('-x265-params', 'log-level=error');
      break;
    case 'vpx':
      // Constant quality: -crf with -b:v 0; the preset picks the speed.
      options.push('-crf', crf, '-b:v', '0', '-deadline', 'good', '-cpu-used', String(Math.min(5, CPU_USED[settings.preset] ?? 4)), '-row-mt', '1');
      break;
    case 'aom':
      // libaom is experimental in older ffmpeg builds and needs -strict to run.
      options.push('-crf', crf, '-b:v', '0', '-cpu-used', String(CPU_USED[settings.preset] ?? 6), '-strict', 'experimental');
      break;
    case 'prores':
      options.push('-profile:v', '3'); // 422 HQ; ProRes has profiles, not a crf
      break;
    case 'nvenc':
      options.push('-rc', 'vbr', '-cq', crf, '-b:v', '0');
      break;
    case 'qsv':
      options.push('-global_quality', crf);
      break;
    case 'vaapi':
      options.push('-qp', crf);
      break;
    case 'amf':
      options.push('-rc', 'cqp', '-qp_i', crf, '-qp_p', crf);
      break;
    case 'videotoolbox':
    case 'other':
      break;
  }
  const ext = container?.toLowerCase();
  if (codecOfEncoder(settings.codec) === 'hevc' && (ext === '.mp4' || ext === '.mov' || ext === '.m4v' || ext === 'mp4' || ext === 'mov')) options.push('-tag:v', 'hvc1');
  if (settings.threads !== undefined) options.push('-threads', String(settings.threads));
  return options;
}

export interface FrameEncoderOptions {
  paths: FfmpegPaths;
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  output: string;
  encoder: EncoderSettings;
  /** Container format of the output file (default: from its extension). */
  format?: string;
  /** Pixel format of the frames written (default yuv420p). */
  inputPixFmt?: 'yuv420p' | 'rgb24';
  /** More output options (e.g. -movflags +faststart). */
  outputOptions?: string[];
  /** Sample aspect ratio and colour tags written into the stream (default: none). */
  tags?: VideoTags;
  /** Start of the error message when encoding fails (default "ffmpeg encoder for OUTPUT failed"). */
  what?: string;
  /** Seconds without progress before the encoder is killed (default: MASKFLOW_WATCHDOG_SECONDS or 120). */
  watchdogSeconds?: number;
}

function tagFilters(tags: VideoTags | undefined): string[] {
  const sar = sampleAspectFilter(tags?.sampleAspect);
  return sar ? [sar] : [];
}

export class FrameEncoder {
  private readonly proc: ProcessHandle;
  private readonly stdin: Writable;

  constructor(private readonly options: FrameEncoderOptions) {
    const { width, height, fpsNum, fpsDen } = options;
    this.proc = runFfmpeg(
      options.paths,
      [
        ...encoderInputOptions(options.encoder),
        ...['-f', 'rawvideo', '-pix_fmt', options.inputPixFmt ?? 'yuv420p', '-s', `${width}x${height}`, '-framerate', `${fpsNum}/${fpsDen}`, '-i', 'pipe:0'],
        '-an',
        '-sn',
        ...encoderOutputOptions(options.encoder, options.format ?? extname(options.output), tagFilters(options.tags)),
        ...(options.tags ? colorTagOptions(options.tags.color) : []),
        ...(options.outputOptions ?? []),
        ...(options.format ? ['-f', options.format] : []),
        '-y',
        options.output,
      ],
      { what: options.what ?? `ffmpeg encoder for ${options.output} failed`, stdin: 'pipe', watchdogSeconds: options.watchdogSeconds },
    );
    this.stdin = this.proc.stdin!;
  }

  /** The encoder process (its pid, peak memory), e.g. for fault injection in tests. */
  get process(): ProcessHandle {
    return this.proc;
  }

  /**
   * Queues one frame. Resolves when the encoder can take more (drain), with
   * `flushed`: a promise settled once this buffer was handed to the OS.
   */
  async write(frame: Uint8Array): Promise<{ flushed: Promise<void> }> {
    const stdin = this.stdin;
    if (stdin.destroyed) {
      await this.proc.done;
      throw new Error(`ffmpeg encoder for ${this.options.output} exited before reading all frames`);
    }
    let flushedResolve!: () => void;
    let flushedReject!: (e: Error) => void;
    const flushed = new Promise<void>((res, rej) => {
      flushedResolve = res;
      flushedReject = rej;
    });
    flushed.catch(() => undefined);
    const ok = stdin.write(frame, (err) => (err ? flushedReject(err) : flushedResolve()));
    if (!ok) {
      await Promise.race([
        new Promise<void>((res) => stdin.once('drain', () => res())),
        this.proc.done.then(() => {
          throw new Error(`ffmpeg encoder for ${this.options.output} exited while frames were still being written`);
        }),
      ]);
    }
    return { flushed };
  }

  /** Closes stdin and waits for ffmpeg to finish writing the file. */
  async finish(): Promise<void> {
    this.stdin.end();
    await this.proc.done;
  }

  /** Stops the encoder (on failure elsewhere): killed and reaped when this resolves. */
  async abort(reason = 'stopped because the batch failed'): Promise<void> {
    await this.proc.kill(reason);
  }
}

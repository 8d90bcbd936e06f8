// Which ffmpeg to run, and raw-frame decoding on top of the process module
// (./process/), which is the only place that starts ffmpeg or ffprobe.
import { PassThrough } from 'node:stream';
import { resolveBinary } from './binaries.js';
import { ProcessError, runFfmpeg } from './process/index.js';

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
}

/** Resolves both binaries from the `--ffmpeg` option / env / installer packages. */
export function ffmpegPaths(option?: string): FfmpegPaths {
  return { ffmpeg: resolveBinary('ffmpeg', option).path, ffprobe: resolveBinary('ffprobe', option).path };
}

export type RawPixelFormat = 'gray' | 'rgb24' | 'yuv420p';

export function rawFrameBytes(width: number, height: number, pixFmt: RawPixelFormat): number {
  if (pixFmt === 'gray') return width * height;
  if (pixFmt === 'rgb24') return width * height * 3;
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  return width * height + 2 * cw * ch;
}

export interface ReadFramesOptions {
  input: string;
  paths: FfmpegPaths;
  /** Output size of each frame (ffmpeg scales to it). */
  width: number;
  height: number;
  pixFmt: RawPixelFormat;
  /** Extra ffmpeg input options (e.g. accurate seeking). */
  inputOptions?: string[];
  /** The input stream to decode, e.g. "0:1" (default: ffmpeg's choice of video stream). */
  map?: string;
  /** A video filter applied before scaling (e.g. `select=...` or `fps=2`). */
  filter?: string;
  /** Output options before the raw format (e.g. `-vsync`, `-frames:v`). */
  outputOptions?: string[];
  /** A second output of the same ffmpeg run, after the frames' pipe (e.g. a framecrc listing to a file). */
  extraOutput?: string[];
  /** Scaling algorithm; bilinear is fast and good enough for analysis. */
  scaleFlags?: string;
  /** Matrix of a conversion from RGB into YUV (scale's out_color_matrix, e.g. bt709); default swscale's (BT.601). */
  colorMatrix?: string;
  /** Start of the error message when decoding fails (default "ffmpeg could not decode INPUT"). */
  what?: string;
  /** Seconds without progress before the decoder is killed (default: MASKFLOW_WATCHDOG_SECONDS or 120). */
  watchdogSeconds?: number;
  /** Aborting kills the decoder and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Decodes `input` to raw frames and hands each to `onFrame` (the buffer is
 * reused: copy it if you keep it). Honours backpressure when `onFrame` returns
 * a promise. Resolves with the number of frames read.
 */
export async function readFrames(
  options: ReadFramesOptions,
  onFrame: (frame: Uint8Array, index: number) => void | Promise<void>,
  /** Supplies the buffer the next frame is written into (default: one reused buffer). */
  acquire?: () => Uint8Array | Promise<Uint8Array>,
): Promise<number> {
  const frameBytes = rawFrameBytes(options.width, options.height, options.pixFmt);
  const filters = [
    ...(options.filter ? [options.filter] : []),
    `scale=${options.width}:${options.height}:flags=${options.scaleFlags ?? 'bilinear'}${options.colorMatrix ? `:out_color_matrix=${options.colorMatrix}` : ''}`,
    `format=${options.pixFmt}`,
  ].join(',');
  options.signal?.throwIfAborted();
  const proc = runFfmpeg(
    options.paths,
    [
      ...(options.inputOptions ?? []),
      '-i', options.input,
      ...(options.map ? ['-map', options.map] : []),
      '-an', '-sn', '-vf', filters, ...(options.outputOptions ?? []), '-f', 'rawvideo', 'pipe:1',
      ...(options.extraOutput ?? []),
    ],
    { what: options.what ?? `ffmpeg could not decode ${options.input}`, stdout: 'pipe', watchdogSeconds: options.watchdogSeconds },
  );
  // 1 MiB of read-ahead: measured as fast as two whole frames at 1080p, with ~15 MB less per worker.
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  // A process that dies (or is killed by the watchdog) ends the stream with its error.
  proc.done.catch((err: unknown) => out.destroy(err as Error));
  const onAbort = (): void => {
    out.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('interrupted'));
    void proc.kill('interrupted');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  proc.stdout!.pipe(out, { end: true });
  let frame: Uint8Array | undefined = acquire ? undefined : new Uint8Array(frameBytes);
  let filled = 0;
  let index = 0;
  try {
    // Async iteration gives backpressure for free: ffmpeg stalls while onFrame awaits.
    for await (const chunk of out as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        if (!frame) {
          const next: Uint8Array = await acquire!();
          if (next.length !== frameBytes) throw new RangeError(`frame buffer holds ${next.length} bytes, expected ${frameBytes}`);
          frame = next;
        }
        const target: Uint8Array = frame;
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        target.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          filled = 0;
          const full = target;
          if (acquire) frame = undefined;
          await onFrame(full, index++);
        }
      }
    }
    if (filled !== 0) {
      throw new Error(`ffmpeg returned a partial frame (${filled} of ${frameBytes} bytes) decoding ${options.input}`);
    }
    await proc.done;
    return index;
  } catch (err) {
    await proc.kill('stopped: the frames it decoded could not be used');
    // ffmpeg's own failure explains a short or broken stream better than what it left us.
    const processError = await proc.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (processError instanceof ProcessError && processError.failure !== 'killed') throw processError;
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

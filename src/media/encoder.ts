// An ffmpeg process encoding raw yuv420p frames written to its stdin.
// Backpressure: `write` resolves once the pipe accepted the frame; the
// returned `flushed` promise tells when the buffer may be reused.
import type { Writable } from 'node:stream';
import type { FfmpegPaths } from './ffmpeg.js';
import { runFfmpeg, type ProcessHandle } from './process/index.js';

export interface EncoderSettings {
  codec: string;
  crf: number;
  preset: string;
  /** Encoder threads; undefined lets ffmpeg choose (about 1.5 per core for x264). */
  threads?: number;
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
  /** Start of the error message when encoding fails (default "ffmpeg encoder for OUTPUT failed"). */
  what?: string;
  /** Seconds without progress before the encoder is killed (default: MASKFLOW_WATCHDOG_SECONDS or 120). */
  watchdogSeconds?: number;
}

export function encoderOutputOptions(settings: EncoderSettings): string[] {
  const options = ['-c:v', settings.codec, '-pix_fmt', 'yuv420p'];
  if (/^lib(x264|x265)$/.test(settings.codec)) options.push('-crf', String(settings.crf), '-preset', settings.preset);
  if (settings.threads !== undefined) options.push('-threads', String(settings.threads));
  return options;
}

export class FrameEncoder {
  private readonly proc: ProcessHandle;
  private readonly stdin: Writable;

  constructor(private readonly options: FrameEncoderOptions) {
    const { width, height, fpsNum, fpsDen } = options;
    this.proc = runFfmpeg(
      options.paths,
      [
        ...['-f', 'rawvideo', '-pix_fmt', options.inputPixFmt ?? 'yuv420p', '-s', `${width}x${height}`, '-framerate', `${fpsNum}/${fpsDen}`, '-i', 'pipe:0'],
        '-an',
        '-sn',
        ...encoderOutputOptions(options.encoder),
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

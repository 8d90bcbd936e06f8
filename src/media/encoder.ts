// An ffmpeg process encoding raw yuv420p frames written to its stdin.
// Backpressure: `write` resolves once the pipe accepted the frame; the
// returned `flushed` promise tells when the buffer may be reused.
import type { Writable } from 'node:stream';
import { command, completion, type FfmpegPaths } from './ffmpeg.js';

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
}

export function encoderOutputOptions(settings: EncoderSettings): string[] {
  const options = ['-c:v', settings.codec, '-pix_fmt', 'yuv420p'];
  if (/^lib(x264|x265)$/.test(settings.codec)) options.push('-crf', String(settings.crf), '-preset', settings.preset);
  if (settings.threads !== undefined) options.push('-threads', String(settings.threads));
  return options;
}

export class FrameEncoder {
  private stdin: Writable | undefined;
  private readonly started: Promise<Writable>;
  private readonly exited: Promise<void>;
  private readonly cmd: ReturnType<typeof command>;

  constructor(private readonly options: FrameEncoderOptions) {
    const { width, height, fpsNum, fpsDen } = options;
    const cmd = command(options.paths)
      .input('pipe:0')
      .inputOptions(['-f', 'rawvideo', '-pix_fmt', options.inputPixFmt ?? 'yuv420p', '-s', `${width}x${height}`, '-framerate', `${fpsNum}/${fpsDen}`])
      .outputOptions([
        '-an',
        '-sn',
        ...encoderOutputOptions(options.encoder),
        ...(options.outputOptions ?? []),
        ...(options.format ? ['-f', options.format] : []),
      ])
      .output(options.output);
    this.started = new Promise((resolve) => {
      cmd.on('start', () => {
        const proc = (cmd as unknown as { ffmpegProc: { stdin: Writable } }).ffmpegProc;
        // A dead encoder surfaces through `exited`; keep EPIPE from becoming an uncaught error.
        proc.stdin.on('error', () => undefined);
        this.stdin = proc.stdin;
        resolve(proc.stdin);
      });
    });
    this.exited = completion(cmd, `ffmpeg encoder for ${options.output} failed`);
    cmd.run();
    this.cmd = cmd;
  }

  /**
   * Queues one frame. Resolves when the encoder can take more (drain), with
   * `flushed`: a promise settled once this buffer was handed to the OS.
   */
  async write(frame: Uint8Array): Promise<{ flushed: Promise<void> }> {
    const stdin = this.stdin ?? (await Promise.race([this.started, this.exited.then(() => { throw new Error('encoder exited before reading frames'); })]));
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
        this.exited.then(() => {
          throw new Error(`ffmpeg encoder for ${this.options.output} exited while frames were still being written`);
        }),
      ]);
    }
    return { flushed };
  }

  /** Closes stdin and waits for ffmpeg to finish writing the file. */
  async finish(): Promise<void> {
    const stdin = this.stdin ?? (await this.started);
    stdin.end();
    await this.exited;
  }

  /** Stops the encoder (on failure elsewhere). */
  async abort(): Promise<void> {
    this.stdin?.destroy();
    this.cmd.kill('SIGKILL');
    await this.exited.catch(() => undefined);
  }
}

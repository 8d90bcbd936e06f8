// `maskflow analyse --matte FILE.mkv`: the subject mask of every frame as a
// lossless gray video (FFV1, gray8, Matroska) at the input's size and frame
// rate, one frame per frame of the input's grid, for use as a matte in an
// editor. Each frame is the atlas's sampling rule (docs/atlas.md) — the same
// masks the render applies, before any effect's feather.
import { rename, unlink } from 'node:fs/promises';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { runFfmpeg } from '../media/process/index.js';
import { readAtlas, sampleMask } from './atlas.js';

export interface MatteOptions {
  paths: FfmpegPaths;
  /** Aborting stops the encoder; the promise rejects with the signal's reason and no file is left. */
  signal?: AbortSignal;
}

/** True for the file names a matte can be written to (Matroska holds FFV1 gray). */
export function isMatteFile(file: string): boolean {
  return /\.mkv$/i.test(file);
}

/**
 * Writes the matte of `probe`'s video from `atlasBytes` (an AnalysisResult's
 * atlas) to `output`, through a temp file renamed into place. Resolves with
 * the number of frames written (= probe.frames).
 */
export async function writeMatte(probe: Pick<ProbeInfo, 'file' | 'width' | 'height' | 'frames' | 'fpsNum' | 'fpsDen'>, atlasBytes: Uint8Array, output: string, options: MatteOptions): Promise<number> {
  const atlas = readAtlas(atlasBytes);
  const { width, height } = probe;
  if (atlas.sourceWidth !== width || atlas.sourceHeight !== height) {
    throw new Error(`${probe.file}: the analysis is for ${atlas.sourceWidth}x${atlas.sourceHeight} frames, the input is ${width}x${height}`);
  }
  options.signal?.throwIfAborted();
  const tmp = `${output}.partial-${process.pid}`;
  const proc = runFfmpeg(
    options.paths,
    [
      ...['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${width}x${height}`, '-framerate', `${probe.fpsNum}/${probe.fpsDen}`, '-i', 'pipe:0'],
      // Full range: mask byte 255 stays 255 in the file (no limited-range squeeze).
      ...['-c:v', 'ffv1', '-level', '3', '-pix_fmt', 'gray', '-color_range', 'pc', '-f', 'matroska', '-y', tmp],
    ],
    { what: `ffmpeg could not write the matte ${output}`, stdin: 'pipe' },
  );
  const stdin = proc.stdin!;
  const onAbort = (): void => void proc.kill('stopped: the matte was interrupted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (let f = 0; f < probe.frames; f++) {
      options.signal?.throwIfAborted();
      // A fresh buffer per frame: the pipe may still hold the previous one.
      const mask = sampleMask(atlas, f, width, height);
      if (!stdin.write(mask)) {
        await Promise.race([new Promise<void>((res) => stdin.once('drain', () => res())), proc.done.then(() => {
          throw new Error(`ffmpeg stopped before the matte's frame ${f} of ${probe.frames} was written (${output})`);
        })]);
      }
    }
    stdin.end();
    await proc.done;
    options.signal?.throwIfAborted();
    await rename(tmp, output);
    return probe.frames;
  } catch (err) {
    await proc.kill('stopped because writing the matte failed');
    await unlink(tmp).catch(() => undefined);
    throw options.signal?.aborted ? options.signal.reason : err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

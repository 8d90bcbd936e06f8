// Finish stage: the batch files joined without re-encoding (audio added),
// the joined file probed and checked frame for frame, then committed to the
// output path. Nothing appears under the output's name before the check passed.
import { dirname } from 'node:path';
import { removeOnExit, removeQuietly } from '../exit-cleanup.js';
import { diskFullError, nearlyFull } from '../fs-errors.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import { probe } from '../media/probe.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { commitOutput, joinBatches } from './finish.js';
import { RenderError } from './options.js';

export interface FinishStage {
  outInfo: ProbeInfo;
  warnings: string[];
}

export async function finishStage(options: {
  paths: FfmpegPaths;
  info: ProbeInfo;
  batchFiles: string[];
  /** Frames in each batch file and their rate (exact join timestamps). */
  batchFrames?: { counts: number[]; rate: { num: number; den: number } };
  /** The rendered range's start in seconds and its length (--from/--to); the audio is cut to it. */
  range?: { start: number; seconds: number };
  /** No audio in the output (--no-audio). */
  noAudio?: boolean;
  /** Re-encode the audio at this bitrate (--audio-bitrate). */
  audioBitrate?: string;
  /** Frames the output must have (the input's, unless the range or frame rate changes them). */
  frames: number;
  output: string;
  /** The output as the user wrote it, for messages. */
  outputName: string;
  workDir: string;
  /** Replace an output that exists (-y); otherwise the commit fails if one appeared during the run. */
  overwrite: boolean;
  signal?: AbortSignal;
}): Promise<FinishStage> {
  const { paths, info, output } = options;
  const { temp, warnings } = await joinBatches({
    paths,
    batchFiles: options.batchFiles,
    batchFrames: options.batchFrames,
    input: info.file,
    audioCodecs: options.noAudio ? [] : info.audio.map((a) => a.codec),
    audioStart: info.grid.start - info.startTime + (options.range?.start ?? 0),
    audioDuration: options.range?.seconds,
    audioBitrate: options.audioBitrate,
    output,
    workDir: options.workDir,
  });
  const forgetTemp = removeOnExit(temp);
  let outInfo: ProbeInfo;
  try {
    outInfo = await probe(temp, paths);
    if (outInfo.frames !== options.frames) {
      const expected = options.frames === info.frames ? `the input ${info.frames}` : `expected ${options.frames}`;
      throw new RenderError(`the joined output has ${outInfo.frames} frames, ${expected}; nothing was written to ${options.outputName}`);
    }
  } catch (err) {
    // ffmpeg's +faststart pass can fail quietly on a full disk, leaving only a broken file.
    const full = await nearlyFull(dirname(temp));
    await removeQuietly(temp);
    throw full ? diskFullError(err, dirname(output)) : err;
  }
  if (options.signal?.aborted) {
    await removeQuietly(temp);
    options.signal.throwIfAborted();
  }
  await commitOutput(temp, output, options.overwrite);
  forgetTemp();
  return { outInfo, warnings };
}

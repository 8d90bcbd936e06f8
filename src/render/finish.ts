// Joins the batch files without re-encoding, adds the input's audio (copied
// when the container can hold it, else AAC with a warning),
// writes to a temp file beside the output and commits it into place without
// replacing a file that appeared meanwhile (unless asked to).
import { randomBytes } from 'node:crypto';
import { link, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import { ffmpegToCompletion } from '../media/process/index.js';

export interface FinishOptions {
  paths: FfmpegPaths;
  batchFiles: string[];
  /**
   * Frames in each batch file and their rate. Given, the join list states each
   * file's exact duration: otherwise the concat demuxer takes it from the
   * mp4's millisecond movie duration, and a rate like 30 fps gets frames up to
   * 0.7 ms off at each join (ffprobe then reads the output as 29.97 fps).
   */
  batchFrames?: { counts: number[]; rate: { num: number; den: number } };
  input: string;
  /** Codec names of the input's audio streams (empty: no audio). */
  audioCodecs: string[];
  /**
   * Seconds from the input's container start to its first video frame (the
   * frame grid's start): the audio is cut by that much so it stays in sync
   * with the video, which starts at 0 in the output.
   */
  audioStart?: number;
  /** Seconds of audio to keep from audioStart (a --from/--to range); undefined: all of it. */
  audioDuration?: number;
  /** Re-encode the audio at this bitrate (e.g. "128k") instead of copying it. */
  audioBitrate?: string;
  output: string;
  workDir: string;
}

/** Output containers maskflow writes (the video in the plan's codec; .webm takes VP8/VP9/AV1 only). */
export const OUTPUT_EXTENSIONS = ['.mp4', '.m4v', '.mov', '.mkv', '.webm'] as const;

// Audio codecs the bundled ffmpeg (4.1) muxes into MP4 without -strict: the
// rest (opus, vorbis, flac, pcm...) are re-encoded to AAC for .mp4/.m4v.
const MP4_AUDIO = new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac']);
const MOV_AUDIO = new Set([...MP4_AUDIO, 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_s24be', 'pcm_f32le']);
const WEBM_AUDIO = new Set(['opus', 'vorbis']);

/** The audio encoder used when audio is re-encoded for a container: Opus for WebM, else AAC. */
export function audioEncoderFor(output: string): { codec: string; name: string } {
  return extname(output).toLowerCase() === '.webm' ? { codec: 'libopus', name: 'Opus' } : { codec: 'aac', name: 'AAC' };
}

/** Whether every audio stream can be copied into the output container; otherwise why not. */
export function audioCopyPlan(output: string, codecs: string[]): { copy: true } | { copy: false; reason: string } {
  const ext = extname(output).toLowerCase();
  if (ext === '.mkv') return { copy: true };
  const allowed = ext === '.mov' ? MOV_AUDIO : ext === '.webm' ? WEBM_AUDIO : MP4_AUDIO;
  const bad = codecs.filter((c) => !allowed.has(c));
  if (bad.length === 0) return { copy: true };
  return {
    copy: false,
    reason: `the input's ${[...new Set(bad)].join(', ')} audio cannot be stored in ${ext} by this ffmpeg; it was re-encoded to ${audioEncoderFor(output).name} 192 kb/s (use a .mkv output to keep it untouched)`,
  };
}

function concatListLine(file: string): string {
  // The concat demuxer's list syntax: single quotes, with ' written as '\''.
  return `file '${file.replace(/'/g, "'\\''")}'`;
}

/** The concat list: each file, with its exact duration when the frame counts are known. */
export function concatList(files: string[], frames?: FinishOptions['batchFrames']): string[] {
  if (!frames) return files.map(concatListLine);
  // Durations in whole microseconds (the demuxer's unit), rounded from the exact running total so errors never add up.
  let total = 0;
  return files.flatMap((file, i) => {
    const from = Math.round((total * 1e6 * frames.rate.den) / frames.rate.num);
    total += frames.counts[i];
    const to = Math.round((total * 1e6 * frames.rate.den) / frames.rate.num);
    return [concatListLine(file), `duration ${((to - from) / 1e6).toFixed(6)}`];
  });
}

/** The joined file's temp path in the run's folder (beside the output: the final link/rename is atomic). */
export function tempOutputPath(output: string, workDir: string): string {
  const ext = extname(output) || '.mp4';
  return join(workDir, `joined-${randomBytes(4).toString('hex')}${ext}`);
}

/** Joins the batches (and audio) into a hidden temp file beside the output; returns its path. */
export async function joinBatches(options: FinishOptions): Promise<{ temp: string; warnings: string[] }> {
  const warnings: string[] = [];
  const list = join(options.workDir, 'batches.txt');
  await writeFile(list, `${concatList(options.batchFiles, options.batchFrames).join('\n')}\n`);
  const temp = tempOutputPath(options.output, options.workDir);
  const inputs = ['-f', 'concat', '-safe', '0', '-i', list];
  const outputOptions = ['-map', '0:v:0', '-c:v', 'copy'];
  const cut = options.audioStart ?? 0;
  // -ss is relative to the container start; stream copy starts at the first packet from there.
  inputs.push(...(cut > 0.0005 ? ['-ss', cut.toFixed(6)] : []), ...(options.audioDuration !== undefined ? ['-t', options.audioDuration.toFixed(6)] : []), '-i', options.input);
  if (options.audioCodecs.length > 0) {
    const audio = audioCopyPlan(options.output, options.audioCodecs);
    if (options.audioBitrate !== undefined) {
      outputOptions.push('-map', '1:a?', '-c:a', audioEncoderFor(options.output).codec, '-b:a', options.audioBitrate);
    } else if (audio.copy) {
      outputOptions.push('-map', '1:a?', '-c:a', 'copy');
    } else {
      outputOptions.push('-map', '1:a?', '-c:a', audioEncoderFor(options.output).codec, '-b:a', '192k');
      warnings.push(audio.reason);
    }
  }
  // The input's global tags (creation time, title...) and chapters; stream tags such as the
  // audio's language come with their streams.
  outputOptions.push('-map_metadata', '1', '-map_chapters', '1');
  outputOptions.push('-movflags', '+faststart');
  const ext = extname(options.output).toLowerCase();
  if (ext !== '.mp4' && ext !== '.mov' && ext !== '.m4v') outputOptions.splice(outputOptions.indexOf('-movflags'), 2);
  // Matroska: the bundled ffmpeg's muxer, given B-frame video (negative dts) beside primed AAC,
  // shifts some video packets and not others (pts 0, 0.063, 0.080, ...), so the file plays with
  // an uneven frame grid. One shift of every stream to a zero start keeps the grid and the sync.
  if (ext === '.mkv' || ext === '.webm' || ext === '.mka') outputOptions.push('-avoid_negative_ts', 'make_zero');
  try {
    await ffmpegToCompletion(options.paths, [...inputs, ...outputOptions, '-y', temp], `joining batches into ${options.output} failed`);
  } catch (err) {
    // The failure is what matters; a temp file that cannot be removed must not replace it.
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  return { temp, warnings };
}

export class OutputExistsError extends Error {
  constructor(output: string) {
    super(`${output} appeared while this render ran (another program or render wrote it); it was left as it is and nothing was written. Pass -y (overwrite: true) to replace it`);
    this.name = 'OutputExistsError';
  }
}

/**
 * Moves the finished temp file into place. Without `overwrite` the commit
 * itself refuses an output that appeared during the run: link() fails with
 * EEXIST where rename() would silently replace. With `overwrite`, a plain
 * (atomic) rename.
 */
export async function commitOutput(temp: string, output: string, overwrite: boolean): Promise<void> {
  try {
    if (overwrite) {
      await rename(temp, output);
      return;
    }
    try {
      await link(temp, output);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new OutputExistsError(output);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
      // No hard links on this file system (FAT, some network mounts): claim the
      // name with an exclusive create, then rename over our own placeholder.
      try {
        await writeFile(output, '', { flag: 'wx' });
      } catch (e) {
        throw (e as NodeJS.ErrnoException).code === 'EEXIST' ? new OutputExistsError(output) : e;
      }
      await rename(temp, output);
      return;
    }
    // The output is complete under its name; the temp name is only a second link to it.
    await unlink(temp).catch(() => undefined);
  } catch (err) {
    // The failure is what matters; a temp file that cannot be removed must not replace it.
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

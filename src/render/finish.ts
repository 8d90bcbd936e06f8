// Joins the batch files without re-encoding, adds the input's audio untouched,
// writes to a temp file beside the output and renames it into place.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { command, type FfmpegPaths } from '../media/ffmpeg.js';

export interface FinishOptions {
  paths: FfmpegPaths;
  batchFiles: string[];
  input: string;
  hasAudio: boolean;
  output: string;
  workDir: string;
}

function concatListLine(file: string): string {
  // The concat demuxer's list syntax: single quotes, with ' written as '\''.
  return `file '${file.replace(/'/g, "'\\''")}'`;
}

function run(cmd: ReturnType<typeof command>, what: string): Promise<void> {
  let tail = '';
  cmd.on('stderr', (line: string) => {
    tail = `${tail}\n${line}`.slice(-1500);
  });
  return new Promise((resolve, reject) => {
    cmd.on('end', () => resolve());
    cmd.on('error', (err: Error) => reject(new Error(`${what} failed: ${err.message.split('\n')[0]}\n${tail.trim().split('\n').slice(-3).join('\n')}`)));
    cmd.run();
  });
}

/** A hidden temp path in the output's folder, so the final rename is atomic. */
export function tempOutputPath(output: string): string {
  const ext = extname(output) || '.mp4';
  return join(dirname(output), `.${basename(output, ext)}.maskflow-${randomBytes(4).toString('hex')}${ext}`);
}

/** Joins the batches (and audio) into a hidden temp file beside the output; returns its path. */
export async function joinBatches(options: FinishOptions): Promise<string> {
  const list = join(options.workDir, 'batches.txt');
  await writeFile(list, `${options.batchFiles.map(concatListLine).join('\n')}\n`);
  const temp = tempOutputPath(options.output);
  const cmd = command(options.paths)
    .input(list)
    .inputOptions(['-f', 'concat', '-safe', '0']);
  const outputOptions = ['-map', '0:v:0', '-c:v', 'copy'];
  if (options.hasAudio) {
    cmd.input(options.input);
    outputOptions.push('-map', '1:a?', '-c:a', 'copy');
  }
  outputOptions.push('-movflags', '+faststart');
  const ext = extname(options.output).toLowerCase();
  if (ext !== '.mp4' && ext !== '.mov' && ext !== '.m4v') outputOptions.splice(outputOptions.indexOf('-movflags'), 2);
  cmd.outputOptions(outputOptions).output(temp);
  try {
    await run(cmd, `joining batches into ${options.output}`);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return temp;
}

/** Moves the finished temp file into place (atomic on one filesystem). */
export async function commitOutput(temp: string, output: string): Promise<void> {
  try {
    await rename(temp, output);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

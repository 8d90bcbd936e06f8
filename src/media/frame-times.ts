// Presentation times of every video frame, read from the container's packets
// (no decoding). Used to seek exactly to a frame of a variable-frame-rate
// input, where frame f does not start at f / fps.
import { spawn } from 'node:child_process';
import type { FfmpegPaths } from './ffmpeg.js';

export async function framePresentationTimes(paths: FfmpegPaths, file: string): Promise<Float64Array> {
  // fluent-ffmpeg's ffprobe() only parses streams and format, so this one
  // command runs ffprobe directly; it is still built here, in the media module.
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(paths.ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err = `${err}${c.toString()}`.slice(-1000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`ffprobe could not list the frames of ${file}: ${err.trim()}`)),
    );
  });
  const times = out
    .split('\n')
    .map((l) => l.trim().replace(/,$/, ''))
    .filter((l) => l !== '' && l !== 'N/A')
    .map(Number)
    .filter((v) => Number.isFinite(v));
  times.sort((a, b) => a - b); // packets come in decode order; frames are shown in pts order
  return Float64Array.from(times);
}

/** A seek time (seconds from the container start) that lands exactly on frame `f`. */
export function seekTimeForFrame(times: Float64Array, f: number, startTime: number): number {
  if (f <= 0) return 0;
  const prev = times[Math.min(f - 1, times.length - 1)];
  const cur = times[Math.min(f, times.length - 1)];
  // Halfway between the previous frame and this one: this frame is the first at or after it.
  return Math.max(0, (prev + cur) / 2 - startTime);
}

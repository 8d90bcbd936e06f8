// Presentation times of every video frame, read from the container's packets
// (no decoding). Used to seek exactly to a frame of a variable-frame-rate
// input, where frame f does not start at f / fps.
import type { FfmpegPaths } from './ffmpeg.js';
import { ffprobeOutput } from './process/index.js';

export async function framePresentationTimes(paths: FfmpegPaths, file: string): Promise<Float64Array> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file];
  const out = await ffprobeOutput(paths, args, `ffprobe could not list the frames of ${file}`);
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

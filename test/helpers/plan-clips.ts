// Test clips with known hard cuts: lavfi sources of exact frame counts,
// concatenated and encoded with the real ffmpeg (through maskflow's process module).
import type { FfmpegPaths } from '../../src/media/ffmpeg.js';
import { ffmpegToCompletion } from '../../src/media/process/index.js';

export interface Shot {
  /** A lavfi source without size/rate, e.g. `testsrc2` or `color=c=0x3060a0`. */
  source: string;
  frames: number;
  /** Extra filters after the source, e.g. `noise=alls=30:allf=t`. */
  filter?: string;
}

/** Frame indices where shots 2… start. */
export function expectedCuts(shots: readonly Shot[]): number[] {
  const cuts: number[] = [];
  let at = 0;
  for (const s of shots.slice(0, -1)) cuts.push((at += s.frames));
  return cuts;
}

export function makeClip(paths: FfmpegPaths, file: string, shots: readonly Shot[], rate: string, size = '160x120'): Promise<void> {
  const inputs: string[] = [];
  const filters: string[] = [];
  shots.forEach((shot, i) => {
    const sep = shot.source.includes('=') ? ':' : '=';
    const sizeOption = shot.source.includes('size=') ? '' : `size=${size}:`;
    inputs.push('-f', 'lavfi', '-i', `${shot.source}${sep}${sizeOption}rate=${rate}`);
    filters.push(`[${i}:v]${shot.filter ? `${shot.filter},` : ''}trim=end_frame=${shot.frames},setpts=PTS-STARTPTS,format=yuv420p[v${i}]`);
  });
  filters.push(`${shots.map((_, i) => `[v${i}]`).join('')}concat=n=${shots.length}:v=1:a=0[out]`);
  const output = ['-filter_complex', filters.join(';'), '-map', '[out]', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-pix_fmt', 'yuv420p', '-r', rate];
  return ffmpegToCompletion(paths, [...inputs, ...output, '-y', file], `could not generate ${file}`);
}

/** One moving shot: a pan across a wide mandelbrot (steady motion, no cut). */
export function makePanClip(paths: FfmpegPaths, file: string, rate: string, frames: number): Promise<void> {
  return makeClip(paths, file, [{ source: 'mandelbrot=size=480x120', frames, filter: "crop=160:120:x='min(320,t*120)':y=0" }], rate);
}

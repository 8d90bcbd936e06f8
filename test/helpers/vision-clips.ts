// Generated test clips for the vision tests: a coloured box or disc moving
// over a textured background, with its true position known for every frame.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ffmpegPaths } from '../../src/media/ffmpeg.js';

export type Background = 'still-cellauto' | 'scrolling-cellauto' | 'testsrc2' | 'still-mandelbrot';

export interface ClipSpec {
  dir: string;
  name?: string;
  background: Background;
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
  /** Subject size and colour. */
  subjectWidth?: number;
  subjectHeight?: number;
  colour?: string;
  disc?: boolean;
  /** Position of the subject's top-left corner: x0 + vx·t, y0 + vy·t (pixels, seconds). */
  x0?: number;
  y0?: number;
  vx?: number;
  vy?: number;
  /** An optional second (distractor) box: colour and top-left x0 + vx·t, y0 + vy·t. */
  second?: { colour: string; x0: number; y0: number; vx: number; vy: number; size: number };
}

export interface Clip {
  file: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** True subject box [x, y, w, h] at a frame. */
  truth(frame: number): [number, number, number, number];
  /** True box of the second subject, when there is one. */
  truthSecond(frame: number): [number, number, number, number];
}

function backgroundSource(bg: Background, w: number, h: number, fps: number): string {
  switch (bg) {
    // One frame of a cellular automaton, held: a black/white texture that does not move.
    case 'still-cellauto':
      return `cellauto=s=${w}x${h}:rule=30:r=${fps},trim=end_frame=1,loop=-1:1:0,setpts=N/${fps}/TB`;
    case 'scrolling-cellauto':
      return `cellauto=s=${w}x${h}:rule=30:r=${fps}`;
    case 'testsrc2':
      return `testsrc2=s=${w}x${h}:r=${fps}`;
    case 'still-mandelbrot':
      return `mandelbrot=s=${w}x${h}:r=${fps},trim=end_frame=1,loop=-1:1:0,setpts=N/${fps}/TB`;
  }
}

export function makeClip(spec: ClipSpec): Clip {
  const w = spec.width ?? 320;
  const h = spec.height ?? 240;
  const fps = spec.fps ?? 15;
  const seconds = spec.seconds ?? 4;
  const sw = spec.subjectWidth ?? 48;
  const sh = spec.subjectHeight ?? 48;
  const x0 = spec.x0 ?? 20;
  const y0 = spec.y0 ?? 60;
  const vx = spec.vx ?? 60;
  const vy = spec.vy ?? 20;
  const frames = Math.round(seconds * fps);
  const file = join(spec.dir, spec.name ?? `clip-${spec.background}.mp4`);
  const subject = spec.disc
    ? `color=c=${spec.colour ?? '0xff2080'}:s=${sw}x${sh}:r=${fps},format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='255*lte(hypot(X-${sw / 2 - 0.5},Y-${sh / 2 - 0.5}),${sw / 2})'`
    : `color=c=${spec.colour ?? '0xff2080'}:s=${sw}x${sh}:r=${fps}`;
  const s2 = spec.second;
  const graph = s2
    ? `${backgroundSource(spec.background, w, h, fps)}[bg];${subject}[fg];color=c=${s2.colour}:s=${s2.size}x${s2.size}:r=${fps}[fg2];` +
      `[bg][fg]overlay=x='${x0}+${vx}*t':y='${y0}+${vy}*t':shortest=1[v1];[v1][fg2]overlay=x='${s2.x0}+${s2.vx}*t':y='${s2.y0}+${s2.vy}*t':shortest=1,format=yuv420p`
    : `${backgroundSource(spec.background, w, h, fps)}[bg];${subject}[fg];[bg][fg]overlay=x='${x0}+${vx}*t':y='${y0}+${vy}*t':shortest=1,format=yuv420p`;
  const boxAt = (frame: number, bx0: number, by0: number, bvx: number, bvy: number, bw: number, bh: number): [number, number, number, number] => {
    const t = frame / fps;
    const x = Math.trunc(bx0 + bvx * t) & ~1;
    const y = Math.trunc(by0 + bvy * t) & ~1;
    const cx0 = Math.max(0, x);
    const cy0 = Math.max(0, y);
    return [cx0, cy0, Math.min(w, x + bw) - cx0, Math.min(h, y + bh) - cy0];
  };
  execFileSync(ffmpegPaths().ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', graph, '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', 'yuv420p', file]);
  return {
    file,
    width: w,
    height: h,
    fps,
    frames,
    // overlay truncates positions to even pixels for yuv420p (chroma alignment).
    truth: (frame) => boxAt(frame, x0, y0, vx, vy, sw, sh),
    truthSecond: (frame) => (s2 ? boxAt(frame, s2.x0, s2.y0, s2.vx, s2.vy, s2.size, s2.size) : [0, 0, 0, 0]),
  };
}

export function iou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

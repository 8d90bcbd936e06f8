// The demo's clip maker (`maskflow demo`): a bright disc moving over a busy,
// textured background (ffmpeg's lavfi sources), plus an optional tone. Also used by
// the tests and the benchmarks, since the true subject box per frame is known.
import type { FfmpegPaths } from './ffmpeg.js';
import { ffmpegToCompletion } from './process/index.js';

export interface ClipSpec {
  output: string;
  width: number;
  height: number;
  seconds: number;
  /** Frame rate as "num/den" or an integer string, e.g. "30", "30000/1001". */
  fps: string;
  audio?: boolean;
  /** Disc diameter as a fraction of the frame height (default 0.3). */
  subjectSize?: number;
  /** "mask": the same motion as a white disc on black, for ffmpeg-graph baselines. */
  variant?: 'scene' | 'mask';
  /** Keyframe (GOP) interval in seconds (default 2, typical of camera and streaming files). */
  gopSeconds?: number;
  /** Encoder preset for the clip itself (default ultrafast). */
  preset?: string;
  crf?: number;
}

/** Diameter in pixels of the disc for a clip spec. */
export function subjectDiameter(spec: Pick<ClipSpec, 'height' | 'subjectSize'>): number {
  return Math.max(8, Math.round(spec.height * (spec.subjectSize ?? 0.3)) & ~1);
}

/**
 * Top-left corner of the disc's bounding box at time t (seconds). The disc
 * sweeps left-right across the frame in ~6 s and bobs up and down.
 */
export function subjectPosition(spec: Pick<ClipSpec, 'width' | 'height' | 'subjectSize'>, t: number): { x: number; y: number; size: number } {
  const d = subjectDiameter(spec);
  const x = (spec.width - d) * (0.5 + 0.42 * Math.sin((2 * Math.PI * t) / 6));
  const y = (spec.height - d) * (0.5 + 0.3 * Math.cos((2 * Math.PI * t) / 4));
  return { x: Math.floor(x), y: Math.floor(y), size: d };
}

function exprPosition(spec: ClipSpec): { x: string; y: string } {
  const d = subjectDiameter(spec);
  // Same motion as subjectPosition(), as ffmpeg expressions (floor matches the overlay's integer placement).
  return {
    x: `floor(${spec.width - d}*(0.5+0.42*sin(2*PI*t/6)))`,
    y: `floor(${spec.height - d}*(0.5+0.3*cos(2*PI*t/4)))`,
  };
}

export function generateClip(paths: FfmpegPaths, spec: ClipSpec): Promise<void> {
  const d = subjectDiameter(spec);
  const { x, y } = exprPosition(spec);
  const size = `${spec.width}x${spec.height}`;
  const r = d / 2;
  // Background: a colourful moving test pattern, desaturated and noisy so it is busy but not the most salient thing.
  const mask = spec.variant === 'mask';
  const graph = [
    mask ? `[0:v]lutyuv=y=16:u=128:v=128,format=yuv420p[bg]` : `[0:v]hue=s=0.35,noise=alls=10:allf=t+u,format=yuv420p[bg]`,
    `[1:v]${mask ? 'lutyuv=y=235:u=128:v=128,' : ''}format=yuva420p,geq=lum='p(X,Y)':cb='p(X,Y)':cr='p(X,Y)':a='if(lt(hypot(X-${r},Y-${r}),${r}),255,0)'[disc]`,
    `[bg][disc]overlay=x='${x}':y='${y}':eval=frame:format=auto,format=yuv420p[v]`,
  ].join(';');
  const inputs = [
    ...['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${spec.fps}:duration=${spec.seconds}`],
    ...['-f', 'lavfi', '-i', `color=c=0xff2a1a:size=${d}x${d}:rate=${spec.fps}:duration=${spec.seconds}`],
  ];
  const outputOptions = ['-filter_complex', graph, '-map', '[v]'];
  if (spec.audio) {
    inputs.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.seconds}`);
    outputOptions.push('-map', '2:a', '-c:a', 'aac', '-b:a', '96k');
  }
  const [num, den] = spec.fps.split('/').map(Number);
  const gop = Math.max(1, Math.round((spec.gopSeconds ?? 2) * (num / (den || 1))));
  outputOptions.push('-c:v', 'libx264', '-preset', spec.preset ?? 'ultrafast', '-crf', String(spec.crf ?? 18), '-g', String(gop), '-pix_fmt', 'yuv420p', '-r', spec.fps);
  return ffmpegToCompletion(paths, [...inputs, ...outputOptions, '-y', spec.output], `could not generate the clip ${spec.output}`);
}

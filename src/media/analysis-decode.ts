// Decoder options for the analysis pass: it decodes every frame only to keep
// a few small keyframes, so it may decode them the cheap way.
//  - `-skip_loop_filter all`: no deblocking (H.264, HEVC, VP8/9 and the MPEG-4
//    family honour it; others ignore it). Measured on 1080p30 x264 input: ~18 %
//    less decoder CPU; the blocking it leaves is far below the keyframes'
//    downscale (long side 640 → the finder's 192).
//  - `-lowres k` where the codec can decode at 1/2^k size (MPEG-1/2/4 part 2,
//    msmpeg4, WMV1/2, H.263, MJPEG) and that size still covers the keyframe
//    size: the IDCT and motion compensation run on fewer pixels.
// Frame threads stay ffmpeg's default: analysis runs alone, before the render.
import type { ProbeInfo } from './probe-types.js';

/** Decoders with a lowres mode (their max_lowres is 3). */
const LOWRES_CODECS = new Set(['mpeg1video', 'mpeg2video', 'mpeg4', 'msmpeg4v1', 'msmpeg4v2', 'msmpeg4v3', 'wmv1', 'wmv2', 'h263', 'h263p', 'mjpeg']);

/** The largest k (0..3) with the coded size divided by 2^k still at least `need` on both axes. */
export function lowresFactor(probe: Pick<ProbeInfo, 'codec' | 'codedWidth' | 'codedHeight'>, need: { width: number; height: number }, rotated: boolean): number {
  if (!LOWRES_CODECS.has(probe.codec)) return 0;
  const w = rotated ? probe.codedHeight : probe.codedWidth;
  const h = rotated ? probe.codedWidth : probe.codedHeight;
  let k = 0;
  while (k < 3 && w >> (k + 1) >= need.width && h >> (k + 1) >= need.height) k++;
  return k;
}

/** Input options for decoding `probe` into keyframes of `size` for analysis. */
export function analysisDecodeOptions(probe: ProbeInfo, size: { width: number; height: number }): string[] {
  const options = ['-skip_loop_filter', 'all'];
  const k = lowresFactor(probe, size, probe.rotation === 90 || probe.rotation === 270);
  if (k > 0) options.push('-lowres', String(k));
  return options;
}

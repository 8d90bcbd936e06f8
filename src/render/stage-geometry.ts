// Geometry stage: the encoded frame size and the resampler's crop windows.
// The crop is the largest window of the output's shape (output.size, else
// output.aspect) following the subject; the addon's resampler scales it to
// output.size when one is given. Sizes are always even: libx264 needs even
// yuv420p sizes.
import type { ProbeInfo } from '../media/probe-types.js';
import { outputSampleAspect } from '../media/video-tags.js';
import { parseSize } from '../plan/output-format.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { AnalysisResult } from '../vision/analyse.js';
import { computeCropPath } from '../vision/crop-path.js';
import { reframeSize, type Size } from './output-size.js';

export interface Geometry {
  /** Encoded frame size. */
  encoded: Size;
  /** Sample aspect ratio of the encoded pixels, so the output displays at the input's shape (absent: square). */
  sampleAspect?: [number, number];
  /** Set when frames are resampled: the output size and each batch's crop windows (x, y, w, h per frame, or one for all). */
  reframe?: { size: Size; cropsFor: (b: { startFrame: number; endFrame: number }) => number[] };
}

/** The asked output size, and the crop window's size when the output's shape differs from the input's. */
function outputShape(info: ProbeInfo, resolved: ResolvedPlan): { target?: Size; crop?: Size } {
  const target = parseSize(resolved.output.size);
  // A W:H shape is what the output displays: with non-square pixels the crop is W:H in display units.
  const crop = reframeSize({ width: info.width, height: info.height }, target ? `${target.width}:${target.height}` : resolved.output.aspect, info.sampleAspect);
  return { target, crop };
}

export function geometryStage(info: ProbeInfo, resolved: ResolvedPlan, analysis: AnalysisResult): Geometry {
  const source: Size = { width: info.width, height: info.height };
  const { target, crop } = outputShape(info, resolved);
  const sar = info.sampleAspect;
  // The pixels' shape after the crop is scaled to the encoded size, so the output displays the crop as the input does.
  const sampleAspect = (shown: Size, encoded: Size): { sampleAspect?: [number, number] } => {
    const s = outputSampleAspect(sar, shown, encoded);
    return s ? { sampleAspect: s } : {};
  };
  if (crop) {
    const path = computeCropPath(analysis.keyframes, { width: info.width, height: info.height, frames: info.frames, fps: info.fps }, crop);
    const size = target ?? crop;
    return { encoded: size, ...sampleAspect(crop, size), reframe: { size, cropsFor: (b) => Array.from(path.subarray(b.startFrame * 4, b.endFrame * 4)) } };
  }
  // Same shape as the input: the whole (even) picture, scaled when a size is asked for.
  const even = { width: info.width & ~1, height: info.height & ~1 };
  const size = target ?? even;
  if (size.width === info.width && size.height === info.height) return { encoded: source, ...sampleAspect(source, source) };
  // An odd input size alone drops the last column/row (an exact copy of the rest).
  return { encoded: size, ...sampleAspect(even, size), reframe: { size, cropsFor: () => [0, 0, even.width, even.height] } };
}

/** The encoded frame size alone (what geometryStage encodes), known before any analysis. */
export function encodedSize(info: ProbeInfo, resolved: ResolvedPlan): Size {
  const { target, crop } = outputShape(info, resolved);
  return target ?? crop ?? { width: info.width & ~1, height: info.height & ~1 };
}

// Geometry stage: the encoded frame size (reframed to output.aspect, always
// even: libx264 needs even yuv420p sizes) and the resampler's crop windows.
import type { ProbeInfo } from '../media/probe-types.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { AnalysisResult } from '../vision/analyse.js';
import { computeCropPath } from '../vision/crop-path.js';
import { reframeSize, type Size } from './output-size.js';

export interface Geometry {
  /** Encoded frame size. */
  encoded: Size;
  /** Set when frames are resampled: the output size and each batch's crop windows (x, y, w, h per frame, or one for all). */
  reframe?: { size: Size; cropsFor: (b: { startFrame: number; endFrame: number }) => number[] };
}

export function geometryStage(info: ProbeInfo, resolved: ResolvedPlan, analysis: AnalysisResult): Geometry {
  const source: Size = { width: info.width, height: info.height };
  const size = reframeSize(source, resolved.output.aspect);
  if (size) {
    const path = computeCropPath(analysis.keyframes, { width: info.width, height: info.height, frames: info.frames, fps: info.fps }, size);
    return { encoded: size, reframe: { size, cropsFor: (b) => Array.from(path.subarray(b.startFrame * 4, b.endFrame * 4)) } };
  }
  if (info.width % 2 === 1 || info.height % 2 === 1) {
    // Odd input size: drop the last column/row (an exact copy of the rest).
    const even = { width: info.width & ~1, height: info.height & ~1 };
    return { encoded: even, reframe: { size: even, cropsFor: () => [0, 0, even.width, even.height] } };
  }
  return { encoded: source };
}

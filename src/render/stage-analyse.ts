// Analyse stage: every model loaded once, here in the main thread; the masks
// come back as one atlas in a SharedArrayBuffer that every worker reads in place.
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { FrameSpan } from '../media/keyframes.js';
import type { ProbeInfo } from '../media/probe-types.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import { analyseVideo, decodedKeyframes, type AnalysisResult } from '../vision/analyse.js';
import { RenderError, type RenderOptions } from './options.js';
import { ProgressTracker, type ProgressEvent } from './progress.js';

export interface AnalyseStage {
  analysis: AnalysisResult;
  /** The atlas's whole buffer, shared with the workers. */
  atlas: SharedArrayBuffer;
}

export async function analyseStage(
  options: RenderOptions,
  info: ProbeInfo,
  paths: FfmpegPaths,
  resolved: ResolvedPlan,
  /** The frames the render uses (--from/--to): only they (and a margin) are analysed. */
  range: FrameSpan,
  emit: (e: ProgressEvent) => void,
): Promise<AnalyseStage> {
  const models = { detector: options.detector, ranker: options.ranker, segmenter: options.segmenter, segmenterPreset: options.segmenterPreset, executionProvider: options.executionProvider };
  const wanted = { keyframeInterval: resolved.subject.keyframeInterval, keyframeSchedule: options.keyframeSchedule, models, range };
  emit({ stage: 'analyse', done: 0, total: decodedKeyframes(info, wanted), rate: 0 });
  let tracker: ProgressTracker | undefined;
  const analysis = await analyseVideo(info, {
    paths,
    ...wanted,
    prompt: resolved.subject.prompt,
    seed: resolved.subject.seed,
    cacheDir: options.cacheDir,
    signal: options.signal,
    onProgress: (e) => {
      tracker ??= new ProgressTracker('analyse', e.total, emit);
      tracker.update(e.done);
    },
  });
  const atlas = analysis.atlas.buffer;
  if (!(atlas instanceof SharedArrayBuffer) || analysis.atlas.byteOffset !== 0 || analysis.atlas.byteLength !== atlas.byteLength) {
    throw new RenderError('internal: the analysis did not return its atlas as a whole SharedArrayBuffer');
  }
  return { analysis, atlas };
}

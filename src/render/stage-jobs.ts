// Jobs stage: the frames cut into batches (at codec keyframes when there is
// more than one), the worker count chosen for the encoded size, and each batch
// turned into a BatchJob: plain data a worker thread or a queue worker runs.
import type { EncoderSettings } from '../media/encoder.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import { gridDecode } from '../media/frame-grid.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { decodeColorMatrix, outputColorTags } from '../media/video-tags.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import { dispatchOrder, planBatches, type Batch } from './batches.js';
import type { BatchJob } from './job.js';
import { repeatsFor, type FrameMap } from './retime.js';
import type { Geometry } from './stage-geometry.js';
import { chooseWorkers, threadsFor, type WorkerChoice } from './worker-choice.js';

export interface JobsStage {
  /** In frame order. */
  batches: Batch[];
  workerChoice: WorkerChoice;
  /** Worker threads started: at most one per batch. */
  poolSize: number;
  ffmpegThreads: number | undefined;
}

export function jobsStage(
  info: ProbeInfo,
  resolved: ResolvedPlan,
  geometry: Geometry,
  { workers: requested, batchSeconds }: { workers: number | undefined; batchSeconds: number },
  range: { startFrame: number; endFrame: number } = { startFrame: 0, endFrame: info.frames },
): JobsStage {
  const workerChoice = chooseWorkers({ width: geometry.encoded.width, height: geometry.encoded.height, requested });
  // A range (--from/--to) is planned as a video of its own, starting at frame 0, then moved back into place.
  const from = range.startFrame;
  const segments = resolved.segments.flatMap((s) => {
    const start = Math.max(s.startFrame, from);
    const end = Math.min(s.endFrame, range.endFrame);
    return end > start ? [{ ...s, startFrame: start - from, endFrame: end - from }] : [];
  });
  const keyframes = [0, ...info.grid.keyframes.filter((k) => k > from && k < range.endFrame).map((k) => k - from)];
  const batchOptions = {
    totalFrames: range.endFrame - from,
    fps: info.fps,
    batchSeconds,
    workers: workerChoice.workers,
    alignFrames: Math.max(1, Math.round(resolved.subject.keyframeInterval * info.fps)),
  };
  let batches = planBatches(segments, batchOptions);
  // Cuts are needed: put them where seeking is free (the grid's codec keyframes, from packet flags).
  if (batches.length > 1) batches = planBatches(segments, { ...batchOptions, codecKeyframes: keyframes });
  if (from > 0) batches = batches.map((b) => shiftBatch(b, from, info.grid.keyframes));
  const poolSize = Math.min(workerChoice.workers, batches.length);
  const ffmpegThreads = threadsFor(poolSize, workerChoice.cores);
  return { batches, workerChoice, poolSize, ffmpegThreads };
}

/** A batch planned on a range moved to the range's place; the first one's seek starts before the range. */
function shiftBatch(b: Batch, by: number, keyframes: readonly number[]): Batch {
  const startFrame = b.startFrame + by;
  const before = keyframes.reduce((best, k) => (k <= startFrame && k > best ? k : best), 0);
  return {
    ...b,
    startFrame,
    endFrame: b.endFrame + by,
    runs: b.runs.map((r) => ({ ...r, startFrame: r.startFrame + by, endFrame: r.endFrame + by })),
    ...(b.seekFrames !== undefined || b.index === 0 ? { seekFrames: startFrame - before } : {}),
  };
}

/** The encoder settings a plan's output asks for. */
export function encoderSettings(resolved: ResolvedPlan): EncoderSettings {
  const { codec, crf, preset, bitDepth } = resolved.output;
  return { codec, crf, preset, ...(bitDepth !== undefined ? { bitDepth } : {}) };
}

/** One job per batch, longest first (the order they are handed out); `batchFile` names each batch's output. */
export function batchJobs(
  stage: JobsStage,
  info: ProbeInfo,
  resolved: ResolvedPlan,
  geometry: Geometry,
  paths: FfmpegPaths,
  batchFile: (index: number) => string,
  map: FrameMap,
): BatchJob[] {
  const { ffmpegThreads } = stage;
  const colorMatrix = decodeColorMatrix(info);
  const tags = { color: outputColorTags(info), ...(geometry.sampleAspect ? { sampleAspect: geometry.sampleAspect } : {}) };
  return dispatchOrder(stage.batches).map((b) => ({
    batch: b.index,
    input: info.file,
    ffmpeg: paths.ffmpeg,
    ffprobe: paths.ffprobe,
    width: info.width,
    height: info.height,
    fpsNum: map.rate.num,
    fpsDen: map.rate.den,
    repeats: repeatsFor(map, b.startFrame, b.endFrame),
    startFrame: b.startFrame,
    endFrame: b.endFrame,
    decode: { ...gridDecode(info.grid, info.startTime, b.startFrame, { deinterlace: info.interlaced }), map: `0:${info.videoStream ?? 'v:0'}`, ...(colorMatrix ? { colorMatrix } : {}) },
    runs: b.runs.map((r) => ({ startFrame: r.startFrame, endFrame: r.endFrame, effects: r.effects })),
    encoder: { ...encoderSettings(resolved), threads: ffmpegThreads },
    tags,
    reframe: geometry.reframe ? { width: geometry.reframe.size.width, height: geometry.reframe.size.height, crops: geometry.reframe.cropsFor(b) } : undefined,
    outFile: batchFile(b.index),
  }));
}

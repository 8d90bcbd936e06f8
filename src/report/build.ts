// The run report assembled from what each render stage returned.
import { binaryVersion, type Binary } from '../media/binaries.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { locateNative } from '../native/loader.js';
import { nativeMemoryAddress } from '../native/memory.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { Batch } from '../render/batches.js';
import type { PoolResult } from '../render/pool.js';
import type { WorkerChoice } from '../render/worker-choice.js';
import type { AnalysisResult } from '../vision/analyse.js';
import { packageVersion } from '../version.js';
import type { Report } from './report.js';

/** The report's `ffmpeg` entry for the binaries a run resolved (runs `ffmpeg -version` once). */
export function ffmpegReport(tools: { paths: FfmpegPaths; ffmpeg: Binary }): Report['ffmpeg'] {
  return { path: tools.ffmpeg.path, version: binaryVersion(tools.ffmpeg.path), ffprobe: tools.paths.ffprobe, source: tools.ffmpeg.source };
}

export function inputReport(info: ProbeInfo): Report['input'] {
  return { file: info.file, width: info.width, height: info.height, fps: info.fps, frames: info.frames, duration: info.duration, audio: info.audio.length > 0 };
}

export function nativeReport(): Report['native'] {
  const native = locateNative();
  return { path: native.path, source: native.source };
}

export function modelsReport(analysis: AnalysisResult): Pick<Report, 'models' | 'analysis'> {
  return {
    models: { loads: analysis.loads, inferences: analysis.inferences, msPerInference: analysis.msPerInference },
    analysis: { cached: analysis.cached, finder: analysis.finder, keyframes: analysis.keyframes.length, keyframeSchedule: analysis.keyframeSchedule },
  };
}

export interface LocalRunFacts {
  info: ProbeInfo;
  output: string;
  outInfo: ProbeInfo;
  tools: { paths: FfmpegPaths; ffmpeg: Binary };
  resolved: ResolvedPlan;
  analysis: AnalysisResult;
  batches: Batch[];
  jobCount: number;
  workerChoice: WorkerChoice;
  poolSize: number;
  ffmpegThreads: number | undefined;
  pool: PoolResult;
  stages: Report['stages'];
  stagesCpu: NonNullable<Report['stagesCpu']>;
  peakRssBytes: number;
  ffmpegPeakRssBytes: number;
  planWarnings: string[];
  /** Warnings of the later stages (analysis, batch cuts, finish), in that order. */
  warnings: string[];
}

/** The report of a render on this process's worker threads. */
export function buildReport(f: LocalRunFacts): Report {
  const { info, outInfo, analysis, stages, stagesCpu, pool } = f;
  const mainAddress = nativeMemoryAddress(analysis.atlas);
  const copiedWorkers = pool.atlasAddresses.filter((a) => a !== mainAddress).length;
  return {
    maskflow: packageVersion(),
    input: inputReport(info),
    output: { file: f.output, width: outInfo.width, height: outInfo.height, frames: outInfo.frames, fps: outInfo.fps },
    frames: info.frames,
    workers: Math.min(f.workerChoice.workers, f.jobCount),
    workerChoice: {
      ...f.workerChoice,
      pool: f.poolSize,
      ffmpegThreads: f.ffmpegThreads ?? null,
      renderCoresUsed: stages.render > 0 ? Math.round((stagesCpu.render / (stages.render / 1000)) * 100) / 100 : 0,
    },
    batches: f.batches.map((b) => {
      const r = pool.results.find((x) => x.batch === b.index)!;
      return { index: b.index, range: [b.startFrame, b.endFrame], seconds: (b.endFrame - b.startFrame) / info.fps, seekFrames: b.seekFrames ?? null, worker: r.worker, attempts: r.attempts, reused: r.reused === true, ms: r.ms };
    }),
    stages,
    stagesCpu,
    fps: info.frames / (stages.total / 1000),
    renderFps: info.frames / (stages.render / 1000),
    ...modelsReport(analysis),
    masks: {
      bytesShared: analysis.atlas.byteLength,
      bytesCopied: copiedWorkers * analysis.atlas.byteLength + (pool.atlasSharedEverywhere ? 0 : analysis.atlas.byteLength),
      maskWidth: analysis.maskWidth,
      maskHeight: analysis.maskHeight,
    },
    peakRssBytes: f.peakRssBytes,
    ffmpegPeakRssBytes: f.ffmpegPeakRssBytes,
    ffmpeg: ffmpegReport(f.tools),
    native: nativeReport(),
    plan: { segments: f.resolved.segments.length, warnings: [...f.planWarnings, ...f.resolved.warnings] },
    warnings: [
      ...f.info.notes,
      ...f.planWarnings,
      ...f.resolved.warnings,
      ...pool.retries.map((r) => `batch ${r.batch} failed on attempt ${r.attempt} and was rerun on a fresh worker: ${r.reason}`),
      ...f.warnings,
    ],
  };
}

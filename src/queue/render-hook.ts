// render({ queue }): the local render's probe, plan and analysis results handed
// to the queue (submit.ts), and the run report assembled from the finish job's
// result.
import type { ProbeInfo } from '../media/probe-types.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { BatchJob } from '../render/job.js';
import type { RenderOptions } from '../render/options.js';
import type { RunTools } from '../render/tools.js';
import { ffmpegReport, inputReport, modelsReport, nativeReport } from '../report/build.js';
import type { PeakRssSampler, Report } from '../report/report.js';
import type { AnalysisResult } from '../vision/analyse.js';
import { packageVersion } from '../version.js';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { renderOnQueue, type QueueRenderOptions } from './submit.js';

export interface QueuedRenderContext {
  options: RenderOptions;
  info: ProbeInfo;
  /** The run's ffmpeg and ffprobe, resolved once. */
  tools: RunTools;
  resolved: ResolvedPlan;
  analysis: AnalysisResult;
  jobs: BatchJob[];
  stages: Report['stages'];
  started: number;
  rss: PeakRssSampler;
  planWarnings: string[];
}

export function queueOptions(queue: string | QueueRenderOptions): QueueRenderOptions {
  return typeof queue === 'string' ? { url: queue } : queue;
}

export async function queuedRender(ctx: QueuedRenderContext): Promise<Report> {
  const { options, info, resolved, analysis, stages } = ctx;
  const q = queueOptions(options.queue!);
  options.signal?.throwIfAborted();
  const outcome = await renderOnQueue(
    { input: info, output: resolve(options.output), overwrite: options.overwrite === true, jobs: ctx.jobs, atlas: analysis.atlas },
    { ...q, signal: options.signal, onProgress: options.onProgress },
  );
  const result = outcome.result;
  stages.render = outcome.renderMs;
  stages.finish = outcome.finishMs;
  stages.total = performance.now() - ctx.started;
  const workers = [...new Set(result?.batches.map((b) => b.worker) ?? [])].sort();
  const warnings = [...ctx.planWarnings, ...resolved.warnings];
  const sorted = [...ctx.jobs].sort((a, b) => a.batch - b.batch);
  const report: Report = {
    maskflow: packageVersion(),
    input: inputReport(info),
    output: result ? result.output : { file: resolve(options.output), width: 0, height: 0, frames: 0, fps: 0 },
    frames: result ? info.frames : 0,
    workers: workers.length,
    batches: sorted.map((j) => {
      const r = result?.batches.find((b) => b.index === j.batch);
      return {
        index: j.batch,
        range: [j.startFrame, j.endFrame] as [number, number],
        seconds: (j.endFrame - j.startFrame) / info.fps,
        worker: r ? workers.indexOf(r.worker) : -1,
        reused: r?.reused === true,
        ms: r?.ms ?? { decodeWait: 0, effects: 0, encodeWait: 0, total: 0 },
      };
    }),
    stages,
    fps: result ? info.frames / (stages.total / 1000) : 0,
    renderFps: result ? info.frames / (stages.render / 1000) : 0,
    ...modelsReport(analysis),
    // Each worker process receives one copy of the atlas (from Redis or a file); its render threads share that copy.
    masks: { bytesShared: analysis.atlas.byteLength, bytesCopied: workers.length * analysis.atlas.byteLength, maskWidth: analysis.maskWidth, maskHeight: analysis.maskHeight },
    peakRssBytes: ctx.rss.sample(),
    // Only this machine's children (probe, analysis): the batches ran on the workers' machines.
    ffmpegPeakRssBytes: ctx.rss.sampleChildren(),
    ffmpeg: ffmpegReport(ctx.tools),
    native: nativeReport(),
    plan: { segments: resolved.segments.length, warnings: [...warnings] },
    // The input's notes first, as in a local render's report (report/build.ts).
    warnings: [...info.notes, ...warnings, ...(result?.warnings ?? [])],
    queue: {
      url: q.url,
      renderId: outcome.renderId,
      detached: outcome.detached,
      workers,
      finishWorker: result?.worker,
      reusedBatches: result?.batches.filter((b) => b.reused).map((b) => b.index) ?? [],
      verifyMs: result?.verifyMs,
      joinMs: result?.joinMs,
    },
  };
  if (options.report && !outcome.detached) {
    const reportFile = resolve(options.report);
    await mkdir(dirname(reportFile), { recursive: true });
    await writeFileAtomic(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}

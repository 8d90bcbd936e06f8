// render(): the product's main job, end to end, as stages that return data:
//   probe → plan → analyse (models once, main thread) → geometry → jobs →
//   run (worker pool: decode, effects in place, encode) → finish (join, verify,
//   commit) → report (src/report/).
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeOnExit, removeQuietly, withNote } from '../exit-cleanup.js';
import { diskFullError, mentionsDiskFull } from '../fs-errors.js';
import { probe } from '../media/probe.js';
import { buildReport } from '../report/build.js';
import { PeakRssSampler, type Report } from '../report/report.js';
import { writeReportFiles } from '../report/write.js';
import { StageClock } from './clock.js';
import { checkOptions, RenderError, type CheckedOptions, type RenderOptions } from './options.js';
import { analyseStage } from './stage-analyse.js';
import { finishStage } from './stage-finish.js';
import { geometryStage } from './stage-geometry.js';
import { batchJobs, jobsStage } from './stage-jobs.js';
import { batchExtension } from '../media/encoder.js';
import { fpsRational } from '../plan/output-format.js';
import { frameMap, rangeFrames } from './retime.js';
import { givenPlan, planStage } from './stage-plan.js';
import { runStage } from './stage-run.js';
import type { BatchJob } from './job.js';
import { ManifestWriter, readManifest, reusableBatches, settingsHash, type ManifestBatch } from './manifest.js';
import { openRunDir, staleRunWarnings } from './run-dir.js';
import { resolveTools } from './tools.js';

export { RenderError, type RenderOptions } from './options.js';

/** The frames a --from/--to range covers (the whole video without one); errors name the flag. */
function renderRange(info: { fpsNum: number; fpsDen: number; frames: number }, options: RenderOptions, warnings: string[]): { startFrame: number; endFrame: number } {
  try {
    return rangeFrames({ num: info.fpsNum, den: info.fpsDen, frames: info.frames }, options.from, options.to, (w) => warnings.push(w));
  } catch (err) {
    throw err instanceof RangeError ? new RenderError(`${options.input}: ${err.message}`) : err;
  }
}

export async function render(options: RenderOptions): Promise<Report> {
  const started = performance.now();
  const checked = checkOptions(options);
  const rss = new PeakRssSampler();
  try {
    return await renderChecked(options, checked, new StageClock(started), rss);
  } catch (err) {
    // ENOSPC from Node or "No space left on device" from ffmpeg: name the full disk first.
    throw mentionsDiskFull(err) ? diskFullError(err, dirname(resolve(options.output))) : err;
  } finally {
    rss.stop();
  }
}

async function renderChecked(options: RenderOptions, checked: CheckedOptions, clock: StageClock, rss: PeakRssSampler): Promise<Report> {
  const emit = options.onProgress ?? (() => undefined);
  const output = resolve(options.output);

  // The plan and the options that override it are checked before any ffmpeg work.
  const given = await givenPlan(options);

  // Every stage reports its start at once, so progress never goes silent between stages.
  clock.begin('probe');
  emit({ stage: 'probe', done: 0, total: 1, rate: 0 });
  const tools = resolveTools(options.ffmpeg);
  const { paths } = tools;
  const info = await probe(options.input, paths);
  clock.end('probe');
  emit({ stage: 'plan', done: 0, total: 1, rate: 0 });

  clock.begin('plan');
  const { resolved, planWarnings } = await planStage(options, given, info, paths, output);
  clock.end('plan');

  // Checked before the analysis: a --from past the end fails at once.
  const range = renderRange(info, options, resolved.warnings);
  clock.begin('analyse');
  const { analysis, atlas } = await analyseStage(options, info, paths, resolved, range, emit);
  clock.end('analyse');

  const geometry = geometryStage(info, resolved, analysis);
  const fps = resolved.output.fps;
  const map = frameMap({ num: info.fpsNum, den: info.fpsDen }, range, fps === undefined ? undefined : fpsRational(fps));

  clock.begin('render');
  const jobs = jobsStage(info, resolved, geometry, checked, range);
  if (options.queue) {
    if (map.sourceOf) throw new RenderError('output.fps (--fps) is not available with --queue yet; render locally, or leave the frame rate as it is');
    if (map.frames !== info.frames || options.noAudio || options.audioBitrate !== undefined) {
      throw new RenderError('--from/--to, --no-audio and --audio-bitrate are not available with --queue yet; render locally');
    }
    // Batches and finish on the queue's workers instead of this process's pool.
    const { queuedRender } = await import('../queue/render-hook.js');
    const queueJobs = batchJobs(jobs, info, resolved, geometry, paths, () => '', map);
    return queuedRender({ options, info, tools, resolved, analysis, jobs: queueJobs, stages: clock.stages, started: clock.started, rss, planWarnings });
  }
  // A batch whose frames are all dropped by a lower frame rate has nothing to encode. Built once;
  // the files get their run folder's paths below (the settings hash leaves paths out).
  const planned = batchJobs(jobs, info, resolved, geometry, paths, () => '', map).filter((j) => !j.repeats || j.repeats.some((n) => n > 0));
  const settings = await settingsHash(planned, new Uint8Array(atlas), info.file);
  // Resume: a dead run's folder for this output whose manifest has the same settings is taken over.
  const resumable = options.resume === false ? undefined : async (dir: string): Promise<boolean> => (await readManifest(dir))?.settings === settings;
  const { dir: runDir, stale } = await openRunDir(output, resumable);
  const workDir = runDir.path;
  const forgetWorkDir = removeOnExit(workDir);
  // ProRes batches go in QuickTime files: mp4 cannot hold it.
  const batchFile = (index: number): string => join(workDir, `batch-${String(index).padStart(5, '0')}${batchExtension(resolved.output.codec)}`);
  try {
    const batchList: BatchJob[] = planned.map((j) => ({ ...j, outFile: batchFile(j.batch) }));
    const earlier = runDir.takenOver ? await readManifest(workDir) : undefined;
    const kept = earlier ? await reusableBatches(workDir, earlier, batchList, paths) : new Map<number, ManifestBatch>();
    const manifest = new ManifestWriter(workDir, settings, [...kept.values()]);
    await manifest.start();
    const encoded = new Map(batchList.map((j) => [j.batch, j.repeats ? j.repeats.reduce((a, b) => a + b, 0) : j.endFrame - j.startFrame]));
    const frames = batchList.reduce((n, j) => n + j.endFrame - j.startFrame, 0);
    const pool = await runStage(
      batchList.filter((j) => !kept.has(j.batch)),
      {
        workers: jobs.workerChoice.workers,
        atlas,
        frames,
        input: options.input,
        signal: options.signal,
        emit,
        reused: [...kept.values()].map((b) => ({ batch: b.batch, frames: b.frames, written: b.written, ms: { decodeWait: 0, effects: 0, encodeWait: 0, total: 0 } })),
        onBatchDone: (job, result) => void manifest.record(job, result),
      },
    );
    await manifest.flush();
    clock.end('render');

    options.signal?.throwIfAborted();
    clock.begin('finish');
    emit({ stage: 'finish', done: 0, total: jobs.batches.length, rate: 0 });
    const finished = await finishStage({
      paths,
      info,
      batchFiles: jobs.batches.filter((b) => encoded.has(b.index)).map((b) => batchFile(b.index)),
      batchFrames: { counts: jobs.batches.flatMap((b) => encoded.get(b.index) ?? []), rate: map.rate },
      frames: map.frames,
      range: range.startFrame > 0 || range.endFrame < info.frames ? { start: (range.startFrame * info.fpsDen) / info.fpsNum, seconds: (map.frames * map.rate.den) / map.rate.num } : undefined,
      noAudio: options.noAudio,
      audioBitrate: options.audioBitrate,
      output,
      outputName: options.output,
      workDir,
      overwrite: options.overwrite === true,
      signal: options.signal,
    });
    clock.end('finish');
    clock.endRun();
    emit({ stage: 'finish', done: jobs.batches.length, total: jobs.batches.length, rate: 0 });

    const report = buildReport({
      info,
      output,
      outInfo: finished.outInfo,
      tools,
      resolved,
      analysis,
      batches: jobs.batches,
      jobCount: batchList.length,
      workerChoice: jobs.workerChoice,
      poolSize: jobs.poolSize,
      ffmpegThreads: jobs.ffmpegThreads,
      pool,
      stages: clock.stages,
      stagesCpu: clock.cpu,
      peakRssBytes: rss.sample(),
      ffmpegPeakRssBytes: rss.sampleChildren(),
      planWarnings,
      warnings: [...staleRunWarnings(stale), ...analysis.warnings, ...finished.warnings],
    });
    // Cleaned up before the report is written, so a folder left behind is in it.
    const leftover = await removeQuietly(workDir);
    if (leftover) report.warnings.push(leftover);
    if (options.report) await writeReportFiles(report, options.report, resolved, info);
    return report;
  } catch (err) {
    // The render's own error wins; a failed cleanup is only noted below it.
    throw withNote(err, await removeQuietly(workDir));
  } finally {
    forgetWorkDir();
  }
}

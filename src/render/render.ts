// render(): the product's main job, end to end.
//   probe → plan → analyse (models once, main thread) → batches → worker pool
//   (decode, effects in place, encode) → concat + audio → temp file → rename.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-write.js';
import { removeOnExit, removeQuietly, withNote } from '../exit-cleanup.js';
import { diskFullError, mentionsDiskFull, nearlyFull } from '../fs-errors.js';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeBinary } from '../media/binaries.js';
import { ffmpegPaths } from '../media/ffmpeg.js';
import { framePresentationTimes, seekTimeForFrame } from '../media/frame-times.js';
import { probe } from '../media/probe.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { locateNative } from '../native/loader.js';
import { nativeMemoryAddress } from '../native/memory.js';
import { parsePlan, readPlanFile, singleEffectPlan } from '../plan/parse.js';
import { resolvePlan, type ResolvedPlan } from '../plan/resolve.js';
import type { Plan, PlanInput } from '../plan/schema.js';
import type { EffectName } from '../effects/catalog.js';
import { planFor, type PlannerOptions } from '../plan/planner.js';
import { analyseVideo, checkModelPaths, type AnalysisResult } from '../vision/analyse.js';
import { computeCropPath } from '../vision/crop-path.js';
import type { ModelPaths } from '../vision/models/types.js';
import { packageVersion } from '../version.js';
import { PeakRssSampler, type Report } from '../report/report.js';
import { dispatchOrder, planBatches, type Batch } from './batches.js';
import { codecKeyframeFrames } from './seek-points.js';
import { chooseWorkers, processTreeCpuMs, threadsFor } from './worker-choice.js';
import { commitOutput, joinBatches, OUTPUT_EXTENSIONS } from './finish.js';
import type { BatchJob } from './job.js';
import { reframeSize, type Size } from './output-size.js';
import { runPool } from './pool.js';
import { ProgressTracker, type ProgressEvent } from './progress.js';
import type { QueueRenderOptions } from '../queue/submit.js';
import { checkEncoder } from '../media/encoder-check.js';
import { keyframeIndices } from '../media/keyframes.js';

export interface RenderOptions {
  input: string;
  output: string;
  /** A plan object (defaults may be left out; validated like a plan file), or the path of a plan JSON file. */
  plan?: PlanInput | string;
  /** Plan automatically instead (ignored when `plan` is given). */
  planner?: PlannerOptions['planner'];
  ollamaHost?: string;
  ollamaModel?: string;
  /** Seconds to wait per Ollama request. */
  ollamaTimeout?: number;
  fallback?: 'auto';
  /** One effect over the whole video (when neither plan nor planner is given). Default: blur-background. */
  effect?: EffectName;
  /** What the subject is, e.g. "a person" (used by the ranker). */
  subject?: string;
  workers?: number;
  batchSeconds?: number;
  detector?: string;
  ranker?: string;
  segmenter?: string;
  segmenterPreset?: ModelPaths['segmenterPreset'];
  cacheDir?: string | false;
  /** Folder holding ffmpeg and ffprobe, or the ffmpeg binary. */
  ffmpeg?: string;
  /** Encoder settings that override the plan's `output` (codec, crf, preset). */
  encoder?: { codec?: string; crf?: number; preset?: string };
  /** Output aspect ("source" or "W:H", e.g. "9:16"), overriding the plan's `output.aspect`. */
  aspect?: string;
  /** Replace an existing output file. */
  overwrite?: boolean;
  /** Also write the report JSON here, and the resolved plan beside it (r.json → r.plan.resolved.json). */
  report?: string;
  onProgress?: (event: ProgressEvent) => void;
  /** Aborting stops the run: workers end, temp files are removed, nothing is written. */
  signal?: AbortSignal;
  /**
   * Render on `maskflow worker` processes through a Redis queue (redis://HOST:PORT[/DB]) instead of
   * this process's worker threads; probe, plan and analysis still run here.
   */
  queue?: string | QueueRenderOptions;
}

export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

const DEFAULT_BATCH_SECONDS = 20;

function checkOptions(o: RenderOptions): { workers: number | undefined; batchSeconds: number } {
  if (!o.input) throw new RenderError('an input video is required');
  if (!o.output) throw new RenderError('an output file is required (-o FILE)');
  const input = resolve(o.input);
  const output = resolve(o.output);
  if (input === output) throw new RenderError(`the output ${o.output} is the input; choose another file name`);
  if (existsSync(output) && !o.overwrite) throw new RenderError(`${o.output} already exists; pass -y (overwrite: true) to replace it`);
  if (!existsSync(dirname(output))) throw new RenderError(`the output folder ${dirname(o.output)} does not exist`);
  if (!(OUTPUT_EXTENSIONS as readonly string[]).includes(extname(output).toLowerCase())) {
    throw new RenderError(`${o.output}: the output must end in ${OUTPUT_EXTENSIONS.join(', ')} (H.264 video with the input's audio)`);
  }
  checkModelPaths({ detector: o.detector, ranker: o.ranker, segmenter: o.segmenter });
  // Undefined: chosen after probing, from the frame size (worker-choice.ts).
  const workers = o.workers;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) throw new RenderError(`workers must be an integer from 1 to 64, got ${o.workers}`);
  const batchSeconds = o.batchSeconds ?? DEFAULT_BATCH_SECONDS;
  if (!Number.isFinite(batchSeconds) || batchSeconds < 0.5 || batchSeconds > 3600) {
    throw new RenderError(`batchSeconds must be between 0.5 and 3600, got ${o.batchSeconds}`);
  }
  return { workers, batchSeconds };
}

async function choosePlan(o: RenderOptions, info: ProbeInfo, paths: { ffmpeg: string; ffprobe: string }, warnings: string[]): Promise<Plan> {
  if (o.plan !== undefined) return typeof o.plan === 'string' ? readPlanFile(o.plan) : parsePlan(o.plan, 'the plan given to render()');
  if (o.planner) {
    return planFor(info.file, info, paths, {
      planner: o.planner,
      ollamaHost: o.ollamaHost,
      ollamaModel: o.ollamaModel,
      ollamaTimeout: o.ollamaTimeout,
      fallback: o.fallback,
      subject: o.subject,
      onWarning: (w) => warnings.push(w),
      signal: o.signal,
    });
  }
  return singleEffectPlan(o.effect ?? 'blur-background', { subject: o.subject });
}

/** Plan as written to plan.resolved.json: loadable again with --plan to repeat the run. */
function repeatablePlan(resolved: ResolvedPlan, info: ProbeInfo): Plan {
  const seconds = (f: number): number => Math.round(((f * info.fpsDen) / info.fpsNum) * 1e6) / 1e6;
  return {
    version: 1,
    subject: resolved.subject,
    output: resolved.output,
    segments: resolved.segments.map((s) => ({ start: seconds(s.startFrame), end: seconds(s.endFrame), effects: s.effects })),
  };
}

export async function render(options: RenderOptions): Promise<Report> {
  const started = performance.now();
  const { workers, batchSeconds } = checkOptions(options);
  const rss = new PeakRssSampler();
  try {
    return await renderChecked(options, { workers, batchSeconds, started, rss });
  } catch (err) {
    // ENOSPC from Node or "No space left on device" from ffmpeg: name the full disk first.
    throw mentionsDiskFull(err) ? diskFullError(err, dirname(resolve(options.output))) : err;
  } finally {
    rss.stop();
  }
}

async function renderChecked(
  options: RenderOptions,
  { workers: requestedWorkers, batchSeconds, started, rss }: { workers: number | undefined; batchSeconds: number; started: number; rss: PeakRssSampler },
): Promise<Report> {
  const emit = options.onProgress ?? (() => undefined);
  const stages = { probe: 0, plan: 0, analyse: 0, render: 0, finish: 0, total: 0 };
  // CPU seconds per stage, this process and its ffmpeg children (user + sys).
  const cpuStart = processTreeCpuMs();
  let cpuMark = cpuStart.ms;
  const stagesCpu = { analyse: 0, render: 0, finish: 0, total: 0, childrenCounted: cpuStart.children };
  const cpuSince = (): number => {
    const now = processTreeCpuMs().ms;
    const d = now - cpuMark;
    cpuMark = now;
    return d / 1000;
  };
  const output = resolve(options.output);

  // Probe.
  let t = performance.now();
  // Every stage reports its start at once, so progress never goes silent between stages.
  emit({ stage: 'probe', done: 0, total: 1, rate: 0 });
  const paths = ffmpegPaths(options.ffmpeg);
  const info = await probe(options.input, paths);
  stages.probe = performance.now() - t;
  emit({ stage: 'plan', done: 0, total: 1, rate: 0 });

  // Plan.
  t = performance.now();
  const planWarnings: string[] = [];
  let plan = await choosePlan(options, info, paths, planWarnings);
  if (options.subject !== undefined && options.plan === undefined) plan.subject.prompt = options.subject;
  const overrides = { ...options.encoder, ...(options.aspect !== undefined ? { aspect: options.aspect } : {}) };
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  if (Object.keys(given).length > 0) {
    // Validated by the plan schema, so a bad --crf or --aspect reads like a bad plan field.
    plan = parsePlan({ ...plan, output: { ...plan.output, ...given } }, 'command-line options');
  }
  const resolved = resolvePlan(plan, info, typeof options.plan === 'string' ? options.plan : 'plan');
  // The encoder is tried on two test frames now, not after the whole analysis.
  await checkEncoder({
    paths,
    encoder: { codec: resolved.output.codec, crf: resolved.output.crf, preset: resolved.output.preset },
    fpsNum: info.fpsNum,
    fpsDen: info.fpsDen,
    extensions: ['.mp4', extname(output)],
  });
  stages.plan = performance.now() - t;

  // Analyse: every model loaded once, here, in the main thread.
  t = performance.now();
  cpuSince();
  emit({ stage: 'analyse', done: 0, total: keyframeIndices(info.frames, info.fps, resolved.subject.keyframeInterval).length, rate: 0 });
  let analyseTracker: ProgressTracker | undefined;
  const analysis: AnalysisResult = await analyseVideo(info, {
    paths,
    keyframeInterval: resolved.subject.keyframeInterval,
    prompt: resolved.subject.prompt,
    models: { detector: options.detector, ranker: options.ranker, segmenter: options.segmenter, segmenterPreset: options.segmenterPreset },
    cacheDir: options.cacheDir,
    signal: options.signal,
    onProgress: (e) => {
      analyseTracker ??= new ProgressTracker('analyse', e.total, emit);
      analyseTracker.update(e.done);
    },
  });
  stages.analyse = performance.now() - t;
  stagesCpu.analyse = cpuSince();
  const atlasBuffer = analysis.atlas.buffer;
  if (!(atlasBuffer instanceof SharedArrayBuffer) || analysis.atlas.byteOffset !== 0 || analysis.atlas.byteLength !== atlasBuffer.byteLength) {
    throw new RenderError('internal: the analysis did not return its atlas as a whole SharedArrayBuffer');
  }

  // Output size: reframed to output.aspect, and always even (libx264 needs even yuv420p sizes).
  const source: Size = { width: info.width, height: info.height };
  let outSize = reframeSize(source, resolved.output.aspect);
  // Crop windows for the resampler: one per frame along the crop path, or one for all frames.
  let cropsFor: ((b: { startFrame: number; endFrame: number }) => number[]) | undefined;
  if (outSize) {
    const path = computeCropPath(analysis.keyframes, { width: info.width, height: info.height, frames: info.frames, fps: info.fps }, outSize);
    cropsFor = (b) => Array.from(path.subarray(b.startFrame * 4, b.endFrame * 4));
  } else if (info.width % 2 === 1 || info.height % 2 === 1) {
    // Odd input size: drop the last column/row (an exact copy of the rest).
    const even = { width: info.width & ~1, height: info.height & ~1 };
    outSize = even;
    cropsFor = () => [0, 0, even.width, even.height];
  }

  // Batches and the pool.
  t = performance.now();
  cpuSince();
  const encoded = outSize ?? source;
  const workerChoice = chooseWorkers({ width: encoded.width, height: encoded.height, requested: requestedWorkers });
  const workers = workerChoice.workers;
  const batchOptions = {
    totalFrames: info.frames,
    fps: info.fps,
    batchSeconds,
    workers,
    alignFrames: Math.max(1, Math.round(resolved.subject.keyframeInterval * info.fps)),
  };
  let batches: Batch[] = planBatches(resolved.segments, batchOptions);
  const seekWarnings: string[] = [];
  if (batches.length > 1) {
    // Cuts are needed: put them where seeking is free (codec keyframes from packet flags).
    try {
      batches = planBatches(resolved.segments, { ...batchOptions, codecKeyframes: await codecKeyframeFrames(paths, info) });
    } catch (err) {
      seekWarnings.push(`could not read the codec keyframes (${(err as Error).message.split('\n')[0]}); batches cut without them`);
    }
  }
  const poolSize = Math.min(workers, batches.length);
  const ffmpegThreads = threadsFor(poolSize, workerChoice.cores);
  // Variable frame rate: frame f does not start at f / fps, so seek by the measured frame times.
  const frameTimes = info.variableFrameRate && batches.length > 1 ? await framePresentationTimes(paths, info.file) : undefined;
  if (frameTimes && frameTimes.length !== info.frames) {
    throw new RenderError(`${options.input}: the container lists ${frameTimes.length} video frames but ${info.frames} were probed; re-encode it to a constant frame rate first (ffmpeg -i in -vsync cfr ...)`);
  }
  const jobsFor = (batchFile: (index: number) => string): BatchJob[] =>
    dispatchOrder(batches).map((b) => ({
      batch: b.index,
      input: info.file,
      ffmpeg: paths.ffmpeg,
      ffprobe: paths.ffprobe,
      width: info.width,
      height: info.height,
      fpsNum: info.fpsNum,
      fpsDen: info.fpsDen,
      startFrame: b.startFrame,
      endFrame: b.endFrame,
      seekSeconds: frameTimes ? seekTimeForFrame(frameTimes, b.startFrame, info.startTime) : undefined,
      runs: b.runs.map((r) => ({ startFrame: r.startFrame, endFrame: r.endFrame, effects: r.effects })),
      encoder: { codec: resolved.output.codec, crf: resolved.output.crf, preset: resolved.output.preset, threads: ffmpegThreads },
      reframe: outSize && cropsFor ? { width: outSize.width, height: outSize.height, crops: cropsFor(b) } : undefined,
      outFile: batchFile(b.index),
    }));
  if (options.queue) {
    // Batches and finish on the queue's workers instead of this process's pool.
    const { queuedRender } = await import('../queue/render-hook.js');
    return queuedRender({ options, info, paths, resolved, analysis, jobs: jobsFor(() => ''), stages, started, rss, planWarnings });
  }
  const workDir = await mkdtemp(join(dirname(output), `.${basename(output)}.maskflow-batches-`));
  const forgetWorkDir = removeOnExit(workDir);
  const batchFile = (index: number): string => join(workDir, `batch-${String(index).padStart(5, '0')}.mp4`);
  try {
    const jobs = jobsFor(batchFile);
    const perBatch = new Map<number, number>();
    const tracker = new ProgressTracker('render', info.frames, emit);
    tracker.update(0); // workers start and decoders seek before the first frame: say so at once
    options.signal?.throwIfAborted();
    const pool = await runPool(jobs, {
      workers,
      atlas: atlasBuffer,
      signal: options.signal,
      onProgress: (batch, frames) => {
        perBatch.set(batch, frames);
        let done = 0;
        for (const n of perBatch.values()) done += n;
        tracker.update(done);
      },
    });
    stages.render = performance.now() - t;
    stagesCpu.render = cpuSince();
    const rendered = pool.results.reduce((n, r) => n + r.frames, 0);
    if (rendered !== info.frames) throw new RenderError(`rendered ${rendered} frames but ${options.input} has ${info.frames}`);

    // Finish: concat without re-encoding, audio copied, verified, then renamed into place.
    options.signal?.throwIfAborted();
    t = performance.now();
    emit({ stage: 'finish', done: 0, total: batches.length, rate: 0 });
    const { temp, warnings: finishWarnings } = await joinBatches({
      paths,
      batchFiles: batches.map((b) => batchFile(b.index)),
      input: info.file,
      audioCodecs: info.audio.map((a) => a.codec),
      output,
      workDir,
    });
    const forgetTemp = removeOnExit(temp);
    let outInfo: ProbeInfo;
    try {
      outInfo = await probe(temp, paths);
      if (outInfo.frames !== info.frames) {
        throw new RenderError(`the joined output has ${outInfo.frames} frames, the input ${info.frames}; nothing was written to ${options.output}`);
      }
    } catch (err) {
      // ffmpeg's +faststart pass can fail quietly on a full disk, leaving only a broken file.
      const full = await nearlyFull(dirname(temp));
      await removeQuietly(temp);
      throw full ? diskFullError(err, dirname(output)) : err;
    }
    if (options.signal?.aborted) {
      await removeQuietly(temp);
      options.signal.throwIfAborted();
    }
    await commitOutput(temp, output);
    forgetTemp();
    stages.finish = performance.now() - t;
    stagesCpu.finish = cpuSince();
    stagesCpu.total = (processTreeCpuMs().ms - cpuStart.ms) / 1000;
    emit({ stage: 'finish', done: batches.length, total: batches.length, rate: 0 });
    stages.total = performance.now() - started;

    const mainAddress = nativeMemoryAddress(analysis.atlas);
    const copiedWorkers = pool.atlasAddresses.filter((a) => a !== mainAddress).length;
    const ffmpegInfo = describeBinary('ffmpeg', options.ffmpeg);
    const native = locateNative();
    const report: Report = {
      maskflow: packageVersion(),
      input: { file: info.file, width: info.width, height: info.height, fps: info.fps, frames: info.frames, duration: info.duration, audio: info.audio.length > 0 },
      output: { file: output, width: outInfo.width, height: outInfo.height, frames: outInfo.frames, fps: outInfo.fps },
      frames: info.frames,
      workers: Math.min(workers, jobs.length),
      workerChoice: {
        ...workerChoice,
        pool: poolSize,
        ffmpegThreads: ffmpegThreads ?? null,
        renderCoresUsed: stages.render > 0 ? Math.round((stagesCpu.render / (stages.render / 1000)) * 100) / 100 : 0,
      },
      batches: batches.map((b) => {
        const r = pool.results.find((x) => x.batch === b.index)!;
        return { index: b.index, range: [b.startFrame, b.endFrame], seconds: (b.endFrame - b.startFrame) / info.fps, seekFrames: b.seekFrames ?? null, worker: r.worker, ms: r.ms };
      }),
      stages,
      stagesCpu,
      fps: info.frames / (stages.total / 1000),
      renderFps: info.frames / (stages.render / 1000),
      models: { loads: analysis.loads, inferences: analysis.inferences, msPerInference: analysis.msPerInference },
      analysis: { cached: analysis.cached, finder: analysis.finder, keyframes: analysis.keyframes.length },
      masks: {
        bytesShared: analysis.atlas.byteLength,
        bytesCopied: copiedWorkers * analysis.atlas.byteLength + (pool.atlasSharedEverywhere ? 0 : analysis.atlas.byteLength),
        maskWidth: analysis.maskWidth,
        maskHeight: analysis.maskHeight,
      },
      peakRssBytes: rss.sample(),
      ffmpeg: { path: ffmpegInfo.path, version: ffmpegInfo.version, ffprobe: paths.ffprobe, source: ffmpegInfo.source },
      native: { path: native.path, source: native.source },
      plan: { segments: resolved.segments.length, warnings: [...planWarnings, ...resolved.warnings] },
      warnings: [...planWarnings, ...resolved.warnings, ...analysis.warnings, ...seekWarnings, ...finishWarnings],
    };
    // Cleaned up before the report is written, so a folder left behind is in it.
    const leftover = await removeQuietly(workDir);
    if (leftover) report.warnings.push(leftover);
    if (options.report) {
      const reportFile = resolve(options.report);
      await mkdir(dirname(reportFile), { recursive: true });
      // Named after the report (r.json → r.plan.resolved.json), so runs sharing a folder keep theirs.
      const planFile = join(dirname(reportFile), `${basename(reportFile, extname(reportFile))}.plan.resolved.json`);
      await writeFileAtomic(planFile, `${JSON.stringify(repeatablePlan(resolved, info), null, 2)}\n`);
      report.plan.resolvedFile = planFile;
      await writeFileAtomic(reportFile, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
    }
    return report;
  } catch (err) {
    // The render's own error wins; a failed cleanup is only noted below it.
    throw withNote(err, await removeQuietly(workDir));
  } finally {
    forgetWorkDir();
  }
}

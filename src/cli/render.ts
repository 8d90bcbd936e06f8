// `maskflow render`: a thin layer over the library's render().
import { parseArgs } from 'node:util';
import { type EffectName } from '../effects/catalog.js';
import { effectsHelp } from '../effects/effect-arg.js';
import { render, type RenderOptions } from '../render/render.js';
import { submitRender } from '../queue/index.js';
import type { ProgressEvent } from '../render/progress.js';
import type { Report } from '../report/report.js';
import { parsePlan } from '../plan/parse.js';
import { PlanError } from '../plan/errors.js';
import { FPS_RANGE } from '../plan/output-format.js';
import { checkAudioBitrate } from '../render/options.js';
import { timeOption } from './time-arg.js';
import { describeDryRun, dryRun } from '../render/dry-run.js';
import { checkCommonOptions, COMMON_OPTION_SPECS, COMMON_OPTIONS_HELP, numberOption, STDOUT, UsageError, viaStdout, type Command } from './command.js';
import { MODEL_OPTION_SPECS, MODEL_OPTIONS_HELP, modelOptions, seedAsUsage } from './model-options.js';
import { OLLAMA_OPTIONS_HELP, PLANNER_OPTION_SPECS, plannerOptions } from './planner-options.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { ProgressEstimator } from './progress-eta.js';
import { ndjsonProgress, type NdjsonProgress } from './progress-json.js';
import { progressPrinter } from './progress-printer.js';

const PROGRESS_MODES = ['auto', 'bar', 'lines', 'json', 'none'] as const;
type ProgressMode = (typeof PROGRESS_MODES)[number];

export function summarise(report: Report): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return [
    `wrote ${report.output.file}`,
    `  ${report.frames} frames ${report.output.width}x${report.output.height} @ ${report.output.fps.toFixed(3)} fps, ${report.batches.length} batches on ${report.workers} workers`,
    `  stages: probe ${s(report.stages.probe)}, plan ${s(report.stages.plan)}, analyse ${s(report.stages.analyse)}${report.analysis.cached ? ' (cached)' : ''}, render ${s(report.stages.render)}, finish ${s(report.stages.finish)}; total ${s(report.stages.total)} (${report.fps.toFixed(1)} fps)`,
    `  subject: ${report.analysis.finder}, ${report.analysis.keyframes} keyframes; model loads ${JSON.stringify(report.models.loads)}`,
    `  masks: ${report.masks.bytesShared} bytes shared, ${report.masks.bytesCopied} copied; peak RSS ${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB (+ ffmpeg ${(report.ffmpegPeakRssBytes / 2 ** 20).toFixed(0)} MiB)`,
    ...report.warnings.map((w) => `  warning: ${w}`),
  ].join('\n');
}

/**
 * The encoder overrides checked like the plan fields they override, but as
 * usage mistakes (exit 2) naming the flag: `--crf: 99 is out of range...`.
 */
function checkOutputOverrides(given: { codec?: string; crf?: number; preset?: string; aspect?: string; size?: string; fps?: number; bitDepth?: number }): void {
  const output = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  if (Object.keys(output).length === 0) return;
  try {
    parsePlan({ version: 1, output, segments: [{ start: 0, effects: [] }] }, 'command-line options');
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    throw new UsageError(err.issues.map((i) => `${i.path.replace(/^output\./, '--')}: ${i.message}`).join('; '));
  }
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'render effects around the subject of a video',
  usage: `maskflow render <input> -o <output> [options]

Plan (pick one; default: --effect blur-background over the whole video):
  --plan FILE               a plan JSON file (see README, schema/plan.schema.json)
  --planner auto|ollama     make a plan first (auto: from scene cuts; ollama: ask a local LLM)
  --effect NAME[:K=V,...]   one effect over the whole video, e.g. blur-background:radius=40,feather=8
                            (same names, limits and errors as a plan); the effects and their parameters:
${effectsHelp('      ')}
${OLLAMA_OPTIONS_HELP}

Subject (models are optional; without them a model-free saliency + motion finder is used):
${MODEL_OPTIONS_HELP}

Performance:
  --workers N               render worker threads (default: chosen from the frame size and cores; the report says why)
  --batch-seconds S         target batch length, cut on segment boundaries (default 20)
  --no-resume               render every batch again, even when an earlier run to this output was
                            killed with the same settings (default: its intact batch files are reused)

Queue (several machines; see README "Running on several machines"):
  --queue URL               render the batches on \`maskflow worker\` processes through
                            Redis (redis://HOST:PORT[/DB]); probe, plan and analysis run here.
                            Input and output must be on storage every worker sees.
                            Ctrl-C cancels the queued render.
  --detach                  with --queue: print the render id and return at once;
                            follow it with \`maskflow status ID --queue URL\`

Output:
  -o, --output FILE         output video: .mp4, .m4v, .mov, .mkv or .webm (written to a temp file, renamed at the end);
                            "-": stdout (mp4)
  --aspect W:H              reframe to this aspect around the subject, e.g. 9:16 (overrides the plan)
  --size WxH|PRESET         output frame size (overrides the plan; default: the input's, or the --aspect crop):
                            WxH with even sides, e.g. 1080x1920, or reels, shorts, tiktok (1080x1920),
                            square (1080x1080), 1080p (1920x1080), 720p (1280x720), 4k (3840x2160);
                            another shape than the input's reframes around the subject, then scales
  --fps N                   output frame rate, 1-240 (overrides the plan; default: the input's): source
                            frames are dropped or repeated, the audio is untouched
  --from TIME               render only from this time of the input: seconds (12.5) or hh:mm:ss (0:01:02.5)
  --to TIME                 ... up to this time (exclusive; default: the end); the audio is cut to match
  --no-audio                leave the audio out
  --audio-bitrate RATE      re-encode the audio to AAC at this bitrate, 8k-1024k, e.g. 128k
                            (default: copied when the container takes it, else AAC 192k)
  --crf N                   x264/x265 quality, 0-51 (overrides the plan; default 20)
  --preset NAME             x264 preset, e.g. veryfast, medium (overrides the plan; default veryfast)
  --codec NAME              video encoder (overrides the plan; default libx264, or libvpx-vp9 for .webm)
  --bit-depth 8|10          bits per sample of the encoded video (overrides the plan; default 8): 10 is
                            x264 high10, x265 main10, VP9/AV1 10-bit when the encoder takes it
  --report FILE             write the run report JSON, and FILE's name with .plan.resolved.json
                            beside it (r.json: r.plan.resolved.json); "-": the report on stdout
  --progress MODE           auto (default: a bar on a terminal, lines otherwise), bar, lines, none, or
                            json: NDJSON events on stderr (stage, frames done/total, fps, stage and
                            overall ETA, warnings, the final report; see README)
  --progress-file FILE      also write the NDJSON events to FILE (whatever --progress shows)
  --dry-run                 check everything a render checks first (options, input, plan, images, model
                            files, a two-frame encoder trial) and print what it would do: segments,
                            batches, workers, keyframes to analyse, output size and frames; nothing is
                            decoded or written (with --report -: the same as JSON on stdout)
${COMMON_OPTIONS_HELP}
"-o -" writes the finished video to stdout (not to a terminal); messages then go to stderr.`,
  async run(args, io, context) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        plan: { type: 'string' },
        ...PLANNER_OPTION_SPECS,
        effect: { type: 'string' },
        ...MODEL_OPTION_SPECS,
        workers: { type: 'string' },
        'batch-seconds': { type: 'string' },
        'no-resume': { type: 'boolean' },
        report: { type: 'string' },
        aspect: { type: 'string' },
        size: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'no-audio': { type: 'boolean' },
        'audio-bitrate': { type: 'string' },
        fps: { type: 'string' },
        crf: { type: 'string' },
        preset: { type: 'string' },
        codec: { type: 'string' },
        'bit-depth': { type: 'string' },
        ...COMMON_OPTION_SPECS,
        queue: { type: 'string' },
        detach: { type: 'boolean' },
        progress: { type: 'string' },
        'progress-file': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    });
    checkCommonOptions(values);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'an input video is required' : `one input video expected, got ${positionals.length}: ${positionals.join(' ')}`);
    if (!values.output) throw new UsageError('an output file is required: -o FILE');
    const sources = [values.plan, values.planner, values.effect].filter((v) => v !== undefined);
    if (sources.length > 1) throw new UsageError('give only one of --plan, --planner and --effect');
    const planning = plannerOptions(values);
    const { models, cacheDir, keyframeSchedule, keyframeInterval, subjectSeed } = modelOptions(values);
    const workers = numberOption('workers', values.workers, { min: 1, max: 64, integer: true });
    const batchSeconds = numberOption('batch-seconds', values['batch-seconds'], { min: 0.5, max: 3600, unit: 'seconds' });
    const crf = numberOption('crf', values.crf, { min: 0, max: 51, integer: true });
    const fps = numberOption('fps', values.fps, { min: FPS_RANGE.min, max: FPS_RANGE.max });
    const from = timeOption('from', values.from);
    const to = timeOption('to', values.to);
    if (from !== undefined && to !== undefined && to <= from) throw new UsageError(`--to ${values.to} must be after --from ${values.from}`);
    if (values['no-audio'] && values['audio-bitrate'] !== undefined) throw new UsageError('--no-audio and --audio-bitrate contradict each other');
    if (values['audio-bitrate'] !== undefined) checkAudioBitrate(values['audio-bitrate'], (m) => new UsageError(`--audio-bitrate: ${m}`));
    const bitDepth = values['bit-depth'] === undefined ? undefined : Number(values['bit-depth']);
    if (bitDepth !== undefined && bitDepth !== 8 && bitDepth !== 10) throw new UsageError(`--bit-depth must be 8 or 10, got "${values['bit-depth']}"`);
    checkOutputOverrides({ codec: values.codec, crf, preset: values.preset, aspect: values.aspect, size: values.size, fps, bitDepth });
    const toStdout = values.output === STDOUT;
    const reportToStdout = values.report === STDOUT;
    if (toStdout && reportToStdout) throw new UsageError('-o - and --report - both want stdout; give one of them a file name');
    // With the video on stdout, every message goes to stderr.
    const say = toStdout ? io.stderr : io.stdout;
    if (values.detach && !values.queue) throw new UsageError('--detach needs --queue redis://HOST:PORT[/DB]');
    if (values.queue && toStdout) throw new UsageError('--queue: the workers write the output on shared storage, so -o - is not available with it; give a file name');
    if (values['dry-run']) {
      if (toStdout) throw new UsageError('--dry-run checks the output file name: give one instead of -o -');
      if (values.report !== undefined && !reportToStdout) throw new UsageError('--dry-run writes nothing: use --report - to print the summary as JSON, or leave --report out');
      if (values['progress-file'] !== undefined) throw new UsageError('--dry-run writes nothing: leave out --progress-file');
    }
    const mode: ProgressMode = values.quiet ? 'none' : ((values.progress ?? 'auto') as ProgressMode);
    if (!PROGRESS_MODES.includes(mode)) throw new UsageError(`--progress must be one of ${PROGRESS_MODES.join(', ')}, got "${values.progress}"`);
    const printer = progressPrinter(io.stderr, { mode: mode === 'bar' || mode === 'lines' ? mode : 'auto' });
    const shown = new ProgressEstimator();
    const sinks: NdjsonProgress[] = [];
    if (mode === 'json') sinks.push(ndjsonProgress((line) => io.stderr.write(line)));
    let progressFd: number | undefined;
    if (values['progress-file'] !== undefined) {
      const file = values['progress-file'];
      try {
        progressFd = openSync(file, 'w');
      } catch (err) {
        throw new Error(`--progress-file ${file}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const fd = progressFd;
      sinks.push(ndjsonProgress((line) => writeSync(fd, line)));
    }
    const onProgress = (e: ProgressEvent): void => {
      for (const sink of sinks) sink.onProgress(e);
      if (mode === 'json' || mode === 'none') return;
      // The display shows the estimator's rate and ETA (measured from the first frames, shown once meaningful).
      const est = shown.update(e);
      printer.onProgress({ ...e, rate: est.rate, etaSeconds: est.stageEta ?? undefined });
    };
    const options: RenderOptions = {
      input: positionals[0],
      output: values.output,
      plan: values.plan,
      planner: planning?.planner,
      // Any string: render() checks the name (with a did-you-mean hint) like a plan's.
      effect: values.effect as EffectName | undefined,
      subject: values.subject,
      ollamaHost: planning?.ollamaHost,
      ollamaModel: planning?.ollamaModel,
      ollamaTimeout: planning?.ollamaTimeout,
      fallback: planning?.fallback,
      ...models,
      keyframeSchedule,
      keyframeInterval,
      subjectSeed,
      cacheDir,
      workers,
      batchSeconds,
      report: reportToStdout ? undefined : values.report,
      aspect: values.aspect,
      size: values.size,
      fps,
      from,
      to,
      noAudio: values['no-audio'],
      audioBitrate: values['audio-bitrate'],
      encoder: { codec: values.codec, crf, preset: values.preset, bitDepth },
      ffmpeg: values.ffmpeg,
      overwrite: values.yes,
      resume: values['no-resume'] !== true,
      onProgress: mode === 'none' && sinks.length === 0 ? undefined : onProgress,
      queue: values.queue
        ? {
            url: values.queue,
            onSubmitted: (q) => {
              if (values.quiet || values.detach) return;
              io.stderr.write(`queued render ${q.renderId} (${q.batches} batches${q.resumed ? ', already on the queue: following it' : ''}); ${q.workers} worker${q.workers === 1 ? '' : 's'} connected${q.workers === 0 ? ' — start one with maskflow worker --queue URL' : ''}\n`);
            },
          }
        : undefined,
    };
    if (values['dry-run']) {
      const summary = await seedAsUsage(dryRun({ ...options, signal: context?.signal }), subjectSeed);
      if (reportToStdout) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else if (!values.quiet) io.stdout.write(`${describeDryRun(summary)}\n`);
      return 0;
    }
    if (values.detach && options.queue) {
      const { renderId } = await seedAsUsage(submitRender({ ...options, queue: options.queue, signal: context?.signal }), subjectSeed);
      printer.done();
      io.stdout.write(`${renderId}\n`);
      return 0;
    }
    // Ctrl-C (main.ts aborts the signal): the workers stop, temp files go, an existing output stays.
    options.signal = context?.signal;
    try {
      // A bad seed is a usage mistake (exit 2) on every path, -o - included.
      const report = await seedAsUsage(toStdout ? viaStdout(io, 'output.mp4', (file) => render({ ...options, output: file, overwrite: true })) : render(options), subjectSeed);
      printer.done();
      for (const sink of sinks) {
        for (const w of report.warnings) sink.warning(w);
        sink.report(report);
      }
      if (reportToStdout) io.stdout.write(`${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
      const wrote = toStdout ? 'wrote the video to stdout' : `wrote ${report.output.file}`;
      const out = reportToStdout ? io.stderr : say;
      if (values.verbose) out.write(`${summarise(report).replace(/^wrote .*/, wrote)}\n`);
      else if (!values.quiet) out.write(`${wrote}\n`);
      // With JSON on stderr the warnings are events there; text lines would break the NDJSON.
      if (!values.verbose && mode !== 'json') for (const w of report.warnings) io.stderr.write(`maskflow render: warning: ${w}\n`);
      if (values.verbose) out.write(`  ffmpeg: ${report.ffmpeg.path} (${report.ffmpeg.source}, ${report.ffmpeg.version}); native: ${report.native.path} (${report.native.source})\n`);
      return 0;
    } catch (err) {
      printer.done();
      for (const sink of sinks) sink.error((err as Error).message, err instanceof UsageError ? 2 : 1);
      throw err;
    } finally {
      if (progressFd !== undefined) closeSync(progressFd);
    }
  },
};

// `maskflow render`: a thin layer over the library's render().
import { parseArgs } from 'node:util';
import { EFFECT_NAMES } from '../effects/catalog.js';
import { render, type RenderOptions } from '../render/render.js';
import type { Report } from '../report/report.js';
import { UsageError, type Command } from './command.js';
import { MODEL_OPTION_SPECS, MODEL_OPTIONS_HELP, modelOptions } from './model-options.js';
import { OLLAMA_OPTIONS_HELP, PLANNER_OPTION_SPECS, plannerOptions } from './planner-options.js';
import { progressPrinter } from './progress-printer.js';

export function summarise(report: Report): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return [
    `wrote ${report.output.file}`,
    `  ${report.frames} frames ${report.output.width}x${report.output.height} @ ${report.output.fps.toFixed(3)} fps, ${report.batches.length} batches on ${report.workers} workers`,
    `  stages: probe ${s(report.stages.probe)}, plan ${s(report.stages.plan)}, analyse ${s(report.stages.analyse)}${report.analysis.cached ? ' (cached)' : ''}, render ${s(report.stages.render)}, finish ${s(report.stages.finish)}; total ${s(report.stages.total)} (${report.fps.toFixed(1)} fps)`,
    `  subject: ${report.analysis.finder}, ${report.analysis.keyframes} keyframes; model loads ${JSON.stringify(report.models.loads)}`,
    `  masks: ${report.masks.bytesShared} bytes shared, ${report.masks.bytesCopied} copied; peak RSS ${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    ...report.warnings.map((w) => `  warning: ${w}`),
  ].join('\n');
}

const number = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return n;
};

export const renderCommand: Command = {
  name: 'render',
  summary: 'render effects around the subject of a video',
  usage: `maskflow render <input> -o <output> [options]

Plan (pick one; default: --effect blur-background over the whole video):
  --plan FILE               a plan JSON file (see README, schema/plan.schema.json)
  --planner auto|ollama     make a plan first (auto: from scene cuts; ollama: ask a local LLM)
  --effect NAME             one effect over the whole video: ${EFFECT_NAMES.join(', ')}
${OLLAMA_OPTIONS_HELP}

Subject (models are optional; without them a model-free saliency + motion finder is used):
${MODEL_OPTIONS_HELP}

Performance:
  --workers N               render worker threads (default: CPU count)
  --batch-seconds S         target batch length, cut on segment boundaries (default 20)

Output:
  -o, --output FILE         output video: .mp4, .m4v, .mov or .mkv (written to a temp file, renamed at the end)
  --aspect W:H              reframe to this aspect around the subject, e.g. 9:16 (overrides the plan)
  --crf N                   x264/x265 quality, 0-51 (overrides the plan; default 20)
  --preset NAME             x264 preset, e.g. veryfast, medium (overrides the plan; default veryfast)
  --codec NAME              video encoder (overrides the plan; default libx264)
  -y, --yes                 overwrite an existing output
  --report FILE             write the run report JSON (and plan.resolved.json beside it)
  --verbose                 print the report summary and the tools used
  --quiet                   no progress output`,
  async run(args, io) {
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
        report: { type: 'string' },
        aspect: { type: 'string' },
        crf: { type: 'string' },
        preset: { type: 'string' },
        codec: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        verbose: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'an input video is required' : `one input video expected, got ${positionals.length}: ${positionals.join(' ')}`);
    if (!values.output) throw new UsageError('an output file is required: -o FILE');
    const sources = [values.plan, values.planner, values.effect].filter((v) => v !== undefined);
    if (sources.length > 1) throw new UsageError('give only one of --plan, --planner and --effect');
    const planning = plannerOptions(values);
    const { models, cacheDir } = modelOptions(values);
    const workers = number('workers', values.workers);
    const printer = progressPrinter(io.stderr);
    const options: RenderOptions = {
      input: positionals[0],
      output: values.output,
      plan: values.plan,
      planner: planning?.planner,
      effect: values.effect,
      subject: values.subject,
      ollamaHost: planning?.ollamaHost,
      ollamaModel: planning?.ollamaModel,
      ollamaTimeout: planning?.ollamaTimeout,
      fallback: planning?.fallback,
      ...models,
      cacheDir,
      workers,
      batchSeconds: number('batch-seconds', values['batch-seconds']),
      report: values.report,
      aspect: values.aspect,
      encoder: { codec: values.codec, crf: number('crf', values.crf), preset: values.preset },
      ffmpeg: values.ffmpeg,
      overwrite: values.yes,
      onProgress: values.quiet ? undefined : printer.onProgress,
    };
    // Ctrl-C: stop the workers, remove temp files, leave any existing output untouched.
    const controller = new AbortController();
    const interrupt = (): void => controller.abort(new Error('interrupted; nothing was written'));
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    options.signal = controller.signal;
    try {
      const report = await render(options);
      printer.done();
      io.stdout.write(`${values.verbose ? summarise(report) : `wrote ${report.output.file}`}\n`);
      if (!values.verbose) for (const w of report.warnings) io.stderr.write(`maskflow render: warning: ${w}\n`);
      if (values.verbose) io.stdout.write(`  ffmpeg: ${report.ffmpeg.path} (${report.ffmpeg.source}, ${report.ffmpeg.version}); native: ${report.native.path} (${report.native.source})\n`);
      return 0;
    } catch (err) {
      printer.done();
      throw err;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
  },
};

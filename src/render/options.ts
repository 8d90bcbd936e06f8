// What render() accepts, and the checks that need no file to be read.
import { existsSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { EffectName } from '../effects/catalog.js';
import type { PlannerOptions } from '../plan/planner.js';
import type { PlanInput } from '../plan/schema.js';
import type { QueueRenderOptions } from '../queue/submit.js';
import { checkModelPaths } from '../vision/analyse.js';
import { EXECUTION_PROVIDERS, isExecutionProvider } from '../vision/models/execution-providers.js';
import { KEYFRAME_SCHEDULES, type KeyframeSchedule } from '../vision/keyframe-schedule.js';
import type { ModelPaths } from '../vision/models/types.js';
import type { SubjectSeed } from '../vision/subject-seed.js';
import { OUTPUT_EXTENSIONS } from './finish.js';
import type { ProgressEvent } from './progress.js';

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
  /** Where the models run: 'adaptive' (default with a model) or 'fixed' (every subject.keyframeInterval). */
  keyframeSchedule?: KeyframeSchedule;
  /** Seconds between keyframes of the fixed schedule, overriding the plan's `subject.keyframeInterval` (checked like it). */
  keyframeInterval?: number;
  /** Which salient thing is the subject (box or point in input pixels, at a time), overriding the plan's `subject.seed`. */
  subjectSeed?: SubjectSeed;
  /** onnxruntime execution provider for the models: cpu (default), cuda, tensorrt, coreml, dml, webgpu. */
  executionProvider?: string;
  cacheDir?: string | false;
  /** Folder holding ffmpeg and ffprobe, or the ffmpeg binary. */
  ffmpeg?: string;
  /** Encoder settings that override the plan's `output` (codec, crf, preset). */
  encoder?: { codec?: string; crf?: number; preset?: string; bitDepth?: 8 | 10 };
  /** Output aspect ("source" or "W:H", e.g. "9:16"), overriding the plan's `output.aspect`. */
  aspect?: string;
  /** Output frame size ("WxH", or a preset such as "reels"), overriding the plan's `output.size`. */
  size?: string;
  /** Output frame rate, overriding the plan's `output.fps` (frames are dropped or repeated; audio untouched). */
  fps?: number;
  /** Render only from this time (seconds of the input; default 0). The audio is cut to match. */
  from?: number;
  /** Render only up to this time (seconds of the input, exclusive; default: the end). */
  to?: number;
  /** Leave the audio out of the output. */
  noAudio?: boolean;
  /** Re-encode the audio at this bitrate, e.g. "128k" (default: copied when the container takes it). */
  audioBitrate?: string;
  /** Replace an existing output file. */
  overwrite?: boolean;
  /**
   * Resume an interrupted render (default true): when an earlier run to this output died (kill -9,
   * power loss) with the same input, plan, analysis and settings, its intact batch files are reused.
   */
  resume?: boolean;
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

/** The options' numbers once checked; `workers` undefined: chosen after probing (worker-choice.ts). */
export interface CheckedOptions {
  workers: number | undefined;
  batchSeconds: number;
}

const DEFAULT_BATCH_SECONDS = 20;

/** Audio bitrates ffmpeg reads: "128k", "1.5M" or bits per second; 8k to 1024k. Throws `fail(message)` when wrong. */
export function checkAudioBitrate(value: string, fail: (message: string) => Error): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(value);
  const bits = m ? Number(m[1]) * (m[2] === '' ? 1 : /k/i.test(m[2]) ? 1000 : 1e6) : NaN;
  if (!(bits >= 8000 && bits <= 1024000)) throw fail(`expected a bitrate from 8k to 1024k such as 128k, got "${value}"`);
  return bits;
}

export function checkOptions(o: RenderOptions): CheckedOptions {
  if (!o.input) throw new RenderError('an input video is required');
  if (!o.output) throw new RenderError('an output file is required (-o FILE)');
  const input = resolve(o.input);
  const output = resolve(o.output);
  if (input === output) throw new RenderError(`the output ${o.output} is the input; choose another file name`);
  if (existsSync(output) && !o.overwrite) throw new RenderError(`${o.output} already exists; pass -y (overwrite: true) to replace it`);
  if (!existsSync(dirname(output))) throw new RenderError(`the output folder ${dirname(o.output)} does not exist`);
  if (!(OUTPUT_EXTENSIONS as readonly string[]).includes(extname(output).toLowerCase())) {
    throw new RenderError(`${o.output}: the output must end in ${OUTPUT_EXTENSIONS.join(', ')} (video in the plan's codec with the input's audio)`);
  }
  checkModelPaths({ detector: o.detector, ranker: o.ranker, segmenter: o.segmenter });
  if (o.executionProvider !== undefined && !isExecutionProvider(o.executionProvider)) {
    throw new RenderError(`executionProvider must be one of ${EXECUTION_PROVIDERS.join(', ')}, got "${String(o.executionProvider)}"`);
  }
  if (o.keyframeSchedule !== undefined && !KEYFRAME_SCHEDULES.includes(o.keyframeSchedule)) {
    throw new RenderError(`keyframeSchedule must be one of ${KEYFRAME_SCHEDULES.join(', ')}, got "${String(o.keyframeSchedule)}"`);
  }
  const workers = o.workers;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) throw new RenderError(`workers must be an integer from 1 to 64, got ${o.workers}`);
  const batchSeconds = o.batchSeconds ?? DEFAULT_BATCH_SECONDS;
  if (!Number.isFinite(batchSeconds) || batchSeconds < 0.5 || batchSeconds > 3600) {
    throw new RenderError(`batchSeconds must be between 0.5 and 3600, got ${o.batchSeconds}`);
  }
  for (const key of ['from', 'to'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new RenderError(`${key} must be a time in seconds ≥ 0, got ${v}`);
  }
  if (o.from !== undefined && o.to !== undefined && o.to <= o.from) throw new RenderError(`to (${o.to} s) must be after from (${o.from} s)`);
  if (o.audioBitrate !== undefined) checkAudioBitrate(o.audioBitrate, (m) => new RenderError(`audioBitrate: ${m}`));
  return { workers, batchSeconds };
}

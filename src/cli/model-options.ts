// The subject-model and cache options shared by `render` and `analyse`:
// one definition for parsing, validation and help text.
import type { ModelPaths } from '../vision/models/types.js';
import { EXECUTION_PROVIDERS, isExecutionProvider } from '../vision/models/execution-providers.js';
import { SEGMENTER_PRESETS } from '../vision/models/segmenter-presets.js';
import { KEYFRAME_SCHEDULES, type KeyframeSchedule } from '../vision/keyframe-schedule.js';
import { DEFAULT_KEYFRAME_INTERVAL, KEYFRAME_INTERVAL_RANGE } from '../media/keyframes.js';
import { numberOption, UsageError } from './command.js';
import { parseSeedArg, SeedError, type SubjectSeed } from '../vision/subject-seed.js';


export const MODEL_OPTION_SPECS = {
  subject: { type: 'string' },
  detector: { type: 'string' },
  ranker: { type: 'string' },
  segmenter: { type: 'string' },
  'segmenter-preset': { type: 'string' },
  'execution-provider': { type: 'string' },
  keyframes: { type: 'string' },
  'keyframe-interval': { type: 'string' },
  'subject-box': { type: 'string' },
  'subject-point': { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  ffmpeg: { type: 'string' },
} as const;

export const MODEL_OPTIONS_HELP = `  --subject TEXT            what the subject is, e.g. "a person" (used by the ranker)
  --subject-box X,Y,W,H[@T] the subject is the salient thing in this box (input pixels) at T seconds (default 0):
                            the model-free finder keeps the track through it (overrides the plan's subject.seed)
  --subject-point X,Y[@T]   ... the salient thing at or nearest this point
  --detector FILE|NAME      Ultralytics YOLO ONNX export (detect or segment), or a name
  --ranker DIR|NAME         CLIP ONNX folder (onnx/vision_model.onnx, onnx/text_model.onnx, tokenizer.json), or a name
  --segmenter FILE|NAME     salient-object / matting ONNX model, or a name (see: maskflow models list)
  --segmenter-preset NAME   segmenter normalisation: ${SEGMENTER_PRESETS.join(', ')} (default u2net)
  --execution-provider NAME onnxruntime execution provider for the models: ${EXECUTION_PROVIDERS.join(', ')}
                            (default cpu; the others need an onnxruntime-node build that has them)
  --keyframes fixed|adaptive where models run: adaptive (default with a model) adds keyframes where the
                            subject moves or changes faster than interpolation follows (at most 2 model
                            runs per second of video on average); fixed runs them every keyframe interval
  --keyframe-interval S     seconds between keyframes of the fixed schedule (default ${DEFAULT_KEYFRAME_INTERVAL}, ${KEYFRAME_INTERVAL_RANGE.min} to ${KEYFRAME_INTERVAL_RANGE.max};
                            overrides the plan's subject.keyframeInterval; alone it picks --keyframes fixed)
  --cache-dir DIR           analysis cache folder (default: $MASKFLOW_CACHE_DIR, $XDG_CACHE_HOME/maskflow or ~/.cache/maskflow)
  --no-cache                always analyse, write no cache entry
  --ffmpeg PATH             folder holding ffmpeg and ffprobe, or the ffmpeg binary`;

export interface ModelOptionValues {
  subject?: string;
  detector?: string;
  ranker?: string;
  segmenter?: string;
  'segmenter-preset'?: string;
  'execution-provider'?: string;
  keyframes?: string;
  'keyframe-interval'?: string;
  'subject-box'?: string;
  'subject-point'?: string;
  'cache-dir'?: string;
  'no-cache'?: boolean;
}

/** Checks the shared options and turns them into model paths and a cache setting. */
export function modelOptions(values: ModelOptionValues): { models: ModelPaths; cacheDir: string | false | undefined; keyframeSchedule?: KeyframeSchedule; keyframeInterval?: number; subjectSeed?: SubjectSeed } {
  const preset = values['segmenter-preset'];
  if (preset !== undefined && !(SEGMENTER_PRESETS as readonly string[]).includes(preset)) {
    throw new UsageError(`--segmenter-preset must be one of ${SEGMENTER_PRESETS.join(', ')}, got "${preset}"`);
  }
  const provider = values['execution-provider'];
  if (provider !== undefined && !isExecutionProvider(provider)) {
    throw new UsageError(`--execution-provider must be one of ${EXECUTION_PROVIDERS.join(', ')}, got "${provider}"`);
  }
  const schedule = values.keyframes;
  if (schedule !== undefined && !(KEYFRAME_SCHEDULES as readonly string[]).includes(schedule)) {
    throw new UsageError(`--keyframes must be one of ${KEYFRAME_SCHEDULES.join(', ')}, got "${schedule}"`);
  }
  const keyframeInterval = numberOption('keyframe-interval', values['keyframe-interval'], { ...KEYFRAME_INTERVAL_RANGE, unit: 'seconds' });
  if (schedule === 'adaptive' && keyframeInterval !== undefined) throw new UsageError('--keyframe-interval sets the fixed schedule; it does not go with --keyframes adaptive');
  if (values['subject-box'] !== undefined && values['subject-point'] !== undefined) throw new UsageError('give one of --subject-box and --subject-point');
  let subjectSeed: SubjectSeed | undefined;
  try {
    if (values['subject-box'] !== undefined) subjectSeed = parseSeedArg('box', values['subject-box']);
    if (values['subject-point'] !== undefined) subjectSeed = parseSeedArg('point', values['subject-point']);
  } catch (err) {
    throw err instanceof SeedError ? new UsageError(err.message) : err;
  }
  if (values['no-cache'] && values['cache-dir']) throw new UsageError('--no-cache and --cache-dir contradict each other');
  return {
    models: {
      detector: values.detector,
      ranker: values.ranker,
      segmenter: values.segmenter,
      segmenterPreset: preset as ModelPaths['segmenterPreset'],
      executionProvider: provider,
    },
    cacheDir: values['no-cache'] ? false : values['cache-dir'],
    // An interval given alone asks for keyframes at that interval.
    keyframeSchedule: (schedule as KeyframeSchedule | undefined) ?? (keyframeInterval !== undefined ? 'fixed' : undefined),
    keyframeInterval,
    subjectSeed,
  };
}

/** Runs `work`; a seed given on the command line that does not fit the input is a usage mistake (exit 2). */
export async function seedAsUsage<T>(work: Promise<T>, given: SubjectSeed | undefined): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw given !== undefined && err instanceof SeedError ? new UsageError(err.message) : err;
  }
}

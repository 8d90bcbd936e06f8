// dryRun(): everything render() checks before its work starts (options,
// tools, the input's probe, the plan, images, model files, the encoder's
// two-frame trial, the range), and what the render would then do: segments,
// batches, workers, keyframes to analyse, output size and frames. No frame
// of the input is decoded and nothing is written beside the output.
import { extname, resolve } from 'node:path';
import { keyframeIndices } from '../media/keyframes.js';
import { adaptiveBaseFrames, type KeyframeSchedule } from '../vision/keyframe-schedule.js';
import { analysisSpan } from '../vision/analyse.js';
import { probe } from '../media/probe.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { fpsRational } from '../plan/output-format.js';
import type { ResolvedPlan } from '../plan/resolve.js';
import type { Batch } from './batches.js';
import { audioCopyPlan, audioEncoderFor } from './finish.js';
import { checkOptions, type RenderOptions } from './options.js';
import { frameMap, rangeFrames, type Rate } from './retime.js';
import { encodedSize } from './stage-geometry.js';
import { jobsStage } from './stage-jobs.js';
import { givenPlan, planStage } from './stage-plan.js';
import { resolveTools } from './tools.js';
import type { WorkerChoice } from './worker-choice.js';

export interface DryRunSummary {
  input: { file: string; width: number; height: number; fps: number; frames: number; duration: number; audio: string[] };
  plan: ResolvedPlan;
  /** Input frames rendered, [startFrame, endFrame). */
  range: { startFrame: number; endFrame: number };
  output: { file: string; width: number; height: number; rate: Rate; frames: number; codec: string; audio: string };
  /** Keyframes the subject analysis would look at, and how it finds the subject. */
  /** With models and the adaptive schedule, `keyframes` counts the base keyframes (more are added where needed). */
  /** `span`: the input frames analysed, [startFrame, endFrame): the range and a margin of one decode step either side. */
  analysis: { keyframes: number; keyframeInterval: number; keyframeSchedule: KeyframeSchedule; finder: string; span: { startFrame: number; endFrame: number } };
  batches: Batch[];
  workerChoice: WorkerChoice;
  /** Worker threads that would start (at most one per batch). */
  poolSize: number;
  warnings: string[];
}

export async function dryRun(options: RenderOptions): Promise<DryRunSummary> {
  const checked = checkOptions(options);
  const output = resolve(options.output);
  const given = await givenPlan(options);
  const { paths } = resolveTools(options.ffmpeg);
  const info: ProbeInfo = await probe(options.input, paths);
  const { resolved, planWarnings } = await planStage(options, given, info, paths, output);
  const warnings = [...info.notes, ...planWarnings, ...resolved.warnings];
  const range = rangeFrames({ num: info.fpsNum, den: info.fpsDen, frames: info.frames }, options.from, options.to, (w) => warnings.push(w));
  const map = frameMap({ num: info.fpsNum, den: info.fpsDen }, range, resolved.output.fps === undefined ? undefined : fpsRational(resolved.output.fps));
  const size = encodedSize(info, resolved);
  const jobs = jobsStage(info, resolved, { encoded: size }, checked, range);
  const interval = resolved.subject.keyframeInterval;
  const models = [options.detector && 'detector', options.ranker && 'ranker', options.segmenter && 'segmenter'].filter(Boolean);
  // Same rule as the analysis: adaptive by default with a model, fixed for the model-free finder.
  const schedule: KeyframeSchedule = models.length ? (options.keyframeSchedule ?? 'adaptive') : 'fixed';
  const span = analysisSpan(info, range, schedule, interval);
  const codecs = info.audio.map((a) => a.codec);
  const copy = audioCopyPlan(output, codecs);
  // The join's encoder for this container (Opus for .webm, else AAC).
  const encoder = audioEncoderFor(output).name;
  const audio =
    codecs.length === 0 || options.noAudio
      ? 'none'
      : options.audioBitrate !== undefined
        ? `${encoder} ${options.audioBitrate}`
        : copy.copy
          ? `copied (${codecs.join(', ')})`
          : `${encoder} 192k (the container cannot hold the input's audio)`;
  return {
    input: { file: info.file, width: info.width, height: info.height, fps: info.fps, frames: info.frames, duration: info.duration, audio: codecs },
    plan: resolved,
    range,
    output: { file: output, width: size.width, height: size.height, rate: map.rate, frames: map.frames, codec: resolved.output.codec, audio },
    analysis: {
      keyframes: schedule === 'adaptive' ? adaptiveBaseFrames(span.endFrame, info.fps, span.startFrame).length : keyframeIndices(info.frames, info.fps, interval, span).length,
      span,
      keyframeInterval: interval,
      keyframeSchedule: schedule,
      finder: models.length ? `models (${models.join(', ')})` : 'model-free',
    },
    batches: jobs.batches,
    workerChoice: jobs.workerChoice,
    poolSize: jobs.poolSize,
    warnings,
  };
}

/** The summary as the CLI prints it. */
export function describeDryRun(s: DryRunSummary): string {
  const sec = (f: number, rate: Rate): string => `${((f * rate.den) / rate.num).toFixed(3)} s`;
  const inRate = { num: s.input.fps, den: 1 };
  const effects = (e: { type: string }[]): string => (e.length ? e.map((x) => x.type).join(' + ') : 'unchanged');
  const { span } = s.analysis;
  const analysed = span.startFrame === 0 && span.endFrame === s.input.frames ? 'over the whole input' : `over input frames ${span.startFrame}-${span.endFrame - 1}: the range and one keyframe step either side`;
  const lines = [
    `dry run: checked the options, plan, images, model files and the ${s.output.codec} encoder; nothing decoded or written`,
    `input:    ${s.input.file}: ${s.input.width}x${s.input.height}, ${s.input.fps.toFixed(3)} fps, ${s.input.frames} frames (${s.input.duration.toFixed(3)} s), audio ${s.input.audio.join(', ') || 'none'}`,
    `plan:     ${s.plan.segments.length} segment${s.plan.segments.length === 1 ? '' : 's'}`,
    ...s.plan.segments.map((g) => `            frames ${g.startFrame}-${g.endFrame - 1} (${sec(g.startFrame, inRate)} to ${sec(g.endFrame, inRate)}): ${effects(g.effects)}`),
    ...(s.range.startFrame > 0 || s.range.endFrame < s.input.frames ? [`range:    input frames ${s.range.startFrame}-${s.range.endFrame - 1} (${sec(s.range.startFrame, inRate)} to ${sec(s.range.endFrame, inRate)})`] : []),
    s.analysis.keyframeSchedule === 'adaptive'
      ? `analysis: adaptive keyframes: ${s.analysis.keyframes} base keyframes (every ~2 s ${analysed}) plus where the subject needs them, at most 2 model runs per second of video on average, ${s.analysis.finder} finder`
      : `analysis: ${s.analysis.keyframes} keyframes (every ${s.analysis.keyframeInterval} s ${analysed}), ${s.analysis.finder} finder`,
    `render:   ${s.batches.length} batch${s.batches.length === 1 ? '' : 'es'} on ${s.poolSize} worker${s.poolSize === 1 ? '' : 's'} (${s.workerChoice.reason})`,
    ...s.batches.map((b) => `            batch ${b.index}: frames ${b.startFrame}-${b.endFrame - 1}${b.seekFrames ? `, ${b.seekFrames} frames decoded to seek` : ''}`),
    `output:   ${s.output.file}${extname(s.output.file) ? '' : ' (no extension)'}: ${s.output.width}x${s.output.height}, ${(s.output.rate.num / s.output.rate.den).toFixed(3)} fps, ${s.output.frames} frames (${sec(s.output.frames, s.output.rate)}), ${s.output.codec}, audio ${s.output.audio}`,
    ...s.warnings.map((w) => `warning:  ${w}`),
  ];
  return lines.join('\n');
}

// Plan stage: the plan chosen (given, planned, or one effect), option overrides
// applied through the schema (before the probe when no planner is needed),
// resolved against the probed input, and the encoder tried on two frames now
// rather than after the whole analysis.
import { extname } from 'node:path';
import { batchExtension, encoderFamily, isHighBitDepth } from '../media/encoder.js';
import { checkEncoder, videoEncoders } from '../media/encoder-check.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { parsePlan, readPlanFile, singleEffectPlan } from '../plan/parse.js';
import { fpsRational } from '../plan/output-format.js';
import { planFor } from '../plan/planner.js';
import { resolvePlan, type ResolvedPlan } from '../plan/resolve.js';
import type { Plan } from '../plan/schema.js';
import { unusedSubjectWarning } from '../vision/analyse.js';
import { RenderError, type RenderOptions } from './options.js';
import { encoderSettings } from './stage-jobs.js';
import { checkSeed, seedFlag } from '../vision/subject-seed.js';

export interface PlanStage {
  resolved: ResolvedPlan;
  /** What choosing the plan warned about (planner fallback...), before the resolver's own warnings. */
  planWarnings: string[];
}

/**
 * The plan as far as it is known without reading the input: the given plan (object or file) or
 * the one effect, with the options' overrides applied. Undefined with a planner, which needs the
 * probed input. Runs before the probe, so a bad plan fails before any ffmpeg work.
 */
export async function givenPlan(o: RenderOptions): Promise<Plan | undefined> {
  if (o.plan !== undefined) return withOverrides(typeof o.plan === 'string' ? await readPlanFile(o.plan) : parsePlan(o.plan, 'the plan given to render()'), o);
  if (o.planner) return undefined;
  return withOverrides(singleEffectPlan(o.effect ?? 'blur-background'), o);
}

/**
 * The options that override plan fields, validated by the plan schema (a bad crf or aspect reads
 * like a bad plan field): `subject` replaces the plan's subject prompt, `keyframeInterval` its
 * keyframe interval, `subjectSeed` its seed, `encoder` (with its bitDepth), `aspect`, `size` and `fps` its output settings.
 */
function withOverrides(plan: Plan, o: RenderOptions): Plan {
  const output = Object.fromEntries(Object.entries({ ...o.encoder, aspect: o.aspect, size: o.size, fps: o.fps }).filter(([, v]) => v !== undefined));
  if (Object.keys(output).length === 0 && o.subject === undefined && o.keyframeInterval === undefined && o.subjectSeed === undefined) return plan;
  const subject = {
    ...plan.subject,
    ...(o.subject !== undefined ? { prompt: o.subject } : {}),
    ...(o.keyframeInterval !== undefined ? { keyframeInterval: o.keyframeInterval } : {}),
    ...(o.subjectSeed !== undefined ? { seed: o.subjectSeed } : {}),
  };
  return parsePlan({ ...plan, subject, output: { ...plan.output, ...output } }, 'command-line options');
}

/**
 * WebM holds VP8/VP9/AV1 only. With no --codec given, a .webm output takes
 * libvpx-vp9, else libaom-av1, whichever this ffmpeg has; an explicit other codec is refused.
 */
async function webmCodec(codec: string, options: RenderOptions, paths: FfmpegPaths): Promise<string> {
  const family = encoderFamily(codec);
  if (family === 'vpx' || family === 'aom' || /(vp8|vp9|av1)/.test(codec)) return codec;
  if (options.encoder?.codec !== undefined) {
    throw new RenderError(`${options.output}: WebM holds VP8, VP9 or AV1 video, not ${codec}; use --codec libvpx-vp9 or libaom-av1, or leave --codec out`);
  }
  const encoders = await videoEncoders(paths);
  const found = ['libvpx-vp9', 'libaom-av1'].find((name) => encoders.has(name));
  if (!found) throw new RenderError(`${options.output}: WebM needs a VP9 or AV1 encoder, and this ffmpeg (${paths.ffmpeg}) has neither libvpx-vp9 nor libaom-av1; write .mp4 or .mkv instead`);
  return found;
}

/** The plan resolved against the probed input (planned now when a planner was asked for), and the encoder tried on two frames. */
export async function planStage(options: RenderOptions, given: Plan | undefined, info: ProbeInfo, paths: FfmpegPaths, output: string): Promise<PlanStage> {
  const planWarnings: string[] = [];
  let plan =
    given ??
    withOverrides(
      await planFor(info.file, info, paths, {
        planner: options.planner ?? 'auto',
        ollamaHost: options.ollamaHost,
        ollamaModel: options.ollamaModel,
        ollamaTimeout: options.ollamaTimeout,
        fallback: options.fallback,
        subject: options.subject,
        onWarning: (w) => planWarnings.push(w),
        signal: options.signal,
      }),
      options,
    );
  if (extname(output).toLowerCase() === '.webm') plan = { ...plan, output: { ...plan.output, codec: await webmCodec(plan.output.codec, options, paths) } };
  const resolved = resolvePlan(plan, info, typeof options.plan === 'string' ? options.plan : 'plan');
  // Before the analysis: a seed off the frame fails now, naming where it came from.
  const seed = resolved.subject.seed;
  if (seed) checkSeed(seed, info, options.subjectSeed !== undefined ? seedFlag(seed) : `${typeof options.plan === 'string' ? options.plan : 'plan'}: subject.seed`);
  // Subject words asked for (--subject) that no model will read look as if they steer: say so. (A plan's
  // prompt is not warned about: planners write one whether or not models follow.)
  const subjectWarning = unusedSubjectWarning(options.subject, options);
  if (subjectWarning) planWarnings.push(subjectWarning);
  await checkEncoder({
    paths,
    encoder: encoderSettings(resolved),
    ...(resolved.output.fps !== undefined ? { fpsNum: fpsRational(resolved.output.fps).num, fpsDen: fpsRational(resolved.output.fps).den } : { fpsNum: info.fpsNum, fpsDen: info.fpsDen }),
    extensions: [batchExtension(resolved.output.codec), extname(output)],
  });
  // The frames are 8-bit inside maskflow: a deeper source loses its extra bits, which is said, not hidden.
  if (isHighBitDepth(info.pixFmt)) {
    planWarnings.push(
      resolved.output.bitDepth === 10
        ? `the input is ${info.pixFmt}: the effects work on 8-bit frames, which are encoded as 10-bit (smooth gradients stay banding-free, but the input's lowest 2 bits are not kept)`
        : `the input is ${info.pixFmt} (more than 8 bits); it was rendered and encoded as 8-bit yuv420p. Pass --bit-depth 10 for a 10-bit encode`,
    );
  }
  return { resolved, planWarnings };
}

// Plan stage: the plan chosen (given, planned, or one effect), option overrides
// applied through the schema (before the probe when no planner is needed),
// resolved against the probed input, and the encoder tried on two frames now
// rather than after the whole analysis.
import { extname } from 'node:path';
import { checkEncoder } from '../media/encoder-check.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { parsePlan, readPlanFile, singleEffectPlan } from '../plan/parse.js';
import { fpsRational } from '../plan/output-format.js';
import { planFor } from '../plan/planner.js';
import { resolvePlan, type ResolvedPlan } from '../plan/resolve.js';
import type { Plan } from '../plan/schema.js';
import { unusedSubjectWarning } from '../vision/analyse.js';
import type { RenderOptions } from './options.js';

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
 * keyframe interval, `encoder`, `aspect`,
 * `size` and `fps` its output settings.
 */
function withOverrides(plan: Plan, o: RenderOptions): Plan {
  const output = Object.fromEntries(Object.entries({ ...o.encoder, aspect: o.aspect, size: o.size, fps: o.fps }).filter(([, v]) => v !== undefined));
  if (Object.keys(output).length === 0 && o.subject === undefined && o.keyframeInterval === undefined) return plan;
  const subject = { ...plan.subject, ...(o.subject !== undefined ? { prompt: o.subject } : {}), ...(o.keyframeInterval !== undefined ? { keyframeInterval: o.keyframeInterval } : {}) };
  return parsePlan({ ...plan, subject, output: { ...plan.output, ...output } }, 'command-line options');
}

/** The plan resolved against the probed input (planned now when a planner was asked for), and the encoder tried on two frames. */
export async function planStage(options: RenderOptions, given: Plan | undefined, info: ProbeInfo, paths: FfmpegPaths, output: string): Promise<PlanStage> {
  const planWarnings: string[] = [];
  const plan =
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
  const resolved = resolvePlan(plan, info, typeof options.plan === 'string' ? options.plan : 'plan');
  // Subject words asked for (--subject) that no model will read look as if they steer: say so. (A plan's
  // prompt is not warned about: planners write one whether or not models follow.)
  const subjectWarning = unusedSubjectWarning(options.subject, options);
  if (subjectWarning) planWarnings.push(subjectWarning);
  await checkEncoder({
    paths,
    encoder: { codec: resolved.output.codec, crf: resolved.output.crf, preset: resolved.output.preset },
    ...(resolved.output.fps !== undefined ? { fpsNum: fpsRational(resolved.output.fps).num, fpsDen: fpsRational(resolved.output.fps).den } : { fpsNum: info.fpsNum, fpsDen: info.fpsDen }),
    extensions: ['.mp4', extname(output)],
  });
  return { resolved, planWarnings };
}

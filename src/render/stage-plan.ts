// Plan stage: the plan chosen (given, planned, or one effect), command-line
// overrides applied through the schema, resolved against the probed input, and
// the encoder tried on two frames now rather than after the whole analysis.
import { extname } from 'node:path';
import { checkEncoder } from '../media/encoder-check.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { parsePlan, readPlanFile, singleEffectPlan } from '../plan/parse.js';
import { fpsRational } from '../plan/output-format.js';
import { planFor } from '../plan/planner.js';
import { resolvePlan, type ResolvedPlan } from '../plan/resolve.js';
import type { Plan } from '../plan/schema.js';
import type { RenderOptions } from './options.js';

export interface PlanStage {
  resolved: ResolvedPlan;
  /** What choosing the plan warned about (planner fallback...), before the resolver's own warnings. */
  planWarnings: string[];
}

async function choosePlan(o: RenderOptions, info: ProbeInfo, paths: FfmpegPaths, warnings: string[]): Promise<Plan> {
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

export async function planStage(options: RenderOptions, info: ProbeInfo, paths: FfmpegPaths, output: string): Promise<PlanStage> {
  const planWarnings: string[] = [];
  let plan = await choosePlan(options, info, paths, planWarnings);
  if (options.subject !== undefined && options.plan === undefined) plan.subject.prompt = options.subject;
  const overrides = { ...options.encoder, aspect: options.aspect, size: options.size, fps: options.fps };
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  if (Object.keys(given).length > 0) {
    // Validated by the plan schema, so a bad --crf or --aspect reads like a bad plan field.
    plan = parsePlan({ ...plan, output: { ...plan.output, ...given } }, 'command-line options');
  }
  const resolved = resolvePlan(plan, info, typeof options.plan === 'string' ? options.plan : 'plan');
  await checkEncoder({
    paths,
    encoder: { codec: resolved.output.codec, crf: resolved.output.crf, preset: resolved.output.preset },
    ...(resolved.output.fps !== undefined ? { fpsNum: fpsRational(resolved.output.fps).num, fpsDen: fpsRational(resolved.output.fps).den } : { fpsNum: info.fpsNum, fpsDen: info.fpsDen }),
    extensions: ['.mp4', extname(output)],
  });
  return { resolved, planWarnings };
}

// One entry point for "make me a plan" used by `maskflow plan` and by
// `maskflow render --planner …`.
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { autoPlan } from './auto.js';
import { detectCuts } from './cuts.js';
import { ollamaPlan } from './ollama.js';
import type { Plan } from './schema.js';

export interface PlannerOptions {
  planner: 'auto' | 'ollama';
  ollamaHost?: string;
  ollamaModel?: string;
  /** Seconds per Ollama request. */
  ollamaTimeout?: number;
  /** With the Ollama planner: on failure, use the automatic plan (with a warning). */
  fallback?: 'auto';
  subject?: string;
  /** Where warnings go (default: stderr, prefixed with "maskflow: warning:"). */
  onWarning?: (message: string) => void;
  /** Aborting stops cut detection and Ollama requests; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface PlannerResult {
  plan: Plan;
  /** Detected hard cuts, as frame indices. */
  cuts: number[];
  /** The planner that produced the plan ('auto' also after an Ollama fallback). */
  planner: 'auto' | 'ollama';
  warnings: string[];
}

export async function makePlan(probe: ProbeInfo, paths: FfmpegPaths, options: PlannerOptions): Promise<PlannerResult> {
  if (options.planner !== 'auto' && options.planner !== 'ollama') {
    throw new Error(`unknown planner "${String(options.planner)}"; expected "auto" or "ollama"`);
  }
  const detection = await detectCuts(probe, paths, {}, options.signal);
  const warnings: string[] = [];
  if (detection.frames !== probe.frames) {
    warnings.push(`${probe.file}: decoded ${detection.frames} frames but the container says ${probe.frames}; cut positions may be off`);
  }
  if (options.planner === 'auto') {
    const { plan, cuts } = await autoPlan(probe, paths, { subject: options.subject, detection, signal: options.signal });
    return { plan, cuts, planner: 'auto', warnings };
  }
  const result = await ollamaPlan(probe, paths, {
    host: options.ollamaHost,
    model: options.ollamaModel,
    timeoutMs: options.ollamaTimeout === undefined ? undefined : options.ollamaTimeout * 1000,
    fallback: options.fallback,
    subject: options.subject,
    detection,
    signal: options.signal,
  });
  return { ...result, warnings: [...warnings, ...result.warnings] };
}

/** The plan for `input` by the chosen planner; warnings go to `onWarning`. */
export async function planFor(input: string, probe: ProbeInfo, paths: FfmpegPaths, options: PlannerOptions): Promise<Plan> {
  const result = await makePlan({ ...probe, file: probe.file || input }, paths, options);
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`maskflow: warning: ${m}\n`));
  for (const w of result.warnings) warn(w);
  return result.plan;
}

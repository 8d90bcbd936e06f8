// One entry point for "make me a plan" used by `maskflow plan` and by
// `maskflow render --planner …`.
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { autoPlan } from './auto.js';
import { detectCuts } from './cuts.js';
import { ollamaPlan } from './ollama.js';
import { subjectSchema, type Plan } from './schema.js';

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

/** A planner option that cannot work; the message names it as the caller spelled it. */
export class PlannerOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlannerOptionError';
  }
}

const OLLAMA_ONLY = ['ollamaHost', 'ollamaModel', 'ollamaTimeout', 'fallback'] as const;

/**
 * Checks planner options before any work (the CLI's `plan` and `render --planner` and the library's
 * plan() share it). `name` spells an option's key in messages (the CLI passes its flag names).
 */
export function checkPlannerOptions(o: Partial<PlannerOptions>, name: (key: keyof PlannerOptions) => string = (k) => k): void {
  if (o.planner !== 'auto' && o.planner !== 'ollama') throw new PlannerOptionError(`${name('planner')} must be "auto" or "ollama", got ${JSON.stringify(o.planner) ?? 'nothing'}`);
  if (o.fallback !== undefined && o.fallback !== 'auto') throw new PlannerOptionError(`${name('fallback')} must be "auto", got ${JSON.stringify(o.fallback)}`);
  const ollamaOnly = OLLAMA_ONLY.find((k) => o[k] !== undefined);
  if (o.planner === 'auto' && ollamaOnly) throw new PlannerOptionError(`${name(ollamaOnly)} only applies with ${name('planner')} ollama`);
  if (o.ollamaTimeout !== undefined && !(typeof o.ollamaTimeout === 'number' && o.ollamaTimeout > 0 && o.ollamaTimeout <= 3600)) {
    throw new PlannerOptionError(`${name('ollamaTimeout')} must be seconds from 0 to 3600, got ${JSON.stringify(o.ollamaTimeout)}`);
  }
  // The same rule as a plan's subject.prompt, which this becomes.
  if (o.subject !== undefined && !subjectSchema.shape.prompt.safeParse(o.subject).success) {
    throw new PlannerOptionError(`${name('subject')} must be 1 to 300 characters of text, got ${JSON.stringify(o.subject).slice(0, 60)}`);
  }
}

export async function makePlan(probe: ProbeInfo, paths: FfmpegPaths, options: PlannerOptions): Promise<PlannerResult> {
  checkPlannerOptions(options);
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

// The plan module's public surface.
export { PLAN_VERSION, planJsonSchema, type Plan, type PlanSegment, type PlanInput, type PlanSegmentInput, type EffectInput } from './schema.js';
export { PlanError, type PlanIssue } from './errors.js';
export { parsePlan, parsePlanText, readPlanFile, singleEffectPlan } from './parse.js';
export { resolvePlan, frameAt, timeOf, END_TOLERANCE_SECONDS, type ResolvedPlan, type FrameRun } from './resolve.js';
export { detectCuts, findCuts, type CutDetection, type CutOptions } from './cuts.js';
export { autoPlan, AUTO_LOOKS, type AutoPlanOptions } from './auto.js';
export { ollamaPlan, OllamaError, DEFAULT_OLLAMA_HOST, DEFAULT_OLLAMA_MODEL, type OllamaPlanOptions } from './ollama.js';
export { planFor, makePlan, type PlannerOptions, type PlannerResult } from './planner.js';

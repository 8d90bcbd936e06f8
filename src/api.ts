// Convenience entry points that take a file name, for library users: they
// resolve ffmpeg, probe the input and call the stage functions.
import { ffmpegPaths } from './media/ffmpeg.js';
import { probe as probeWith, type ProbeInfo } from './media/probe.js';
import { checkPlannerOptions, makePlan, type PlannerOptions, type PlannerResult } from './plan/planner.js';
import { analyseVideo, checkAnalyseOptions, type AnalyseOptions, type AnalysisResult } from './vision/analyse.js';

export interface MediaOptions {
  /** Folder holding ffmpeg and ffprobe, or the ffmpeg binary (default: env, then the bundled binaries). */
  ffmpeg?: string;
}

/** Size, frame rate, exact frame count, duration, rotation and audio streams of a video. */
export function probe(input: string, options: MediaOptions = {}): Promise<ProbeInfo> {
  return probeWith(input, ffmpegPaths(options.ffmpeg));
}

/** A plan for `input` from its scene cuts (`auto`) or a local Ollama model. */
export async function plan(input: string, options: PlannerOptions & MediaOptions): Promise<PlannerResult> {
  // Checked before the probe: a bad option fails at once, as on the command line.
  checkPlannerOptions(options);
  const paths = ffmpegPaths(options.ffmpeg);
  return makePlan(await probeWith(input, paths), paths, options);
}

/** Finds the subject at keyframes; returns boxes, the finder used and the mask atlas. */
export async function analyse(input: string, options: Omit<AnalyseOptions, 'paths'> & MediaOptions = {}): Promise<AnalysisResult> {
  // Checked before the probe: a bad option or model path fails at once, as on the command line.
  checkAnalyseOptions(options);
  const paths = ffmpegPaths(options.ffmpeg);
  return analyseVideo(await probeWith(input, paths), { ...options, paths });
}

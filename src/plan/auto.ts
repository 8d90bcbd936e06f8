// The automatic planner: shots from hard cuts, one look per shot.
//
// Rules (also in the README):
// 1. Shots are the spans between detected hard cuts.
// 2. A shot shorter than `minShotSeconds` (default 1 s) is joined to the shot
//    before it (the first shot, to the one after it), so flashes and very
//    quick cuts do not get a look of their own.
// 3. Shots take looks in turn: blur-background → grayscale-background with a
//    vignette → dim-background → blur-background → …
// 4. With two or more shots, the longest shot (if at least 3 s) also gets a
//    gentle zoom (1.2×, following the subject), applied after its look.
// 5. Segments cover the whole video; times are frame starts to the millisecond.
import type { EffectSpec } from '../effects/catalog.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { detectCuts, type CutDetection, type CutOptions } from './cuts.js';
import { parsePlan } from './parse.js';
import { roundSeconds, timeOf } from './resolve.js';
import type { Plan } from './schema.js';

export const DEFAULT_MIN_SHOT_SECONDS = 1;
const ZOOM_MIN_SECONDS = 3;

/** The looks shots take in turn (parameters not given take catalogue defaults). */
export const AUTO_LOOKS: readonly (readonly Partial<EffectSpec>[])[] = [
  [{ type: 'blur-background', radius: 24 }],
  [{ type: 'grayscale-background' }, { type: 'vignette', strength: 0.35 }],
  [{ type: 'dim-background', amount: 0.5 }],
];
const AUTO_ZOOM: Partial<EffectSpec> = { type: 'zoom', factor: 1.2, follow: true };

export interface Shot {
  startFrame: number;
  /** Exclusive. */
  endFrame: number;
}

/** Shots from cut frame indices, with shots shorter than `minFrames` merged (rule 2). */
export function shotsFromCuts(cuts: readonly number[], frames: number, minFrames: number): Shot[] {
  const bounds = [0, ...[...new Set(cuts)].filter((c) => c > 0 && c < frames).sort((a, b) => a - b), frames];
  const shots: Shot[] = [];
  for (let k = 1; k < bounds.length; k++) {
    const shot = { startFrame: bounds[k - 1], endFrame: bounds[k] };
    const last = shots[shots.length - 1];
    const short = (s: Shot) => s.endFrame - s.startFrame < minFrames;
    // A short shot joins the previous one; a short first shot swallows the next.
    if (last && (short(shot) || short(last))) last.endFrame = shot.endFrame;
    else shots.push(shot);
  }
  return shots;
}

/** The plan for the given shots by rules 3–5. */
export function planFromShots(shots: readonly Shot[], grid: Pick<ProbeInfo, 'fpsNum' | 'fpsDen'>, subject?: string): Plan {
  let longest = -1;
  if (shots.length >= 2) {
    const lengths = shots.map((s) => s.endFrame - s.startFrame);
    const max = Math.max(...lengths);
    if (timeOf(max, grid) >= ZOOM_MIN_SECONDS) longest = lengths.indexOf(max);
  }
  const segments = shots.map((shot, k) => ({
    start: roundSeconds(timeOf(shot.startFrame, grid)),
    end: roundSeconds(timeOf(shot.endFrame, grid)),
    effects: [...AUTO_LOOKS[k % AUTO_LOOKS.length], ...(k === longest ? [AUTO_ZOOM] : [])].map((e) => ({ ...e })),
  }));
  return parsePlan({ version: 1, ...(subject ? { subject: { prompt: subject } } : {}), segments }, 'auto plan');
}

export interface AutoPlanOptions {
  subject?: string;
  minShotSeconds?: number;
  cutOptions?: CutOptions;
  /** Reuse a detection already made (the Ollama planner detects cuts first). */
  detection?: CutDetection;
  /** Aborting stops the cut detection (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export async function autoPlan(
  probe: ProbeInfo,
  paths: FfmpegPaths,
  options: AutoPlanOptions = {},
): Promise<{ plan: Plan; cuts: number[] }> {
  const detection = options.detection ?? (await detectCuts(probe, paths, options.cutOptions, options.signal));
  const minFrames = Math.max(1, Math.round((options.minShotSeconds ?? DEFAULT_MIN_SHOT_SECONDS) * probe.fps));
  const shots = shotsFromCuts(detection.cuts, probe.frames, minFrames);
  return { plan: planFromShots(shots, probe, options.subject), cuts: detection.cuts };
}

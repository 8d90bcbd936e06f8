// Seconds → frame ranges on the input's frame grid.
//
// Frame f covers [f·fpsDen/fpsNum, (f+1)·fpsDen/fpsNum) seconds. A time maps to
// the NEAREST frame boundary (exact halves go to the later frame), so a segment
// [start, end) becomes frames [round(start·fps), round(end·fps)). Times written
// as frame starts (what the auto planner writes, to the millisecond) map back
// to exactly that frame at any rate up to 1000 fps.
import type { EffectSpec } from '../effects/catalog.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { regularFileProblem } from '../file-kind.js';
import { PlanError, type PlanIssue } from './errors.js';
import type { Plan, PlanOutput } from './schema.js';

/** Ends at most this far past the last frame are clamped with a warning (covers "end": 10 on a 9.8 s clip). */
export const END_TOLERANCE_SECONDS = 0.25;

/**
 * Frames [startFrame, endFrame) and the effects applied to them, in order: a resolved plan
 * segment, a gap between segments (no effects), or a batch's share of either.
 */
export interface FrameRun {
  startFrame: number;
  /** Exclusive. */
  endFrame: number;
  effects: EffectSpec[];
}

export interface ResolvedPlan {
  version: 1;
  subject: Plan['subject'];
  output: PlanOutput;
  /** Sorted, non-empty, non-overlapping; gaps between them render unchanged. */
  segments: FrameRun[];
  warnings: string[];
}

export type FrameGrid = Pick<ProbeInfo, 'fpsNum' | 'fpsDen' | 'frames'>;

/** The frame boundary nearest to `seconds` (may be past the last frame). */
export function frameAt(seconds: number, grid: Pick<FrameGrid, 'fpsNum' | 'fpsDen'>): number {
  // The small epsilon keeps exact halves (and values like 4.2·25 = 105.00000000000001) stable.
  return Math.floor((seconds * grid.fpsNum) / grid.fpsDen + 0.5 + 1e-7);
}

/** Start time of frame `f` in seconds. */
export function timeOf(frame: number, grid: Pick<FrameGrid, 'fpsNum' | 'fpsDen'>): number {
  return (frame * grid.fpsDen) / grid.fpsNum;
}

/** Seconds rounded to the millisecond, as plans are written. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function formatFps(grid: Pick<FrameGrid, 'fpsNum' | 'fpsDen'>): string {
  return `${Number((grid.fpsNum / grid.fpsDen).toFixed(3))} fps`;
}

function describeVideo(grid: FrameGrid): string {
  return `the video is ${roundSeconds(timeOf(grid.frames, grid))} s long (${grid.frames} frames at ${formatFps(grid)})`;
}

export function resolvePlan(plan: Plan, probe: FrameGrid, source = 'plan'): ResolvedPlan {
  const issues: PlanIssue[] = [];
  const warnings: string[] = [];
  const videoEnd = timeOf(probe.frames, probe);
  const order = plan.segments.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start || a.i - b.i);
  const segments: FrameRun[] = [];
  for (const { s, i } of order) {
    const path = `segments[${i}]`;
    const startFrame = frameAt(s.start, probe);
    if (startFrame >= probe.frames) {
      issues.push({ path, message: `starts at ${s.start} s, at or after the end of the video; ${describeVideo(probe)}` });
      continue;
    }
    let endFrame = probe.frames;
    if (s.end !== undefined) {
      if (s.end > videoEnd + END_TOLERANCE_SECONDS) {
        issues.push({
          path,
          message: `ends at ${s.end} s, past the end of the video; ${describeVideo(probe)} (ends up to ${END_TOLERANCE_SECONDS} s past it are clamped)`,
        });
        continue;
      }
      const rounded = frameAt(s.end, probe);
      if (rounded > probe.frames) {
        warnings.push(`${source}: ${path} ends at ${s.end} s, slightly past the end of the video; clamped to ${roundSeconds(videoEnd)} s (frame ${probe.frames})`);
      }
      endFrame = Math.min(rounded, probe.frames);
    }
    if (endFrame <= startFrame) {
      issues.push({ path, message: `${s.start}–${s.end} s is shorter than one frame at ${formatFps(probe)}; expected at least ${roundSeconds(timeOf(1, probe))} s` });
      continue;
    }
    s.effects.forEach((e, j) => {
      if (e.type !== 'replace-background' || e.image === undefined) return;
      // Checked up front (without opening it): a missing image, a FIFO or a device would fail or hang a batch.
      const problem = regularFileProblem(e.image);
      if (problem) issues.push({ path: `${path}.effects[${j}].image`, message: `${e.image}: ${problem}; expected an image file (PNG, JPEG...)` });
    });
    segments.push({
      startFrame,
      endFrame,
      effects: s.effects.map((e) => ({ ...e })),
    });
  }
  if (issues.length) throw new PlanError(issues, source);
  return {
    version: 1,
    subject: { ...plan.subject },
    output: { ...plan.output },
    segments,
    warnings,
  };
}

// Splits a resolved plan into render batches of about `batchSeconds` each.
//
// Rules (also in the README):
// - Batches are contiguous frame ranges that together cover every frame once.
// - A batch ends on a segment boundary (gaps between segments count as
//   segments that render unchanged), except:
//   * a segment longer than twice the target is cut into near-equal pieces;
//   * when there are fewer batches than workers, the longest batch is halved
//     (at the segment boundary nearest its middle, else inside its longest
//     segment) until every worker has one, as long as halves stay >= minSeconds.
// - Cuts inside a segment land on a multiple of `alignFrames` (the analysis
//   keyframe spacing) when one is near, so each piece starts on a keyframe.
import type { EffectSpec } from '../effects/catalog.js';

export interface PlanRun {
  startFrame: number;
  endFrame: number; // exclusive
  effects: EffectSpec[];
  /** Index of the plan segment, or -1 for a gap rendered unchanged. */
  segment: number;
}

export interface Batch {
  index: number;
  startFrame: number;
  endFrame: number; // exclusive
  runs: PlanRun[];
}

export interface BatchOptions {
  totalFrames: number;
  fps: number;
  batchSeconds: number;
  workers: number;
  alignFrames?: number;
  minSeconds?: number;
}

export interface SegmentLike {
  startFrame: number;
  endFrame: number;
  effects: EffectSpec[];
}

/** The plan's segments plus the gaps between them, covering [0, totalFrames). */
export function planRuns(segments: SegmentLike[], totalFrames: number): PlanRun[] {
  const runs: PlanRun[] = [];
  let cursor = 0;
  const order = segments.map((s, i) => ({ s, i })).sort((a, b) => a.s.startFrame - b.s.startFrame);
  for (const { s, i } of order) {
    const start = Math.max(cursor, Math.min(s.startFrame, totalFrames));
    const end = Math.min(s.endFrame, totalFrames);
    if (start > cursor) runs.push({ startFrame: cursor, endFrame: start, effects: [], segment: -1 });
    if (end > start) runs.push({ startFrame: start, endFrame: end, effects: s.effects, segment: i });
    cursor = Math.max(cursor, end);
  }
  if (cursor < totalFrames) runs.push({ startFrame: cursor, endFrame: totalFrames, effects: [], segment: -1 });
  return runs;
}

const length = (r: { startFrame: number; endFrame: number }): number => r.endFrame - r.startFrame;

function alignedCut(start: number, end: number, ideal: number, align: number): number {
  if (align > 1) {
    const snapped = Math.round(ideal / align) * align;
    if (snapped > start && snapped < end && Math.abs(snapped - ideal) <= align) return snapped;
  }
  return Math.min(end - 1, Math.max(start + 1, Math.round(ideal)));
}

function splitRun(run: PlanRun, pieces: number, align: number): PlanRun[] {
  const out: PlanRun[] = [];
  let start = run.startFrame;
  for (let p = 1; p < pieces; p++) {
    const ideal = run.startFrame + (length(run) * p) / pieces;
    const cut = alignedCut(start, run.endFrame, ideal, align);
    if (cut <= start || cut >= run.endFrame) continue;
    out.push({ ...run, startFrame: start, endFrame: cut });
    start = cut;
  }
  out.push({ ...run, startFrame: start, endFrame: run.endFrame });
  return out;
}

function makeBatch(runs: PlanRun[]): Omit<Batch, 'index'> {
  return { startFrame: runs[0].startFrame, endFrame: runs[runs.length - 1].endFrame, runs };
}

/** Halves a batch: at the run boundary nearest its middle, else inside its longest run. */
function halve(batch: Omit<Batch, 'index'>, align: number, minFrames: number): [Omit<Batch, 'index'>, Omit<Batch, 'index'>] | undefined {
  const middle = batch.startFrame + length(batch) / 2;
  let best = -1;
  for (let i = 1; i < batch.runs.length; i++) {
    const at = batch.runs[i].startFrame;
    if (at - batch.startFrame >= minFrames && batch.endFrame - at >= minFrames) {
      if (best < 0 || Math.abs(at - middle) < Math.abs(batch.runs[best].startFrame - middle)) best = i;
    }
  }
  if (best > 0) return [makeBatch(batch.runs.slice(0, best)), makeBatch(batch.runs.slice(best))];
  let longest = 0;
  for (let i = 1; i < batch.runs.length; i++) if (length(batch.runs[i]) > length(batch.runs[longest])) longest = i;
  const run = batch.runs[longest];
  const ideal = Math.min(run.endFrame - minFrames, Math.max(run.startFrame + minFrames, middle));
  const cut = alignedCut(run.startFrame, run.endFrame, ideal, align);
  if (cut - batch.startFrame < minFrames || batch.endFrame - cut < minFrames) return undefined;
  const left = [...batch.runs.slice(0, longest), { ...run, endFrame: cut }];
  const right = [{ ...run, startFrame: cut }, ...batch.runs.slice(longest + 1)];
  return [makeBatch(left), makeBatch(right)];
}

export function planBatches(segments: SegmentLike[], options: BatchOptions): Batch[] {
  const { totalFrames, fps, workers } = options;
  if (!(totalFrames > 0)) throw new RangeError(`totalFrames must be > 0, got ${totalFrames}`);
  if (!(options.batchSeconds > 0)) throw new RangeError(`batchSeconds must be > 0, got ${options.batchSeconds}`);
  const align = Math.max(1, Math.round(options.alignFrames ?? 1));
  const target = Math.max(1, Math.round(options.batchSeconds * fps));
  const minFrames = Math.max(1, Math.round((options.minSeconds ?? 1) * fps));

  const batches: Omit<Batch, 'index'>[] = [];
  let current: PlanRun[] = [];
  let currentLength = 0;
  const close = (): void => {
    if (current.length > 0) batches.push(makeBatch(current));
    current = [];
    currentLength = 0;
  };
  for (const run of planRuns(segments, totalFrames)) {
    if (length(run) > 2 * target) {
      close();
      for (const piece of splitRun(run, Math.ceil(length(run) / target), align)) batches.push(makeBatch([piece]));
      continue;
    }
    if (currentLength > 0 && currentLength + length(run) > target) close();
    current.push(run);
    currentLength += length(run);
  }
  close();

  // Give every worker a batch when the video is long enough.
  while (batches.length < workers) {
    let longest = 0;
    for (let i = 1; i < batches.length; i++) if (length(batches[i]) > length(batches[longest])) longest = i;
    const halves = halve(batches[longest], align, minFrames);
    if (!halves) break;
    batches.splice(longest, 1, ...halves);
  }
  return batches.map((b, index) => ({ ...b, index }));
}

/** Dispatch order: longest first, so the pool finishes evenly. */
export function dispatchOrder(batches: Batch[]): Batch[] {
  return [...batches].sort((a, b) => length(b) - length(a) || a.index - b.index);
}

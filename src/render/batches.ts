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
//
// When the input's codec keyframes are known (`codecKeyframes`, from packet
// flags), cuts go where seeking is free instead (planOnKeyframes below): a
// batch that starts between codec keyframes has its decoder seek to the
// keyframe before and decode, then throw away, `seekFrames` frames. Every
// candidate cut (a codec keyframe, a segment boundary, any frame) is scored
// by the frames it makes the batch throw away, weighed against how far it
// moves from the ideal place; segment boundaries are no longer cuts by rule
// (a batch holds several runs), just candidates with their seek cost.
import type { FrameRun } from '../plan/resolve.js';

export interface Batch {
  index: number;
  startFrame: number;
  endFrame: number; // exclusive
  runs: FrameRun[];
  /**
   * Frames the decoder decodes and throws away to start this batch (from
   * the codec keyframe before startFrame); undefined when keyframes are unknown.
   */
  seekFrames?: number;
}

export interface BatchOptions {
  totalFrames: number;
  fps: number;
  batchSeconds: number;
  workers: number;
  alignFrames?: number;
  minSeconds?: number;
  /**
   * Frame indices where decoding can start (codec keyframes, ascending, frame
   * 0 first), read from packet flags. When given, cuts land where seeking is free.
   */
  codecKeyframes?: readonly number[];
  /** Cost of a frame decoded and thrown away, relative to a frame rendered (default SEEK_WEIGHT). */
  seekWeight?: number;
}

/**
 * A frame decoded only to be thrown away costs about this much of a rendered
 * frame: measured on 1080p30 x264 input, decoding costs 0.17-0.18 of the CPU
 * of a plain veryfast transcode of the same frames, and a rendered frame
 * costs more than a transcoded one (effects, pipes).
 */
export const SEEK_WEIGHT = 0.25;
/** Moving a length-target cut by one frame away from its ideal place costs this many rendered frames. */
const DRIFT_WEIGHT = 0.05;

/** The plan's segments plus the gaps between them, covering [0, totalFrames). */
export function planRuns(segments: FrameRun[], totalFrames: number): FrameRun[] {
  const runs: FrameRun[] = [];
  let cursor = 0;
  const order = [...segments].sort((a, b) => a.startFrame - b.startFrame);
  for (const s of order) {
    const start = Math.max(cursor, Math.min(s.startFrame, totalFrames));
    const end = Math.min(s.endFrame, totalFrames);
    if (start > cursor) runs.push({ startFrame: cursor, endFrame: start, effects: [] });
    if (end > start) runs.push({ startFrame: start, endFrame: end, effects: s.effects });
    cursor = Math.max(cursor, end);
  }
  if (cursor < totalFrames) runs.push({ startFrame: cursor, endFrame: totalFrames, effects: [] });
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

function splitRun(run: FrameRun, pieces: number, align: number): FrameRun[] {
  const out: FrameRun[] = [];
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

function makeBatch(runs: FrameRun[]): Omit<Batch, 'index'> {
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

export function planBatches(segments: FrameRun[], options: BatchOptions): Batch[] {
  const { totalFrames, fps, workers } = options;
  if (!(totalFrames > 0)) throw new RangeError(`totalFrames must be > 0, got ${totalFrames}`);
  if (!(options.batchSeconds > 0)) throw new RangeError(`batchSeconds must be > 0, got ${options.batchSeconds}`);
  if (options.codecKeyframes) return planOnKeyframes(segments, options, options.codecKeyframes);
  const align = Math.max(1, Math.round(options.alignFrames ?? 1));
  const target = Math.max(1, Math.round(options.batchSeconds * fps));
  const minFrames = Math.max(1, Math.round((options.minSeconds ?? 1) * fps));

  const batches: Omit<Batch, 'index'>[] = [];
  let current: FrameRun[] = [];
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
  // Without the codec keyframes only the first batch's seek is known: none.
  return batches.map((b, index) => ({ ...b, index, ...(b.startFrame === 0 ? { seekFrames: 0 } : {}) }));
}

/** Dispatch order: longest first, so the pool finishes evenly. */
export function dispatchOrder(batches: Batch[]): Batch[] {
  return [...batches].sort((a, b) => length(b) - length(a) || a.index - b.index);
}

/** Seek frames of a cut at any frame: distance to the codec keyframe at or before it. */
export class SeekCost {
  private readonly keyframes: Int32Array;

  constructor(codecKeyframes: readonly number[], totalFrames: number) {
    const sorted = [...new Set(codecKeyframes.filter((f) => Number.isInteger(f) && f >= 0 && f < totalFrames))].sort((a, b) => a - b);
    // Decoding always starts at frame 0, whatever the flags say.
    if (sorted[0] !== 0) sorted.unshift(0);
    this.keyframes = Int32Array.from(sorted);
  }

  /** Frames decoded and thrown away to start decoding at `frame`. */
  at(frame: number): number {
    const k = this.keyframes;
    let lo = 0;
    let hi = k.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (k[mid] <= frame) lo = mid;
      else hi = mid - 1;
    }
    return frame - k[lo];
  }

  /** Codec keyframes in [from, to]. */
  between(from: number, to: number): number[] {
    const out: number[] = [];
    for (const f of this.keyframes) if (f >= from && f <= to) out.push(f);
    return out;
  }
}

/** The runs of `runs` clipped to [start, end). */
function slice(runs: FrameRun[], start: number, end: number): FrameRun[] {
  const out: FrameRun[] = [];
  for (const r of runs) {
    const s = Math.max(r.startFrame, start);
    const e = Math.min(r.endFrame, end);
    if (e > s) out.push({ ...r, startFrame: s, endFrame: e });
  }
  return out;
}

/**
 * Batches cut where seeking is free (see the header). Length target: cuts
 * about every `batchSeconds`, each chosen among the codec keyframes, the
 * segment boundaries and the ideal frame within half a target of the ideal,
 * minimising seekWeight x seekFrames + DRIFT_WEIGHT x |drift|. Then, while a
 * worker would be idle, the costliest batch (frames + weighted seek frames)
 * is split where the larger half plus the added seek costs least.
 */
function planOnKeyframes(segments: FrameRun[], options: BatchOptions, codecKeyframes: readonly number[]): Batch[] {
  const { totalFrames, fps, workers } = options;
  const weight = options.seekWeight ?? SEEK_WEIGHT;
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`seekWeight must be in [0, 1], got ${weight}`);
  const target = Math.max(1, Math.round(options.batchSeconds * fps));
  const minFrames = Math.max(1, Math.round((options.minSeconds ?? 1) * fps));
  const seek = new SeekCost(codecKeyframes, totalFrames);
  const runs = planRuns(segments, totalFrames);
  const boundaries = runs.slice(1).map((r) => r.startFrame);

  // Length target.
  const cuts: number[] = [0];
  let start = 0;
  while (totalFrames - start > 1.5 * target) {
    const pieces = Math.round((totalFrames - start) / target);
    const ideal = start + (totalFrames - start) / pieces;
    const lo = start + Math.ceil(target / 2);
    const hi = Math.max(lo, Math.min(Math.floor(ideal + target / 2), totalFrames - Math.ceil(target / 2)));
    const candidates = [...seek.between(lo, hi), ...boundaries.filter((f) => f >= lo && f <= hi), Math.min(hi, Math.max(lo, Math.round(ideal)))];
    let best = candidates[0];
    let bestScore = Infinity;
    for (const c of candidates) {
      const score = weight * seek.at(c) + DRIFT_WEIGHT * Math.abs(c - ideal);
      if (score < bestScore) [best, bestScore] = [c, score];
    }
    cuts.push(best);
    start = best;
  }
  cuts.push(totalFrames);
  const spans: [number, number][] = cuts.slice(1).map((end, i) => [cuts[i], end]);

  // Give every worker a batch: split the costliest where its larger half costs least.
  const cost = ([s, e]: [number, number]): number => e - s + weight * seek.at(s);
  while (spans.length < workers) {
    let worst = 0;
    for (let i = 1; i < spans.length; i++) if (cost(spans[i]) > cost(spans[worst])) worst = i;
    const [s, e] = spans[worst];
    let best = -1;
    let bestScore = Infinity;
    for (let c = s + minFrames; c <= e - minFrames; c++) {
      // Wall time (the larger half) plus the CPU the seek adds.
      const score = Math.max(cost([s, c]), cost([c, e])) + weight * seek.at(c);
      if (score < bestScore) [best, bestScore] = [c, score];
    }
    if (best < 0 || bestScore >= cost([s, e])) break;
    spans.splice(worst, 1, [s, best], [best, e]);
  }
  return spans.map(([s, e], index) => ({ index, startFrame: s, endFrame: e, runs: slice(runs, s, e), seekFrames: seek.at(s) }));
}

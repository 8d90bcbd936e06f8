// Hard-cut (scene change) detection from tiny decoded frames.
//
// Every frame is decoded at 64×36 RGB. Each frame gets a change score against
// the previous one: the mean of (a) the mean absolute pixel difference and
// (b) the distance between the two frames' colour histograms, both in 0..1.
// Motion raises (a) but barely (b); a cut raises both. A frame starts a new
// shot when its score is a local peak that stands far above the typical score
// around it (adaptive threshold: the median of the neighbouring ~2 s), so
// steady camera or subject motion does not read as cuts.
import { readFrames, type FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';

export const CUT_FRAME_WIDTH = 64;
export const CUT_FRAME_HEIGHT = 36;
const HIST_BINS = 16;

export interface CutOptions {
  /** A score must be at least this (0..1) to be a cut at all. */
  minScore?: number;
  /** …and at least `ratio` × the local median score plus `margin`. */
  ratio?: number;
  margin?: number;
}

export const CUT_DEFAULTS: Required<CutOptions> = { minScore: 0.1, ratio: 3, margin: 0.04 };

/** Change score between two RGB24 frames of equal size, in 0..1. */
export function changeScore(a: Uint8Array, b: Uint8Array): number {
  const pixels = a.length / 3;
  let absSum = 0;
  const ha = new Int32Array(3 * HIST_BINS);
  const hb = new Int32Array(3 * HIST_BINS);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    absSum += x > y ? x - y : y - x;
    const channel = (i % 3) * HIST_BINS;
    ha[channel + (x >> 4)]++;
    hb[channel + (y >> 4)]++;
  }
  let histDistance = 0;
  for (let k = 0; k < ha.length; k++) histDistance += Math.abs(ha[k] - hb[k]);
  // Each channel's histogram L1 distance is at most 2·pixels.
  const hist = histDistance / (3 * 2 * pixels);
  const mad = absSum / (a.length * 255);
  return (mad + hist) / 2;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Frame indices that start a new shot, from per-frame change scores
 * (`scores[i]` compares frame i with frame i−1; `scores[0]` is ignored).
 */
export function findCuts(scores: ArrayLike<number>, fps: number, options: CutOptions = {}): number[] {
  const { minScore, ratio, margin } = { ...CUT_DEFAULTS, ...options };
  const window = Math.max(5, Math.round(fps));
  const cuts: number[] = [];
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i];
    if (!(s >= minScore)) continue;
    // A peak: not beaten within two frames (ties go to the earlier frame).
    let peak = true;
    for (let j = Math.max(1, i - 2); j <= Math.min(scores.length - 1, i + 2) && peak; j++) {
      if (j !== i && (scores[j] > s || (scores[j] === s && j < i))) peak = false;
    }
    if (!peak) continue;
    const around: number[] = [];
    for (let j = Math.max(1, i - window); j <= Math.min(scores.length - 1, i + window); j++) if (j !== i) around.push(scores[j]);
    if (s >= ratio * median(around) + margin) cuts.push(i);
  }
  return cuts;
}

export interface CutDetection {
  /** Frame indices where a new shot starts (never 0). */
  cuts: number[];
  /** Per-frame change scores (index 0 is 0). */
  scores: Float32Array;
  /** Frames decoded (should equal the probe's frame count). */
  frames: number;
}

/** Decodes every frame small and finds the hard cuts. */
export async function detectCuts(
  probe: Pick<ProbeInfo, 'file' | 'fps' | 'frames'>,
  paths: FfmpegPaths,
  options: CutOptions = {},
  /** Aborting kills the decoder; the promise rejects with the signal's reason. */
  signal?: AbortSignal,
): Promise<CutDetection> {
  let scores = new Float32Array(Math.max(1, probe.frames));
  let previous: Uint8Array | undefined;
  const decoded = await readFrames(
    {
      input: probe.file,
      paths,
      width: CUT_FRAME_WIDTH,
      height: CUT_FRAME_HEIGHT,
      pixFmt: 'rgb24',
      // One output frame per decoded frame: indices stay on the input's frame grid.
      outputOptions: ['-vsync', 'passthrough'],
      // Area averaging smooths noise and grain away before comparing.
      scaleFlags: 'area',
      signal,
    },
    (frame, index) => {
      if (index >= scores.length) {
        const grown = new Float32Array(scores.length * 2);
        grown.set(scores);
        scores = grown;
      }
      if (previous) scores[index] = changeScore(previous, frame);
      else previous = new Uint8Array(frame.length);
      previous.set(frame);
    },
  );
  const trimmed = scores.subarray(0, decoded);
  return { cuts: findCuts(trimmed, probe.fps, options), scores: trimmed, frames: decoded };
}

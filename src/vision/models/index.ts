// The one entry point the analysis stage calls: load the user's models once per run
// (validating every file and signature up front), then find the prompt's subject per keyframe.
import { existsSync } from 'node:fs';
import { YoloDetector, type Candidate } from './detector.js';
import { ModelFileError } from './errors.js';
import { checkRgbImage, cropRgb, boxToPixelRect, type RgbImage } from './rgb-resample.js';
import { ClipRanker, resolveClipLayout } from './ranker.js';
import { Segmenter, SEGMENTER_PRESETS } from './segmenter.js';
import { modelLoadCounts } from './load-counts.js';
import { checkModelFile } from './session.js';

import type { ModelPaths, SubjectFinding, SubjectModels } from './types.js';

export type { ModelPaths, RgbImage, SegmenterPreset, SubjectFinding, SubjectModels } from './types.js';
export { ModelFileError } from './errors.js';
export { modelLoadCounts };

/** At most this many candidates (highest detector score first) are embedded per keyframe. */
export const MAX_RANKED_CANDIDATES = 12;

/** What loadSubjectModels() really returns (the public type hides the sessions). */
export interface LoadedModels extends SubjectModels {
  readonly detector?: YoloDetector;
  readonly ranker?: ClipRanker;
  readonly segmenter?: Segmenter;
}

interface ModelState extends LoadedModels {
  released: boolean;
}

export async function loadSubjectModels(paths: ModelPaths, prompt: string, options: { threads?: number } = {}): Promise<LoadedModels> {
  if (!paths.detector && !paths.ranker && !paths.segmenter) throw new RangeError('loadSubjectModels: no model given (detector, ranker or segmenter)');
  if (paths.ranker && !paths.detector) {
    throw new RangeError(`ranker ${paths.ranker}: a ranker needs a detector (it ranks the detector's candidates); give --detector too`);
  }
  const preset = paths.segmenterPreset ?? 'u2net';
  if (!SEGMENTER_PRESETS.includes(preset)) throw new RangeError(`segmenterPreset must be one of ${SEGMENTER_PRESETS.join(', ')} (got ${String(preset)})`);
  if (paths.ranker && !prompt.trim()) throw new RangeError('ranker: the subject prompt is empty; the ranker needs words to match crops against');
  // Every file is checked before any session is created, so a typo fails fast.
  if (paths.detector) checkModelFile(paths.detector, 'detector');
  if (paths.segmenter) checkModelFile(paths.segmenter, 'segmenter');
  if (paths.ranker) {
    const layout = resolveClipLayout(paths.ranker);
    if (!existsSync(layout.tokenizer)) throw new ModelFileError(layout.tokenizer, 'tokenizer.json is missing (expected the Hugging Face tokenizer.json of the CLIP model next to the onnx/ folder)');
  }
  const context = { threads: options.threads, executionProvider: paths.executionProvider, tally: {} as Record<string, number> };
  const names: string[] = [];
  let detector: YoloDetector | undefined;
  let ranker: ClipRanker | undefined;
  let segmenter: Segmenter | undefined;
  try {
    if (paths.detector) {
      detector = await YoloDetector.load(paths.detector, context);
      names.push('detector');
    }
    if (paths.ranker) {
      ranker = await ClipRanker.load(paths.ranker, prompt, context);
      names.push('ranker');
    }
    if (paths.segmenter) {
      segmenter = await Segmenter.load(paths.segmenter, preset, context);
      names.push('segmenter');
    }
  } catch (err) {
    const ignore = () => undefined;
    await Promise.all([detector?.release().catch(ignore), ranker?.release().catch(ignore), segmenter?.release().catch(ignore)]);
    throw err;
  }
  const state: ModelState = { loads: context.tally, names, prompt, detector, ranker, segmenter, released: false };
  return state;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Highest-scoring candidate whose class name shares a word with the prompt, else the highest. */
export function pickByLabel(candidates: readonly Candidate[], prompt: string): Candidate | undefined {
  const wanted = new Set(words(prompt));
  const matches = (label: string): boolean => words(label).some((w) => wanted.has(w) || wanted.has(`${w}s`) || wanted.has(`${w}es`));
  let best: Candidate | undefined;
  let bestMatches = false;
  for (const c of candidates) {
    const m = matches(c.label);
    if (!best || (m && !bestMatches) || (m === bestMatches && c.score > best.score)) {
      best = c;
      bestMatches = m;
    }
  }
  return best;
}

/**
 * The candidate nearest `near` (x, y, w, h in image pixels; w = h = 0 for a point): the largest
 * overlap, then the one `near`'s centre is in or closest to, then the closest centre.
 */
export function pickNearest(candidates: readonly Candidate[], near: readonly [number, number, number, number]): Candidate | undefined {
  const [nx, ny, nw, nh] = near;
  const cx = nx + nw / 2;
  const cy = ny + nh / 2;
  const overlap = (b: Candidate['box']): number => {
    const iw = Math.min(b[0] + b[2], nx + nw) - Math.max(b[0], nx);
    const ih = Math.min(b[1] + b[3], ny + nh) - Math.max(b[1], ny);
    return iw > 0 && ih > 0 ? (iw * ih) / (b[2] * b[3] + nw * nh - iw * ih) : 0;
  };
  const toBox = (b: Candidate['box']): number => Math.hypot(Math.max(b[0] - cx, 0, cx - b[0] - b[2]), Math.max(b[1] - cy, 0, cy - b[1] - b[3]));
  const toCentre = (b: Candidate['box']): number => Math.hypot(b[0] + b[2] / 2 - cx, b[1] + b[3] / 2 - cy);
  let best: Candidate | undefined;
  let key: number[] = [];
  for (const c of candidates) {
    const k = [-overlap(c.box), toBox(c.box), toCentre(c.box)];
    const better = !best || k[0] < key[0] || (k[0] === key[0] && (k[1] < key[1] || (k[1] === key[1] && k[2] < key[2])));
    if (better) [best, key] = [c, k];
  }
  return best;
}

/** Tight box around mask values ≥ 128, or undefined when the mask is empty. */
export function maskBox(mask: Uint8Array, width: number, height: number): [number, number, number, number] | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] >= 128) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

/**
 * `near` (a subject seed, or where the seeded subject was last found; image pixels): the detection
 * nearest it is the subject, instead of the ranker's or the prompt's pick.
 */
export async function findSubject(models: SubjectModels, image: RgbImage, options: { near?: [number, number, number, number] } = {}): Promise<SubjectFinding | undefined> {
  if ((models as ModelState).released) throw new Error('findSubject: the models were released');
  checkRgbImage(image);
  const { detector, ranker, segmenter } = models as ModelState;
  if (!detector) {
    if (!segmenter) return undefined;
    const mask = await segmenter.mask(image);
    const box = maskBox(mask, image.width, image.height);
    if (!box) return undefined;
    let sum = 0;
    for (let y = box[1]; y < box[1] + box[3]; y++) for (let x = box[0]; x < box[0] + box[2]; x++) sum += mask[y * image.width + x];
    return { box, score: sum / (box[2] * box[3] * 255), mask };
  }
  const detection = await detector.detect(image);
  const candidates = detection.candidates;
  if (candidates.length === 0) return undefined;
  let chosen: Candidate | undefined;
  let similarity: number | undefined;
  let probability: number | undefined;
  if (options.near) {
    chosen = pickNearest(candidates, options.near);
  } else if (ranker) {
    const top = candidates.slice(0, MAX_RANKED_CANDIDATES);
    const crops = top.map((c) => {
      const r = boxToPixelRect(c.box, image.width, image.height);
      return cropRgb(image, r.x, r.y, r.w, r.h);
    });
    const ranking = await ranker.rank(crops);
    chosen = top[ranking.best];
    similarity = ranking.cosine[ranking.best];
    probability = ranking.probability[ranking.best];
  } else {
    chosen = pickByLabel(candidates, models.prompt);
  }
  if (!chosen) return undefined;
  const mask = segmenter ? await segmenter.maskInBox(image, chosen.box) : detector.maskFor(detection, chosen);
  return { box: chosen.box, score: chosen.score, label: chosen.label, mask, similarity, probability, candidates: candidates.length };
}

export async function releaseSubjectModels(models: SubjectModels): Promise<void> {
  const state = models as ModelState;
  if (state.released) return;
  state.released = true;
  await Promise.all([state.detector?.release(), state.ranker?.release(), state.segmenter?.release()]);
}


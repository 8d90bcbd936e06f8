// Adaptive keyframes for model analysis: the model runs on base keyframes
// (every ADAPTIVE.baseSeconds), and more keyframes go where the render's
// interpolation between two keyframes would not follow the subject. The
// signal is cheap and needs no model: at each candidate frame between two
// keyframes (decoded every ADAPTIVE.candidateSeconds anyway), each keyframe's
// subject pixels are moved the way the render moves its mask (the box map of
// docs/atlas.md) and compared with the candidate's pixels there. Where the
// subject turned, changed shape or left the straight path, those pixels no
// longer match. The worst candidate of the worst interval gets a model run,
// recursively, while a budget of inferences per second of video lasts, so a
// static shot costs one model run per base interval and fast motion more.
import type { Keyframe } from '../media/keyframes.js';
import { resizeArea } from './image-ops.js';
import { motionBetween, type MotionSample } from './mask-motion.js';
import type { Box } from './temporal-smoothing.js';

export type KeyframeSchedule = 'fixed' | 'adaptive';
export const KEYFRAME_SCHEDULES: readonly KeyframeSchedule[] = ['fixed', 'adaptive'];

export const ADAPTIVE = {
  /** Seconds between the keyframes the model always runs on. */
  baseSeconds: 2,
  /** Seconds between candidate frames (the finest keyframe spacing). */
  candidateSeconds: 0.125,
  /** Model runs per second of video, on average, at most (base keyframes included). */
  inferencesPerSecond: 2,
  /** Interpolation mismatch (0..1) above which a candidate gets a model run. */
  threshold: 0.1,
  /** Gray levels (0..255) two pixels may differ by and still match (noise, compression, light). */
  pixelTolerance: 24,
} as const;

/** Candidate spacing and base spacing in frames (the base a multiple of the candidate step). */
export function adaptiveSteps(fps: number): { candidateStep: number; baseStep: number } {
  const candidateStep = Math.max(1, Math.round(ADAPTIVE.candidateSeconds * fps));
  const perBase = Math.max(1, Math.round(ADAPTIVE.baseSeconds / (candidateStep / fps)));
  return { candidateStep, baseStep: candidateStep * perBase };
}

/** Whether the model always runs on `frame` in the adaptive schedule: every baseStep frames from the start, and the last. */
function isAdaptiveBase(frame: number, startFrame: number, endFrame: number, baseStep: number): boolean {
  return (frame - startFrame) % baseStep === 0 || frame === endFrame - 1;
}

/** The base keyframes of the adaptive schedule over frames [startFrame, endFrame) (the model always runs there), in frame order. */
export function adaptiveBaseFrames(endFrame: number, fps: number, startFrame = 0): number[] {
  const { baseStep } = adaptiveSteps(fps);
  const out: number[] = [];
  for (let f = startFrame; f < endFrame; f++) if (isAdaptiveBase(f, startFrame, endFrame, baseStep)) out.push(f);
  return out;
}

/** A frame the model ran on, as the schedule needs it. */
export interface ScheduledKeyframe {
  frame: number;
  /** Normalised x, y, w, h; undefined when the model found nothing. */
  box?: Box;
  /** Mask at mask resolution, 0..255. */
  mask?: Uint8Array;
}

/** A candidate's pixels at mask resolution, gray. */
interface Candidate {
  frame: number;
  gray: Uint8Array;
  keyframe: Keyframe;
}

/** A decoded frame as gray pixels at mask resolution (what the signal and the motion fields compare). */
export function grayAt(kf: Keyframe, mw: number, mh: number): Uint8Array {
  const rgb = resizeArea(kf.data, kf.width, kf.height, mw, mh, 3);
  const out = new Uint8Array(mw * mh);
  for (let i = 0; i < out.length; i++) out[i] = (rgb[3 * i] + 2 * rgb[3 * i + 1] + rgb[3 * i + 2] + 2) >> 2;
  return out;
}

/**
 * Fraction (0..1) of keyframe `k`'s subject pixels that do not match `gray` once
 * moved by the render's map from the box interpolated at `t` onto k's box.
 */
function movedMismatch(k: { box: Box; mask: Uint8Array; gray: Uint8Array }, at: Box, gray: Uint8Array, mw: number, mh: number): number {
  const [kx, ky, kw, kh] = k.box;
  const [tx, ty, tw, th] = at;
  if (!(kw > 0 && kh > 0 && tw > 0 && th > 0)) return 0;
  const sx = kw / tw;
  const sy = kh / th;
  // Mask column i reads keyframe column (ck - ct * s) * mw + (i + 0.5) * s - 0.5 (docs/atlas.md).
  const x0 = (kx + kw / 2 - (tx + tw / 2) * sx) * mw - 0.5;
  const y0 = (ky + kh / 2 - (ty + th / 2) * sy) * mh - 0.5;
  let subject = 0;
  let wrong = 0;
  for (let j = 0; j < mh; j++) {
    const yk = Math.round(y0 + (j + 0.5) * sy);
    if (yk < 0 || yk >= mh) continue;
    for (let i = 0; i < mw; i++) {
      const xk = Math.round(x0 + (i + 0.5) * sx);
      if (xk < 0 || xk >= mw) continue;
      const p = yk * mw + xk;
      if (k.mask[p] < 128) continue;
      subject++;
      if (Math.abs(k.gray[p] - gray[j * mw + i]) > ADAPTIVE.pixelTolerance) wrong++;
    }
  }
  return subject ? wrong / subject : 0;
}

type Known = ScheduledKeyframe & { gray: Uint8Array };

function boxPixels([x, y, w, h]: Box, mw: number, mh: number): Uint8Array {
  const out = new Uint8Array(mw * mh);
  for (let j = Math.max(0, Math.floor(y * mh)); j < Math.min(mh, Math.ceil((y + h) * mh)); j++) out.fill(255, j * mw + Math.max(0, Math.floor(x * mw)), j * mw + Math.min(mw, Math.ceil((x + w) * mw)));
  return out;
}

/**
 * How far the render's interpolation between keyframes `a` and `b` misses the
 * subject at candidate `c` (0..1): each keyframe's mismatch, weighted as the
 * render blends them. A subject found at one end only counts as a full miss.
 */
export function interpolationMismatch(a: Known, b: Known, c: { frame: number; gray: Uint8Array }, mw: number, mh: number): number {
  const t = (c.frame - a.frame) / (b.frame - a.frame);
  if (!a.box || !b.box || !a.mask || !b.mask) return a.box || b.box ? 1 : 0;
  const at = a.box.map((v, j) => v + ((b.box as Box)[j] - v) * t) as Box;
  return (1 - t) * movedMismatch({ box: a.box, mask: a.mask, gray: a.gray }, at, c.gray, mw, mh) + t * movedMismatch({ box: b.box, mask: b.mask, gray: b.gray }, at, c.gray, mw, mh);
}

export interface AdaptiveOptions<K extends ScheduledKeyframe> {
  fps: number;
  /** End (exclusive) of the frames analysed: the input's grid, or a span of it (the last one is always a keyframe). */
  frames: number;
  /** First frame analysed (default 0): base keyframes count from it. */
  startFrame?: number;
  maskWidth: number;
  maskHeight: number;
  /** Runs the model on one frame. */
  infer: (kf: Keyframe) => Promise<K>;
  /** Told of each keyframe's frame, in frame order, once its interval is settled (e.g. for the model-free finder). */
  onSettled?: (kf: Keyframe) => void;
}

/**
 * Takes every candidate frame in order (`add`), runs the model on the base
 * keyframes and on the candidates the signal picks, and lists the keyframes
 * (`keyframes`, in frame order) after `finish`. Memory: the candidates of one
 * base interval.
 */
export class AdaptiveKeyframes<K extends ScheduledKeyframe = ScheduledKeyframe> {
  readonly #o: AdaptiveOptions<K>;
  readonly #steps: { candidateStep: number; baseStep: number };
  #window: Candidate[] = [];
  #start: Known | undefined;
  #tokens = 0;
  #lastBase = 0;
  readonly #done: K[] = [];
  readonly #motion = new Map<number, MotionSample[]>();

  constructor(options: AdaptiveOptions<K>) {
    this.#o = options;
    this.#steps = adaptiveSteps(options.fps);
    this.#lastBase = options.startFrame ?? 0;
  }

  get keyframes(): K[] {
    return [...this.#done].sort((p, q) => p.frame - q.frame);
  }

  /**
   * Motion samples (mask-motion.ts) per keyframe interval, by the frame of its first
   * keyframe: tracked through the candidates decoded between the two keyframes.
   * Intervals where either keyframe has no subject have none.
   */
  get motion(): ReadonlyMap<number, MotionSample[]> {
    return this.#motion;
  }

  async add(kf: Keyframe): Promise<void> {
    const { maskWidth: mw, maskHeight: mh } = this.#o;
    const candidate: Candidate = { frame: kf.frame, gray: grayAt(kf, mw, mh), keyframe: kf };
    const isBase = isAdaptiveBase(kf.frame, this.#o.startFrame ?? 0, this.#o.frames, this.#steps.baseStep);
    if (!isBase) {
      this.#window.push(candidate);
      return;
    }
    // Tokens accrue with video time and every model run spends one (base runs may overdraw), so the
    // runs stay within inferencesPerSecond × the video's length; at most two base intervals' worth is saved up.
    const seconds = (kf.frame - this.#lastBase) / this.#o.fps;
    this.#tokens = Math.min(this.#tokens + seconds * ADAPTIVE.inferencesPerSecond, 2 * ADAPTIVE.baseSeconds * ADAPTIVE.inferencesPerSecond);
    this.#lastBase = kf.frame;
    const end = await this.#run(candidate);
    if (this.#start) {
      const mids = await this.#refine(this.#start, end, this.#window);
      this.#track([this.#start, ...mids, end], this.#window);
    }
    this.#o.onSettled?.(kf);
    this.#start = end;
    this.#window = [];
  }

  async #run(c: Candidate): Promise<Known> {
    this.#tokens -= 1;
    const found = await this.#o.infer(c.keyframe);
    this.#done.push(found);
    // A detector alone gives a box and no mask: its pixels stand for the subject in the signal.
    const mask = found.mask ?? (found.box ? boxPixels(found.box, this.#o.maskWidth, this.#o.maskHeight) : undefined);
    return { ...found, mask, gray: c.gray };
  }

  /** Motion samples of each interval between consecutive `keys` (in frame order) from the candidates between them. */
  #track(keys: Known[], candidates: Candidate[]): void {
    const { maskWidth: mw, maskHeight: mh } = this.#o;
    for (let i = 0; i + 1 < keys.length; i++) {
      const [a, b] = [keys[i], keys[i + 1]];
      const samples = motionBetween(a, b, candidates.filter((c) => c.frame > a.frame && c.frame < b.frame), mw, mh);
      if (samples) this.#motion.set(a.frame, samples);
    }
  }

  /** Splits [a, b] at its worst candidates while they miss and the budget lasts; returns the keyframes added, in frame order. */
  async #refine(a: Known, b: Known, candidates: Candidate[]): Promise<Known[]> {
    const { maskWidth: mw, maskHeight: mh } = this.#o;
    interface Span { a: Known; b: Known; inside: Candidate[]; worst: number; at: number }
    const measure = (a: Known, b: Known, inside: Candidate[]): Span => {
      let worst = 0;
      let at = -1;
      inside.forEach((c, i) => {
        const m = interpolationMismatch(a, b, c, mw, mh);
        if (m > worst) [worst, at] = [m, i];
      });
      return { a, b, inside, worst, at };
    };
    const spans = [measure(a, b, candidates)];
    const settled: Keyframe[] = [];
    const mids: Known[] = [];
    for (;;) {
      spans.sort((p, q) => q.worst - p.worst);
      const s = spans[0];
      if (!s || s.at < 0 || s.worst <= ADAPTIVE.threshold || this.#tokens < 1) break;
      spans.shift();
      const c = s.inside[s.at];
      const mid = await this.#run(c);
      settled.push(c.keyframe);
      mids.push(mid);
      spans.push(measure(s.a, mid, s.inside.slice(0, s.at)), measure(mid, s.b, s.inside.slice(s.at + 1)));
    }
    settled.sort((p, q) => p.frame - q.frame).forEach((kf) => this.#o.onSettled?.(kf));
    return mids.sort((p, q) => p.frame - q.frame);
  }
}

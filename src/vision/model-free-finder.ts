// The finder used when no model is given. Per keyframe, a saliency map: colour
// distance from the frame's background colours plus change against a
// temporal-median background. Its compact regions are candidates; one track
// through them (same colour, size and a plausible path) is chosen over all
// keyframes; the track's colours against the rest of the video give a colour
// model that cuts the subject out of what touches it or moves like it (a busy
// background has many moving parts, the subject is the one that stays itself).
// Works at a small internal size (long side 192). The per-keyframe pixel work
// (Lab, saliency, colour bins, region labelling) runs in the native addon
// (finder-kernel.ts); it is done as keyframes arrive, so only a window of
// keyframes is held as Lab and the work overlaps the decoder.
import { boxBlur, quantile, resizeArea } from './image-ops.js';
import { COLOUR_BIN_COUNT, consistentHistogram, objectLikelihood } from './saliency.js';
import { NativeFinderKernel, REGION_HEAD, REGION_STRIDE, type FinderKernelOps } from './finder-kernel.js';
import { solidify } from './mask-shape.js';
import { reducedSize } from '../media/keyframes.js';
import type { FinderSeed } from './subject-seed.js';

export const MODEL_FREE_WORK_LONG_SIDE = 192;

export interface FinderImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface FinderFrame {
  /** x, y, w, h normalised to 0..1. */
  box: [number, number, number, number];
  score: number;
  /** Soft mask 0..1 at the finder's internal size. */
  mask: Float32Array;
  /** false when nothing stood out (the box is then interpolated from neighbours). */
  found: boolean;
}

export interface ModelFreeResult {
  width: number;
  height: number;
  frames: FinderFrame[];
}

export interface ModelFreeFinderOptions {
  workLongSide?: number;
  /** The pixel kernel for a working size (default: the native addon's; tests pass the TS reference). */
  kernel?: (width: number, height: number) => FinderKernelOps;
  /**
   * Keep every keyframe's Lab and do all the work in finish(), for callers that
   * may never call it (analysis with models, which needs the finder only when
   * the models find nothing). Default false: the work is done as keyframes arrive.
   */
  deferred?: boolean;
  /** The user's pick (subject-seed.ts): the track goes through the region at or nearest it, and is followed closely. */
  seed?: FinderSeed;
  /**
   * Hand each keyframe's mask out during add(), with a fixed lag, and keep no
   * per-keyframe map for longer (memory bounded for any input length): masks
   * come out in runs of `lag` keyframes once `lag` more keyframes are in, and
   * the track and the colour model of a run see `lag` keyframes either side.
   * An input of fewer than 2 × lag keyframes gets exactly the masks of one
   * decision over all keyframes. finishMasks then hands out the rest here.
   */
  onMask?: (k: number, mask: Float32Array) => void;
  /** Keyframes of look-ahead and look-back of the fixed-lag decision (default FIXED_LAG). */
  lag?: number;
}

/** 16 keyframes: 8 s at the default interval, far beyond what the track and the colour model need to settle. */
export const FIXED_LAG = 16;

// Keyframe offsets that make up the temporal background of a keyframe: near
// and far ones, so a slow subject is absent from most of them.
const BACKGROUND_OFFSETS = [-1, 1, -3, 3, -6, 6];
const REACH = Math.max(...BACKGROUND_OFFSETS);
const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const smoothstep = (a: number, b: number, v: number): number => {
  const t = clamp01((v - a) / (b - a));
  return t * t * (3 - 2 * t);
};

/** One labelled region of a thresholded saliency map (its pixels stay in the kernel's members buffer). */
interface Region {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Pixel count. */
  size: number;
  /** Saliency summed over the region. */
  mass: number;
  /** Saliency-weighted sums of L, a, b (0 when labelled without Lab). */
  sums: [number, number, number];
  /** Offset of its pixels in the members buffer. */
  offset: number;
}

export class ModelFreeFinder {
  // Packed Lab per keyframe; entries no later keyframe needs are released (undefined) unless deferred.
  private readonly labs: (Int16Array | undefined)[] = [];
  private readonly spare: Int16Array[] = [];
  private readonly saliencies: Float32Array[] = [];
  private readonly bins: Uint16Array[] = [];
  private readonly candidates: Candidate[][] = [];
  /** Keyframes analysed (saliency, bins and candidates made). */
  private analysed = 0;
  /** Keyframes whose masks are out; their maps are released. */
  private emitted = 0;
  /** The track's colour statistics of emitted keyframes within `lag` of the next run (the colour model's look-back). */
  private readonly trackColours = new Map<number, TrackColours>();
  private readonly viterbi = new TrackSearch();
  private readonly frames: Omit<FinderFrame, 'mask'>[] = [];
  private emit?: (k: number, mask: Float32Array) => void;
  private readonly lag: number;
  private size?: { width: number; height: number };
  private kernel?: FinderKernelOps;
  private members = new Int32Array(0);
  private stats = new Float64Array(0);
  private readonly workLongSide: number;
  private readonly kernelFor: (width: number, height: number) => FinderKernelOps;
  private readonly deferred: boolean;
  private finished = false;
  private readonly seed?: FinderSeed;

  constructor(options: ModelFreeFinderOptions = {}) {
    this.workLongSide = options.workLongSide ?? MODEL_FREE_WORK_LONG_SIDE;
    this.kernelFor = options.kernel ?? ((w, h) => new NativeFinderKernel(w, h));
    this.deferred = options.deferred ?? false;
    this.seed = options.seed;
    this.emit = options.onMask;
    this.lag = options.lag ?? FIXED_LAG;
    if (!(Number.isInteger(this.lag) && this.lag >= 1)) throw new RangeError(`model-free finder: lag must be a positive integer, got ${this.lag}`);
  }

  /** Adds the next keyframe (any size; all keyframes must share one size). */
  add(image: FinderImage): void {
    if (!this.size) {
      this.size = reducedSize(image.width, image.height, this.workLongSide);
      const { width, height } = this.size;
      this.kernel = this.kernelFor(width, height);
      this.members = new Int32Array(width * height);
      this.stats = new Float64Array(REGION_HEAD + this.kernel.maxRegions * REGION_STRIDE);
    }
    const { width, height } = this.size;
    const small = image.width === width && image.height === height ? image.data : resizeArea(image.data, image.width, image.height, width, height);
    const lab = this.spare.pop() ?? new Int16Array(3 * width * height);
    (this.kernel as FinderKernelOps).lab(small, lab);
    this.labs.push(lab);
    // Keyframe k has all its temporal neighbours once k + REACH is in.
    if (!this.deferred && this.labs.length > REACH) this.analyseKeyframe(this.labs.length - 1 - REACH);
    // A run of `lag` keyframes is final once `lag` keyframes after it are analysed (and, with a seed,
    // once the keyframe it names has `lag` after it too, so the forced candidate is the one it would be).
    const seedReady = !this.seed || this.analysed > this.seed.keyframe + this.lag;
    while (this.emit && !this.deferred && seedReady && this.analysed - this.emitted >= 2 * this.lag) this.emitRun(this.emitted + this.lag);
  }

  get count(): number {
    return this.labs.length;
  }

  /** The working size (set by the first keyframe). */
  get width(): number {
    return this.size?.width ?? 0;
  }

  get height(): number {
    return this.size?.height ?? 0;
  }

  /** Saliency, candidates and colour bins of keyframe k, from the keyframes added so far. */
  private analyseKeyframe(k: number): void {
    const kernel = this.kernel as FinderKernelOps;
    const n = kernel.width * kernel.height;
    const lab = this.labs[k] as Int16Array;
    const others = BACKGROUND_OFFSETS.map((d) => k + d)
      .filter((j) => j >= 0 && j < this.labs.length)
      .map((j) => this.labs[j] as Int16Array);
    const sal = new Float32Array(n);
    kernel.saliency(lab, others, sal);
    this.saliencies[k] = sal;
    this.candidates[k] = this.candidatesOf(sal, lab);
    const kb = new Uint16Array(n);
    kernel.bins(lab, kb);
    this.bins[k] = kb;
    this.analysed = k + 1;
    // No later keyframe looks back further than REACH.
    const drop = k - REACH;
    if (!this.deferred && drop >= 0) {
      this.spare.push(this.labs[drop] as Int16Array);
      this.labs[drop] = undefined;
    }
  }

  /** Regions of `sal` at or above `threshold`, in raster order of their first pixel. */
  private label(sal: Float32Array, threshold: number, lab?: Int16Array): { regions: Region[]; totalMass: number } {
    const count = (this.kernel as FinderKernelOps).regions(sal, threshold, lab, this.members, this.stats);
    const st = this.stats;
    const regions: Region[] = [];
    for (let r = 0; r < count; r++) {
      const o = REGION_HEAD + r * REGION_STRIDE;
      regions.push({ size: st[o], minX: st[o + 1], minY: st[o + 2], maxX: st[o + 3], maxY: st[o + 4], mass: st[o + 5], sums: [st[o + 6], st[o + 7], st[o + 8]], offset: st[o + 9] });
    }
    return { regions, totalMass: st[1] };
  }

  finish(): ModelFreeResult {
    if (this.emitted > 0 && !this.finished) throw new Error('model-free finder: masks were already handed to onMask; call finishMasks');
    const masks: Float32Array[] = [];
    const r = this.finishMasks((k, mask) => (masks[k] = mask));
    return { width: r.width, height: r.height, frames: r.frames.map((f, k) => ({ ...f, mask: masks[k] })) };
  }

  /**
   * finish(), handing each keyframe's mask to `onMask` as soon as it is made
   * and keeping none, and releasing each keyframe's saliency and bins once
   * used: memory falls as masks are made (the caller stores them smaller).
   * With the onMask option, the masks not out yet come here. Either finish may be called once.
   */
  finishMasks(onMask: (k: number, mask: Float32Array) => void): { width: number; height: number; frames: Omit<FinderFrame, 'mask'>[] } {
    if (!this.size || this.labs.length === 0) throw new Error('model-free finder: no keyframes were added');
    if (this.finished) throw new Error('model-free finder: finish was already called');
    this.finished = true;
    const count = this.labs.length;

    // Pass 1: saliency and candidate regions of the keyframes not done yet (the last REACH, or all when deferred).
    for (let k = this.deferred ? 0 : Math.max(0, count - REACH); k < count; k++) {
      if (!this.saliencies[k]) this.analyseKeyframe(k);
    }
    this.labs.fill(undefined);
    this.spare.length = 0;
    this.emit = onMask;
    this.emitRun(count);
    fillMissingBoxes(this.frames);
    return { width: this.width, height: this.height, frames: this.frames };
  }

  /**
   * Masks of keyframes emitted..end-1, from what is analysed so far: the
   * track through all analysed keyframes (the committed part kept), and the
   * colour model of the track within `lag` keyframes either side of the run.
   * Their maps are released after.
   */
  private emitRun(end: number): void {
    const { width: w, height: h } = this.size as { width: number; height: number };
    const n = w * h;
    const diag = Math.hypot(w, h);
    const start = this.emitted;
    const { saliencies, candidates, bins } = this;

    // Pass 2: one candidate per keyframe, as the most consistent track.
    if (!this.viterbi.started) this.viterbi.start(this.seed && seededCandidate(candidates, this.seed, w, h));
    this.viterbi.extend(candidates, this.analysed, diag);
    const path = this.viterbi.path(start, this.analysed);

    // Pass 3: the track's colours against everything else's, to cut the
    // subject out of what touches it and to drop salient things of other colours.
    const stats: TrackColours[] = [];
    for (let j = Math.max(0, start - this.lag); j < Math.min(this.analysed, end + this.lag); j++) {
      const c = j < start ? this.trackColours.get(j) : path[j - start] >= 0 ? this.colourStats(j, candidates[j][path[j - start]]) : undefined;
      if (!c) continue;
      stats.push(c);
      if (j >= start && j < end) this.trackColours.set(j, c);
    }
    const colour = colourModel(stats);

    const empty = new Float32Array(0);
    for (let k = start; k < end; k++) {
      const chosen = path[k - start];
      const base = saliencies[k];
      const prior = chosen >= 0 ? candidates[k][chosen] : undefined;
      const kb = bins[k];
      const any = candidates[k].length > 0;
      saliencies[k] = empty;
      bins[k] = new Uint16Array(0);
      candidates[k] = [];
      let region: ReturnType<ModelFreeFinder['pickRegion']>;
      let sal = base;
      let like: Float32Array | undefined;
      if (any) {
        if (colour) {
          sal = new Float32Array(n);
          like = new Float32Array(n);
          for (let i = 0; i < n; i++) like[i] = colour.likelihood[kb[i]];
          boxBlur(like, w, h, 1);
          for (let i = 0; i < n; i++) sal[i] = base[i] * (1 - colour.weight + colour.weight * smoothstep(0.25, 0.65, like[i]));
        }
        region = this.pickRegion(sal, prior, diag);
      }
      const emit = this.emit as (k: number, mask: Float32Array) => void;
      if (!region) {
        this.frames.push({ box: [0, 0, 1, 1], score: 0, found: false });
        emit(k, new Float32Array(n));
        continue;
      }
      const { minX, minY, maxX, maxY } = region;
      this.frames.push({ box: [minX / w, minY / h, (maxX - minX + 1) / w, (maxY - minY + 1) / h], score: region.score, found: true });
      // A part of the subject in a colour the background also has (an orange suit by an orange
      // cup) is cut by the colour model; it may join the mask where it touches it (solidify)
      // if it is clearly salient without the model and its colour is not one the subject never shows.
      let grow: Uint8Array | undefined;
      if (like) {
        grow = new Uint8Array(n);
        const level = GROW_LEVEL * region.threshold;
        for (let i = 0; i < n; i++) grow[i] = base[i] >= level && like[i] >= GROW_MIN_LIKELIHOOD ? 1 : 0;
      }
      emit(k, softMask(sal, w, h, region.threshold, [minX, minY, maxX, maxY], grow));
    }
    this.emitted = end;
    // The next run looks back `lag` keyframes from `end`; the track search no further than `end`.
    for (const j of this.trackColours.keys()) if (j < end - this.lag) this.trackColours.delete(j);
    this.viterbi.forget(end);
  }

  /** The tracked region's saliency-weighted colours in keyframe k, and the colours of all pixels away from it. */
  private colourStats(k: number, c: Candidate): TrackColours {
    const { width: w, height: h } = this.size as { width: number; height: number };
    const kb = this.bins[k];
    const sal = this.saliencies[k];
    const hist = new Float64Array(COLOUR_BIN_COUNT);
    for (const p of c.pixels) hist[kb[p]] += sal[p];
    const background = new Uint32Array(COLOUR_BIN_COUNT);
    const pad = 2 + Math.round(0.25 * Math.max(c.maxX - c.minX, c.maxY - c.minY));
    for (let y = 0; y < h; y++) {
      const insideY = y >= c.minY - pad && y <= c.maxY + pad;
      for (let x = 0; x < w; x++) {
        if (insideY && x >= c.minX - pad && x <= c.maxX + pad) continue;
        background[kb[y * w + x]]++;
      }
    }
    return { hist, background };
  }

  /** Salient regions of a keyframe, strongest first (at most MAX_CANDIDATES). */
  private candidatesOf(sal: Float32Array, lab: Int16Array): Candidate[] {
    const peak = quantile(sal, 0.999);
    if (peak < 0.15) return [];
    const threshold = Math.max(0.2, 0.45 * peak);
    const out: Candidate[] = [];
    for (const c of this.label(sal, threshold, lab).regions) {
      const { mass, sums } = c;
      if (mass < 2) continue;
      // Compact regions look more like one object than thin, sprawling ones (bars, edges).
      const fill = c.size / ((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1));
      out.push({
        pixels: this.members.subarray(c.offset, c.offset + c.size),
        minX: c.minX,
        minY: c.minY,
        maxX: c.maxX,
        maxY: c.maxY,
        mass,
        score: mass * fill,
        colour: [sums[0] / mass, sums[1] / mass, sums[2] / mass],
        cx: (c.minX + c.maxX + 1) / 2,
        cy: (c.minY + c.maxY + 1) / 2,
      });
    }
    // Only the kept ones own a copy of their pixels (the members buffer is reused per call).
    return out
      .sort((x, y) => y.score - x.score)
      .slice(0, MAX_CANDIDATES)
      .map((c) => ({ ...c, pixels: c.pixels.slice() }));
  }

  /**
   * The subject region of one keyframe's saliency map: the strongest compact
   * component (favouring the one near the tracked candidate), plus components
   * touching its box, since thresholding can split one subject.
   */
  private pickRegion(sal: Float32Array, prior: Candidate | undefined, diag: number): { minX: number; minY: number; maxX: number; maxY: number; score: number; threshold: number } | undefined {
    const peak = quantile(sal, 0.999);
    if (peak < 0.15) return undefined;
    const threshold = Math.max(0.2, 0.45 * peak);
    const { regions: comps, totalMass } = this.label(sal, threshold);
    let best = -1;
    let bestScore = 0;
    comps.forEach((c, i) => {
      const cx = (c.minX + c.maxX + 1) / 2;
      const cy = (c.minY + c.maxY + 1) / 2;
      // A seeded track is the user's choice: a stronger region elsewhere must not take it over.
      const floor = this.seed ? 0.02 : 0.25;
      const near = prior ? floor + (1 - floor) * Math.exp(-((Math.hypot(cx - prior.cx, cy - prior.cy) / (0.15 * diag)) ** 2)) : 1;
      const fill = c.size / ((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1));
      const score = c.mass * near * fill;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    if (best < 0 || comps[best].mass < 2) return undefined;
    let { minX, minY, maxX, maxY } = comps[best];
    let chosenMass = comps[best].mass;
    let pixels = comps[best].size;
    const gap = Math.max(2, Math.round(0.03 * diag));
    const taken = new Set([best]);
    for (let grew = true; grew; ) {
      grew = false;
      comps.forEach((c, i) => {
        // Crumbs (a fraction of the region's mass) are left out: they move the box more than they add to it.
        if (taken.has(i) || c.mass < 0.15 * comps[best].mass) return;
        if (c.minX > maxX + gap || c.maxX < minX - gap || c.minY > maxY + gap || c.maxY < minY - gap) return;
        taken.add(i);
        grew = true;
        minX = Math.min(minX, c.minX);
        minY = Math.min(minY, c.minY);
        maxX = Math.max(maxX, c.maxX);
        maxY = Math.max(maxY, c.maxY);
        chosenMass += c.mass;
        pixels += c.size;
      });
    }
    const score = clamp01((chosenMass / pixels) * Math.sqrt(chosenMass / totalMass));
    return { minX, minY, maxX, maxY, score, threshold };
  }
}

/** One keyframe's part of the colour model (ModelFreeFinder.colourStats). */
interface TrackColours {
  /** Saliency-weighted histogram of the tracked region's colour bins. */
  hist: Float64Array;
  /** Pixel count per colour bin away from the region (outside its padded box). */
  background: Uint32Array;
}

/**
 * Colour model of the subject: the colours found in the tracked region in
 * most keyframes (saliency-weighted) against all pixels away from it.
 * Undefined when there is no track or its colours do not set it apart (a
 * grey subject on a grey texture); `weight` (0..1) says how well they do.
 */
function colourModel(stats: TrackColours[]): { likelihood: Float32Array; weight: number } | undefined {
  if (stats.length === 0) return undefined;
  const background = new Float64Array(COLOUR_BIN_COUNT);
  for (const s of stats) for (let i = 0; i < COLOUR_BIN_COUNT; i++) background[i] += s.background[i];
  const object = consistentHistogram(stats.map((s) => s.hist));
  const likelihood = objectLikelihood(object, background);
  // Separation: likelihood over the subject's pixels vs over the background's.
  let on = 0;
  let onW = 0;
  let off = 0;
  let offW = 0;
  for (let i = 0; i < COLOUR_BIN_COUNT; i++) {
    on += object[i] * likelihood[i];
    onW += object[i];
    off += background[i] * likelihood[i];
    offW += background[i];
  }
  if (onW <= 0 || offW <= 0) return undefined;
  const separation = on / onW - off / offW;
  const weight = smoothstep(0.25, 0.55, separation);
  return weight > 0 ? { likelihood, weight } : undefined;
}

interface Candidate {
  /** Pixel indices of the region. */
  pixels: Int32Array;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Saliency summed over the region. */
  mass: number;
  /** mass × fill of its box: how strongly it stands out as one object. */
  score: number;
  /** Saliency-weighted mean Lab colour. */
  colour: [number, number, number];
  cx: number;
  cy: number;
}

const MAX_CANDIDATES = 8;
/** Growth into colour-ambiguous parts: saliency before the colour model, in units of the region threshold... */
const GROW_LEVEL = 1.4;
/** ...and the least colour likelihood (colours the subject never shows are near 0). */
const GROW_MIN_LIKELIHOOD = 0.1;
const deltaE = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/**
 * How plausible it is that region `b`, `steps` keyframes after region `a`, is
 * the same object (log scale): similar colour, similar size, not too far.
 * Floors keep one bad link (an occlusion, a merge) from vetoing a track.
 */
function linkScore(a: Candidate, b: Candidate, steps: number, diag: number): number {
  const colour = 0.1 + 0.9 * Math.exp(-((deltaE(a.colour, b.colour) / 20) ** 2));
  const ratio = Math.log(b.pixels.length / a.pixels.length);
  const size = 0.2 + 0.8 * Math.exp(-(ratio * ratio) / 0.5);
  const d = Math.hypot(b.cx - a.cx, b.cy - a.cy) / (0.3 * diag * steps);
  const place = 0.2 + 0.8 * Math.exp(-d * d);
  return Math.log(colour) + Math.log(size) + Math.log(place);
}

/**
 * One candidate per keyframe (-1 where there are none): the path that
 * maximises strength (relative to the keyframe's strongest region) times
 * link plausibility, found exactly by dynamic programming (Viterbi). A thing
 * that is salient in one keyframe only (a flash, a passing band) loses to
 * one that stays the same colour and size along a smooth path. Extended
 * keyframe by keyframe; path() backtracks from the best end so far, so a
 * fixed-lag caller commits the part far enough behind it.
 */
class TrackSearch {
  started = false;
  private forced?: { keyframe: number; candidate: number };
  /** Next keyframe to take in. */
  private next = 0;
  /** Keyframes with candidates taken in (those before the last forget() dropped), and their back pointers. */
  private readonly ks: number[] = [];
  private readonly back: Int32Array[] = [];
  /** Best log score per candidate of the last keyframe with candidates, and those candidates. */
  private best: number[] = [];
  private last?: Candidate[];
  private lastKeyframe = -1;

  start(forced: { keyframe: number; candidate: number } | undefined): void {
    this.started = true;
    this.forced = forced;
  }

  extend(candidates: Candidate[][], upto: number, diag: number): void {
    for (; this.next < upto; this.next++) {
      const k = this.next;
      const cs = candidates[k];
      if (cs.length === 0) continue;
      const f = this.forced;
      const u = cs.map((c, j) => (f?.keyframe === k && f.candidate !== j ? -1e9 : Math.log(Math.max(1e-3, c.score / cs[0].score))));
      const from = new Int32Array(cs.length);
      const prev = this.last;
      if (!prev) this.best = u;
      else {
        const pk = this.lastKeyframe;
        const best = this.best;
        this.best = cs.map((c, j) => {
          let bestValue = -Infinity;
          prev.forEach((p, i) => {
            const v = best[i] + linkScore(p, c, k - pk, diag);
            if (v > bestValue) {
              bestValue = v;
              from[j] = i;
            }
          });
          return bestValue + u[j];
        });
      }
      this.ks.push(k);
      this.back.push(from);
      this.last = cs;
      this.lastKeyframe = k;
    }
  }

  /** Candidate per keyframe from..upto-1 on the best path so far (upto: the keyframes taken in). */
  path(from: number, upto: number): Int32Array {
    const out = new Int32Array(Math.max(0, upto - from)).fill(-1);
    if (!this.last) return out;
    let at = this.best.indexOf(Math.max(...this.best));
    for (let s = this.ks.length - 1; s >= 0 && this.ks[s] >= from; s--) {
      out[this.ks[s] - from] = at;
      at = this.back[s][at];
    }
    return out;
  }

  /** Drops what no path from `before` on needs (the last keyframe's candidates and scores stay). */
  forget(before: number): void {
    let m = 0;
    while (m < this.ks.length && this.ks[m] < before) m++;
    this.ks.splice(0, m);
    this.back.splice(0, m);
  }
}

/**
 * The candidate a seed points at: in the keyframe with candidates nearest the seed's, the one
 * whose box is nearest the seed's centre (0 inside it), ties to the larger overlap with the seed box.
 */
function seededCandidate(candidates: Candidate[][], seed: FinderSeed, w: number, h: number): { keyframe: number; candidate: number } | undefined {
  let keyframe = -1;
  candidates.forEach((c, k) => {
    if (c.length && (keyframe < 0 || Math.abs(k - seed.keyframe) < Math.abs(keyframe - seed.keyframe))) keyframe = k;
  });
  if (keyframe < 0) return undefined;
  const [sx, sy, sw, sh] = [seed.box[0] * w, seed.box[1] * h, seed.box[2] * w, seed.box[3] * h];
  const [cx, cy] = [sx + sw / 2, sy + sh / 2];
  const rank = (c: Candidate): [number, number] => {
    const dx = Math.max(c.minX - cx, 0, cx - (c.maxX + 1));
    const dy = Math.max(c.minY - cy, 0, cy - (c.maxY + 1));
    const ix = Math.max(0, Math.min(sx + sw, c.maxX + 1) - Math.max(sx, c.minX));
    const iy = Math.max(0, Math.min(sy + sh, c.maxY + 1) - Math.max(sy, c.minY));
    return [Math.hypot(dx, dy), -ix * iy];
  };
  let candidate = 0;
  candidates[keyframe].forEach((c, j) => {
    const [d, o] = rank(c);
    const [bd, bo] = rank(candidates[keyframe][candidate]);
    if (d < bd - 1e-9 || (Math.abs(d - bd) <= 1e-9 && o < bo)) candidate = j;
  });
  return { keyframe, candidate };
}

/**
 * Soft 0..1 mask: saliency ramped around the threshold, kept to the (padded)
 * subject box, grown into the `grow` pixels it touches and made solid
 * (mask-shape.ts: parts of the subject coloured like the background, a dark
 * collar on a dark sky, come out as holes otherwise).
 */
function softMask(sal: Float32Array, w: number, h: number, threshold: number, [x0, y0, x1, y1]: number[], grow?: Uint8Array): Float32Array {
  const pad = 2 + Math.round(0.15 * Math.max(x1 - x0, y1 - y0));
  const m = new Float32Array(w * h);
  for (let y = Math.max(0, y0 - pad); y <= Math.min(h - 1, y1 + pad); y++) {
    for (let x = Math.max(0, x0 - pad); x <= Math.min(w - 1, x1 + pad); x++) {
      m[y * w + x] = smoothstep(0.6 * threshold, 1.3 * threshold, sal[y * w + x]);
    }
  }
  const window = [Math.max(0, x0 - pad), Math.max(0, y0 - pad), Math.min(w - 1, x1 + pad), Math.min(h - 1, y1 + pad)];
  return boxBlur(solidify(m, w, h, window, grow), w, h, 1);
}

/** Keyframes where nothing was found take the box of the nearest found ones (linear in between). */
function fillMissingBoxes(frames: Omit<FinderFrame, 'mask'>[]): void {
  const found = frames.map((f, i) => (f.found ? i : -1)).filter((i) => i >= 0);
  if (found.length === 0) return;
  for (let i = 0; i < frames.length; i++) {
    if (frames[i].found) continue;
    const after = found.find((j) => j > i);
    const before = [...found].reverse().find((j) => j < i);
    if (before === undefined || after === undefined) {
      frames[i].box = [...frames[(before ?? after) as number].box];
      continue;
    }
    const t = (i - before) / (after - before);
    frames[i].box = frames[before].box.map((v, j) => v + (frames[after].box[j] - v) * t) as FinderFrame['box'];
  }
}

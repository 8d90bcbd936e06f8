// The finder used when no model is given. Per keyframe, a saliency map: colour
// distance from the frame's background colours plus change against a
// temporal-median background. Its compact regions are candidates; one track
// through them (same colour, size and a plausible path) is chosen over all
// keyframes; the track's colours against the rest of the video give a colour
// model that cuts the subject out of what touches it or moves like it (a busy
// background has many moving parts, the subject is the one that stays itself).
// Works at a small internal size (long side 192) so it stays fast in plain TS.
import { boxBlur, connectedComponents, openBinary, quantile, resizeArea, rgbToLab, type Component, type LabImage } from './image-ops.js';
import { backgroundColours, changeFromMedian, colourBin, colourDistance, COLOUR_BIN_COUNT, consistentHistogram, objectLikelihood } from './saliency.js';
import { reducedSize } from '../media/keyframes.js';

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

// Keyframe offsets that make up the temporal background of a keyframe: near
// and far ones, so a slow subject is absent from most of them.
const BACKGROUND_OFFSETS = [-1, 1, -3, 3, -6, 6];
const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const smoothstep = (a: number, b: number, v: number): number => {
  const t = clamp01((v - a) / (b - a));
  return t * t * (3 - 2 * t);
};

// Keyframes are kept as 16-bit fixed-point Lab (1/128 steps, far below what the
// cues can tell apart): half the memory of Float32, and the finder must hold
// every keyframe because it picks one track through all of them.
const LAB_SCALE = 128;
const LAB_CACHE = 16; // unpacked keyframes kept: the change cue looks up to 6 keyframes each way

interface PackedLab {
  width: number;
  height: number;
  q: Int16Array;
}

function packLab(img: LabImage): PackedLab {
  const q = new Int16Array(img.lab.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(img.lab[i] * LAB_SCALE);
  return { width: img.width, height: img.height, q };
}

function unpackLab(p: PackedLab): LabImage {
  const lab = new Float32Array(p.q.length);
  for (let i = 0; i < lab.length; i++) lab[i] = p.q[i] / LAB_SCALE;
  return { width: p.width, height: p.height, lab };
}

export class ModelFreeFinder {
  private readonly frames: PackedLab[] = [];
  private readonly unpacked = new Map<number, LabImage>();
  private size?: { width: number; height: number };

  constructor(private readonly workLongSide = MODEL_FREE_WORK_LONG_SIDE) {}

  /** Adds the next keyframe (any size; all keyframes must share one size). */
  add(image: FinderImage): void {
    if (!this.size) this.size = reducedSize(image.width, image.height, this.workLongSide);
    const { width, height } = this.size;
    const small = image.width === width && image.height === height ? image.data : resizeArea(image.data, image.width, image.height, width, height);
    this.frames.push(packLab(rgbToLab(small, width, height)));
  }

  /** Keyframe k as Float32 Lab, from a small most-recently-used cache. */
  private lab(k: number): LabImage {
    let img = this.unpacked.get(k);
    if (img) {
      this.unpacked.delete(k);
    } else {
      img = unpackLab(this.frames[k]);
      if (this.unpacked.size >= LAB_CACHE) this.unpacked.delete(this.unpacked.keys().next().value as number);
    }
    this.unpacked.set(k, img);
    return img;
  }

  get count(): number {
    return this.frames.length;
  }

  /** Saliency map 0..1 of keyframe k (colour cue blended with the change cue). */
  saliency(k: number): Float32Array {
    const img = this.lab(k);
    const n = img.width * img.height;
    const colour = colourDistance(img, backgroundColours(img));
    const cOffset = Math.max(8, 1.5 * quantile(colour, 0.5));
    const sal = new Float32Array(n);
    for (let i = 0; i < n; i++) sal[i] = clamp01((colour[i] - cOffset) / 25);
    const others = BACKGROUND_OFFSETS.map((d) => k + d).filter((j) => j >= 0 && j < this.frames.length).map((j) => this.lab(j));
    if (others.length >= 2) {
      const change = changeFromMedian(img, others);
      const typical = quantile(change, 0.5);
      // A moving camera or a changing scene makes most of the frame differ: trust the cue less.
      const weight = clamp01(1 - (typical - 4) / 8);
      const offset = 2 * typical + 4;
      let moving = 0;
      for (let i = 0; i < n; i++) {
        change[i] = weight * clamp01((change[i] - offset) / 20);
        if (change[i] > 0.5) moving++;
      }
      // Something moves against a steady background: what moves leads and colour
      // alone no longer reaches the threshold (a colourful backdrop stays dark).
      if (moving >= 0.001 * n) for (let i = 0; i < n; i++) sal[i] = 0.35 * sal[i] + 0.65 * change[i];
    }
    boxBlur(sal, img.width, img.height, 1);
    return boxBlur(sal, img.width, img.height, 1);
  }

  finish(): ModelFreeResult {
    if (!this.size || this.frames.length === 0) throw new Error('model-free finder: no keyframes were added');
    const { width: w, height: h } = this.size;
    const n = w * h;
    const diag = Math.hypot(w, h);
    const count = this.frames.length;

    // Pass 1: saliency and candidate regions of every keyframe.
    const saliencies: Float32Array[] = [];
    const candidates: Candidate[][] = [];
    const bins: Uint16Array[] = [];
    for (let k = 0; k < count; k++) {
      const sal = this.saliency(k);
      saliencies.push(sal);
      candidates.push(this.candidatesOf(k, sal));
      const lab = this.lab(k).lab;
      const kb = new Uint16Array(n);
      for (let i = 0; i < n; i++) kb[i] = colourBin(lab, 3 * i);
      bins.push(kb);
    }

    this.unpacked.clear();

    // Pass 2: one candidate per keyframe, as the most consistent track.
    const track = chooseTrack(candidates, diag);

    // Pass 3: the track's colours against everything else's, to cut the
    // subject out of what touches it and to drop salient things of other colours.
    const colour = this.colourModel(candidates, track, saliencies, bins);

    const out: FinderFrame[] = [];
    for (let k = 0; k < count; k++) {
      const base = saliencies[k];
      const prior = track[k] >= 0 ? candidates[k][track[k]] : undefined;
      if (candidates[k].length === 0) {
        out.push(notFound(n));
        continue;
      }
      let sal = base;
      if (colour) {
        sal = new Float32Array(n);
        const like = new Float32Array(n);
        const kb = bins[k];
        for (let i = 0; i < n; i++) like[i] = colour.likelihood[kb[i]];
        boxBlur(like, w, h, 1);
        for (let i = 0; i < n; i++) sal[i] = base[i] * (1 - colour.weight + colour.weight * smoothstep(0.25, 0.65, like[i]));
      }
      const region = pickRegion(sal, w, h, prior, diag);
      if (!region) {
        out.push(notFound(n));
        continue;
      }
      const { minX, minY, maxX, maxY } = region;
      out.push({
        box: [minX / w, minY / h, (maxX - minX + 1) / w, (maxY - minY + 1) / h],
        score: region.score,
        mask: softMask(sal, w, h, region.threshold, [minX, minY, maxX, maxY]),
        found: true,
      });
    }
    fillMissingBoxes(out);
    return { width: w, height: h, frames: out };
  }

  /** Salient regions of keyframe k, strongest first (at most MAX_CANDIDATES). */
  private candidatesOf(k: number, sal: Float32Array): Candidate[] {
    const { width: w, height: h } = this.frames[k];
    const peak = quantile(sal, 0.999);
    if (peak < 0.15) return [];
    const threshold = Math.max(0.2, 0.45 * peak);
    const binary = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) binary[i] = sal[i] >= threshold ? 1 : 0;
    openBinary(binary, w, h);
    const lab = this.lab(k).lab;
    const out: Candidate[] = [];
    for (const c of connectedComponents(binary, w, h)) {
      let mass = 0;
      let l = 0;
      let a = 0;
      let b = 0;
      for (const p of c.pixels) {
        const s = sal[p];
        mass += s;
        l += s * lab[3 * p];
        a += s * lab[3 * p + 1];
        b += s * lab[3 * p + 2];
      }
      if (mass < 2) continue;
      // Compact regions look more like one object than thin, sprawling ones (bars, edges).
      const fill = c.pixels.length / ((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1));
      out.push({ ...c, mass, score: mass * fill, colour: [l / mass, a / mass, b / mass], cx: (c.minX + c.maxX + 1) / 2, cy: (c.minY + c.maxY + 1) / 2 });
    }
    return out.sort((x, y) => y.score - x.score).slice(0, MAX_CANDIDATES);
  }

  /**
   * Colour model of the subject: the colours found in the tracked region in
   * most keyframes (saliency-weighted) against all pixels away from it.
   * Undefined when there is no track or its colours do not set it apart (a
   * grey subject on a grey texture); `weight` (0..1) says how well they do.
   */
  private colourModel(candidates: Candidate[][], track: number[], saliencies: Float32Array[], bins: Uint16Array[]): { likelihood: Float32Array; weight: number } | undefined {
    const chosen = track.map((c, k) => (c >= 0 ? candidates[k][c] : undefined));
    const perKeyframe: Float64Array[] = [];
    const background = new Float64Array(COLOUR_BIN_COUNT);
    const { width: w, height: h } = this.size as { width: number; height: number };
    for (let k = 0; k < this.frames.length; k++) {
      const c = chosen[k];
      if (!c) continue;
      const kb = bins[k];
      const sal = saliencies[k];
      const hist = new Float64Array(COLOUR_BIN_COUNT);
      for (const p of c.pixels) hist[kb[p]] += sal[p];
      perKeyframe.push(hist);
      const pad = 2 + Math.round(0.25 * Math.max(c.maxX - c.minX, c.maxY - c.minY));
      for (let y = 0; y < h; y++) {
        const insideY = y >= c.minY - pad && y <= c.maxY + pad;
        for (let x = 0; x < w; x++) {
          if (insideY && x >= c.minX - pad && x <= c.maxX + pad) continue;
          background[kb[y * w + x]]++;
        }
      }
    }
    if (perKeyframe.length === 0) return undefined;
    const object = consistentHistogram(perKeyframe);
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
}

interface Candidate extends Component {
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
const deltaE = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const notFound = (n: number): FinderFrame => ({ box: [0, 0, 1, 1], score: 0, mask: new Float32Array(n), found: false });

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
 * One candidate index per keyframe (-1 where there are none): the path that
 * maximises strength (relative to the keyframe's strongest region) times
 * link plausibility, found exactly by dynamic programming (Viterbi). A thing
 * that is salient in one keyframe only (a flash, a passing band) loses to
 * one that stays the same colour and size along a smooth path.
 */
function chooseTrack(candidates: Candidate[][], diag: number): number[] {
  const track = candidates.map(() => -1);
  const ks = candidates.flatMap((c, k) => (c.length ? [k] : []));
  if (ks.length === 0) return track;
  const unary = (k: number): number[] => candidates[k].map((c) => Math.log(Math.max(1e-3, c.score / candidates[k][0].score)));
  let best = unary(ks[0]);
  const back: Int32Array[] = [new Int32Array(candidates[ks[0]].length)];
  for (let s = 1; s < ks.length; s++) {
    const k = ks[s];
    const pk = ks[s - 1];
    const u = unary(k);
    const from = new Int32Array(candidates[k].length);
    const next = candidates[k].map((c, j) => {
      let bestValue = -Infinity;
      candidates[pk].forEach((p, i) => {
        const v = best[i] + linkScore(p, c, k - pk, diag);
        if (v > bestValue) {
          bestValue = v;
          from[j] = i;
        }
      });
      return bestValue + u[j];
    });
    back.push(from);
    best = next;
  }
  let at = best.indexOf(Math.max(...best));
  for (let s = ks.length - 1; s >= 0; s--) {
    track[ks[s]] = at;
    at = back[s][at];
  }
  return track;
}

/**
 * The subject region of one keyframe's saliency map: the strongest compact
 * component (favouring the one near the tracked candidate), plus components
 * touching its box, since thresholding can split one subject.
 */
function pickRegion(
  sal: Float32Array,
  w: number,
  h: number,
  prior: Candidate | undefined,
  diag: number,
): { minX: number; minY: number; maxX: number; maxY: number; score: number; threshold: number } | undefined {
  const peak = quantile(sal, 0.999);
  if (peak < 0.15) return undefined;
  const threshold = Math.max(0.2, 0.45 * peak);
  const binary = new Uint8Array(w * h);
  let totalMass = 0;
  for (let i = 0; i < w * h; i++) {
    if (sal[i] >= threshold) {
      binary[i] = 1;
      totalMass += sal[i];
    }
  }
  openBinary(binary, w, h);
  const comps = connectedComponents(binary, w, h);
  const mass = comps.map((c) => c.pixels.reduce((s, p) => s + sal[p], 0));
  let best = -1;
  let bestScore = 0;
  comps.forEach((c, i) => {
    const cx = (c.minX + c.maxX + 1) / 2;
    const cy = (c.minY + c.maxY + 1) / 2;
    const near = prior ? 0.25 + 0.75 * Math.exp(-((Math.hypot(cx - prior.cx, cy - prior.cy) / (0.15 * diag)) ** 2)) : 1;
    const fill = c.pixels.length / ((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1));
    const score = mass[i] * near * fill;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  if (best < 0 || mass[best] < 2) return undefined;
  let { minX, minY, maxX, maxY } = comps[best];
  let chosenMass = mass[best];
  let pixels = comps[best].pixels.length;
  const gap = Math.max(2, Math.round(0.03 * diag));
  const taken = new Set([best]);
  for (let grew = true; grew; ) {
    grew = false;
    comps.forEach((c, i) => {
      // Crumbs (a fraction of the region's mass) are left out: they move the box more than they add to it.
      if (taken.has(i) || mass[i] < 0.15 * mass[best]) return;
      if (c.minX > maxX + gap || c.maxX < minX - gap || c.minY > maxY + gap || c.maxY < minY - gap) return;
      taken.add(i);
      grew = true;
      minX = Math.min(minX, c.minX);
      minY = Math.min(minY, c.minY);
      maxX = Math.max(maxX, c.maxX);
      maxY = Math.max(maxY, c.maxY);
      chosenMass += mass[i];
      pixels += c.pixels.length;
    });
  }
  const score = clamp01((chosenMass / pixels) * Math.sqrt(chosenMass / totalMass));
  return { minX, minY, maxX, maxY, score, threshold };
}

/** Soft 0..1 mask: saliency ramped around the threshold, kept to the (padded) subject box. */
function softMask(sal: Float32Array, w: number, h: number, threshold: number, [x0, y0, x1, y1]: number[]): Float32Array {
  const pad = 2 + Math.round(0.15 * Math.max(x1 - x0, y1 - y0));
  const m = new Float32Array(w * h);
  for (let y = Math.max(0, y0 - pad); y <= Math.min(h - 1, y1 + pad); y++) {
    for (let x = Math.max(0, x0 - pad); x <= Math.min(w - 1, x1 + pad); x++) {
      m[y * w + x] = smoothstep(0.6 * threshold, 1.3 * threshold, sal[y * w + x]);
    }
  }
  return boxBlur(m, w, h, 1);
}

/** Keyframes where nothing was found take the box of the nearest found ones (linear in between). */
function fillMissingBoxes(frames: FinderFrame[]): void {
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

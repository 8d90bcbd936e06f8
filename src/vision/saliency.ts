// The two cues of the model-free finder, per analysis-resolution frame:
// - colour: how far each pixel's colour (CIELAB) is from the frame's background
//   colours, taken as k-means clusters of the border ring (subjects rarely fill
//   the border; textures and backdrops do), so a textured background of a few
//   colours stays dark and a distinct subject lights up;
// - change: distance from a temporal-median background built from other
//   keyframes, so a moving subject lights up over any static texture.
import type { LabImage } from './image-ops.js';

const dist = (lab: Float32Array, i: number, c: Float32Array, j: number): number => {
  const dl = lab[i] - c[j];
  const da = lab[i + 1] - c[j + 1];
  const db = lab[i + 2] - c[j + 2];
  return Math.sqrt(dl * dl + da * da + db * db);
};

/** Lab samples of the border ring (`ring` pixels thick). */
function borderSamples(img: LabImage, ring: number): Float32Array {
  const { width: w, height: h, lab } = img;
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x >= ring && x < w - ring && y >= ring && y < h - ring) continue;
      const i = 3 * (y * w + x);
      out.push(lab[i], lab[i + 1], lab[i + 2]);
    }
  }
  return Float32Array.from(out);
}

/** k-means (farthest-point seeded, so it is deterministic) over Lab samples; drops clusters below `minShare`. */
export function backgroundColours(img: LabImage, k = 10, minShare = 0.02): Float32Array {
  const ring = Math.max(1, Math.round(Math.min(img.width, img.height) * 0.04));
  const s = borderSamples(img, ring);
  const n = s.length / 3;
  const centres = new Float32Array(3 * k);
  centres.set(s.subarray(0, 3));
  const nearest = new Float32Array(n).fill(Infinity);
  let used = 1;
  for (; used < k; used++) {
    let far = -1;
    let farD = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], dist(s, 3 * i, centres, 3 * (used - 1)));
      if (nearest[i] > farD) {
        farD = nearest[i];
        far = i;
      }
    }
    if (far < 0 || farD < 3) break; // the border has fewer distinct colours than k
    centres.set(s.subarray(3 * far, 3 * far + 3), 3 * used);
  }
  const assign = new Int32Array(n);
  const counts = new Float64Array(used);
  for (let iter = 0; iter < 6; iter++) {
    const sums = new Float64Array(3 * used);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < used; c++) {
        const d = dist(s, 3 * i, centres, 3 * c);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      assign[i] = best;
      counts[best]++;
      sums[3 * best] += s[3 * i];
      sums[3 * best + 1] += s[3 * i + 1];
      sums[3 * best + 2] += s[3 * i + 2];
    }
    for (let c = 0; c < used; c++) {
      if (counts[c] > 0) for (let j = 0; j < 3; j++) centres[3 * c + j] = sums[3 * c + j] / counts[c];
    }
  }
  const kept: number[] = [];
  for (let c = 0; c < used; c++) if (counts[c] >= minShare * n) kept.push(centres[3 * c], centres[3 * c + 1], centres[3 * c + 2]);
  return kept.length ? Float32Array.from(kept) : centres.slice(0, 3);
}

/** Per-pixel distance (ΔE) to the nearest background colour. */
export function colourDistance(img: LabImage, colours: Float32Array): Float32Array {
  const n = img.width * img.height;
  const k = colours.length / 3;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let c = 0; c < k; c++) best = Math.min(best, dist(img.lab, 3 * i, colours, 3 * c));
    out[i] = best;
  }
  return out;
}

/** Per-pixel ΔE between `img` and the per-channel median of `others` (same size). */
export function changeFromMedian(img: LabImage, others: LabImage[]): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const m = others.length;
  const buf = new Float32Array(m);
  const med = new Float32Array(3);
  // The planes themselves, looked up once (not once per pixel and channel).
  const labs = others.map((o) => o.lab);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) {
      for (let j = 0; j < m; j++) {
        // insertion sort: m is small (<= 8)
        const v = labs[j][3 * i + ch];
        let p = j;
        while (p > 0 && buf[p - 1] > v) {
          buf[p] = buf[p - 1];
          p--;
        }
        buf[p] = v;
      }
      med[ch] = m % 2 ? buf[(m - 1) >> 1] : 0.5 * (buf[m / 2 - 1] + buf[m / 2]);
    }
    out[i] = dist(img.lab, 3 * i, med, 0);
  }
  return out;
}

// Colour histograms over quantised Lab, for the subject's colour model: which
// colours belong to the subject and not to the rest of the frame.
const L_BINS = 8;
const AB_BINS = 16;
const AB_RANGE = 64; // a, b clamped to ±AB_RANGE; saturated colours share the end bins
export const COLOUR_BIN_COUNT = L_BINS * AB_BINS * AB_BINS;

/** Histogram bin of the Lab pixel starting at `lab[i]`. */
export function colourBin(lab: Float32Array, i: number): number {
  const l = Math.min(L_BINS - 1, Math.max(0, Math.floor((lab[i] / 100) * L_BINS)));
  const ab = (v: number): number => Math.min(AB_BINS - 1, Math.max(0, Math.floor(((v + AB_RANGE) / (2 * AB_RANGE)) * AB_BINS)));
  return (l * AB_BINS + ab(lab[i + 1])) * AB_BINS + ab(lab[i + 2]);
}

/** [1, 2, 1] blur along each histogram axis, so noise does not leave empty bins next to full ones. */
export function blurHistogram(h: Float64Array): Float64Array {
  let src = h;
  const dims = [L_BINS, AB_BINS, AB_BINS];
  const strides = [AB_BINS * AB_BINS, AB_BINS, 1];
  for (let axis = 0; axis < 3; axis++) {
    const out = new Float64Array(src.length);
    const stride = strides[axis];
    const size = dims[axis];
    for (let i = 0; i < src.length; i++) {
      const pos = Math.floor(i / stride) % size;
      const lo = pos > 0 ? src[i - stride] : src[i];
      const hi = pos < size - 1 ? src[i + stride] : src[i];
      out[i] = 0.25 * lo + 0.5 * src[i] + 0.25 * hi;
    }
    src = out;
  }
  return src;
}

/**
 * Per-bin probability that a colour belongs to the subject, from weighted
 * histograms of subject and background pixels (each normalised, so the
 * subject being small does not bias it towards the background).
 */
export function objectLikelihood(object: Float64Array, background: Float64Array): Float32Array {
  const o = blurHistogram(object);
  const b = blurHistogram(background);
  let so = 0;
  let sb = 0;
  for (let i = 0; i < o.length; i++) {
    so += o[i];
    sb += b[i];
  }
  const out = new Float32Array(o.length);
  if (so <= 0 || sb <= 0) return out.fill(0.5);
  // A small floor: colours seen in neither are undecided (0.5), not noise-driven.
  const eps = 1e-5;
  for (let i = 0; i < o.length; i++) {
    const po = o[i] / so + eps;
    const pb = b[i] / sb + eps;
    out[i] = po / (po + pb);
  }
  return out;
}

/**
 * Per-bin median over keyframes of normalised, blurred histograms: the
 * colours that are part of the tracked region in most keyframes. Something
 * that merges with the subject in a few keyframes (a passing bar) drops out;
 * every colour of a multi-coloured subject stays.
 */
export function consistentHistogram(perKeyframe: Float64Array[]): Float64Array {
  const out = new Float64Array(COLOUR_BIN_COUNT);
  const m = perKeyframe.length;
  if (m === 0) return out;
  const norm = perKeyframe.map((h) => {
    const b = blurHistogram(h);
    const sum = b.reduce((s, v) => s + v, 0);
    return sum > 0 ? b.map((v) => v / sum) : b;
  });
  const column = new Float64Array(m);
  for (let i = 0; i < COLOUR_BIN_COUNT; i++) {
    for (let j = 0; j < m; j++) column[j] = norm[j][i];
    column.sort();
    out[i] = m % 2 ? column[(m - 1) >> 1] : 0.5 * (column[m / 2 - 1] + column[m / 2]);
  }
  return out;
}

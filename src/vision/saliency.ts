// The subject's colour model of the model-free finder: colour histograms over
// quantised Lab (bins from the finder kernel, finder-kernel.ts), which colours
// belong to the subject and not to the rest of the frame. (The per-pixel cues,
// colour distance and change, are in the kernel.)
const L_BINS = 8;
const AB_BINS = 16;
export const COLOUR_BIN_COUNT = L_BINS * AB_BINS * AB_BINS;

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

// Smoothing over keyframes so effects do not flicker. Both filters are
// symmetric, so a moving subject is not lagged behind.

export type Box = [number, number, number, number];

/**
 * Boxes (x, y, w, h) smoothed in centre/size space. First a box that jumps
 * away from both neighbours (centre far from their midpoint, or size off by
 * more than 1.6x while theirs agree) is replaced by their mean: a
 * one-keyframe mistake. Then a 5-tap quadratic Savitzky-Golay filter softens
 * jitter; unlike a plain average or a median it keeps a subject on a curved
 * or accelerating path where it is (no cutting corners at turning points).
 * The first and last two boxes are only outlier-checked.
 */
export function smoothBoxes(boxes: Box[]): Box[] {
  const n = boxes.length;
  if (n < 3) return boxes.map((b) => [...b] as Box);
  const params = boxes.map(([x, y, w, h]) => [x + w / 2, y + h / 2, w, h]);
  const fixed = params.map((v, i) => {
    if (i === 0 || i === n - 1) return [...v];
    const [a, b] = [params[i - 1], params[i + 1]];
    const mean = a.map((p, j) => (p + b[j]) / 2);
    const size = Math.max(mean[2], mean[3], 1e-6);
    const ratio = (p: number, q: number): number => Math.abs(Math.log(Math.max(p, 1e-6) / Math.max(q, 1e-6)));
    // Off the neighbours' midpoint by more than half a box and more than they are apart from
    // it (a fast subject's neighbours are far apart, a turning point is only slightly off).
    const off = Math.hypot(v[0] - mean[0], v[1] - mean[1]);
    const jumped = off > 0.5 * size && off > Math.hypot(a[0] - b[0], a[1] - b[1]) / 2;
    const resized = (ratio(v[2], mean[2]) > Math.log(1.6) && ratio(a[2], b[2]) < Math.log(1.6)) || (ratio(v[3], mean[3]) > Math.log(1.6) && ratio(a[3], b[3]) < Math.log(1.6));
    return jumped || resized ? mean : [...v];
  });
  const sg = [-3, 12, 17, 12, -3].map((c) => c / 35);
  const smoothed = fixed.map((v, i) => (i < 2 || i > n - 3 ? v : v.map((_, j) => sg.reduce((s, c, d) => s + c * fixed[i + d - 2][j], 0))));
  return smoothed.map(([cx, cy, w, h]) => [cx - w / 2, cy - h / 2, w, h]);
}

/**
 * Mask i (each mask w × h, values 0..1 after `scale`) averaged with its neighbours
 * [1, 2, 1] after shifting each neighbour by the subject's displacement (box
 * centres, in mask pixels), so a moving subject keeps one sharp shape instead of
 * a ghosted trail. Written into `out`, so a caller streams the results into the
 * atlas without holding a second set of masks.
 */
export function smoothMaskAt(
  masks: ArrayLike<number>[],
  centres: [number, number][],
  i: number,
  w: number,
  h: number,
  out: Float32Array,
  weight: Float32Array = new Float32Array(w * h),
  /** Multiplies every input value (1/255 for 8-bit masks). */
  scale = 1,
): Float32Array {
  const n = masks.length;
  const m = masks[i];
  if (n < 3 || i === 0 || i === n - 1) {
    for (let p = 0; p < w * h; p++) out[p] = m[p] * scale;
    return out;
  }
  weight.fill(0.5);
  for (let p = 0; p < w * h; p++) out[p] = 0.5 * scale * m[p];
  for (const j of [i - 1, i + 1]) {
    const dx = Math.round(centres[j][0] - centres[i][0]);
    const dy = Math.round(centres[j][1] - centres[i][1]);
    const src = masks[j];
    // Only the pixels whose shifted neighbour is inside the frame.
    const x0 = Math.max(0, -dx);
    const x1 = Math.min(w, w - dx);
    for (let y = Math.max(0, -dy); y < Math.min(h, h - dy); y++) {
      const row = y * w;
      const srcRow = (y + dy) * w + dx;
      for (let x = x0; x < x1; x++) {
        out[row + x] += 0.25 * scale * src[srcRow + x];
        weight[row + x] += 0.25;
      }
    }
  }
  // Pixels whose shifted neighbour fell outside the frame average what they have.
  for (let p = 0; p < w * h; p++) out[p] /= weight[p];
  return out;
}

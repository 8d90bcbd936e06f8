// Smoothing over keyframes so effects do not flicker. Both filters are
// symmetric, so a subject moving at constant speed is not lagged behind.

export type Box = [number, number, number, number];

const median3 = (a: number, b: number, c: number): number => Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));

/**
 * Boxes (x, y, w, h) smoothed in centre/size space: a 3-tap median removes a
 * single-keyframe jump, then a [1, 2, 1] filter softens jitter. Ends are kept.
 */
export function smoothBoxes(boxes: Box[]): Box[] {
  const n = boxes.length;
  if (n < 3) return boxes.map((b) => [...b] as Box);
  const params = boxes.map(([x, y, w, h]) => [x + w / 2, y + h / 2, w, h]);
  const filter = (values: number[][], f: (a: number, b: number, c: number) => number): number[][] =>
    values.map((v, i) => (i === 0 || i === n - 1 ? [...v] : v.map((_, j) => f(values[i - 1][j], v[j], values[i + 1][j]))));
  const smoothed = filter(
    filter(params, median3),
    (a, b, c) => 0.25 * a + 0.5 * b + 0.25 * c,
  );
  return smoothed.map(([cx, cy, w, h]) => [cx - w / 2, cy - h / 2, w, h]);
}

/**
 * Masks (each w × h, values 0..1) averaged with their neighbours [1, 2, 1] after
 * shifting each neighbour by the subject's displacement (box centres), so a
 * moving subject keeps one sharp shape instead of a ghosted trail.
 * `centres` are in mask pixels.
 */
export function smoothMasks(masks: Float32Array[], centres: [number, number][], w: number, h: number): Float32Array[] {
  const n = masks.length;
  if (n < 3) return masks.map((m) => m.slice());
  return masks.map((m, i) => {
    if (i === 0 || i === n - 1) return m.slice();
    const out = new Float32Array(w * h);
    const weight = new Float32Array(w * h).fill(0.5);
    for (let p = 0; p < w * h; p++) out[p] = 0.5 * m[p];
    for (const j of [i - 1, i + 1]) {
      const dx = Math.round(centres[j][0] - centres[i][0]);
      const dy = Math.round(centres[j][1] - centres[i][1]);
      const src = masks[j];
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        if (sy < 0 || sy >= h) continue;
        for (let x = 0; x < w; x++) {
          const sx = x + dx;
          if (sx < 0 || sx >= w) continue;
          out[y * w + x] += 0.25 * src[sy * w + sx];
          weight[y * w + x] += 0.25;
        }
      }
    }
    // Pixels whose shifted neighbour fell outside the frame average what they have.
    for (let p = 0; p < w * h; p++) out[p] /= weight[p];
    return out;
  });
}

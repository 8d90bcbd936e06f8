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
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) {
      for (let j = 0; j < m; j++) {
        // insertion sort: m is small (<= 8)
        const v = others[j].lab[3 * i + ch];
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

// Shaping of the model-free finder's keyframe mask (at its small working size).
// Saliency finds the parts of a subject that differ from the background, so a
// part coloured like the background (a dark collar on a dark sky, a face the
// colour of the wall behind it) comes out as a hole, and crumbs of salient
// background stick to the subject. The subject is one solid thing: keep the
// main piece (and pieces of similar size), close one-pixel gaps, fill what it
// encloses.

/** Pieces under this fraction of the largest one (in pixels) are dropped. */
const MIN_PIECE = 0.15;

/** 8-connected components of `bin` inside the window; returns their sizes, `label` their ids (-1 = unset). */
function components(bin: Uint8Array, w: number, [x0, y0, x1, y1]: number[], label: Int32Array, stack: Int32Array): number[] {
  const sizes: number[] = [];
  label.fill(-1);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const start = y * w + x;
      if (!bin[start] || label[start] >= 0) continue;
      const id = sizes.length;
      let size = 0;
      let top = 0;
      stack[top++] = start;
      label[start] = id;
      while (top > 0) {
        const p = stack[--top];
        size++;
        const px = p % w;
        const py = (p - px) / w;
        for (let ny = Math.max(y0, py - 1); ny <= Math.min(y1, py + 1); ny++) {
          for (let nx = Math.max(x0, px - 1); nx <= Math.min(x1, px + 1); nx++) {
            const q = ny * w + nx;
            if (bin[q] && label[q] < 0) {
              label[q] = id;
              stack[top++] = q;
            }
          }
        }
      }
      sizes.push(size);
    }
  }
  return sizes;
}

/** 3x3 dilation (max) or erosion (min) inside the window, separable; outside the window counts as unset. */
function morph3(src: Uint8Array, dst: Uint8Array, tmp: Uint8Array, w: number, [x0, y0, x1, y1]: number[], dilate: boolean): void {
  const pick = dilate ? (a: number, b: number, c: number): number => a | b | c : (a: number, b: number, c: number): number => a & b & c;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * w + x;
      tmp[p] = pick(src[p], x > x0 ? src[p - 1] : 0, x < x1 ? src[p + 1] : 0);
    }
  }
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * w + x;
      dst[p] = pick(tmp[p], y > y0 ? tmp[p - w] : 0, y < y1 ? tmp[p + w] : 0);
    }
  }
}

/**
 * The solid subject in `window` ([x0, y0, x1, y1], inclusive) of a soft 0..1
 * mask `m` (w x h; zero outside the window): the pieces at or above 0.5 that
 * are at least MIN_PIECE of the largest, grown into the `grow` pixels (1 =
 * may join) connected to them, closed (3x3) and with the holes they enclose
 * filled, are 1; the soft fringe around them is kept; the rest is 0.
 * Returns a new plane.
 */
export function solidify(m: Float32Array, w: number, h: number, window: number[], grow?: Uint8Array): Float32Array {
  const n = w * h;
  const [x0, y0, x1, y1] = window;
  const bin = new Uint8Array(n);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) bin[y * w + x] = m[y * w + x] >= 0.5 ? 1 : 0;
  const label = new Int32Array(n);
  const stack = new Int32Array(n);
  const sizes = components(bin, w, window, label, stack);
  const out = new Float32Array(n);
  if (sizes.length === 0) return out;
  const largest = Math.max(...sizes);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * w + x;
      if (bin[p] && sizes[label[p]] < MIN_PIECE * largest) bin[p] = 0;
    }
  }
  if (grow) {
    // Hysteresis: pixels at or above 0.5 in \`grow\` join a kept piece they touch (8-connected).
    let top = 0;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (bin[y * w + x]) stack[top++] = y * w + x;
    while (top > 0) {
      const p = stack[--top];
      const px = p % w;
      const py = (p - px) / w;
      for (let ny = Math.max(y0, py - 1); ny <= Math.min(y1, py + 1); ny++) {
        for (let nx = Math.max(x0, px - 1); nx <= Math.min(x1, px + 1); nx++) {
          const q = ny * w + nx;
          if (!bin[q] && grow[q]) {
            bin[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
  }
  // Closing in the window grown by one pixel, so the dilation is not cut at its edge.
  const grown = [Math.max(0, x0 - 1), Math.max(0, y0 - 1), Math.min(w - 1, x1 + 1), Math.min(h - 1, y1 + 1)];
  const [gx0, gy0, gx1, gy1] = grown;
  const tmp = new Uint8Array(n);
  const dilated = new Uint8Array(n);
  const closed = new Uint8Array(n);
  morph3(bin, dilated, tmp, w, grown, true);
  morph3(dilated, closed, tmp, w, grown, false);
  // Outside: unset pixels the grown window's border reaches through unset pixels (4-connected,
  // so a diagonal chain of set pixels is a wall). The other unset pixels are holes.
  const outside = new Uint8Array(n);
  let top = 0;
  const visit = (p: number): void => {
    if (!closed[p] && !outside[p]) {
      outside[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = gx0; x <= gx1; x++) {
    visit(gy0 * w + x);
    visit(gy1 * w + x);
  }
  for (let y = gy0; y <= gy1; y++) {
    visit(y * w + gx0);
    visit(y * w + gx1);
  }
  while (top > 0) {
    const p = stack[--top];
    const px = p % w;
    const py = (p - px) / w;
    if (px > gx0) visit(p - 1);
    if (px < gx1) visit(p + 1);
    if (py > gy0) visit(p - w);
    if (py < gy1) visit(p + w);
  }
  // The fringe: soft values next to a kept piece (the dilation marks them).
  for (let y = gy0; y <= gy1; y++) {
    for (let x = gx0; x <= gx1; x++) {
      const p = y * w + x;
      out[p] = !outside[p] ? 1 : dilated[p] ? m[p] : 0;
    }
  }
  return out;
}

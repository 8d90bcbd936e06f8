// Plain-TypeScript image operations the model pre-processing needs (no native deps):
// crops and resamplers over packed RGB24 or single-channel float planes.

export interface RgbImage {
  /** rgb24, row-major, width*height*3 bytes */
  data: Uint8Array;
  width: number;
  height: number;
}

export function checkRgbImage(image: RgbImage, what = 'image'): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what}: width and height must be positive integers (got ${width}x${height})`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new RangeError(`${what}: data must be a Uint8Array of width*height*3 = ${width * height * 3} bytes (got ${data?.length ?? typeof data})`);
  }
}

/** Integer crop [x0, x0+w) × [y0, y0+h), clamped by the caller. */
export function cropRgb(image: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * image.width + x0) * 3;
    out.set(image.data.subarray(src, src + w * 3), y * w * 3);
  }
  return { data: out, width: w, height: h };
}

/** Integer pixel rectangle covering a float box, clamped to the image, at least 1×1. */
export function boxToPixelRect(box: readonly [number, number, number, number], width: number, height: number): { x: number; y: number; w: number; h: number } {
  const x0 = Math.min(width - 1, Math.max(0, Math.floor(box[0])));
  const y0 = Math.min(height - 1, Math.max(0, Math.floor(box[1])));
  const x1 = Math.max(x0 + 1, Math.min(width, Math.ceil(box[0] + box[2])));
  const y1 = Math.max(y0 + 1, Math.min(height, Math.ceil(box[1] + box[3])));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Half-pixel-centre source position of output index `i`, clamped to the source. */
function bilinearSource(i: number, scale: number, size: number): number {
  return Math.min(size - 1, Math.max(0, (i + 0.5) * scale - 0.5));
}

/**
 * Taps of a bilinear resize along one axis, computed once rather than per pixel: the lower and
 * upper source index, and the upper one's weight written into `frac` (its element type is the
 * caller's precision, kept as it was). Used for columns and for rows.
 */
function bilinearTaps(width: number, outW: number, frac: Float32Array | Float64Array): { xs0: Int32Array; xs1: Int32Array } {
  const xs0 = new Int32Array(outW);
  const xs1 = new Int32Array(outW);
  const sx = width / outW;
  for (let x = 0; x < outW; x++) {
    const s = bilinearSource(x, sx, width);
    xs0[x] = Math.floor(s);
    xs1[x] = Math.min(width - 1, xs0[x] + 1);
    frac[x] = s - xs0[x];
  }
  return { xs0, xs1 };
}

/**
 * Bilinear resize with half-pixel centres and no antialiasing: the sampling OpenCV's
 * INTER_LINEAR uses (Ultralytics letterbox). Returns float RGB, interleaved, 0..255.
 */
export function resizeBilinearRgb(image: RgbImage, outW: number, outH: number): Float32Array {
  const { data, width, height } = image;
  const out = new Float32Array(outW * outH * 3);
  const fx = new Float32Array(outW);
  const { xs0, xs1 } = bilinearTaps(width, outW, fx);
  const fys = new Float64Array(outH);
  const { xs0: ys0, xs1: ys1 } = bilinearTaps(height, outH, fys);
  for (let y = 0; y < outH; y++) {
    const fy = fys[y];
    const r0 = ys0[y] * width * 3;
    const r1 = ys1[y] * width * 3;
    for (let x = 0; x < outW; x++) {
      const a = xs0[x] * 3;
      const b = xs1[x] * 3;
      const o = (y * outW + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = data[r0 + a + c] + (data[r0 + b + c] - data[r0 + a + c]) * fx[x];
        const bottom = data[r1 + a + c] + (data[r1 + b + c] - data[r1 + a + c]) * fx[x];
        out[o + c] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/**
 * The same bilinear resize written straight into a planar [3, outH, outW] tensor with a
 * per-channel affine map (value × scale[c] + offset[c]): the model's normalisation in the
 * one pass, with no interleaved intermediate (a 1024² input is 12 MB of it, and the
 * separate transpose pass cost as much as the resize).
 */
export function resizeBilinearRgbPlanar(image: RgbImage, outW: number, outH: number, scale: readonly [number, number, number], offset: readonly [number, number, number]): Float32Array {
  const { data, width, height } = image;
  const plane = outW * outH;
  const out = new Float32Array(3 * plane);
  const fx = new Float32Array(outW);
  const { xs0, xs1 } = bilinearTaps(width, outW, fx);
  const fys = new Float64Array(outH);
  const { xs0: ys0, xs1: ys1 } = bilinearTaps(height, outH, fys);
  const [s0, s1, s2] = scale;
  const [o0, o1, o2] = offset;
  for (let y = 0; y < outH; y++) {
    const fy = fys[y];
    const r0 = ys0[y] * width * 3;
    const r1 = ys1[y] * width * 3;
    const row = y * outW;
    for (let x = 0; x < outW; x++) {
      const a = xs0[x] * 3;
      const b = xs1[x] * 3;
      const f = fx[x];
      const p = row + x;
      let top = data[r0 + a] + (data[r0 + b] - data[r0 + a]) * f;
      let bottom = data[r1 + a] + (data[r1 + b] - data[r1 + a]) * f;
      out[p] = (top + (bottom - top) * fy) * s0 + o0;
      top = data[r0 + a + 1] + (data[r0 + b + 1] - data[r0 + a + 1]) * f;
      bottom = data[r1 + a + 1] + (data[r1 + b + 1] - data[r1 + a + 1]) * f;
      out[plane + p] = (top + (bottom - top) * fy) * s1 + o1;
      top = data[r0 + a + 2] + (data[r0 + b + 2] - data[r0 + a + 2]) * f;
      bottom = data[r1 + a + 2] + (data[r1 + b + 2] - data[r1 + a + 2]) * f;
      out[2 * plane + p] = (top + (bottom - top) * fy) * s2 + o2;
    }
  }
  return out;
}

/** Bilinear resize of one float plane (half-pixel centres), e.g. a mask back to crop size. */
export function resizeBilinearPlane(src: ArrayLike<number>, width: number, height: number, outW: number, outH: number): Float32Array {
  const out = new Float32Array(outW * outH);
  const fxs = new Float64Array(outW);
  const { xs0, xs1 } = bilinearTaps(width, outW, fxs);
  const fys = new Float64Array(outH);
  const { xs0: ys0, xs1: ys1 } = bilinearTaps(height, outH, fys);
  for (let y = 0; y < outH; y++) {
    const fy = fys[y];
    const r0 = ys0[y] * width;
    const r1 = ys1[y] * width;
    const o = y * outW;
    for (let x = 0; x < outW; x++) {
      const x0 = xs0[x];
      const x1 = xs1[x];
      const fx = fxs[x];
      const top = src[r0 + x0] + (src[r0 + x1] - src[r0 + x0]) * fx;
      const bottom = src[r1 + x0] + (src[r1 + x1] - src[r1 + x0]) * fx;
      out[o + x] = top + (bottom - top) * fy;
    }
  }
  return out;
}

// Keys' cubic with a = -0.5, the kernel PIL's BICUBIC filter uses.
function cubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  stride: number;
}

// PIL-style separable resampling: when shrinking, the kernel is stretched by the scale
// (antialiasing), so a 640→224 resize averages like Pillow's Image.resize(BICUBIC).
function cubicTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support + 0.5));
    const hi = Math.min(inSize, Math.floor(centre + support + 0.5));
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const w = cubic((j - centre + 0.5) / filterScale);
      weights[i * stride + (j - lo)] = w;
      total += w;
    }
    for (let j = lo; j < hi; j++) weights[i * stride + (j - lo)] /= total || 1;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, weights, stride };
}

/** Bicubic (PIL-style, antialiased when shrinking) resize; returns float RGB interleaved, 0..255. */
export function resizeBicubicRgb(image: RgbImage, outW: number, outH: number): Float32Array {
  const { data, width, height } = image;
  const tx = cubicTaps(width, outW);
  const ty = cubicTaps(height, outH);
  const mid = new Float32Array(outW * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const base = x * tx.stride;
      for (let k = 0; k < tx.count[x]; k++) {
        const w = tx.weights[base + k];
        const p = (y * width + tx.start[x] + k) * 3;
        r += data[p] * w;
        g += data[p + 1] * w;
        b += data[p + 2] * w;
      }
      const o = (y * outW + x) * 3;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
    }
  }
  const out = new Float32Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const base = y * ty.stride;
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < ty.count[y]; k++) {
        const w = ty.weights[base + k];
        const p = ((ty.start[y] + k) * outW + x) * 3;
        r += mid[p] * w;
        g += mid[p + 1] * w;
        b += mid[p + 2] * w;
      }
      const o = (y * outW + x) * 3;
      // Pillow clamps to the 8-bit range after the (overshooting) cubic.
      out[o] = Math.min(255, Math.max(0, r));
      out[o + 1] = Math.min(255, Math.max(0, g));
      out[o + 2] = Math.min(255, Math.max(0, b));
    }
  }
  return out;
}

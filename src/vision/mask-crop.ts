// Keyframe masks kept between the finder and the atlas: a mask is 0 away
// from its subject, so only the rectangle holding its nonzero bytes is kept
// (analysis then holds little beyond the atlas itself while it waits for
// every keyframe's box).

/** A width × height byte mask as the rectangle at x, y of w × h bytes outside which it is 0. */
export interface CroppedMask {
  x: number;
  y: number;
  w: number;
  h: number;
  data: Uint8Array;
}

/** The smallest rectangle of `m` (width × height bytes) holding all its nonzero bytes (0 × 0 for an empty mask). */
export function cropMask(m: Uint8Array, width: number, height: number): CroppedMask {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (m[row + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) return { x: 0, y: 0, w: 0, h: 0, data: new Uint8Array(0) };
  const [w, h] = [x1 - x0 + 1, y1 - y0 + 1];
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(m.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w);
  return { x: x0, y: y0, w, h, data };
}

/** The whole mask again, written into `out` (width × its height bytes). */
export function uncropMask(c: CroppedMask, width: number, out: Uint8Array): Uint8Array {
  out.fill(0);
  for (let y = 0; y < c.h; y++) out.set(c.data.subarray(y * c.w, (y + 1) * c.w), (c.y + y) * width + c.x);
  return out;
}

// Decoding Ultralytics YOLO ONNX outputs into candidate boxes (letterboxed pixels), and
// turning a segment model's mask coefficients + prototypes into an image-sized mask.
import type { Letterbox } from './letterbox.js';
import type { ScoredBox } from './nms.js';

export interface RawDetection extends ScoredBox {
  /** Mask coefficients (segment models only). */
  coeffs?: Float32Array;
}

/**
 * `[1, 4+nc+nm, anchors]`, channel-major (`data[c*anchors + a]`): cx, cy, w, h, nc sigmoided
 * class scores, nm mask coefficients. Keeps the best class per anchor if above `conf`.
 */
export function decodeYoloGrid(data: Float32Array, anchors: number, nc: number, nm: number, conf: number): RawDetection[] {
  if (data.length !== (4 + nc + nm) * anchors) {
    throw new RangeError(`output0 has ${data.length} values, expected (4+${nc}+${nm})×${anchors}`);
  }
  const out: RawDetection[] = [];
  for (let a = 0; a < anchors; a++) {
    let best = -1;
    let score = -Infinity;
    for (let c = 0; c < nc; c++) {
      const s = data[(4 + c) * anchors + a];
      if (s > score) {
        score = s;
        best = c;
      }
    }
    if (!(score > conf)) continue;
    const cx = data[a];
    const cy = data[anchors + a];
    const w = data[2 * anchors + a];
    const h = data[3 * anchors + a];
    let coeffs: Float32Array | undefined;
    if (nm > 0) {
      coeffs = new Float32Array(nm);
      for (let k = 0; k < nm; k++) coeffs[k] = data[(4 + nc + k) * anchors + a];
    }
    out.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId: best, coeffs });
  }
  return out;
}

/** End-to-end exports: `[1, rows, 6(+nm)]` = x1, y1, x2, y2, conf, cls (+ mask coefficients). */
export function decodeYoloEndToEnd(data: Float32Array, rows: number, width: number, conf: number): RawDetection[] {
  if (width < 6 || data.length !== rows * width) throw new RangeError(`end-to-end output has ${data.length} values, expected ${rows}×${width} (width ≥ 6)`);
  const out: RawDetection[] = [];
  for (let i = 0; i < rows; i++) {
    const o = i * width;
    const score = data[o + 4];
    if (!(score > conf)) continue;
    const coeffs = width > 6 ? data.slice(o + 6, o + width) : undefined;
    out.push({ x1: data[o], y1: data[o + 1], x2: data[o + 2], y2: data[o + 3], score, classId: Math.round(data[o + 5]), coeffs });
  }
  return out;
}

export interface Protos {
  data: Float32Array;
  /** channels (32), height, width (160) */
  c: number;
  h: number;
  w: number;
}

/**
 * Segment-model mask for one candidate at image resolution (0 or 255):
 * logits = coeffs · protos, zeroed outside the box scaled to the proto grid, sampled
 * bilinearly (half-pixel centres) at each image pixel mapped through the letterbox,
 * foreground where the logit > 0. Ultralytics upsamples to 640 first, then resizes the
 * binary mask to the image; sampling the logits directly differs only at edge pixels.
 */
export function decodeSegMask(protos: Protos, coeffs: Float32Array, box: ScoredBox, lb: Letterbox): Uint8Array {
  const { c, h: ph, w: pw, data } = protos;
  if (coeffs.length !== c) throw new RangeError(`mask coefficients: ${coeffs.length} values for ${c} prototypes`);
  const sx = pw / lb.dstW;
  const sy = ph / lb.dstH;
  const bx1 = box.x1 * sx;
  const bx2 = box.x2 * sx;
  const by1 = box.y1 * sy;
  const by2 = box.y2 * sy;
  // Logits only where the crop keeps them (Ultralytics crop_mask: index ≥ x1 and < x2).
  const logits = new Float32Array(pw * ph);
  const plane = pw * ph;
  for (let y = Math.max(0, Math.floor(by1)); y < Math.min(ph, Math.ceil(by2)); y++) {
    if (!(y >= by1 && y < by2)) continue;
    for (let x = Math.max(0, Math.floor(bx1)); x < Math.min(pw, Math.ceil(bx2)); x++) {
      if (!(x >= bx1 && x < bx2)) continue;
      let v = 0;
      const p = y * pw + x;
      for (let k = 0; k < c; k++) v += coeffs[k] * data[k * plane + p];
      logits[p] = v;
    }
  }
  const out = new Uint8Array(lb.srcW * lb.srcH);
  // Image pixel centre → resized-crop coordinate (half-pixel) → letterbox → proto grid.
  const kx = lb.newW / lb.srcW;
  const ky = lb.newH / lb.srcH;
  for (let y = 0; y < lb.srcH; y++) {
    const ly = (y + 0.5) * ky + lb.top;
    const py = Math.min(ph - 1, Math.max(0, ly * sy - 0.5));
    const y0 = Math.floor(py);
    const y1 = Math.min(ph - 1, y0 + 1);
    const fy = py - y0;
    for (let x = 0; x < lb.srcW; x++) {
      const lx = (x + 0.5) * kx + lb.left;
      const px = Math.min(pw - 1, Math.max(0, lx * sx - 0.5));
      const x0 = Math.floor(px);
      const x1 = Math.min(pw - 1, x0 + 1);
      const fx = px - x0;
      const top = logits[y0 * pw + x0] * (1 - fx) + logits[y0 * pw + x1] * fx;
      const bottom = logits[y1 * pw + x0] * (1 - fx) + logits[y1 * pw + x1] * fx;
      if (top * (1 - fy) + bottom * fy > 0) out[y * lb.srcW + x] = 255;
    }
  }
  return out;
}

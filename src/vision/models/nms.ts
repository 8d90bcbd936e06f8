// Greedy non-maximum suppression over corner boxes, per class (or class-agnostic), the
// way Ultralytics' non_max_suppression keeps boxes: highest confidence first, drop any
// later box of the same class whose IoU with a kept one exceeds the threshold.

export interface ScoredBox {
  /** x1, y1, x2, y2 */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classId: number;
}

export interface NmsOptions {
  /** Keep boxes with score strictly above this (default 0.25). */
  confThreshold?: number;
  /** Suppress when IoU is above this (default 0.5; Ultralytics uses 0.45–0.7). */
  iouThreshold?: number;
  /** At most this many boxes (default 300). */
  maxDetections?: number;
  /** Ignore classes when suppressing. */
  agnostic?: boolean;
}

export function iou(a: ScoredBox, b: ScoredBox): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

export function checkNmsOptions(o: NmsOptions): Required<NmsOptions> {
  const conf = o.confThreshold ?? 0.25;
  const iouT = o.iouThreshold ?? 0.5;
  const max = o.maxDetections ?? 300;
  if (!(conf >= 0 && conf < 1)) throw new RangeError(`confThreshold must be in [0, 1) (got ${conf})`);
  if (!(iouT > 0 && iouT <= 1)) throw new RangeError(`iouThreshold must be in (0, 1] (got ${iouT})`);
  if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`maxDetections must be a positive integer (got ${max})`);
  return { confThreshold: conf, iouThreshold: iouT, maxDetections: max, agnostic: o.agnostic ?? false };
}

/** Returns kept boxes, highest score first. Input order only matters for equal scores (stable). */
export function nms<T extends ScoredBox>(boxes: readonly T[], options: NmsOptions = {}): T[] {
  const o = checkNmsOptions(options);
  const order = boxes.filter((b) => b.score > o.confThreshold && Number.isFinite(b.score)).sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const box of order) {
    if (kept.length >= o.maxDetections) break;
    let suppressed = false;
    for (const k of kept) {
      if ((o.agnostic || k.classId === box.classId) && iou(k, box) > o.iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(box);
  }
  return kept;
}

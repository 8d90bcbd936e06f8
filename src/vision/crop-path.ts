// Reframing path (`output.aspect`): a fixed-size crop window per frame that
// follows the subject like a calm camera operator. Pure function.
//  1. subject centre per frame, interpolated between keyframes;
//  2. dead zone: the camera only moves once the subject leaves a band around
//     the camera centre, so small jitter and a still subject give a still frame;
//  3. zero-phase smoothing (three box passes ≈ Gaussian) and a speed limit;
//  4. hard limits last: the subject (its box when it fits, else its centre)
//     stays inside the window, and the window stays inside the frame.
import type { KeyframeResult } from './analyse.js';

export interface CropPathOptions {
  /** Half-width of the dead zone, as a fraction of the crop size (default 0.08). */
  deadZone?: number;
  /** Smoothing window in seconds (default 1). */
  smoothSeconds?: number;
  /** Speed limit in crop sizes per second (default 1). The subject-inside rule overrides it for faster subjects. */
  maxSpeed?: number;
  /** Smallest distance kept between the subject centre and the window edge, as a fraction of the crop size (default 0.1). */
  margin?: number;
}

export interface VideoGeometry {
  width: number;
  height: number;
  frames: number;
  fps: number;
}

type KeyBox = Pick<KeyframeResult, 'frame' | 'box'>;

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

function check(cond: boolean, message: string): asserts cond {
  if (!cond) throw new RangeError(`crop path: ${message}`);
}

/** Subject centre and half-size per frame on one axis, linear between keyframes, held at the ends. */
function interpolate(keys: KeyBox[], frames: number, axis: 0 | 1): { centre: Float64Array; half: Float64Array } {
  const centre = new Float64Array(frames);
  const half = new Float64Array(frames);
  let k = 0;
  for (let f = 0; f < frames; f++) {
    while (k + 1 < keys.length && keys[k + 1].frame <= f) k++;
    const a = keys[k];
    const b = keys[Math.min(k + 1, keys.length - 1)];
    const t = b.frame > a.frame ? clamp((f - a.frame) / (b.frame - a.frame), 0, 1) : 0;
    const ca = a.box[axis] + a.box[axis + 2] / 2;
    const cb = b.box[axis] + b.box[axis + 2] / 2;
    centre[f] = ca + (cb - ca) * t;
    half[f] = (a.box[axis + 2] + (b.box[axis + 2] - a.box[axis + 2]) * t) / 2;
  }
  return { centre, half };
}

function boxSmooth(v: Float64Array<ArrayBuffer>, r: number): Float64Array<ArrayBuffer> {
  if (r <= 0) return v;
  const n = v.length;
  const out = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let d = -r; d <= r; d++) s += v[clamp(f + d, 0, n - 1)];
    out[f] = s / (2 * r + 1);
  }
  return out;
}

/** Top-left positions along one axis for a window of `size` in a frame of `full`. */
function axisPath(keys: KeyBox[], frames: number, fps: number, full: number, size: number, axis: 0 | 1, o: Required<CropPathOptions>): Float64Array {
  const pos = new Float64Array(frames);
  const maxPos = (full - size) & ~1;
  if (maxPos <= 0) return pos;
  const { centre, half } = interpolate(keys, frames, axis);
  const lo = size / 2;
  const hi = full - size / 2;
  const dz = o.deadZone * size;
  let cam = clamp(centre[0], lo, hi);
  let path: Float64Array<ArrayBuffer> = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    if (centre[f] > cam + dz) cam = centre[f] - dz;
    else if (centre[f] < cam - dz) cam = centre[f] + dz;
    cam = clamp(cam, lo, hi);
    path[f] = cam;
  }
  const r = Math.round((o.smoothSeconds * fps) / 6);
  path = boxSmooth(boxSmooth(boxSmooth(path, r), r), r);
  const step = (o.maxSpeed * size) / fps;
  for (let f = 1; f < frames; f++) path[f] = clamp(path[f], path[f - 1] - step, path[f - 1] + step);
  for (let f = frames - 2; f >= 0; f--) path[f] = clamp(path[f], path[f + 1] - step, path[f + 1] + step);
  for (let f = 0; f < frames; f++) {
    // Keep the whole subject in view when it fits, else at least its centre with a margin.
    const keep = Math.min(size / 2 - 2, Math.max(o.margin * size, half[f]));
    const c = clamp(path[f], centre[f] - size / 2 + keep, centre[f] + size / 2 - keep);
    pos[f] = clamp(2 * Math.round((c - size / 2) / 2), 0, maxPos);
  }
  return pos;
}

/**
 * Crop windows for every frame: a Float32Array of `frames × 4` (x, y, w, h in
 * input pixels; w, h fixed and even; x, y even so yuv420p chroma stays aligned).
 */
export function computeCropPath(keyframes: KeyBox[], video: VideoGeometry, size: { width: number; height: number }, options: CropPathOptions = {}): Float32Array {
  const o: Required<CropPathOptions> = { deadZone: 0.08, smoothSeconds: 1, maxSpeed: 1, margin: 0.1, ...options };
  check(Number.isInteger(video.frames) && video.frames > 0, `frame count ${video.frames} is not a positive integer`);
  check(video.fps > 0 && Number.isFinite(video.fps), `fps ${video.fps} is not positive`);
  check(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width >= 2 && size.height >= 2 && size.width % 2 === 0 && size.height % 2 === 0, `window ${size.width}x${size.height} must have even integer sides >= 2`);
  check(size.width <= video.width && size.height <= video.height, `window ${size.width}x${size.height} is larger than the ${video.width}x${video.height} frame`);
  check(keyframes.length > 0, 'no keyframes');
  for (let i = 0; i < keyframes.length; i++) {
    const k = keyframes[i];
    check(k.box.length === 4 && k.box.every(Number.isFinite), `keyframe ${i} (frame ${k.frame}) has a bad box ${JSON.stringify(k.box)}`);
    if (i > 0) check(k.frame > keyframes[i - 1].frame, `keyframe frames must increase (${keyframes[i - 1].frame} then ${k.frame})`);
  }
  const xs = axisPath(keyframes, video.frames, video.fps, video.width, size.width, 0, o);
  const ys = axisPath(keyframes, video.frames, video.fps, video.height, size.height, 1, o);
  const out = new Float32Array(video.frames * 4);
  for (let f = 0; f < video.frames; f++) out.set([xs[f], ys[f], size.width, size.height], 4 * f);
  return out;
}

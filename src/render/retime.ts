// Which source frame each output frame shows, for a frame range of the input
// and an output frame rate. Output frame k is at k/outFps seconds from the
// range start and shows the source frame on screen at that moment (the one
// whose interval holds it): frames are dropped or repeated, never blended, and
// the audio is left as it is. Without a new rate it is the identity.
export interface Rate {
  num: number;
  den: number;
}

export interface FrameMap {
  /** Frame rate of the output. */
  rate: Rate;
  /** First source frame of the range and the end (exclusive). */
  startFrame: number;
  endFrame: number;
  /** Output frame count. */
  frames: number;
  /** Set when the rate changes: for output frame k, the source frame it shows. */
  sourceOf?: Int32Array;
}

export function frameMap(source: Rate, range: { startFrame: number; endFrame: number }, rate?: Rate): FrameMap {
  const { startFrame, endFrame } = range;
  const span = endFrame - startFrame;
  if (!rate || rate.num * source.den === source.num * rate.den) return { rate: source, startFrame, endFrame, frames: span };
  // Output frames in the range's duration, at least one; exact integer products (well below 2^53).
  const frames = Math.max(1, Math.round((span * source.den * rate.num) / (source.num * rate.den)));
  const sourceOf = new Int32Array(frames);
  const step = { num: rate.den * source.num, den: rate.num * source.den };
  for (let k = 0; k < frames; k++) sourceOf[k] = Math.min(endFrame - 1, startFrame + Math.floor((k * step.num) / step.den));
  return { rate, startFrame, endFrame, frames, sourceOf };
}

/**
 * How many output frames each source frame of [startFrame, endFrame) gives
 * (0 = dropped, 2 = shown twice); undefined when every frame gives one.
 */
export function repeatsFor(map: FrameMap, startFrame: number, endFrame: number): number[] | undefined {
  if (!map.sourceOf) return undefined;
  const repeats = new Array<number>(endFrame - startFrame).fill(0);
  for (const f of map.sourceOf) if (f >= startFrame && f < endFrame) repeats[f - startFrame]++;
  return repeats;
}

/**
 * The frames [startFrame, endFrame) of a --from/--to range: each time goes to
 * the nearest frame boundary, as plan times do. A `to` past the end stops at
 * the end (with a warning); a `from` at or after it is an error.
 */
export function rangeFrames(
  grid: Rate & { frames: number },
  from: number | undefined,
  to: number | undefined,
  warn: (message: string) => void,
): { startFrame: number; endFrame: number } {
  const at = (s: number): number => Math.floor((s * grid.num) / grid.den + 0.5 + 1e-7);
  const seconds = (f: number): number => Math.round(((f * grid.den) / grid.num) * 1000) / 1000;
  const length = `the video is ${seconds(grid.frames)} s long (${grid.frames} frames)`;
  const startFrame = from === undefined ? 0 : at(from);
  if (startFrame >= grid.frames) throw new RangeError(`--from ${from} s is at or after the end of the video; ${length}`);
  let endFrame = to === undefined ? grid.frames : at(to);
  if (endFrame > grid.frames) {
    warn(`--to ${to} s is past the end of the video; rendered to the end (${seconds(grid.frames)} s)`);
    endFrame = grid.frames;
  }
  if (endFrame <= startFrame) throw new RangeError(`--from ${from ?? 0} s to --to ${to} s is shorter than one frame; expected at least ${seconds(1)} s`);
  return { startFrame, endFrame };
}

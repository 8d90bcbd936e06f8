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

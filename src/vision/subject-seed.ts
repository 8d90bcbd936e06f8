// Subject seeds: a box or point (input pixels) at a time that tells the
// model-free finder which of the salient things is the subject. Parsed from
// the command line (`x,y,w,h[@time]`, `x,y[@time]`), checked against the
// probed input, and turned into the finder's normalised form.

/** A box [x, y, w, h] or a point [x, y] in input pixels, at `time` seconds of the input (default 0). */
export type SubjectSeed = { box: [number, number, number, number]; time?: number } | { point: [number, number]; time?: number };

/** What the finder takes: a normalised box (a point is a zero-size box) at a keyframe index. */
export interface FinderSeed {
  box: [number, number, number, number];
  keyframe: number;
}

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

const NUMBER = String.raw`-?\d+(?:\.\d+)?`;

/** `x,y,w,h[@time]` (kind 'box') or `x,y[@time]` (kind 'point'); throws SeedError naming the flag. */
export function parseSeedArg(kind: 'box' | 'point', text: string): SubjectSeed {
  const flag = kind === 'box' ? '--subject-box' : '--subject-point';
  const count = kind === 'box' ? 4 : 2;
  const m = new RegExp(`^(${NUMBER}(?:,${NUMBER}){${count - 1}})(?:@(${NUMBER}))?$`).exec(text.trim());
  if (!m) throw new SeedError(`${flag}: expected ${kind === 'box' ? 'x,y,w,h' : 'x,y'}[@seconds] in input pixels, e.g. ${kind === 'box' ? '120,40,80,160@2.5' : '160,90@2.5'}; got "${text}"`);
  const values = m[1].split(',').map(Number);
  if (kind === 'box' && !(values[2] > 0 && values[3] > 0)) throw new SeedError(`${flag}: the box ${m[1]} has no area (w and h must be positive)`);
  const time = m[2] === undefined ? undefined : Number(m[2]);
  return kind === 'box' ? { box: values as [number, number, number, number], ...(time !== undefined ? { time } : {}) } : { point: values as [number, number], ...(time !== undefined ? { time } : {}) };
}

/** The command-line flag that gives this kind of seed. */
export const seedFlag = (seed: SubjectSeed): string => ('box' in seed ? '--subject-box' : '--subject-point');

/** Refuses a seed outside the frame or the video; `what` names where it came from (a flag, a plan field). */
export function checkSeed(seed: SubjectSeed, input: { width: number; height: number; frames: number; fps: number }, what: string): void {
  const time = seed.time ?? 0;
  const duration = input.frames / input.fps;
  if (!(Number.isFinite(time) && time >= 0 && time <= duration)) throw new SeedError(`${what}: time ${time} s is outside the video (0 to ${Number(duration.toFixed(3))} s)`);
  const frame = `the ${input.width}x${input.height} frame`;
  if ('box' in seed) {
    const [x, y, w, h] = seed.box;
    if (!(w > 0 && h > 0)) throw new SeedError(`${what}: the box ${seed.box.join(',')} has no area (w and h must be positive)`);
    if (!(x >= 0 && y >= 0 && x + w <= input.width && y + h <= input.height)) throw new SeedError(`${what}: the box ${seed.box.join(',')} (x,y,w,h) is outside ${frame}`);
  } else {
    const [x, y] = seed.point;
    if (!(x >= 0 && y >= 0 && x < input.width && y < input.height)) throw new SeedError(`${what}: the point ${seed.point.join(',')} is outside ${frame}`);
  }
}

/** The seed for the finder: box normalised to the frame, at the keyframe nearest its time. */
export function finderSeed(seed: SubjectSeed, input: { width: number; height: number; fps: number }, keyframeFrames: readonly number[]): FinderSeed {
  const box: [number, number, number, number] = 'box' in seed ? seed.box : [seed.point[0], seed.point[1], 0, 0];
  const frame = (seed.time ?? 0) * input.fps;
  let keyframe = 0;
  keyframeFrames.forEach((f, i) => {
    if (Math.abs(f - frame) < Math.abs(keyframeFrames[keyframe] - frame)) keyframe = i;
  });
  return { box: [box[0] / input.width, box[1] / input.height, box[2] / input.width, box[3] / input.height], keyframe };
}

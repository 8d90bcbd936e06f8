// Output frame size for `output.aspect`. "source" keeps the input size. A
// ratio W:H crops the largest W:H window that fits the input (full height
// for a narrower target, full width for a wider one) and rounds both sides
// down to even numbers, because yuv420p encoders need even sizes. The size
// is fixed for the whole run, so every batch encodes the same size.
export interface Size {
  width: number;
  height: number;
}

export function parseAspect(aspect: string): { w: number; h: number } | undefined {
  if (aspect === 'source') return undefined;
  const m = /^(\d+):(\d+)$/.exec(aspect);
  if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0) throw new RangeError(`output.aspect must be "source" or "W:H", got ${JSON.stringify(aspect)}`);
  return { w: Number(m[1]), h: Number(m[2]) };
}

const even = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);

/**
 * The crop window (and output) size for an aspect on a source size; undefined
 * when no reframing is needed. The aspect is the displayed one: with
 * non-square pixels (`sampleAspect`), the window is W:H once its pixels are
 * shown at their width.
 */
export function reframeSize(source: Size, aspect: string, sampleAspect?: [number, number]): Size | undefined {
  const ratio = parseAspect(aspect);
  if (!ratio) return undefined;
  const target = (ratio.w / ratio.h) * (sampleAspect ? sampleAspect[1] / sampleAspect[0] : 1);
  const sourceRatio = source.width / source.height;
  const size =
    target < sourceRatio
      ? { width: even(source.height * target), height: even(source.height) }
      : { width: even(source.width), height: even(source.width / target) };
  if (size.width === source.width && size.height === source.height) return undefined;
  return { width: Math.min(size.width, source.width), height: Math.min(size.height, source.height) };
}

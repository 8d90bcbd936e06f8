// What the encoded video says about its own pixels: the sample aspect ratio
// (non-square pixels) and the colour tags (range, matrix, primaries,
// transfer). Frames reach the encoder as limited-range yuv420p, converted
// once at decode, so the range tag is always "tv"; the matrix, primaries and
// transfer are the input's, because the yuv-to-yuv conversion keeps the
// matrix. RGB inputs are converted with the BT.709 matrix and tagged so.
import type { ProbeInfo } from './probe-types.js';

export interface ColorTags {
  range: 'tv';
  space?: string;
  primaries?: string;
  transfer?: string;
}

export interface VideoTags {
  /** Sample aspect ratio of the encoded pixels (absent: square). */
  sampleAspect?: [number, number];
  color: ColorTags;
}

// Names ffmpeg 4.1 takes for -colorspace / -color_primaries / -color_trc (ffprobe prints the same
// names for these); a tag outside them (e.g. "gbr", "reserved") is left unset rather than failing.
const SPACES = new Set(['bt709', 'fcc', 'bt470bg', 'smpte170m', 'smpte240m', 'ycgco', 'bt2020nc', 'bt2020c', 'smpte2085']);
const PRIMARIES = new Set(['bt709', 'bt470m', 'bt470bg', 'smpte170m', 'smpte240m', 'film', 'bt2020', 'smpte428', 'smpte431', 'smpte432', 'jedec-p22']);
const TRANSFERS = new Set([
  'bt709', 'gamma22', 'gamma28', 'smpte170m', 'smpte240m', 'linear', 'log100', 'log316', 'iec61966-2-4', 'bt1361e', 'iec61966-2-1',
  'bt2020-10', 'bt2020-12', 'smpte2084', 'smpte428', 'arib-std-b67',
]);

/** RGB(A), palette and planar GBR pixel formats: converted to YUV with a matrix maskflow chooses. */
export function isRgbPixelFormat(pixFmt: string): boolean {
  return /^(rgb|bgr|argb|abgr|0rgb|0bgr|gbr|pal8|rgba|bgra)/.test(pixFmt);
}

/** The matrix the decoder's RGB-to-YUV conversion uses (scale's out_color_matrix), or undefined for YUV inputs. */
export function decodeColorMatrix(info: Pick<ProbeInfo, 'pixFmt'>): 'bt709' | undefined {
  return isRgbPixelFormat(info.pixFmt) ? 'bt709' : undefined;
}

/** Colour tags of the encoded video for this input. */
export function outputColorTags(info: Pick<ProbeInfo, 'pixFmt' | 'color'>): ColorTags {
  const c = info.color ?? {};
  const pick = (v: string | undefined, allowed: Set<string>): string | undefined => (v && allowed.has(v) ? v : undefined);
  if (decodeColorMatrix(info) === 'bt709') {
    // sRGB pictures: BT.709 primaries, the sRGB curve unless the file says otherwise.
    return { range: 'tv', space: 'bt709', primaries: pick(c.primaries, PRIMARIES) ?? 'bt709', transfer: pick(c.transfer, TRANSFERS) ?? 'iec61966-2-1' };
  }
  const tags: ColorTags = { range: 'tv' };
  const space = pick(c.space, SPACES);
  const primaries = pick(c.primaries, PRIMARIES);
  const transfer = pick(c.transfer, TRANSFERS);
  if (space) tags.space = space;
  if (primaries) tags.primaries = primaries;
  if (transfer) tags.transfer = transfer;
  return tags;
}

/**
 * Sample aspect ratio of an output of `encoded` size showing the `shown`
 * region of the input (input pixels) whose pixels have aspect `sar`: the
 * output displays that region at its true shape. Reduced; undefined when
 * square.
 */
export function outputSampleAspect(sar: [number, number] | undefined, shown: { width: number; height: number }, encoded: { width: number; height: number }): [number, number] | undefined {
  const [sn, sd] = sar ?? [1, 1];
  let n = sn * shown.width * encoded.height;
  let d = sd * shown.height * encoded.width;
  const g = gcd(n, d);
  n /= g;
  d /= g;
  // The stored ratio is a pair of 16-bit-ish numbers in most containers: approximate huge ones.
  while (n > 65535 || d > 65535) {
    n = Math.round(n / 2);
    d = Math.round(d / 2);
  }
  return n === d ? undefined : [n, d];
}

/** Greatest common divisor (1 for 0 and 0, so a ratio never divides by zero). */
export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

/** ffmpeg output options writing the colour tags into an encode. */
export function colorTagOptions(color: ColorTags): string[] {
  const out = ['-color_range', color.range];
  if (color.space) out.push('-colorspace', color.space);
  if (color.primaries) out.push('-color_primaries', color.primaries);
  if (color.transfer) out.push('-color_trc', color.transfer);
  return out;
}

/**
 * The filter giving the encoded frames their sample aspect ratio. The ratio
 * is an expression (N/D: no colon to escape); `max` lifts setsar's default
 * bound of 100 on the fraction it turns it back into, so it stays exact.
 */
export function sampleAspectFilter(sampleAspect: [number, number] | undefined): string | undefined {
  return sampleAspect ? `setsar=sar=${sampleAspect[0]}/${sampleAspect[1]}:max=65535` : undefined;
}

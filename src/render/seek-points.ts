// Where decoding can start: the input's codec keyframes as frame indices,
// read from packet flags (no decoding), for batch cuts that seek for free.
import type { FfmpegPaths } from '../media/ffmpeg.js';
import { keyframeTimes, picturePackets, scanVideoPackets, ticksToSeconds } from '../media/packets.js';
import type { ProbeInfo } from '../media/probe-types.js';

/**
 * Frame indices of the codec keyframes (ascending; frame 0 is the first
 * picture). Frame f is the picture presented f / fps after the first one,
 * as the batch decoder's seek counts it.
 */
export async function codecKeyframeFrames(paths: FfmpegPaths, info: ProbeInfo): Promise<number[]> {
  // The frame grid lists them already (the same packets).
  if (info.grid) return info.grid.keyframes;
  const packets = await scanVideoPackets(paths, info.file, info.videoStream ?? 0);
  const pictures = picturePackets(packets);
  if (pictures.length === 0) return [0];
  const first = pictures[0];
  const t0 = ticksToSeconds(packets, Number.isNaN(packets.pts[first]) ? packets.dts[first] : packets.pts[first]);
  const frames = new Set<number>();
  for (const t of keyframeTimes(packets)) {
    const f = Math.round((t - t0) * info.fps);
    if (f >= 0 && f < info.frames) frames.add(f);
  }
  return [...frames].sort((a, b) => a - b);
}

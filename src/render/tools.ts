// The ffmpeg and ffprobe of one run, looked up once: every stage, every batch
// job and the report use these paths (a second lookup could find other
// binaries if the environment changed meanwhile).
import { resolveBinary, type Binary } from '../media/binaries.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';

export interface RunTools {
  paths: FfmpegPaths;
  ffmpeg: Binary;
  ffprobe: Binary;
}

export function resolveTools(option?: string): RunTools {
  const ffmpeg = resolveBinary('ffmpeg', option);
  const ffprobe = resolveBinary('ffprobe', option);
  return { paths: { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path }, ffmpeg, ffprobe };
}


// Test media helpers: real ffmpeg/ffprobe runs, small clips.
import { spawnSync } from 'node:child_process';
import { ffmpegPaths } from '../../src/media/ffmpeg.js';

export const paths = ffmpegPaths();

export function ffmpeg(args: string[]): void {
  const r = spawnSync(paths.ffmpeg, ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

export interface StreamFacts {
  frames: number;
  width: number;
  height: number;
  rate: string;
  audioStreams: number;
  audioDuration: number;
}

/** Counts decoded frames (not container metadata) and lists the streams. */
export function inspect(file: string): StreamFacts {
  const r = spawnSync(
    paths.ffprobe,
    ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,nb_read_frames,width,height,r_frame_rate,duration', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffprobe ${file} failed: ${r.stderr}`);
  const streams = (JSON.parse(r.stdout) as { streams: Record<string, string | number>[] }).streams;
  const video = streams.find((s) => s.codec_type === 'video')!;
  const audio = streams.filter((s) => s.codec_type === 'audio');
  return {
    frames: Number(video.nb_read_frames),
    width: Number(video.width),
    height: Number(video.height),
    rate: String(video.r_frame_rate),
    audioStreams: audio.length,
    audioDuration: audio.length ? Number(audio[0].duration) : 0,
  };
}

/** Decodes every frame as 8-bit gray at w×h. */
export function grayFrames(file: string, w: number, h: number): Uint8Array[] {
  const r = spawnSync(paths.ffmpeg, ['-v', 'error', '-i', file, '-vf', `scale=${w}:${h}:flags=area,format=gray`, '-vsync', '0', '-f', 'rawvideo', '-'], {
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`decoding ${file} failed: ${r.stderr}`);
  const frames: Uint8Array[] = [];
  for (let o = 0; o + w * h <= r.stdout.length; o += w * h) frames.push(new Uint8Array(r.stdout.subarray(o, o + w * h)));
  return frames;
}

/** Decodes every frame as rgb24 at its own size. */
export function rgbFrames(file: string, w: number, h: number): Uint8Array[] {
  const r = spawnSync(paths.ffmpeg, ['-v', 'error', '-i', file, '-vf', `scale=${w}:${h},format=rgb24`, '-vsync', '0', '-f', 'rawvideo', '-'], {
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`decoding ${file} failed: ${r.stderr}`);
  const size = w * h * 3;
  const frames: Uint8Array[] = [];
  for (let o = 0; o + size <= r.stdout.length; o += size) frames.push(new Uint8Array(r.stdout.subarray(o, o + size)));
  return frames;
}

/** MD5 of every decoded video frame, in order (ffmpeg -f framemd5). */
export function frameHashes(file: string): string[] {
  const r = spawnSync(paths.ffmpeg, ['-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`framemd5 of ${file} failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop()!.trim());
}

// `maskflow analyse --preview`: the input with what the finder sees drawn on
// it (background darkened and tinted, subject left as is, box outlined), so a
// person can judge the masks. Decoded and drawn in TypeScript on rgb24 frames,
// encoded with libx264 at the input's frame rate, one frame per input frame.
import { rename, unlink } from 'node:fs/promises';
import { FrameEncoder } from '../media/encoder.js';
import { readFrames, type FfmpegPaths } from '../media/ffmpeg.js';
import { reducedSize } from '../media/keyframes.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { boxAtFrame, readAtlas, sampleMask } from './atlas.js';

export interface PreviewOptions {
  paths: FfmpegPaths;
  /** Long side of the preview (default 640, never above the input). */
  maxLongSide?: number;
}

/** Draws the mask and box of `frame` onto an rgb24 image in place. */
export function drawOverlay(rgb: Uint8Array, width: number, height: number, mask: Uint8Array, box: [number, number, number, number]): void {
  for (let i = 0; i < width * height; i++) {
    const m = mask[i];
    // Background: 35% brightness, pushed towards blue; subject: untouched.
    const r = rgb[3 * i];
    const g = rgb[3 * i + 1];
    const b = rgb[3 * i + 2];
    rgb[3 * i] = (r * m + ((r * 90) >> 8) * (255 - m)) / 255;
    rgb[3 * i + 1] = (g * m + ((g * 90) >> 8) * (255 - m)) / 255;
    rgb[3 * i + 2] = (b * m + (((b * 90) >> 8) + 60) * (255 - m)) / 255;
  }
  const x0 = Math.round(box[0] * width);
  const y0 = Math.round(box[1] * height);
  const x1 = Math.min(width - 1, Math.round((box[0] + box[2]) * width) - 1);
  const y1 = Math.min(height - 1, Math.round((box[1] + box[3]) * height) - 1);
  const put = (x: number, y: number): void => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    rgb.set([40, 255, 80], 3 * (y * width + x));
  };
  for (let t = 0; t < 2; t++) {
    for (let x = x0; x <= x1; x++) {
      put(x, y0 + t);
      put(x, y1 - t);
    }
    for (let y = y0; y <= y1; y++) {
      put(x0 + t, y);
      put(x1 - t, y);
    }
  }
}

/** Writes the preview video to `output` (via a temp file renamed into place). Resolves with the frame count. */
export async function renderPreview(probe: ProbeInfo, atlasBytes: Uint8Array, output: string, options: PreviewOptions): Promise<number> {
  const atlas = readAtlas(atlasBytes);
  const { width, height } = reducedSize(probe.width, probe.height, options.maxLongSide ?? 640);
  const tmp = `${output}.partial-${process.pid}`;
  const encoder = new FrameEncoder({
    paths: options.paths,
    width,
    height,
    fpsNum: probe.fpsNum,
    fpsDen: probe.fpsDen,
    output: tmp,
    encoder: { codec: 'libx264', crf: 23, preset: 'veryfast' },
    inputPixFmt: 'rgb24',
    outputOptions: ['-movflags', '+faststart'],
    format: 'mp4',
  });
  const mask = new Uint8Array(width * height);
  try {
    const frames = await readFrames({ input: probe.file, paths: options.paths, width, height, pixFmt: 'rgb24', outputOptions: ['-vsync', '0'] }, async (frame, index) => {
      sampleMask(atlas, index, width, height, mask);
      drawOverlay(frame, width, height, mask, boxAtFrame(atlas, index));
      // The decoder reuses `frame` once this returns: wait until the encoder pipe has it.
      const { flushed } = await encoder.write(frame);
      await flushed;
    });
    await encoder.finish();
    if (frames !== probe.frames) throw new Error(`${probe.file}: decoded ${frames} frames for the preview, ffprobe counted ${probe.frames}`);
    await rename(tmp, output);
    return frames;
  } catch (err) {
    await encoder.abort();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

// Checks of a rendered corpus case (scripts/lib/corpus-cases.mjs), all
// measured on the output file with real ffprobe/ffmpeg runs: decoded frame
// count, rate, duration, audio streams, where the flash frame and the tone
// burst are, aspect and colour tags, and the colour of the centre.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Test } from 'tap';
import { frameHashes, paths } from './media.js';

export interface Measured {
  frames: number;
  fps: string;
  width: number;
  height: number;
  /** Seconds of video (frames / fps). */
  duration: number;
  audioStreams: number;
  audioLanguages: string[];
  /** Output frame with the brightest picture, and how much brighter than the median it is. */
  flashFrame: number;
  flashContrast: number;
  /** Seconds from the first video frame to the tone burst's onset in the first audio stream (undefined: no tone found). */
  toneAt?: number;
  sar?: string;
  dar?: string;
  colorRange?: string;
  colorSpace?: string;
  /** rgb24 of the centre pixel of frame 0 (ffmpeg converts with the stream's own matrix and range tags). */
  centreRgb: number[];
  creationTime?: string;
}

function run(bin: string, args: string[]): Buffer {
  const r = spawnSync(bin, args, { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

interface Stream {
  codec_type: string;
  nb_read_frames?: string;
  r_frame_rate?: string;
  start_time?: string;
  sample_aspect_ratio?: string;
  display_aspect_ratio?: string;
  color_range?: string;
  color_space?: string;
  width?: number;
  height?: number;
  tags?: Record<string, string>;
}

export function measure(file: string): Measured {
  const info = JSON.parse(
    run(paths.ffprobe, ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,nb_read_frames,r_frame_rate,start_time,sample_aspect_ratio,display_aspect_ratio,color_range,color_space,width,height:stream_tags=language:format_tags=creation_time', '-of', 'json', file]).toString(),
  ) as { streams: Stream[]; format?: { tags?: Record<string, string> } };
  const video = info.streams.find((s) => s.codec_type === 'video')!;
  const audio = info.streams.filter((s) => s.codec_type === 'audio');
  const frames = Number(video.nb_read_frames);
  const [n, d] = String(video.r_frame_rate).split('/').map(Number);
  // Mean luma of every frame, tiny.
  const gray = run(paths.ffmpeg, ['-v', 'error', '-i', file, '-map', '0:v:0', '-vf', 'scale=16:9:flags=area,format=gray', '-vsync', '0', '-f', 'rawvideo', '-']);
  const means: number[] = [];
  for (let o = 0; o + 144 <= gray.length; o += 144) {
    let sum = 0;
    for (let i = 0; i < 144; i++) sum += gray[o + i];
    means.push(sum / 144);
  }
  let flashFrame = 0;
  for (let i = 1; i < means.length; i++) if (means[i] > means[flashFrame]) flashFrame = i;
  const sorted = [...means].sort((a, b) => a - b);
  const flashContrast = means[flashFrame] - sorted[Math.floor(sorted.length / 2)];
  let toneAt: number | undefined;
  if (audio.length > 0) {
    const pcm = run(paths.ffmpeg, ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 'f32le', '-']);
    const samples = new Float32Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 4));
    const onset = samples.findIndex((v) => Math.abs(v) > 0.3);
    // Raw PCM starts at the audio stream's first sample: place it on the video's timeline.
    if (onset >= 0) toneAt = Number(audio[0].start_time ?? 0) + onset / 48000 - Number(video.start_time ?? 0);
  }
  const centreRgb = centrePixel(file, Number(video.width), Number(video.height));
  return {
    frames,
    fps: `${n}/${d}`,
    width: Number(video.width),
    height: Number(video.height),
    duration: (frames * d) / n,
    audioStreams: audio.length,
    audioLanguages: audio.map((a) => a.tags?.language ?? ''),
    flashFrame,
    flashContrast,
    toneAt,
    sar: video.sample_aspect_ratio,
    dar: video.display_aspect_ratio,
    colorRange: video.color_range,
    colorSpace: video.color_space,
    centreRgb,
    creationTime: info.format?.tags?.creation_time,
  };
}

/** rgb24 of the centre pixel of frame 0, as ffmpeg's scale converts it: with the frame's matrix and range tags. */
export function centrePixel(file: string, w: number, h: number): number[] {
  const rgb = run(paths.ffmpeg, ['-v', 'error', '-i', file, '-map', '0:v:0', '-frames:v', '1', '-vf', 'format=rgb24', '-f', 'rawvideo', '-']);
  const at = ((h >> 1) * w + (w >> 1)) * 3;
  return [rgb[at], rgb[at + 1], rgb[at + 2]];
}

/** ffmpeg's idet single-frame verdicts over every frame of `file`: how many pictures look combed (fields from two moments). */
export function combedFrames(file: string): { combed: number; frames: number } {
  const r = spawnSync(paths.ffmpeg, ['-hide_banner', '-i', file, '-map', '0:v:0', '-vf', 'idet', '-f', 'null', '-'], { encoding: 'utf8' });
  const m = /Single frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+) Undetermined:\s*(\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`idet on ${file} failed: ${r.stderr.slice(-500)}`);
  const [tff, bff, progressive, undetermined] = m.slice(1).map(Number);
  return { combed: tff + bff, frames: tff + bff + progressive + undetermined };
}

/**
 * Every frame of `cut` against the same frame of `whole` (both lossless):
 * identical, or (where a filter with memory across frames, yadif, starts
 * afresh at a batch) at least 40 dB PSNR. A picture from the wrong time is
 * far below that (about 19 dB for a seek error seen before).
 */
function compareFrames(t: Test, cut: string, whole: string): void {
  const a = frameHashes(cut);
  const b = frameHashes(whole);
  t.equal(a.length, b.length, `as many frames as the one-batch render (${b.length})`);
  const differ = a.map((h, i) => (h === b[i] ? -1 : i)).filter((i) => i >= 0);
  if (differ.length === 0) {
    t.pass(`all ${a.length} frames identical to the one-batch render`);
    return;
  }
  const psnr = framePsnr(cut, whole);
  const worst = Math.min(...differ.map((i) => psnr[i] ?? 0));
  t.ok(worst >= 40, `${a.length - differ.length} of ${a.length} frames identical to the one-batch render; the others (${differ.slice(0, 10).join(', ')}${differ.length > 10 ? '...' : ''}) at least ${worst.toFixed(1)} dB PSNR`);
}

/** Per-frame PSNR (luma and chroma average) of `a` against `b`, from ffmpeg's psnr filter. */
function framePsnr(a: string, b: string): number[] {
  const r = spawnSync(paths.ffmpeg, ['-v', 'error', '-i', a, '-i', b, '-lavfi', '[0:v][1:v]psnr=stats_file=-', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`psnr ${a} ${b}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('n:'))
    .map((l) => {
      const v = /psnr_avg:(\S+)/.exec(l)?.[1];
      return v === 'inf' ? Infinity : Number(v);
    });
}

/**
 * Renders every corpus case of `group` (generated into a test folder) and
 * checks it: frames, rate, duration within one frame, audio streams, the
 * flash and the tone burst at their times (±1 frame), warnings, aspect and
 * colour. Batches of half a second on two workers, so every case is also cut
 * and seeked into.
 */
export async function renderCorpusGroup(t: Test, group: string): Promise<void> {
  const { makeCorpus } = await import('../../scripts/lib/corpus-cases.mjs');
  const { render } = await import('../../src/render/render.js');
  const dir = t.testdir({});
  const { made, skipped } = makeCorpus(dir, paths, { group });
  for (const s of skipped) t.comment(`skipped ${s.case.name}: ${s.why}`);
  for (const c of made) {
    await t.test(`${c.name}: ${c.what}`, { todo: c.expect.todo ?? false }, async (t) => {
      const e = c.expect;
      const output = join(dir, `${c.name}.out${c.file.endsWith('.mov') ? '.mov' : c.file.endsWith('.mkv') ? '.mkv' : '.mp4'}`);
      // Lossless (x264 crf 0), so a render cut into batches can be compared picture for picture
      // with a render of the whole clip in one batch: any batch that seeks to the wrong picture shows.
      const encoder = { crf: 0, preset: 'ultrafast' };
      const cacheDir = join(dir, 'cache');
      const run = render({ input: join(dir, c.file), output, effect: 'vignette', workers: 2, batchSeconds: 0.5, cacheDir, encoder });
      if (e.refuse) {
        await t.rejects(run, e.refuse);
        return;
      }
      const report = await run;
      // Clips of a second or less are rendered in one batch (the planner's smallest batch).
      const seconds = (e.frames * Number(e.fps.split('/')[1])) / Number(e.fps.split('/')[0]);
      t.ok(report.batches.length > 1 || seconds <= 1.001, `cut into ${report.batches.length} batches`);
      const whole = output.replace(/(\.\w+)$/, '.one-batch$1');
      await render({ input: join(dir, c.file), output: whole, effect: 'vignette', workers: 1, batchSeconds: 3600, cacheDir, encoder });
      compareFrames(t, output, whole);
      const m = measure(output);
      const [n, d] = e.fps.split('/').map(Number);
      const frame = d / n;
      t.equal(m.frames, e.frames, 'frames');
      t.equal(report.frames, e.frames, 'frames in the report');
      t.equal(m.fps, e.fps, 'frame rate');
      t.ok(Math.abs(m.duration - e.frames * frame) <= frame + 1e-9, `duration ${m.duration.toFixed(3)} s`);
      t.equal(m.audioStreams, e.audio, 'audio streams');
      if (e.flash !== null) {
        t.ok(m.flashContrast > 40, `a flash is seen (contrast ${m.flashContrast.toFixed(0)})`);
        t.ok(Math.abs(m.flashFrame - e.flash) <= 1, `flash at frame ${m.flashFrame}, expected ${e.flash} ±1`);
      }
      if (e.tone !== null) {
        t.ok(m.toneAt !== undefined && Math.abs(m.toneAt - e.tone) <= frame + 0.005, `tone at ${m.toneAt?.toFixed(3)} s, expected ${e.tone.toFixed(3)} ±1 frame`);
        if (e.flash !== null && m.toneAt !== undefined) {
          const apart = e.toneAfterFlash ?? 0;
          t.ok(Math.abs(m.toneAt - m.flashFrame * frame - apart) <= frame + 0.005, `tone ${m.toneAt.toFixed(3)} s ${apart ? `${apart} s after` : 'with'} the flash ${(m.flashFrame * frame).toFixed(3)} s`);
        }
      }
      for (const w of e.warnings ?? []) t.match(report.warnings.join('\n'), w, `warning ${String(w)}`);
      if (e.sar) t.equal(m.sar, e.sar, 'sample aspect ratio kept');
      if (e.dar) t.equal(m.dar, e.dar, 'displays at the input\'s shape');
      if (e.colorRange) t.equal(m.colorRange, e.colorRange, 'colour range tag');
      if (e.colorSpace) t.equal(m.colorSpace, e.colorSpace, 'colour matrix tag');
      if (e.patchRgb) {
        // Both decoded to RGB by their own tags: the input as it plays, the output as it plays.
        const input = centrePixel(join(dir, c.file), m.width, m.height);
        t.ok(input.every((v, i) => Math.abs(v - e.patchRgb![i]) <= 12), `input centre ${input.join(',')} ≈ ${e.patchRgb.join(',')}`);
        t.ok(m.centreRgb.every((v, i) => Math.abs(v - input[i]) <= 6), `output centre ${m.centreRgb.join(',')} ≈ input ${input.join(',')}`);
      }
      if (e.progressive) {
        const before = combedFrames(join(dir, c.file));
        const after = combedFrames(output);
        t.ok(before.combed > before.frames / 2, `the input is combed (${before.combed} of ${before.frames} pictures)`);
        t.ok(after.combed <= after.frames / 10, `the output is not (${after.combed} of ${after.frames} pictures look combed)`);
      }
      t.comment(`${c.name}: ${m.frames} frames @ ${m.fps}, audio ${m.audioStreams}, flash ${m.flashFrame}, tone ${m.toneAt?.toFixed(3) ?? '-'}, warnings: ${report.warnings.join(' | ') || 'none'}`);
    });
  }
}

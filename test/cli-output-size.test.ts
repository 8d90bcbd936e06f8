// Output size and frame rate (issue 16 item 3): --size / output.size scales
// the (reframed) picture with the addon's resampler; --fps drops or repeats
// source frames and leaves the audio alone. Real renders, checked with ffprobe.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClip, subjectDiameter } from '../src/media/demo-clip.js';
import { fpsRational, parseSize } from '../src/plan/output-format.js';
import { frameMap, repeatsFor } from '../src/render/retime.js';
import { runCli } from './helpers/cli.js';
import { ffmpeg, inspect, paths } from './helpers/media.js';

function duration(file: string): number {
  const r = spawnSync(paths.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

/** One decoded frame as rgb24. */
function rgbFrame(file: string, n: number, w: number, h: number): Uint8Array {
  const r = spawnSync(paths.ffmpeg, ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${n}),format=rgb24`, '-vsync', '0', '-frames:v', '1', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 28 });
  if (r.status !== 0 || r.stdout.length !== w * h * 3) throw new Error(`decoding frame ${n} of ${file} failed: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** Bounding box of the clip's red disc (the subject) in an rgb24 frame. */
function redBox(rgb: Uint8Array, w: number, h: number): { w: number; h: number } {
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      if (rgb[o] > 170 && rgb[o + 1] < 110 && rgb[o + 2] < 110) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

t.test('sizes, presets and frame rates parse as documented; the frame map drops and repeats', async (t) => {
  t.same(parseSize('reels'), { width: 1080, height: 1920 });
  t.same(parseSize('shorts'), parseSize('tiktok'));
  t.same(parseSize('4k'), { width: 3840, height: 2160 });
  t.same(parseSize('640x360'), { width: 640, height: 360 });
  t.equal(parseSize('source'), undefined);
  t.same(fpsRational(30), { num: 30, den: 1 });
  t.same(fpsRational(29.97), { num: 30000, den: 1001 });
  t.same(fpsRational(12.5), { num: 25, den: 2 });
  // 25 → 30 fps: every fifth source frame is shown twice.
  const up = frameMap({ num: 25, den: 1 }, { startFrame: 0, endFrame: 25 }, { num: 30, den: 1 });
  t.equal(up.frames, 30);
  t.same(Array.from(up.sourceOf!.subarray(0, 7)), [0, 0, 1, 2, 3, 4, 5]);
  t.same(repeatsFor(up, 0, 5), [2, 1, 1, 1, 1]);
  // 30 → 15 fps: every other frame dropped.
  const down = frameMap({ num: 30, den: 1 }, { startFrame: 0, endFrame: 30 }, { num: 15, den: 1 });
  t.same(repeatsFor(down, 0, 4), [1, 0, 1, 0]);
  t.equal(frameMap({ num: 25, den: 1 }, { startFrame: 0, endFrame: 25 }, { num: 50, den: 2 }).sourceOf, undefined, 'the same rate written another way: identity');
});

t.test('--size reels with --aspect 9:16 turns a 1280x720 input into 1080x1920, every frame, round subject', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'in.mp4');
  await generateClip(paths, { output: clip, width: 1280, height: 720, seconds: 1, fps: '25', audio: true });
  const out = join(dir, 'reels.mp4');
  const r = await runCli(['render', clip, '-o', out, '--aspect', '9:16', '--size', 'reels', '--effect', 'vignette', '--no-cache', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  const facts = inspect(out);
  t.same([facts.width, facts.height, facts.frames, facts.rate], [1080, 1920, 25, '25/1']);
  t.equal(facts.audioStreams, 1, 'audio kept');
  t.ok(Math.abs(duration(out) - 1) <= 0.04, `video lasts 1 s ±1 frame (${duration(out)})`);
  // The 404x720 crop is scaled by 1920/720 on both axes: the disc stays round and grows by that factor.
  const box = redBox(rgbFrame(out, 12, 1080, 1920), 1080, 1920);
  const expected = subjectDiameter({ height: 720 }) * (1920 / 720);
  t.ok(Math.abs(box.w - box.h) <= 0.04 * expected, `the disc is round: ${box.w}x${box.h}`);
  t.ok(Math.abs(box.h - expected) <= 0.08 * expected, `the disc is scaled like the crop: ${box.h} px, expected about ${expected}`);

  // The same from a plan's output.size (no --aspect needed: the size's shape reframes).
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, output: { size: '1080x1920' }, segments: [{ start: 0, effects: [] }] }));
  const fromPlan = join(dir, 'plan.mp4');
  const p = await runCli(['render', clip, '-o', fromPlan, '--plan', plan, '--no-cache', '--quiet']);
  t.equal(p.code, 0, p.stderr);
  t.same([inspect(fromPlan).width, inspect(fromPlan).height, inspect(fromPlan).frames], [1080, 1920, 25]);
});

t.test('--size with the input shape scales the whole picture (compared with ffmpeg bilinear)', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'in.mp4');
  await generateClip(paths, { output: clip, width: 320, height: 180, seconds: 0.4, fps: '25', crf: 10 });
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, output: { crf: 10 }, segments: [{ start: 0, effects: [] }] }));
  const out = join(dir, 'half.mp4');
  const r = await runCli(['render', clip, '-o', out, '--plan', plan, '--size', '160x90', '--no-cache', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  t.same([inspect(out).width, inspect(out).height, inspect(out).frames], [160, 90, 10]);
  const ref = join(dir, 'ref.mp4');
  ffmpeg(['-i', clip, '-vf', 'scale=160:90:flags=bilinear', '-c:v', 'libx264', '-crf', '10', ref]);
  const a = rgbFrame(out, 5, 160, 90);
  const b = rgbFrame(ref, 5, 160, 90);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  t.ok(sum / a.length < 8, `mean difference from ffmpeg's bilinear scale: ${(sum / a.length).toFixed(2)} per sample`);
});

t.test('--fps 30 from 25 fps repeats frames in order and keeps the duration; --fps 10 drops', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'count.mp4');
  // Each frame's brightness is its number: Y = 16 + 4n (gray decodes to full range), so every output frame names its source frame.
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'color=c=black:size=160x96:rate=25:duration=2,geq=lum=16+4*N:cb=128:cr=128'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2'],
    ...['-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip],
  ]);
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, output: { crf: 0 }, segments: [{ start: 0, effects: [] }] }));
  for (const [fps, frames] of [
    [30, 60],
    [10, 20],
  ] as const) {
    const out = join(dir, `f${fps}.mp4`);
    const r = await runCli(['render', clip, '-o', out, '--plan', plan, '--fps', String(fps), '--batch-seconds', '0.5', '--workers', '2', '--no-cache', '--quiet']);
    t.equal(r.code, 0, r.stderr);
    const facts = inspect(out);
    t.equal(facts.rate, `${fps}/1`);
    t.ok(Math.abs(facts.frames - frames) <= 1, `${fps} fps: ${facts.frames} frames, expected ${frames} ±1`);
    t.ok(Math.abs(duration(out) - 2) <= 1 / fps + 1e-3, `${fps} fps: ${duration(out)} s, the input's 2 s ±1 frame`);
    t.ok(Math.abs(facts.audioDuration - 2) < 0.05, `audio untouched: ${facts.audioDuration} s`);
    const gray = spawnSync(paths.ffmpeg, ['-v', 'error', '-i', out, '-vf', 'format=gray', '-vsync', '0', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 26 }).stdout;
    const shown: number[] = [];
    for (let o = 0; o + 160 * 96 <= gray.length; o += 160 * 96) shown.push(Math.round((gray[o + 160 * 48 + 80] * 219) / 255 / 4));
    const want = shown.map((_, k) => Math.floor((k * 25) / fps));
    t.same(shown, want, `${fps} fps: output frame k shows source frame floor(k·25/${fps})`);
  }
});

t.test('bad sizes and rates are usage mistakes naming the flag', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--size', '1081x1920'], /--size: "1081x1920": the width 1081 is odd/],
    [['--size', 'huge'], /--size: "huge" is not valid/],
    [['--size', '99999x100'], /--size: .*out of range/],
    [['--fps', '0'], /--fps must be a number from 1 to 240, got 0/],
    [['--fps', 'fast'], /--fps must be a number, got "fast"/],
    [['--aspect', '16:9', '--size', 'reels'], /--aspect: "16:9" does not match output.size "reels"/],
  ];
  for (const [flags, message] of cases) {
    const r = await runCli(['render', 'in.mp4', '-o', 'x.mp4', ...flags]);
    t.equal(r.code, 2, flags.join(' '));
    t.match(r.stderr, message, flags.join(' '));
  }
});

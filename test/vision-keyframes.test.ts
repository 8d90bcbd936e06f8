import t from 'tap';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ffmpegPaths, readFrames } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { forEachKeyframe, keyframeIndices, reducedSize, type Keyframe } from '../src/media/keyframes.js';
import type { ProbeInfo } from '../src/media/probe.js';

const paths = ffmpegPaths();

/** All keyframes in memory (the clips here are short; analysis streams them). */
async function decodeKeyframes(info: ProbeInfo, options: Parameters<typeof forEachKeyframe>[1]): Promise<Keyframe[]> {
  const out: Keyframe[] = [];
  await forEachKeyframe(info, options, (kf) => {
    out.push(kf);
  });
  return out;
}

// Every frame has a different brightness (geq's N is the frame number), so a
// keyframe's pixels identify which input frame it is.
function countingClip(dir: string, name: string, rate: string, frames: number): string {
  const file = join(dir, name);
  execFileSync(paths.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=black:s=96x64:r=${rate},format=yuv420p,geq=lum='16+5*N+X/8':cb=128:cr=128`, '-frames:v', String(frames), '-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast', file]);
  return file;
}

async function allFrames(file: string, width: number, height: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  await readFrames({ input: file, paths, width, height, pixFmt: 'rgb24', scaleFlags: 'area', outputOptions: ['-vsync', '0'] }, (f) => {
    out.push(f.slice());
  });
  return out;
}

t.test('keyframeIndices steps by round(interval × fps) and always ends on the last frame', async (t) => {
  t.same(keyframeIndices(23, 10, 0.5), [0, 5, 10, 15, 20, 22]);
  t.same(keyframeIndices(31, 30000 / 1001, 0.5), [0, 15, 30]);
  t.same(keyframeIndices(1, 25, 0.5), [0]);
  t.same(keyframeIndices(4, 10, 0.01), [0, 1, 2, 3]);
  t.throws(() => keyframeIndices(0, 10, 0.5), /frame count/);
  t.throws(() => keyframeIndices(10, 10, 0), /interval/);
  t.throws(() => keyframeIndices(10, Number.NaN, 0.5), /fps/);
});

t.test('reducedSize keeps the long side <= the limit, sizes even, never upscales', async (t) => {
  t.same(reducedSize(1920, 1080, 640), { width: 640, height: 360 });
  t.same(reducedSize(1080, 1920, 640), { width: 360, height: 640 });
  t.same(reducedSize(320, 240, 640), { width: 320, height: 240 });
  const odd = reducedSize(1001, 777, 640);
  t.ok(odd.width <= 640 && odd.width % 2 === 0 && odd.height % 2 === 0, `${odd.width}x${odd.height}`);
});

t.test('keyframes are exactly the selected input frames, first and last included, in one pass', async (t) => {
  const dir = t.testdir();
  for (const [rate, frames, interval] of [['10', 23, 0.5], ['30000/1001', 31, 0.5], ['10', 12, 0.25]] as const) {
    const file = countingClip(dir, `count-${rate.replace('/', '_')}-${frames}.mp4`, rate, frames);
    const info = await probe(file, paths);
    t.equal(info.frames, frames, 'probe counts the frames');
    const kfs = await decodeKeyframes(info, { paths, interval });
    const expected = keyframeIndices(frames, info.fps, interval);
    t.same(kfs.map((k) => k.frame), expected, `${rate} fps, ${frames} frames, every ${interval} s`);
    const every = await allFrames(file, kfs[0].width, kfs[0].height);
    t.equal(every.length, frames);
    for (const kf of kfs) {
      // Identify the keyframe by content: it must equal exactly one decoded frame, the one its index names.
      const matches = every.map((f, i) => (Buffer.from(f).equals(Buffer.from(kf.data)) ? i : -1)).filter((i) => i >= 0);
      t.same(matches, [kf.frame], `keyframe ${kf.index} is input frame ${kf.frame}`);
      t.equal(kf.time, kf.frame / info.fps);
    }
  }
});

t.test('a span of the video: keyframes from its start, its last frame included, each the input frame it names', async (t) => {
  t.same(keyframeIndices(100, 10, 0.5, { startFrame: 17, endFrame: 40 }), [17, 22, 27, 32, 37, 39]);
  t.same(keyframeIndices(100, 10, 0.5, { startFrame: 99, endFrame: 100 }), [99]);
  t.throws(() => keyframeIndices(100, 10, 0.5, { startFrame: 40, endFrame: 40 }), /not a span/);
  t.throws(() => keyframeIndices(100, 10, 0.5, { startFrame: 0, endFrame: 101 }), /not a span/);
  const dir = t.testdir();
  // GOPs of 8 frames: the span's decode seeks to a keyframe before its start.
  const file = join(dir, 'gop8.mp4');
  execFileSync(paths.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', "color=c=black:s=96x64:r=10,format=yuv420p,geq=lum='16+5*N+X/8':cb=128:cr=128", '-frames:v', '44', '-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast', '-g', '8', file]);
  const info = await probe(file, paths);
  const span = { startFrame: 19, endFrame: 34 };
  const kfs = await decodeKeyframes(info, { paths, interval: 0.3, span });
  t.same(kfs.map((k) => k.frame), [19, 22, 25, 28, 31, 33]);
  const every = await allFrames(file, kfs[0].width, kfs[0].height);
  for (const kf of kfs) {
    const matches = every.map((f, i) => (Buffer.from(f).equals(Buffer.from(kf.data)) ? i : -1)).filter((i) => i >= 0);
    t.same(matches, [kf.frame], `keyframe ${kf.index} is input frame ${kf.frame}`);
  }
});

t.test('a probe that overcounts frames is a loud error, not shifted indices', async (t) => {
  const dir = t.testdir();
  const file = countingClip(dir, 'short.mp4', '10', 12);
  const info = await probe(file, paths);
  await t.rejects(decodeKeyframes({ ...info, frames: 40 }, { paths }), /expected 14 keyframes.*ffmpeg returned 4/);
});

import t from 'tap';
import { dispatchOrder, planBatches, planRuns } from '../src/render/batches.js';
import type { FrameRun } from '../src/plan/resolve.js';
import { reframeSize } from '../src/render/output-size.js';
import { rng } from './helpers/random.js';

const blur = [{ type: 'blur-background' as const, radius: 24, feather: 6 }];

function randomSegments(next: () => number, total: number): FrameRun[] {
  const segments: FrameRun[] = [];
  let cursor = Math.floor(next() * 30);
  while (cursor < total) {
    const len = 1 + Math.floor(next() * total * (next() < 0.2 ? 0.8 : 0.15));
    const end = Math.min(total, cursor + len);
    segments.push({ startFrame: cursor, endFrame: end, effects: blur });
    cursor = end + (next() < 0.5 ? 0 : Math.floor(next() * 40));
  }
  return segments;
}

t.test('every frame is in exactly one batch, batches are contiguous and ordered', async (t) => {
  const next = rng(0x5eed);
  for (let trial = 0; trial < 300; trial++) {
    const fps = [24, 25, 29.97, 30, 60][trial % 5];
    const total = 1 + Math.floor(next() * 4000);
    const segments = randomSegments(next, total);
    const batches = planBatches(segments, { totalFrames: total, fps, batchSeconds: 1 + next() * 20, workers: 1 + Math.floor(next() * 4), alignFrames: Math.round(fps / 2) });
    let cursor = 0;
    for (const b of batches) {
      if (b.startFrame !== cursor) t.fail(`trial ${trial}: batch ${b.index} starts at ${b.startFrame}, expected ${cursor}`);
      let runCursor = b.startFrame;
      for (const r of b.runs) {
        if (r.startFrame !== runCursor || r.endFrame <= r.startFrame) t.fail(`trial ${trial}: run [${r.startFrame}, ${r.endFrame}) breaks batch ${b.index}`);
        runCursor = r.endFrame;
      }
      if (runCursor !== b.endFrame) t.fail(`trial ${trial}: batch ${b.index} runs end at ${runCursor}, batch at ${b.endFrame}`);
      cursor = b.endFrame;
    }
    if (cursor !== total) t.fail(`trial ${trial}: batches end at ${cursor}, video has ${total} frames`);
  }
  t.pass('300 random plans covered exactly');
});

t.test('a segment is cut only when it is over twice the target or a worker would be idle', async (t) => {
  const next = rng(0xc0ffee);
  for (let trial = 0; trial < 300; trial++) {
    const fps = 25;
    const total = 50 + Math.floor(next() * 5000);
    const segments = randomSegments(next, total);
    const batchSeconds = 2 + next() * 10;
    const target = Math.round(batchSeconds * fps);
    // workers: 1 so the only reason to cut is length.
    const batches = planBatches(segments, { totalFrames: total, fps, batchSeconds, workers: 1 });
    const boundaries = new Set(planRuns(segments, total).flatMap((r) => [r.startFrame, r.endFrame]));
    for (const b of batches.slice(1)) {
      if (boundaries.has(b.startFrame)) continue;
      const run = planRuns(segments, total).find((r) => r.startFrame < b.startFrame && r.endFrame > b.startFrame)!;
      if (run.endFrame - run.startFrame <= 2 * target) {
        t.fail(`trial ${trial}: cut at ${b.startFrame} inside a ${run.endFrame - run.startFrame}-frame run (target ${target})`);
      }
    }
  }
  t.pass('no needless cuts in 300 random plans');
});

t.test('gaps between segments become runs without effects', async (t) => {
  const runs = planRuns([{ startFrame: 10, endFrame: 20, effects: blur }, { startFrame: 30, endFrame: 35, effects: blur }], 50);
  t.same(
    runs.map((r) => [r.startFrame, r.endFrame, r.effects.length]),
    [
      [0, 10, 0],
      [10, 20, 1],
      [20, 30, 0],
      [30, 35, 1],
      [35, 50, 0],
    ],
  );
});

t.test('batches follow segment boundaries near the target size', async (t) => {
  // Four 8 s segments at 25 fps, 20 s target: two batches of 16 s each? No: greedy keeps <= target.
  const segs = [0, 1, 2, 3].map((i) => ({ startFrame: i * 200, endFrame: (i + 1) * 200, effects: blur }));
  const batches = planBatches(segs, { totalFrames: 800, fps: 25, batchSeconds: 20, workers: 1 });
  t.same(batches.map((b) => [b.startFrame, b.endFrame]), [[0, 400], [400, 800]]);
});

t.test('a long single segment is split into pieces aligned to keyframes', async (t) => {
  const batches = planBatches([{ startFrame: 0, endFrame: 3000, effects: blur }], { totalFrames: 3000, fps: 30, batchSeconds: 20, workers: 1, alignFrames: 15 });
  t.equal(batches.length, 5);
  for (const b of batches.slice(1)) t.equal(b.startFrame % 15, 0, `cut at ${b.startFrame} is on a keyframe`);
});

t.test('every worker gets a batch when the video is long enough', async (t) => {
  const batches = planBatches([{ startFrame: 0, endFrame: 300, effects: blur }], { totalFrames: 300, fps: 30, batchSeconds: 20, workers: 2, alignFrames: 15 });
  t.equal(batches.length, 2);
  t.same(batches.map((b) => [b.startFrame, b.endFrame]), [[0, 150], [150, 300]]);
  const tiny = planBatches([{ startFrame: 0, endFrame: 20, effects: blur }], { totalFrames: 20, fps: 30, batchSeconds: 20, workers: 4 });
  t.equal(tiny.length, 1, 'a 0.7 s clip is not cut into sub-second batches');
});

t.test('dispatch order is longest first', async (t) => {
  const segs = [{ startFrame: 0, endFrame: 100, effects: blur }, { startFrame: 100, endFrame: 700, effects: blur }, { startFrame: 700, endFrame: 900, effects: blur }];
  const order = dispatchOrder(planBatches(segs, { totalFrames: 900, fps: 25, batchSeconds: 4, workers: 1 }));
  const lengths = order.map((b) => b.endFrame - b.startFrame);
  t.same(lengths, [...lengths].sort((a, b) => b - a));
});

t.test('bad batch options are refused', async (t) => {
  t.throws(() => planBatches([], { totalFrames: 0, fps: 25, batchSeconds: 20, workers: 1 }), RangeError);
  t.throws(() => planBatches([], { totalFrames: 10, fps: 25, batchSeconds: 0, workers: 1 }), RangeError);
});

t.test('reframe sizes are even, inside the source, and at the asked aspect', async (t) => {
  t.same(reframeSize({ width: 1920, height: 1080 }, '9:16'), { width: 606, height: 1080 });
  t.same(reframeSize({ width: 1080, height: 1920 }, '16:9'), { width: 1080, height: 606 });
  t.same(reframeSize({ width: 1921, height: 1081 }, '1:1'), { width: 1080, height: 1080 });
  t.equal(reframeSize({ width: 1920, height: 1080 }, 'source'), undefined);
  t.equal(reframeSize({ width: 1920, height: 1080 }, '16:9'), undefined);
  t.throws(() => reframeSize({ width: 10, height: 10 }, 'wide'), RangeError);
});

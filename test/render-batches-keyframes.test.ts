// Batch cuts where seeking is free: planBatches with the input's codec
// keyframes (as read from packet flags) puts cuts on them when a cut may move,
// and counts the frames each batch decodes and throws away (seekFrames).
import t from 'tap';
import { planBatches, SeekCost } from '../src/render/batches.js';
import type { FrameRun } from '../src/plan/resolve.js';
import { rng } from './helpers/random.js';

const blur = [{ type: 'blur-background' as const, radius: 24, feather: 6 }];
const whole = (frames: number): FrameRun[] => [{ startFrame: 0, endFrame: frames, effects: blur }];
const every = (gop: number, frames: number): number[] => Array.from({ length: Math.ceil(frames / gop) }, (_, i) => i * gop);

t.test('seek cost is the distance to the codec keyframe at or before a frame', async (t) => {
  const s = new SeekCost([0, 250, 500], 600);
  t.same([0, 1, 249, 250, 251, 599].map((f) => s.at(f)), [0, 1, 249, 0, 1, 99]);
  t.equal(new SeekCost([30, 60], 100).at(10), 10, 'frame 0 always starts a decode');
});

t.test('every frame in exactly one batch, runs intact, seekFrames counted (random plans and GOPs)', async (t) => {
  const next = rng(0xbeef);
  for (let trial = 0; trial < 300; trial++) {
    const fps = [10, 24, 25, 30, 60][trial % 5];
    const total = 1 + Math.floor(next() * 6000);
    const segments: FrameRun[] = [];
    let cursor = Math.floor(next() * 30);
    while (cursor < total) {
      const end = Math.min(total, cursor + 1 + Math.floor(next() * total * 0.3));
      segments.push({ startFrame: cursor, endFrame: end, effects: blur });
      cursor = end + (next() < 0.5 ? 0 : Math.floor(next() * 40));
    }
    const gop = 1 + Math.floor(next() * 700);
    const keyframes = every(gop, total);
    const seek = new SeekCost(keyframes, total);
    const batches = planBatches(segments, { totalFrames: total, fps, batchSeconds: 1 + next() * 30, workers: 1 + Math.floor(next() * 4), codecKeyframes: keyframes });
    let at = 0;
    for (const b of batches) {
      if (b.startFrame !== at) t.fail(`trial ${trial}: batch ${b.index} starts at ${b.startFrame}, expected ${at}`);
      if (b.seekFrames !== seek.at(b.startFrame)) t.fail(`trial ${trial}: batch ${b.index} seekFrames ${b.seekFrames}, expected ${seek.at(b.startFrame)}`);
      let r = b.startFrame;
      for (const run of b.runs) {
        if (run.startFrame !== r || run.endFrame <= run.startFrame) t.fail(`trial ${trial}: run [${run.startFrame}, ${run.endFrame}) breaks batch ${b.index}`);
        const seg = segments.find((s) => s.startFrame <= run.startFrame && run.startFrame < s.endFrame);
        if (seg ? run.endFrame > seg.endFrame || run.effects !== seg.effects : run.effects.length > 0) t.fail(`trial ${trial}: run outside its segment, or a gap with effects`);
        r = run.endFrame;
      }
      if (r !== b.endFrame) t.fail(`trial ${trial}: batch ${b.index} runs end at ${r}`);
      at = b.endFrame;
    }
    if (at !== total) t.fail(`trial ${trial}: batches end at ${at} of ${total}`);
  }
  t.pass('300 random plans covered exactly');
});

t.test('length-target cuts land on codec keyframes when one is within half a target', async (t) => {
  // 10 minutes at 30 fps, x264's default GOP (250), 20 s target.
  const total = 18000;
  const batches = planBatches(whole(total), { totalFrames: total, fps: 30, batchSeconds: 20, workers: 1, codecKeyframes: every(250, total) });
  t.ok(batches.length >= 25 && batches.length <= 35, `${batches.length} batches of about 20 s`);
  for (const b of batches) t.equal(b.seekFrames, 0, `batch ${b.index} starts on keyframe ${b.startFrame}`);
  // A 600-frame GOP with a 20 s target at 30 fps: keyframes are exactly one target apart.
  const g600 = planBatches(whole(6000), { totalFrames: 6000, fps: 30, batchSeconds: 20, workers: 1, codecKeyframes: every(600, 6000) });
  t.same(g600.map((b) => b.seekFrames), g600.map(() => 0));
});

t.test('a segment boundary is a candidate weighed by its seek cost, not a cut by rule', async (t) => {
  // Segments change every 400 frames (13.3 s); keyframes every 300 frames; 20 s target.
  const total = 2400;
  const segs = [0, 1, 2, 3, 4, 5].map((i) => ({ startFrame: i * 400, endFrame: (i + 1) * 400, effects: blur }));
  const batches = planBatches(segs, { totalFrames: total, fps: 30, batchSeconds: 20, workers: 1, codecKeyframes: every(300, total) });
  t.same(batches.map((b) => b.seekFrames), batches.map(() => 0), 'every batch starts on a keyframe');
  t.ok(batches.some((b) => b.runs.length > 1), 'batches hold several runs');
  // A boundary on a keyframe wins over a keyframe farther away.
  const onKey = planBatches([{ startFrame: 0, endFrame: 600, effects: blur }, { startFrame: 600, endFrame: 1200, effects: [] }], { totalFrames: 1200, fps: 30, batchSeconds: 20, workers: 1, codecKeyframes: [0, 550, 600, 700] });
  t.same(onKey.map((b) => b.startFrame), [0, 600]);
});

t.test('halving for workers weighs the seek frames against the imbalance', async (t) => {
  // 1080p30 10 s with x264's default GOP: keyframes at 0 and 250.
  const two = planBatches(whole(300), { totalFrames: 300, fps: 30, batchSeconds: 20, workers: 2, codecKeyframes: [0, 250] });
  t.equal(two.length, 2);
  const [a, b] = two;
  const costA = a.endFrame - a.startFrame;
  const costB = b.endFrame - b.startFrame + 0.25 * b.seekFrames!;
  t.ok(Math.abs(costA - costB) <= 1, `halves cost ${costA} and ${costB} rendered frames`);
  t.ok(b.startFrame > 150 && b.startFrame < 250, `cut at ${b.startFrame}: later than the middle (pays for the seek), earlier than the keyframe (250 would leave 50)`);
  // A keyframe at the middle is taken as is; one off the middle only when the seek costs more than the imbalance.
  const mid = planBatches(whole(300), { totalFrames: 300, fps: 30, batchSeconds: 20, workers: 2, codecKeyframes: [0, 150] });
  t.same(mid.map((x) => [x.startFrame, x.seekFrames]), [[0, 0], [150, 0]]);
  const dear = planBatches(whole(300), { totalFrames: 300, fps: 30, batchSeconds: 20, workers: 2, codecKeyframes: [0, 140], seekWeight: 1 });
  t.same(dear.map((x) => [x.startFrame, x.seekFrames]), [[0, 0], [140, 0]], 'seeking as dear as rendering: the keyframe wins');
  // Free seeking (all-intra): the exact middle.
  const intra = planBatches(whole(300), { totalFrames: 300, fps: 30, batchSeconds: 20, workers: 2, codecKeyframes: every(1, 300) });
  t.same(intra.map((x) => x.startFrame), [0, 150]);
  t.same(planBatches(whole(20), { totalFrames: 20, fps: 30, batchSeconds: 20, workers: 4, codecKeyframes: [0] }).length, 1, 'no sub-second batches');
});

t.test('bad seek weight is refused', async (t) => {
  t.throws(() => planBatches(whole(100), { totalFrames: 100, fps: 30, batchSeconds: 2, workers: 1, codecKeyframes: [0], seekWeight: 2 }), RangeError);
});

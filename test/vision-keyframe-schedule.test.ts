// The adaptive keyframe schedule on drawn frames: the "model" here is the exact
// drawing (box and mask of the disc), so what is tested is where the schedule
// spends model runs, not a model. Also what render --dry-run tells of it. Real sessions: test/vision-analyse-models.test.ts
// (fixture ONNX) and test/models-real.test.ts (IS-Net).
import t from 'tap';
import type { Keyframe } from '../src/media/keyframes.js';
import { join } from 'node:path';
import { dryRun, describeDryRun } from '../src/render/dry-run.js';
import { ADAPTIVE, AdaptiveKeyframes, adaptiveBaseFrames, adaptiveSteps, interpolationMismatch, type ScheduledKeyframe } from '../src/vision/keyframe-schedule.js';
import { writeFixtureModels } from './fixture-models/write-fixtures.js';
import { rng } from './helpers/random.js';
import { makeClip } from './helpers/vision-clips.js';

const W = 160;
const H = 90;
const MW = 80;
const MH = 45;
const FPS = 24;
const R = 0.12; // disc radius, fraction of the width

/** Textured background and a textured disc centred at (cx, cy) (normalised). */
function draw(frame: number, cx: number, cy: number): { kf: Keyframe; truth: ScheduledKeyframe } {
  const bgNext = rng(7);
  const data = new Uint8Array(W * H * 3);
  const mask = new Uint8Array(MW * MH);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const bg = 60 + Math.floor(bgNext() * 40);
      const dx = (x + 0.5) / W - cx;
      const dy = ((y + 0.5) / H - cy) * (H / W);
      const inside = Math.hypot(dx, dy) <= R;
      // The disc's own texture moves with it (stripes in disc coordinates).
      const v = inside ? (Math.floor((dx + 1) * 40) % 2 ? 230 : 150) : bg;
      data.set([v, inside ? 60 : v, v], 3 * (y * W + x));
    }
  }
  for (let y = 0; y < MH; y++) {
    for (let x = 0; x < MW; x++) mask[y * MW + x] = Math.hypot((x + 0.5) / MW - cx, ((y + 0.5) / MH - cy) * (H / W)) <= R ? 255 : 0;
  }
  const rh = (R * W) / H;
  return { kf: { frame, time: frame / FPS, index: 0, data, width: W, height: H }, truth: { frame, box: [cx - R, cy - rh, 2 * R, 2 * rh], mask } };
}

async function schedule(frames: number, path: (f: number) => [number, number]): Promise<{ keys: number[]; inferences: number }> {
  const truth = new Map<number, ScheduledKeyframe>();
  let inferences = 0;
  const settled: number[] = [];
  const s = new AdaptiveKeyframes({
    fps: FPS,
    frames,
    maskWidth: MW,
    maskHeight: MH,
    infer: async (kf) => {
      inferences++;
      return truth.get(kf.frame) as ScheduledKeyframe;
    },
    onSettled: (kf) => settled.push(kf.frame),
  });
  const { candidateStep } = adaptiveSteps(FPS);
  for (let f = 0; f < frames; f += candidateStep) {
    const d = draw(f, ...path(f));
    truth.set(f, d.truth);
    await s.add(d.kf);
  }
  if ((frames - 1) % candidateStep) {
    const d = draw(frames - 1, ...path(frames - 1));
    truth.set(frames - 1, d.truth);
    await s.add(d.kf);
  }
  const keys = s.keyframes.map((k) => k.frame);
  t.same(settled, keys, 'every keyframe is handed on once, in frame order');
  return { keys, inferences };
}

t.test('steps: candidates every ~0.125 s, base keyframes every ~2 s on the candidate grid', async (t) => {
  t.same(adaptiveSteps(24), { candidateStep: 3, baseStep: 48 });
  t.same(adaptiveSteps(25), { candidateStep: 3, baseStep: 51 });
  t.same(adaptiveSteps(60), { candidateStep: 8, baseStep: 120 });
  t.same(adaptiveSteps(2), { candidateStep: 1, baseStep: 4 });
});

t.test('the mismatch signal: zero when the interpolation follows, high when it does not', async (t) => {
  const a = draw(0, 0.3, 0.5).truth;
  const b = draw(24, 0.7, 0.5).truth;
  const gray = (f: number, cx: number): Uint8Array => {
    const { data } = draw(f, cx, 0.5).kf;
    // Same gray rule as the schedule, at mask size (2x2 area average).
    const g = new Uint8Array(MW * MH);
    for (let y = 0; y < MH; y++) {
      for (let x = 0; x < MW; x++) {
        let s = 0;
        for (const [ox, oy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
          const p = 3 * ((2 * y + oy) * W + 2 * x + ox);
          s += (data[p] + 2 * data[p + 1] + data[p + 2]) / 4;
        }
        g[y * MW + x] = Math.round(s / 4);
      }
    }
    return g;
  };
  const known = (k: ScheduledKeyframe, f: number, cx: number): ScheduledKeyframe & { gray: Uint8Array } => ({ ...k, gray: gray(f, cx) });
  const [ka, kb] = [known(a, 0, 0.3), known(b, 24, 0.7)];
  const onPath = interpolationMismatch(ka, kb, { frame: 12, gray: gray(12, 0.5) }, MW, MH);
  const offPath = interpolationMismatch(ka, kb, { frame: 12, gray: gray(12, 0.3) }, MW, MH);
  t.ok(onPath < ADAPTIVE.threshold / 2, `subject where the interpolation puts it: ${onPath.toFixed(3)}`);
  t.ok(offPath > 2 * ADAPTIVE.threshold, `subject elsewhere: ${offPath.toFixed(3)}`);
  t.equal(interpolationMismatch({ ...ka, box: undefined, mask: undefined }, kb, { frame: 12, gray: gray(12, 0.5) }, MW, MH), 1, 'found at one end only: a full miss');
});

t.test('a still subject costs the base keyframes only; one that turns back gets keyframes at the turn', async (t) => {
  const frames = 4 * FPS + 1; // 4 s
  const still = await schedule(frames, () => [0.5, 0.5]);
  t.same(still.keys, [0, 48, 96], 'still: one model run per base interval (2 s)');
  t.equal(still.inferences, 3);
  const linear = await schedule(frames, (f) => [0.2 + (0.6 * f) / (frames - 1), 0.5]);
  t.same(linear.keys, [0, 48, 96], 'steady motion: the interpolation follows, no extra runs');
  // There and back every second: the base keyframes all see the disc at the same place.
  const back = await schedule(frames, (f) => [0.5 + 0.25 * Math.sin((2 * Math.PI * f) / FPS), 0.5]);
  t.ok(back.keys.length > 3, `there and back: extra keyframes (${back.keys.join(', ')})`);
  const seconds = (frames - 1) / FPS;
  t.ok(back.inferences <= ADAPTIVE.inferencesPerSecond * seconds, `within the budget: ${back.inferences} runs for ${seconds} s`);
  t.equal(back.inferences, back.keys.length, 'every model run is a keyframe');
});

t.test('base keyframes, and what render --dry-run says about the schedule', async (t) => {
  t.same(adaptiveBaseFrames(97, 24), [0, 48, 96]);
  t.same(adaptiveBaseFrames(100, 24), [0, 48, 96, 99]);
  t.same(adaptiveBaseFrames(1, 24), [0]);
  const dir = t.testdir();
  const fixtures = writeFixtureModels(join(dir, 'models'));
  const clip = makeClip({ dir, background: 'still-cellauto', width: 160, height: 120, seconds: 4 });
  const base = { input: clip.file, output: join(dir, 'out.mp4') };
  const adaptive = await dryRun({ ...base, segmenter: fixtures.segmenter });
  t.same([adaptive.analysis.keyframeSchedule, adaptive.analysis.keyframes], ['adaptive', 3]); // 15 fps: frames 0, 30 and the last, 59
  t.match(describeDryRun(adaptive), /analysis: adaptive keyframes: 3 base keyframes .*at most 2 model runs per second/);
  const fixed = await dryRun({ ...base, segmenter: fixtures.segmenter, keyframeSchedule: 'fixed' });
  t.same([fixed.analysis.keyframeSchedule, fixed.analysis.keyframes], ['fixed', 16]); // every 4 frames (0.25 s) and the last
  const modelFree = await dryRun(base);
  t.equal(modelFree.analysis.keyframeSchedule, 'fixed', 'the model-free finder always uses the fixed schedule');
});

// Hard-cut detection on clips generated with ffmpeg (known cut frames), and
// the automatic planner's rules on top of it.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { autoPlan, planFromShots, shotsFromCuts, AUTO_LOOKS } from '../src/plan/auto.js';
import { detectCuts, findCuts } from '../src/plan/cuts.js';
import { resolvePlan } from '../src/plan/resolve.js';
import { expectedCuts, makeClip, makePanClip, type Shot } from './helpers/plan-clips.js';
import { rng } from './helpers/random.js';

const paths = ffmpegPaths();

function assertCutsWithinOneFrame(t: Test, found: number[], expected: number[]): void {
  t.equal(found.length, expected.length, `found ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
  for (const e of expected) t.ok(found.some((f) => Math.abs(f - e) <= 1), `cut at frame ${e} found within one frame (found ${JSON.stringify(found)})`);
}

const CLIPS: { name: string; rate: string; shots: Shot[] }[] = [
  {
    name: '25 fps',
    rate: '25',
    shots: [
      { source: 'testsrc2', frames: 50 },
      { source: 'smptebars', frames: 38 },
      { source: 'mandelbrot', frames: 12 },
      { source: 'color=c=0x3060a0', frames: 40, filter: 'noise=alls=30:allf=t' },
    ],
  },
  {
    name: '29.97 fps',
    rate: '30000/1001',
    shots: [
      { source: 'mandelbrot', frames: 47 },
      { source: 'testsrc2', frames: 40 },
      { source: 'color=c=0xa05020', frames: 53, filter: 'noise=alls=25:allf=t' },
      { source: 'smptebars', frames: 45 },
    ],
  },
];

for (const clip of CLIPS) {
  t.test(`every cut of a ${clip.name} clip is found within one frame, with no false cuts`, async (t) => {
    const file = join(t.testdir({}), 'cuts.mp4');
    await makeClip(paths, file, clip.shots, clip.rate);
    const info = await probe(file, paths);
    const total = clip.shots.reduce((n, s) => n + s.frames, 0);
    t.equal(info.frames, total, 'the generated clip has the expected frame count');
    const detection = await detectCuts(info, paths);
    t.equal(detection.frames, total, 'one score per decoded frame');
    assertCutsWithinOneFrame(t, detection.cuts, expectedCuts(clip.shots));
  });
}

t.test('a moving single shot (a fast pan) has no cuts', async (t) => {
  const file = join(t.testdir({}), 'pan.mp4');
  await makePanClip(paths, file, '30000/1001', 90);
  const detection = await detectCuts(await probe(file, paths), paths);
  t.same(detection.cuts, []);
  // It really moves: the typical change score is well above a still clip's.
  const moving = Array.from(detection.scores.slice(1)).filter((s) => s > 0.01).length;
  t.ok(moving > 60, `${moving} of 89 frames differ from the previous one`);
});

t.test('findCuts: an isolated spike is a cut, steady high motion and a ramp are not', async (t) => {
  const next = rng(42);
  const noisy = (n: number, level: number) => Array.from({ length: n }, () => level * (0.8 + 0.4 * next()));
  // Heavy but steady motion (score ~0.12) with one spike at 40.
  const scores = [0, ...noisy(79, 0.12)];
  scores[40] = 0.6;
  t.same(findCuts(scores, 25), [40]);
  // A slow ramp up to a high level (a fade or zoom) never stands out from its neighbours.
  t.same(findCuts(Array.from({ length: 80 }, (_, i) => (i / 80) * 0.5), 25), []);
  // Two spikes three frames apart are both cuts; a flat spike of two equal frames counts once.
  const two = [0, ...noisy(79, 0.02)];
  two[30] = 0.5;
  two[33] = 0.45;
  two[60] = 0.4;
  two[61] = 0.4;
  t.same(findCuts(two, 25), [30, 33, 60]);
});

t.test('shots shorter than the minimum join the shot before them (the first joins the next)', async (t) => {
  const spans = (cuts: number[], frames: number, min: number) => shotsFromCuts(cuts, frames, min).map((s) => [s.startFrame, s.endFrame]);
  t.same(spans([50, 88, 100], 140, 25), [[0, 50], [50, 100], [100, 140]]);
  t.same(spans([10, 60], 120, 25), [[0, 60], [60, 120]], 'a short first shot swallows the next');
  t.same(spans([], 30, 25), [[0, 30]]);
  t.same(spans([0, 30, 30, 200], 100, 25), [[0, 30], [30, 100]], 'cuts at 0, duplicates and past the end are ignored');
  t.same(spans([100, 110], 120, 25), [[0, 120]], 'short shots at the end join the previous one');
});

t.test('looks rotate over shots, and the longest shot of at least 3 s gets a zoom', async (t) => {
  const grid = { fpsNum: 25, fpsDen: 1 };
  const plan = planFromShots(
    [
      { startFrame: 0, endFrame: 50 },
      { startFrame: 50, endFrame: 150 },
      { startFrame: 150, endFrame: 200 },
      { startFrame: 200, endFrame: 230 },
    ],
    grid,
    'a cat',
  );
  t.equal(plan.subject.prompt, 'a cat');
  t.same(plan.segments.map((s) => [s.start, s.end]), [[0, 2], [2, 6], [6, 8], [8, 9.2]]);
  t.same(plan.segments.map((s) => s.effects.map((e) => e.type)), [
    ['blur-background'],
    ['grayscale-background', 'vignette', 'zoom'],
    ['dim-background'],
    ['blur-background'],
  ]);
  t.match(plan.segments[1].effects[2], { type: 'zoom', factor: 1.2, follow: true });
  t.match(plan.segments[0].effects[0], AUTO_LOOKS[0][0]);
  // No zoom on a single shot, nor when the longest shot is under 3 s.
  t.same(planFromShots([{ startFrame: 0, endFrame: 500 }], grid).segments[0].effects.map((e) => e.type), ['blur-background']);
  const short = planFromShots([{ startFrame: 0, endFrame: 50 }, { startFrame: 50, endFrame: 120 }], grid);
  t.notOk(short.segments.some((s) => s.effects.some((e) => e.type === 'zoom')));
});

t.test('autoPlan on a clip with a short shot: segments follow the cuts, the short shot merged', async (t) => {
  const file = join(t.testdir({}), 'auto.mp4');
  await makeClip(paths, file, CLIPS[0].shots, '25');
  const info = await probe(file, paths);
  const { plan, cuts } = await autoPlan(info, paths, { subject: 'a test card' });
  assertCutsWithinOneFrame(t, cuts, [50, 88, 100]);
  const resolved = resolvePlan(plan, info);
  t.same(resolved.warnings, []);
  // The 12-frame mandelbrot shot (< 1 s) joins the smptebars shot before it.
  t.same(resolved.segments.map((s) => [s.startFrame, s.endFrame]), [[0, 50], [50, 100], [100, 140]]);
  t.same(plan.segments.map((s) => s.effects[0].type), ['blur-background', 'grayscale-background', 'dim-background']);
});

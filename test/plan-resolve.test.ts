// Seconds → frame ranges on the input's frame grid, at 29.97, 25 and 60 fps.
import t from 'tap';
import { PlanError } from '../src/plan/errors.js';
import { parsePlan } from '../src/plan/parse.js';
import { END_TOLERANCE_SECONDS, resolvePlan, type FrameGrid } from '../src/plan/resolve.js';
import { rng } from './helpers/random.js';

const GRIDS: { name: string; grid: FrameGrid }[] = [
  { name: '29.97 fps', grid: { fpsNum: 30000, fpsDen: 1001, frames: 300 } },
  { name: '25 fps', grid: { fpsNum: 25, fpsDen: 1, frames: 250 } },
  { name: '60 fps', grid: { fpsNum: 60, fpsDen: 1, frames: 600 } },
];

/**
 * Independent reference in exact integer arithmetic: a time of `ms`
 * milliseconds is ms·num/(1000·den) frames; round to nearest, halves up.
 */
function referenceFrame(ms: number, grid: FrameGrid): number {
  const num = BigInt(grid.fpsNum);
  const den = BigInt(grid.fpsDen);
  return Number((2n * BigInt(ms) * num + 1000n * den) / (2000n * den));
}

const effects = [{ type: 'dim-background' }];
const plan = (segments: { start: number; end?: number }[]) => parsePlan({ version: 1, segments: segments.map((s) => ({ ...s, effects })) });

for (const { name, grid } of GRIDS) {
  t.test(`random segment boundaries map to the nearest frame at ${name}`, async (t) => {
    const next = rng(0x5eed + grid.fpsNum);
    const totalMs = Math.floor((grid.frames * grid.fpsDen * 1000) / grid.fpsNum);
    for (let round = 0; round < 20; round++) {
      // Sorted distinct millisecond times; consecutive pairs become segments (with gaps between some).
      const times = [...new Set(Array.from({ length: 12 }, () => Math.floor(next() * totalMs)))].sort((a, b) => a - b);
      const pairs: [number, number][] = [];
      for (let k = 0; k + 1 < times.length; k += 2) {
        if (referenceFrame(times[k + 1], grid) > referenceFrame(times[k], grid)) pairs.push([times[k], times[k + 1]]);
      }
      const resolved = resolvePlan(plan(pairs.map(([a, b]) => ({ start: a / 1000, end: b / 1000 }))), grid);
      t.equal(resolved.segments.length, pairs.length);
      resolved.segments.forEach((s, i) => {
        const [a, b] = pairs[i];
        if (s.startFrame !== referenceFrame(a, grid) || s.endFrame !== referenceFrame(b, grid)) {
          t.fail(`${a} ms–${b} ms → [${s.startFrame}, ${s.endFrame}), expected [${referenceFrame(a, grid)}, ${referenceFrame(b, grid)})`);
        }
      });
      t.same(resolved.warnings, []);
    }
  });

  t.test(`every frame start written to the millisecond maps back to its frame at ${name}`, async (t) => {
    let wrong = 0;
    for (let f = 0; f < grid.frames; f++) {
      const seconds = Math.round(((f * grid.fpsDen) / grid.fpsNum) * 1000) / 1000;
      const r = resolvePlan(plan([{ start: seconds }]), grid);
      if (r.segments[0].startFrame !== f || r.segments[0].endFrame !== grid.frames) wrong++;
    }
    t.equal(wrong, 0);
  });
}

t.test('known values: DESIGN example at 29.97 fps, exact halves at 25 and 60 fps', async (t) => {
  const ntsc = resolvePlan(plan([{ start: 0, end: 4.2 }, { start: 4.2, end: 9.0 }]), GRIDS[0].grid);
  // 4.2 s × 30000/1001 = 125.87 → 126; 9 s → 269.73 → 270.
  t.same(ntsc.segments.map((s) => [s.startFrame, s.endFrame]), [[0, 126], [126, 270]]);
  // 0.06 s × 25 = 1.5 frames → 2 (halves go to the later frame); 0.1 s → 2.5 → 3.
  t.same(resolvePlan(plan([{ start: 0.06, end: 0.1 }]), GRIDS[1].grid).segments.map((s) => [s.startFrame, s.endFrame]), [[2, 3]]);
  // 0.025 s × 60 = 1.5 → 2; 4.2 × 60 = 252 exactly (floating point gives 252.00000000000003).
  t.same(resolvePlan(plan([{ start: 0.025, end: 4.2 }]), GRIDS[2].grid).segments.map((s) => [s.startFrame, s.endFrame]), [[2, 252]]);
});

t.test('segments come out sorted with gaps kept, and an open end runs to the last frame', async (t) => {
  const r = resolvePlan(plan([{ start: 6 }, { start: 1, end: 2 }]), GRIDS[1].grid);
  t.same(r.segments.map((s) => [s.startFrame, s.endFrame]), [[25, 50], [150, 250]]);
  t.equal(r.segments[0].effects[0].type, 'dim-background');
});

t.test(`an end up to ${END_TOLERANCE_SECONDS} s past the video is clamped with a warning; further is an error`, async (t) => {
  const grid = GRIDS[0].grid; // 300 frames = 10.01 s
  const clamped = resolvePlan(plan([{ start: 9, end: 10.2 }]), grid, 'cut.json');
  t.same(clamped.segments.map((s) => [s.startFrame, s.endFrame]), [[270, 300]]);
  t.same(clamped.warnings, ['cut.json: segments[0] ends at 10.2 s, slightly past the end of the video; clamped to 10.01 s (frame 300)']);
  // Inside the last frame: no warning needed.
  t.same(resolvePlan(plan([{ start: 9, end: 10.02 }]), grid).warnings, []);
  const tooFar = () => resolvePlan(plan([{ start: 0, end: 2 }, { start: 9, end: 10.3 }]), grid, 'cut.json');
  t.throws(tooFar, PlanError);
  t.throws(tooFar, {
    message: 'cut.json: invalid plan (1 problem):\n  segments[1]: ends at 10.3 s, past the end of the video; the video is 10.01 s long (300 frames at 29.97 fps) (ends up to 0.25 s past it are clamped)',
  });
  t.throws(() => resolvePlan(plan([{ start: 10.01, end: 10.2 }]), grid), { message: /segments\[0\]: starts at 10\.01 s, at or after the end of the video; the video is 10\.01 s long/ });
});

t.test('a segment shorter than one frame is an error naming the frame rate', async (t) => {
  t.throws(() => resolvePlan(plan([{ start: 1, end: 1.01 }]), GRIDS[1].grid), {
    message: /segments\[0\]: 1–1\.01 s is shorter than one frame at 25 fps; expected at least 0\.04 s/,
  });
});

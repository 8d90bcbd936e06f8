// The model-free finder on the native kernel gives exactly what it gives on
// the plain TS reference kernel (test/helpers/finder-reference.ts: the
// finder's former TS code), streaming or deferred: same boxes, scores and
// masks, on scenes with a subject and jumping distractors, sizes odd and even.
import t from 'tap';
import { ModelFreeFinder, type ModelFreeResult } from '../src/vision/model-free-finder.js';
import { ReferenceFinderKernel } from './helpers/finder-reference.js';
import { finderScenes } from './helpers/finder-scenes.js';

function run(frames: Uint8Array[], w: number, h: number, finder: ModelFreeFinder): ModelFreeResult {
  for (const f of frames) finder.add({ data: f, width: w, height: h });
  return finder.finish();
}

/** Largest difference over boxes, scores and masks (0 = identical). */
function difference(a: ModelFreeResult, b: ModelFreeResult): number {
  if (a.width !== b.width || a.height !== b.height || a.frames.length !== b.frames.length) return Infinity;
  let worst = 0;
  a.frames.forEach((fa, k) => {
    const fb = b.frames[k];
    if (fa.found !== fb.found) worst = Infinity;
    for (let i = 0; i < 4; i++) worst = Math.max(worst, Math.abs(fa.box[i] - fb.box[i]));
    worst = Math.max(worst, Math.abs(fa.score - fb.score));
    for (let i = 0; i < fa.mask.length; i++) worst = Math.max(worst, Math.abs(fa.mask[i] - fb.mask[i]));
  });
  return worst;
}

const reference = (w: number, h: number): ReferenceFinderKernel => new ReferenceFinderKernel(w, h);

for (const [w, h, count, seed] of [[192, 144, 16, 11], [191, 107, 14, 12], [97, 55, 6, 13]]) {
  t.test(`finder on the native kernel = finder on the reference, ${w}x${h}, ${count} keyframes`, async (t) => {
    const frames = finderScenes(w, h, count, seed);
    const want = run(frames, w, h, new ModelFreeFinder({ kernel: reference, deferred: true }));
    t.ok(want.frames.filter((f) => f.found).length >= count / 2, 'the scene has a subject to find');
    t.equal(difference(run(frames, w, h, new ModelFreeFinder()), want), 0, 'native, streaming: identical');
    t.equal(difference(run(frames, w, h, new ModelFreeFinder({ deferred: true })), want), 0, 'native, deferred: identical');
    t.equal(difference(run(frames, w, h, new ModelFreeFinder({ kernel: reference })), want), 0, 'reference, streaming: identical');
  });
}

t.test('finishMasks hands out the masks finish() returns, once, and the finder lets its per-keyframe maps go', async (t) => {
  const [w, h] = [96, 72];
  const frames = finderScenes(w, h, 10, 21);
  const want = run(frames, w, h, new ModelFreeFinder());
  const finder = new ModelFreeFinder();
  for (const f of frames) finder.add({ data: f, width: w, height: h });
  const masks: Float32Array[] = [];
  const got = finder.finishMasks((k, m) => masks.push(m) && t.equal(k, masks.length - 1, 'in keyframe order'));
  t.equal(difference({ ...got, frames: got.frames.map((f, k) => ({ ...f, mask: masks[k] })) }, want), 0, 'same boxes, scores and masks');
  const held = (finder as unknown as { saliencies: Float32Array[]; bins: Uint16Array[] });
  t.ok(held.saliencies.every((s) => s.length === 0) && held.bins.every((b) => b.length === 0), 'saliency maps and bins released');
  t.throws(() => finder.finish(), /finish was already called/);
});

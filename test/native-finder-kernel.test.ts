// The finder kernel in the addon against its plain TS reference
// (test/helpers/finder-reference.ts), on random scenes of odd and even sizes:
// packed Lab within 1 step (1/128 ΔE; libm and V8 may round cbrt/pow apart),
// colour bins, saliency and region labelling exactly as the reference gives
// them for the same input. Then the glue's refusals, each for its reason.
import t from 'tap';
import { NativeFinderKernel, REGION_HEAD, REGION_STRIDE } from '../src/vision/finder-kernel.js';
import { loadNative } from '../src/native/loader.js';
import { ReferenceFinderKernel, maxRegions } from './helpers/finder-reference.js';
import { rng } from './helpers/random.js';

/** A noisy backdrop with a few coloured rectangles that move from keyframe to keyframe. */
function scenes(w: number, h: number, count: number, seed: number): Uint8Array[] {
  const next = rng(seed);
  const bg = new Uint8Array(w * h * 3);
  const tint = [next() * 80, next() * 80, next() * 80];
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) bg[3 * i + c] = Math.min(255, Math.floor(tint[c] + next() * 120));
  const boxes = Array.from({ length: 3 }, () => ({
    x: next() * w, y: next() * h, bw: 3 + next() * w * 0.3, bh: 3 + next() * h * 0.3, vx: (next() - 0.5) * w * 0.1, vy: (next() - 0.5) * h * 0.1,
    colour: [Math.floor(next() * 256), Math.floor(next() * 256), Math.floor(next() * 256)],
  }));
  return Array.from({ length: count }, (_, k) => {
    const f = bg.slice();
    for (const b of boxes) {
      const x0 = Math.round(b.x + b.vx * k);
      const y0 = Math.round(b.y + b.vy * k);
      for (let y = Math.max(0, y0); y < Math.min(h, y0 + b.bh); y++) {
        for (let x = Math.max(0, x0); x < Math.min(w, x0 + b.bw); x++) f.set(b.colour, 3 * (y * w + x));
      }
    }
    return f;
  });
}

const SIZES: [number, number][] = [[192, 144], [191, 107], [64, 48], [33, 17], [7, 5], [1, 1], [2, 9]];

t.test('native finder kernel = TS reference on random scenes of odd and even sizes', async (t) => {
  for (const [w, h] of SIZES) {
    const n = w * h;
    const native = new NativeFinderKernel(w, h);
    const ref = new ReferenceFinderKernel(w, h);
    const frames = scenes(w, h, 8, w * 1000 + h);
    // Lab: within one packed step; the rest is compared on the same (reference) Lab.
    const labs = frames.map((f) => {
      const a = new Int16Array(3 * n);
      const b = new Int16Array(3 * n);
      native.lab(f, a);
      ref.lab(f, b);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      if (worst > 1) t.fail(`${w}x${h}: packed Lab differs by ${worst} steps`);
      return b;
    });
    let binsDiffer = 0;
    let salWorst = 0;
    let salDiffer = 0;
    let regionProblems = 0;
    for (let k = 0; k < labs.length; k++) {
      const bn = new Uint16Array(n);
      const br = new Uint16Array(n);
      native.bins(labs[k], bn);
      ref.bins(labs[k], br);
      for (let i = 0; i < n; i++) if (bn[i] !== br[i]) binsDiffer++;
      // 0, 1 and up to 6 neighbours (the change cue starts at 2).
      const others = labs.filter((_, j) => j !== k).slice(0, k % 7);
      const sn = new Float32Array(n);
      const sr = new Float32Array(n);
      native.saliency(labs[k], others, sn);
      ref.saliency(labs[k], others, sr);
      for (let i = 0; i < n; i++) {
        const d = Math.abs(sn[i] - sr[i]);
        salWorst = Math.max(salWorst, d);
        if (d > 0) salDiffer++;
      }
      // Regions at a few thresholds, with and without Lab.
      for (const threshold of [0.1, 0.3, 0.6]) {
        const stats = [new Float64Array(REGION_HEAD + maxRegions(w, h) * REGION_STRIDE), new Float64Array(REGION_HEAD + maxRegions(w, h) * REGION_STRIDE)];
        const members = [new Int32Array(n), new Int32Array(n)];
        const lab = threshold === 0.3 ? undefined : labs[k];
        const cn = native.regions(sr, threshold, lab, members[0], stats[0]);
        const cr = ref.regions(sr, threshold, lab, members[1], stats[1]);
        if (cn !== cr) regionProblems++;
        const used = REGION_HEAD + cr * REGION_STRIDE;
        for (let i = 0; i < used; i++) if (stats[0][i] !== stats[1][i]) regionProblems++;
        const pixels = cr ? stats[1][REGION_HEAD + (cr - 1) * REGION_STRIDE + 9] + stats[1][REGION_HEAD + (cr - 1) * REGION_STRIDE] : 0;
        for (let i = 0; i < pixels; i++) if (members[0][i] !== members[1][i]) regionProblems++;
      }
    }
    t.equal(binsDiffer, 0, `${w}x${h}: colour bins identical`);
    t.equal(salWorst, 0, `${w}x${h}: saliency identical (worst ${salWorst}, ${salDiffer} samples differ)`);
    t.equal(regionProblems, 0, `${w}x${h}: region count, stats and members identical`);
  }
});

t.test('regions sees every salient pixel: counts, boxes and members partition the opened mask', async (t) => {
  const [w, h] = [41, 23];
  const next = rng(99);
  const sal = new Float32Array(w * h);
  for (let i = 0; i < sal.length; i++) sal[i] = next();
  const kernel = new NativeFinderKernel(w, h);
  const members = new Int32Array(w * h);
  const stats = new Float64Array(REGION_HEAD + maxRegions(w, h) * REGION_STRIDE);
  const count = kernel.regions(sal, 0.2, undefined, members, stats);
  t.ok(count > 1, `${count} regions`);
  let total = 0;
  for (let r = 0; r < count; r++) {
    const o = REGION_HEAD + r * REGION_STRIDE;
    t.equal(stats[o + 9], total, `region ${r} starts where the one before ended`);
    for (let i = 0; i < stats[o]; i++) {
      const p = members[total + i];
      const [x, y] = [p % w, Math.floor(p / w)];
      if (x < stats[o + 1] || x > stats[o + 3] || y < stats[o + 2] || y > stats[o + 4]) t.fail(`pixel ${p} outside region ${r}'s box`);
      if (!(sal[p] >= 0.2)) t.fail(`pixel ${p} below the threshold`);
    }
    total += stats[o];
  }
  t.equal(new Set(members.subarray(0, total)).size, total, 'no pixel in two regions');
});

t.test('the glue refuses bad arguments, naming them', async (t) => {
  const { binding } = loadNative();
  const Kernel = binding.FinderKernel;
  if (!Kernel) throw new Error('the addon has no FinderKernel');
  t.throws(() => new Kernel(0, 5), { name: 'RangeError', message: /width must be .* in \[1/ });
  t.throws(() => new Kernel(5, 4097), { name: 'RangeError', message: /height/ });
  t.throws(() => new NativeFinderKernel(2.5, 3), { name: 'RangeError', message: /^width must be an integer, got 2\.5/ });
  const [w, h] = [6, 4];
  const n = w * h;
  const k = new Kernel(w, h);
  t.equal(k.maxRegions, maxRegions(w, h));
  const lab = new Int16Array(3 * n);
  t.throws(() => k.lab(new Uint8Array(3 * n - 1), lab), { name: 'RangeError', message: /^rgb must hold 72 elements, got 71$/ });
  t.throws(() => k.lab(new Uint8Array(3 * n), new Uint16Array(3 * n) as unknown as Int16Array), { name: 'TypeError', message: /^out must be a Int16Array, got a Uint16Array$/ });
  const detached = new Int16Array(new ArrayBuffer(6 * n));
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  t.throws(() => k.bins(detached, new Uint16Array(n)), { name: 'TypeError', message: /^lab is detached/ });
  const shared = new ArrayBuffer(8 * n);
  t.throws(() => k.bins(new Int16Array(shared, 0, 3 * n), new Uint16Array(shared, 0, n)), { name: 'RangeError', message: /lab and out must not share memory/ });
  const sal = new Float32Array(n);
  t.throws(() => k.saliency(lab, [lab, lab, lab, lab, lab, lab, lab], sal), { name: 'RangeError', message: /at most 6 keyframes, got 7/ });
  t.throws(() => k.saliency(lab, [lab, 'x' as unknown as Int16Array], sal), { name: 'TypeError', message: /^others\[1\] must be a Int16Array/ });
  t.throws(() => k.saliency(lab, lab as unknown as Int16Array[], sal), { name: 'TypeError', message: /others must be an array/ });
  const stats = new Float64Array(REGION_HEAD + maxRegions(w, h) * REGION_STRIDE);
  t.throws(() => k.regions(sal, Number.NaN, null, new Int32Array(n), stats), { name: 'RangeError', message: /threshold/ });
  t.throws(() => k.regions(sal, 0.5, null, new Int32Array(n), new Float64Array(3)), { name: 'RangeError', message: /^stats must hold/ });
  t.throws(() => (k.regions as (...args: unknown[]) => number)(sal, 0.5, null, new Int32Array(n)), { name: 'TypeError', message: /takes 5 arguments, got 4/ });
  t.equal(k.regions(sal, 0.5, null, new Int32Array(n), stats), 0, 'a dark map has no regions');
});

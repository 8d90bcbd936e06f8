import t from 'tap';
import { ATLAS_MAGIC, atlasOffsets } from '../src/vision/atlas-layout.js';
import { AtlasError, boxAtFrame, keyframePair, readAtlas, sampleMask, writeAtlas, type AtlasContents } from '../src/vision/atlas.js';
import { discMask } from './helpers/atlas-ref.js';
import { randomBytes, rng } from './helpers/random.js';

function randomContents(seed: number, k: number, mw: number, mh: number): AtlasContents {
  const next = rng(seed);
  const frames: number[] = [];
  let f = Math.floor(next() * 5);
  for (let i = 0; i < k; i++) {
    frames.push(f);
    f += 1 + Math.floor(next() * 20);
  }
  const boxes: number[] = [];
  for (let i = 0; i < k; i++) {
    const x = next() * 0.5;
    const y = next() * 0.5;
    boxes.push(x, y, next() * 0.5, next() * 0.5);
  }
  return { maskWidth: mw, maskHeight: mh, sourceWidth: 1920, sourceHeight: 1080, frames, boxes, scores: frames.map(() => next()), masks: randomBytes(k * mw * mh, next) };
}

t.test('atlas round trip: write into a SharedArrayBuffer, read back the same values', async (t) => {
  for (const [seed, k, mw, mh] of [[1, 1, 1, 1], [2, 7, 320, 180], [3, 33, 17, 31]]) {
    const c = randomContents(seed, k, mw, mh);
    const bytes = writeAtlas(c);
    t.ok(bytes.buffer instanceof SharedArrayBuffer, 'shared memory');
    t.equal(bytes.byteOffset, 0);
    t.equal(bytes.byteLength, bytes.buffer.byteLength, 'view covers exactly the atlas bytes');
    t.equal(bytes.byteLength, atlasOffsets({ maskWidth: mw, maskHeight: mh, keyframes: k }).total);
    const a = readAtlas(bytes);
    t.equal(a.keyframes, k);
    t.same([a.maskWidth, a.maskHeight, a.sourceWidth, a.sourceHeight], [mw, mh, 1920, 1080]);
    t.same(Array.from(a.frames), c.frames);
    t.same(Array.from(a.boxes), Array.from(Float32Array.from(c.boxes)), 'boxes (float32)');
    t.same(Array.from(a.scores), Array.from(Float32Array.from(c.scores)), 'scores (float32)');
    t.ok(Buffer.from(a.masks).equals(Buffer.from(c.masks)), 'masks byte for byte');
    t.equal(a.masks.buffer, bytes.buffer, 'reader views the same memory (no copy)');
  }
});

t.test('the bytes follow docs/atlas.md field by field', async (t) => {
  const c = randomContents(9, 3, 4, 2);
  const bytes = writeAtlas(c);
  const dv = new DataView(bytes.buffer);
  t.same([0, 4, 8, 12, 16, 20, 24, 28].map((o) => dv.getUint32(o, true)), [ATLAS_MAGIC, 2, 4, 2, 3, 1920, 1080, 0]);
  t.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'MFAT');
  t.same([0, 1, 2].map((i) => dv.getUint32(32 + 4 * i, true)), c.frames);
  t.equal(dv.getFloat32(32 + 12 + 4, true), Math.fround(c.boxes[1]), 'box y of keyframe 0 at 32 + 4K + 4');
  t.equal(dv.getFloat32(32 + 60 + 8, true), Math.fround(c.scores[2]), 'score of keyframe 2 at 32 + 20K + 8');
  t.equal(bytes[112 + 11], c.masks[11], 'masks start at align16(32 + 24K) = 112');
});

t.test('reader rejects damaged atlases with errors naming the problem', async (t) => {
  const good = writeAtlas(randomContents(4, 3, 8, 8));
  const damaged = (edit: (b: Uint8Array, dv: DataView) => void): Uint8Array => {
    const b = good.slice();
    edit(b, new DataView(b.buffer));
    return b;
  };
  t.throws(() => readAtlas(good.subarray(0, 10)), /shorter than the 32-byte header/);
  t.throws(() => readAtlas(damaged((b) => (b[0] = 0))), { name: 'AtlasError', message: /bad magic/ });
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setUint32(4, 3, true))), /version 3 is not supported/);
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setUint32(8, 0, true))), /mask size 0x8/);
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setUint32(16, 0, true))), /keyframe count is 0/);
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setUint32(16, 4, true))), /need exactly/);
  t.throws(() => readAtlas(good.subarray(0, good.length - 1)), /need exactly/);
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setUint32(36, 0, true))), /keyframe 1: frame index 0 does not increase/);
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setFloat32(44, Number.NaN, true))), /keyframe 0 .*box value NaN/);
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setFloat32(32 + 60, 2, true))), /score 2 is not in 0..1/);
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setUint32(28, 2, true))), /flags 2 has unknown bits/);
  t.throws(() => readAtlas(damaged((_b, dv) => dv.setUint32(28, 1, true))), /motion section's header .* is missing/);
  t.throws(() => readAtlas(damaged((_b, dv) => [dv.setUint32(4, 1, true), dv.setUint32(28, 1, true)])), /flags 1 has unknown bits \(version 1 knows 0\)/);
  const v1 = damaged((_b, dv) => dv.setUint32(4, 1, true));
  t.equal(readAtlas(v1).version, 1, 'a version 1 atlas (no motion section) is still read');
});

t.test('writer refuses inconsistent contents', async (t) => {
  const c = randomContents(5, 2, 4, 4);
  t.throws(() => writeAtlas({ ...c, masks: new Uint8Array(3) }), AtlasError);
  t.throws(() => writeAtlas({ ...c, frames: [5, 5] }), /does not increase/);
  t.throws(() => writeAtlas({ ...c, boxes: [0, 0, 1] }), /box values for 2 keyframes/);
  t.throws(() => writeAtlas({ ...c, maskWidth: 2000 }), /mask width 2000/);
  t.throws(() => writeAtlas({ ...c, scores: [0.5, Number.POSITIVE_INFINITY] }), /score/);
});

t.test('sampling blends the two nearest keyframes and holds before the first / after the last', async (t) => {
  // Two 2x2 masks: all 0 at frame 10, all 200 at frame 20.
  const bytes = writeAtlas({ maskWidth: 2, maskHeight: 2, sourceWidth: 8, sourceHeight: 8, frames: [10, 20], boxes: [0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], scores: [1, 1], masks: Uint8Array.from([0, 0, 0, 0, 200, 200, 200, 200]) });
  const a = readAtlas(bytes);
  t.same(keyframePair(a.frames, 15), { k0: 0, k1: 1, t: 0.5 });
  t.same(Array.from(sampleMask(a, 15, 4, 4)), new Array(16).fill(100));
  t.same(Array.from(sampleMask(a, 0, 3, 3)), new Array(9).fill(0), 'before the first keyframe');
  t.same(Array.from(sampleMask(a, 99, 3, 3)), new Array(9).fill(200), 'after the last keyframe');
  t.same(boxAtFrame(a, 15), [0.25, 0.25, 0.5, 0.5]);
  // Spatial: a 2x1 mask [0, 255] upsampled to 4 pixels: centres map to -0.25, 0.25, 0.75, 1.25 → clamped.
  const ramp = readAtlas(writeAtlas({ maskWidth: 2, maskHeight: 1, sourceWidth: 4, sourceHeight: 1, frames: [0], boxes: [0, 0, 1, 1], scores: [0], masks: Uint8Array.from([0, 255]) }));
  t.same(Array.from(sampleMask(ramp, 0, 4, 1)), [0, 64, 191, 255]);
});

/** Two keyframes (frames 0 and 10) of a disc moving from c0 (radius r0) to c1 (radius r1), boxes fitted to the disc. */
function discAtlas(c0: [number, number], c1: [number, number], r0: number, r1: number, boxes?: number[]): ReturnType<typeof readAtlas> {
  const m = 80;
  return readAtlas(
    writeAtlas({
      maskWidth: m, maskHeight: m, sourceWidth: 200, sourceHeight: 200, frames: [0, 10], scores: [1, 1],
      boxes: boxes ?? [c0[0] - r0, c0[1] - r0, 2 * r0, 2 * r0, c1[0] - r1, c1[1] - r1, 2 * r1, 2 * r1],
      masks: Uint8Array.from([...discMask(m, m, c0[0], c0[1], r0), ...discMask(m, m, c1[0], c1[1], r1)]),
    }),
  );
}

t.test('between keyframes a moving disc is sampled as one full-strength disc at the interpolated box', async (t) => {
  const side = 200;
  const at = (mask: Uint8Array, u: number, v: number): number => mask[Math.floor(v * side) * side + Math.floor(u * side)];
  // Moving right, then moving diagonally while doubling in size.
  for (const [c0, c1, r0, r1] of [[[0.2, 0.5], [0.8, 0.5], 0.1, 0.1], [[0.3, 0.25], [0.7, 0.75], 0.07, 0.14]] as [[number, number], [number, number], number, number][]) {
    const a = discAtlas(c0, c1, r0, r1);
    const mask = sampleMask(a, 5, side, side); // t = 0.5
    const mid = [(c0[0] + c1[0]) / 2, (c0[1] + c1[1]) / 2];
    const r = (r0 + r1) / 2;
    t.ok(at(mask, mid[0], mid[1]) >= 240, `interpolated centre ${mid}: ${at(mask, mid[0], mid[1])}`);
    t.ok(at(mask, mid[0], mid[1] - 0.7 * r) >= 240, 'inside the interpolated radius');
    t.ok(at(mask, mid[0], mid[1] - 1.4 * r) <= 15, 'outside the interpolated radius');
    t.ok(at(mask, c0[0], c0[1]) <= 15 && at(mask, c1[0], c1[1]) <= 15, `no ghosts at the old/new centres: ${at(mask, c0[0], c0[1])}, ${at(mask, c1[0], c1[1])}`);
    // On the keyframes themselves the stored masks are used as they are.
    t.ok(at(sampleMask(a, 0, side, side), c0[0], c0[1]) === 255 && at(sampleMask(a, 10, side, side), c1[0], c1[1]) === 255, 'keyframes unchanged');
  }
});

t.test('with an empty box on either keyframe, sampling is a plain cross-fade', async (t) => {
  const side = 200;
  const at = (mask: Uint8Array, u: number, v: number): number => mask[Math.floor(v * side) * side + Math.floor(u * side)];
  for (const boxes of [[0.1, 0.4, 0, 0.2, 0.7, 0.4, 0.2, 0.2], [0.1, 0.4, 0.2, 0.2, 0.7, 0.4, 0.2, 0]]) {
    const a = discAtlas([0.2, 0.5], [0.8, 0.5], 0.1, 0.1, boxes);
    const mask = sampleMask(a, 5, side, side);
    t.ok(Math.abs(at(mask, 0.2, 0.5) - 128) <= 1 && Math.abs(at(mask, 0.8, 0.5) - 128) <= 1, `half-strength at both places (box ${boxes})`);
    t.equal(at(mask, 0.5, 0.5), 0, 'nothing in between');
  }
});

// Note for the native engineer: the TS writer → addon reader round trip is
// tested in the native atlas test once the addon exposes its atlas reader;
// sampleMask above is the plain reference for the addon's sampler.

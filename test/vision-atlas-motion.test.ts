// The atlas's motion section (docs/atlas.md "Motion"): layout round trip, the
// reader's checks, the addon against the step-by-step reference on random sizes,
// and the reason it exists: a subject on a curved path between two keyframes is
// sampled where it is, not where the straight box interpolation puts it.
import t from 'tap';
import { EFFECT_NAMES, EFFECTS, type EffectSpec } from '../src/effects/catalog.js';
import { EffectChain, frameBytes } from '../src/native/effects.js';
import { motionGrid } from '../src/vision/atlas-layout.js';
import { readAtlas, sampleMask, writeAtlas as writeAtlasProd, type AtlasMotion } from '../src/vision/atlas.js';
import { discMask, randomAtlas, randomMotion, writeAtlas, type AtlasContent } from './helpers/atlas-ref.js';
import { maxAbsDiff, randomSpec, rawOf } from './helpers/effects-ref-cases.js';
import { randomBytes, rng } from './helpers/random.js';
import { applyChainRef } from './helpers/reference-effects.js';

/** The helper's per-interval motion as the production writer's flat arrays. */
function flatMotion(c: AtlasContent): AtlasMotion {
  const m = c.motion!;
  const samples = m.intervals.flat();
  const first: number[] = [];
  let n = 0;
  for (let i = 0; i < c.frames.length; i++) {
    first.push(n);
    n += m.intervals[i]?.length ?? 0;
  }
  const fields = new Int16Array(samples.reduce((s, x) => s + x.field.length, 0));
  let o = 0;
  for (const s of samples) {
    fields.set(s.field, o);
    o += s.field.length;
  }
  return { blockSize: m.blockSize, first, frames: samples.map((s) => s.frame), fields };
}

const prodWrite = (c: AtlasContent): Uint8Array =>
  writeAtlasProd({ ...c, boxes: c.boxes.flat(), scores: c.scores ?? c.frames.map(() => 1), masks: Uint8Array.from(c.masks.flatMap((m) => [...m])), motion: flatMotion(c) });

t.test('motion section: the production writer writes the documented bytes and reads them back', async (t) => {
  const next = rng(0x5eed1);
  for (let trial = 0; trial < 8; trial++) {
    const c = randomAtlas(next, { width: 64, height: 36, keyframes: 1 + (trial % 4) });
    c.motion = randomMotion(next, c);
    const doc = writeAtlas(c);
    const prod = prodWrite(c);
    t.same(Buffer.from(prod), Buffer.from(doc), `trial ${trial}: same bytes as the test writer that follows docs/atlas.md`);
    const v = readAtlas(prod);
    const m = flatMotion(c);
    t.same([...v.motion!.first], Array.from(m.first));
    t.same([...v.motion!.frames], Array.from(m.frames));
    t.same([...v.motion!.fields], [...m.fields]);
    t.equal(v.motion!.blockSize, m.blockSize);
  }
});

t.test('motion section: the readers refuse damaged motion, naming it', async (t) => {
  const next = rng(0xbad);
  const c = randomAtlas(next, { width: 40, height: 30, keyframes: 3 });
  c.frames = [0, 6, 12];
  c.motion = randomMotion(next, c, { share: 1 });
  const m = flatMotion(c);
  const base = { ...c, boxes: c.boxes.flat(), scores: [1, 1, 1], masks: Uint8Array.from(c.masks.flatMap((x) => [...x])) };
  t.throws(() => writeAtlasProd({ ...base, motion: { ...m, blockSize: 3 } }), /motion block size 3/);
  t.throws(() => writeAtlasProd({ ...base, motion: { ...m, first: [0, 1, m.frames.length] } }), /interval 0 has 1 samples/);
  t.throws(() => writeAtlasProd({ ...base, motion: { ...m, frames: Array.from(m.frames).map((f, j) => (j === 0 ? f + 1 : f)) } }), /must start on frame 0/);
  t.throws(() => writeAtlasProd({ ...base, motion: { ...m, fields: m.fields.subarray(1) } }), /field values/);
  const good = writeAtlas(c);
  const W = 40;
  const H = 30;
  const dim: EffectSpec = { type: 'dim-background', amount: 0.5, feather: 0 };
  const { gw, gh } = motionGrid(c.maskWidth, c.maskHeight, c.motion.blockSize);
  const start = good.length - 8 * gw * gh * m.frames.length - 4 * m.frames.length - 4 * 3 - 8;
  const damaged = (edit: (dv: DataView) => void, length = good.length): Uint8Array => {
    const b = new Uint8Array(new SharedArrayBuffer(length));
    b.set(good.subarray(0, length));
    edit(new DataView(b.buffer));
    return b;
  };
  const cases: [string, Uint8Array, RegExp, RegExp][] = [
    ['block size 65', damaged((dv) => dv.setUint32(start, 65, true)), /motion block size 65/, /invalid motion section/],
    ['one byte short', damaged(() => {}, good.length - 1), /need exactly/, /truncated/],
    ['sample frames do not increase', damaged((dv) => dv.setUint32(start + 8 + 12 + 4, 0, true)), /does not increase|must start/, /invalid motion section/],
    ['interval starts past the sample count', damaged((dv) => dv.setUint32(start + 8 + 4, 10_000, true)), /interval 0|interval starts/, /invalid motion section/],
  ];
  for (const [what, bytes, ts, native] of cases) {
    t.throws(() => readAtlas(bytes), { name: 'AtlasError', message: ts }, `reader: ${what}`);
    t.throws(() => new EffectChain({ width: W, height: H, effects: [dim], atlas: bytes }), { name: 'RangeError', message: native }, `addon: ${what}`);
  }
});

t.test('random atlases with motion: the addon matches the reference within ±1 on odd and even sizes', async (t) => {
  const next = rng(0x40710);
  const maskEffects = EFFECT_NAMES.filter((n) => EFFECTS[n].usesMask);
  let differ = 0;
  let compared = 0;
  for (let trial = 0; trial < 24; trial++) {
    const [w, h] = [[1, 1], [3, 5], [64, 36], [37, 23], [50, 50], [33, 64], [2, 7], [81, 45]][trial % 8];
    const content = randomAtlas(next, { width: w, height: h, keyframes: 2 + (trial % 3), maxMaskSide: 40 });
    content.motion = randomMotion(next, content, { share: 0.8, maxShift: trial % 2 ? 4 : 40 });
    const atlas = writeAtlas(content, trial % 3);
    const spec = randomSpec(maskEffects[trial % maskEffects.length], next);
    const effects = [(trial % 2 && 'feather' in spec ? { ...spec, feather: 0 } : spec)];
    const chain = new EffectChain({ width: w, height: h, effects, atlas });
    const first = content.frames[0];
    const last = content.frames[content.frames.length - 1];
    for (let f = Math.max(0, first - 1); f <= last + 1; f += 1 + Math.floor(next() * 3)) {
      const frame = randomBytes(chain.frameBytes, next);
      const raw = effects.map((e) => rawOf(e));
      const expected = applyChainRef({ width: w, height: h, effects: raw, atlas }, frame, f);
      const box = applyChainRef({ width: w, height: h, effects: raw, atlas, maskRule: 'box' }, frame, f);
      chain.apply(frame, f);
      const d = maxAbsDiff(frame, expected);
      t.ok(d.worst <= 1, `${effects[0].type} ${w}x${h} mask ${content.maskWidth}x${content.maskHeight} block ${content.motion.blockSize} frame ${f}: max difference ${d.worst}`);
      compared++;
      if (maxAbsDiff(frame, box).worst > 8) differ++;
    }
  }
  t.ok(differ > compared / 4, `the motion fields change the result (${differ} of ${compared} frames differ from the box map)`);
});

/** A disc of radius r on a curved path: centre at time u (0..1 between the keyframes). */
const path = (u: number): [number, number] => [0.25 + 0.5 * u, 0.5 - 0.15 * Math.sin(Math.PI * u)];

/**
 * Two keyframes (frames 0 and 8) of a disc whose true path bends away from the straight line
 * between them, with motion samples on every frame: each field says exactly where the disc moved
 * (a translation, in 1/16 mask pixel), as the analysis measures it.
 */
function curvedDisc(motion: boolean): { content: AtlasContent; side: number; m: number; r: number } {
  const side = 96;
  const m = 48;
  const r = 0.12;
  const [c0, c1] = [path(0), path(1)];
  const box = (c: [number, number]): [number, number, number, number] => [c[0] - r, c[1] - r, 2 * r, 2 * r];
  const content: AtlasContent = { maskWidth: m, maskHeight: m, sourceWidth: side, sourceHeight: side, frames: [0, 8], boxes: [box(c0), box(c1)], masks: [discMask(m, m, ...c0, r), discMask(m, m, ...c1, r)] };
  if (motion) {
    const blockSize = 8;
    const { gw, gh } = motionGrid(m, m, blockSize);
    const samples = Array.from({ length: 9 }, (_, f) => {
      const c = path(f / 8);
      const field = new Int16Array(4 * gw * gh);
      for (let b = 0; b < gw * gh; b++) {
        field.set([(c0[0] - c[0]) * m * 16, (c0[1] - c[1]) * m * 16, (c1[0] - c[0]) * m * 16, (c1[1] - c[1]) * m * 16].map(Math.round), 4 * b);
      }
      return { frame: f, field };
    });
    content.motion = { blockSize, intervals: [samples] };
  }
  return { content, side, m, r };
}

/** IoU (mask >= 128) of a sampled mask with the true disc at frame f. */
function discIou(mask: Uint8Array, side: number, f: number, r: number): number {
  const truth = discMask(side, side, ...path(f / 8), r);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < mask.length; i++) {
    const a = mask[i] >= 128;
    const b = truth[i] >= 128;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return inter / union;
}

t.test('a disc on a curved path: with motion samples the in-between mask follows it, the box map does not', async (t) => {
  const withMotion = curvedDisc(true);
  const without = curvedDisc(false);
  const v = readAtlas(Uint8Array.from(writeAtlas(withMotion.content)));
  const vb = readAtlas(Uint8Array.from(writeAtlas(without.content)));
  const { side, r } = withMotion;
  // A 48-pixel mask of a disc upsampled to 96 is not the 96-pixel disc exactly: the keyframe's own IoU is the bar.
  const own = discIou(sampleMask(v, 0, side, side), side, 0, r);
  for (const f of [2, 4, 6]) {
    const flow = discIou(sampleMask(v, f, side, side), side, f, r);
    const box = discIou(sampleMask(vb, f, side, side), side, f, r);
    t.ok(flow >= own - 0.03, `frame ${f}: motion-warped mask IoU ${flow.toFixed(3)}, on the keyframe ${own.toFixed(3)}`);
    t.ok(box < 0.8, `frame ${f}: the box map misses the bend (IoU ${box.toFixed(3)})`);
    // The addon applies the same rule (probe: replace-background with black, no feather).
    const frame = new Uint8Array(frameBytes(side, side)).fill(128);
    frame.fill(235, 0, side * side);
    new EffectChain({ width: side, height: side, effects: [{ type: 'replace-background', color: '#000000', fit: 'cover', feather: 0 }], atlas: writeAtlas(withMotion.content) }).apply(frame, f);
    const nativeMask = frame.subarray(0, side * side).map((y) => (y >= 126 ? 255 : 0));
    t.ok(discIou(nativeMask, side, f, r) >= own - 0.03, `frame ${f}: the addon's mask follows it too (IoU ${discIou(nativeMask, side, f, r).toFixed(3)})`);
  }
});

t.test('sampleMask (the floating-point rule) and the addon agree with motion', async (t) => {
  const { content, side } = curvedDisc(true);
  const v = readAtlas(Uint8Array.from(writeAtlas(content)));
  const probe = (m: number): number => {
    const w = m + (m >> 7);
    return (235 * w + 16 * (256 - w) + 128) >> 8;
  };
  for (const f of [0, 1, 3, 5, 7, 8]) {
    const frame = new Uint8Array(frameBytes(side, side)).fill(128);
    frame.fill(235, 0, side * side);
    new EffectChain({ width: side, height: side, effects: [{ type: 'replace-background', color: '#000000', fit: 'cover', feather: 0 }], atlas: writeAtlas(content) }).apply(frame, f);
    const expected = sampleMask(v, f, side, side).map(probe);
    t.ok(maxAbsDiff(frame.subarray(0, side * side), expected).worst <= 3, `frame ${f}: max luma difference ${maxAbsDiff(frame.subarray(0, side * side), expected).worst}`);
  }
});
